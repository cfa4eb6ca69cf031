package io.payrouter.api;

import io.payrouter.common.FieldError;
import java.io.StringReader;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Places problems with a YAML body on its lines: a field path such as
 * {@code rules[1].providers[0]} is followed through the document's nodes, and the problem gets the
 * line of the deepest node of the path that exists (the key's line for a mapping entry, the item's
 * for a list item). A body that is {@code GET /admin/routing}'s answer (the document under
 * {@code rules}) is followed from there. Parsing is bounded like every YAML read (64 KiB bodies).
 */
final class YamlLines {
  private static final Pattern SEGMENT = Pattern.compile("([^.\\[\\]]+)|\\[(\\d{1,6})\\]");

  private YamlLines() {}

  /** The problems with their lines (unchanged when the text does not compose). */
  static List<FieldError> place(String text, List<FieldError> problems) {
    Node root;
    try {
      root = new Yaml(new LoaderOptions()).compose(new StringReader(text));
    } catch (RuntimeException e) {
      return problems;
    }
    if (root == null) return problems;
    Node base = answerShape(root);
    List<FieldError> out = new ArrayList<>(problems.size());
    for (FieldError p : problems) out.add(p.at(line(base, p.field())));
    return out;
  }

  /** The 1-based line where a path ends in the document (the document's first line for ""). */
  static int line(Node root, String path) {
    Node at = root;
    int line = root.getStartMark().getLine() + 1;
    Matcher m = SEGMENT.matcher(path == null ? "" : path);
    while (m.find()) {
      if (m.group(1) != null && at instanceof MappingNode map) {
        NodeTuple hit = null;
        for (NodeTuple t : map.getValue()) {
          if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(m.group(1))) {
            hit = t;
            break;
          }
        }
        if (hit == null) return line;
        line = hit.getKeyNode().getStartMark().getLine() + 1;
        at = hit.getValueNode();
      } else if (m.group(2) != null && at instanceof SequenceNode seq) {
        int i = Integer.parseInt(m.group(2));
        if (i >= seq.getValue().size()) return line;
        at = seq.getValue().get(i);
        line = at.getStartMark().getLine() + 1;
      } else {
        return line;
      }
    }
    return line;
  }

  /** GET /admin/routing's answer sent back: paths are relative to its {@code rules} mapping. */
  private static Node answerShape(Node root) {
    if (root instanceof MappingNode map) {
      for (NodeTuple t : map.getValue()) {
        if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals("rules") && t.getValueNode() instanceof MappingNode) {
          return t.getValueNode();
        }
      }
    }
    return root;
  }

  /** Where a YAML text stops parsing (1-based line), or -1 when the error has no position. */
  static int errorLine(RuntimeException e) {
    Throwable t = e;
    while (t != null) {
      if (t instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getProblemMark() != null) {
        return y.getProblemMark().getLine() + 1;
      }
      t = t.getCause();
    }
    return -1;
  }
}
