package io.payrouter.testsupport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The routing rules examples of the documentation, read from the files themselves so that a test of
 * them fails when the documentation changes into something the router refuses.
 */
public final class DocExamples {
  private DocExamples() {}

  /** The rules example of the README's routing guide (YAML). */
  public static String readmeRules() {
    return only(blocks(Path.of("README.md"), "## Routing guide", "yaml", "rules:"), "README routing guide");
  }

  /** The shipped rules file, which the README's PUT example sends. */
  public static String shippedRules() {
    return read(Path.of("config/routing.yaml"));
  }

  /** The rules document example of src/docs/api.md's "Routing" section (JSON). */
  public static String apiDocRules() {
    return only(blocks(Path.of("src/docs/api.md"), "### Routing", "json", "\"rules\""), "api.md Routing");
  }

  /**
   * The fenced {@code lang} blocks of the section under {@code heading} (up to the next heading of
   * the same or a higher level) whose text contains {@code marker}.
   */
  public static List<String> blocks(Path file, String heading, String lang, String marker) {
    List<String> lines = read(file).lines().toList();
    String level = heading.substring(0, heading.indexOf(' ') + 1);
    List<String> out = new ArrayList<>();
    boolean inSection = false;
    boolean inFence = false;
    StringBuilder block = null;
    for (String line : lines) {
      if (inFence) {
        if (line.startsWith("```")) {
          if (block != null && block.toString().contains(marker)) out.add(block.toString());
          inFence = false;
          block = null;
        } else if (block != null) {
          block.append(line).append('\n');
        }
      } else if (line.startsWith("```")) {
        inFence = true;
        block = inSection && line.equals("```" + lang) ? new StringBuilder() : null;
      } else if (line.startsWith("#")) {
        String hashes = line.substring(0, line.indexOf(' ') + 1);
        if (line.startsWith(heading)) {
          inSection = true;
        } else if (inSection && hashes.length() <= level.length()) {
          inSection = false;
        }
      }
    }
    return out;
  }

  private static String only(List<String> blocks, String where) {
    if (blocks.size() != 1) throw new AssertionError(where + ": expected one rules example, found " + blocks.size());
    return blocks.get(0);
  }

  private static String read(Path file) {
    try {
      return Files.readString(file);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + file.toAbsolutePath(), e);
    }
  }
}
