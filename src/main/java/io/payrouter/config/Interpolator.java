package io.payrouter.config;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Function;

/**
 * Replaces {@code ${NAME}} and {@code ${NAME:-default}} in every string of a parsed YAML tree
 * (defaults may nest: {@code ${A:-${B}/x}}). Secrets stay out of the config files this way.
 * A variable that is unset and has no default becomes "" and is reported in {@link #missing()}.
 */
public final class Interpolator {
  private final Function<String, String> env;
  private final Set<String> missing = new TreeSet<>();

  public Interpolator(Function<String, String> env) {
    this.env = env;
  }

  public Set<String> missing() {
    return missing;
  }

  @SuppressWarnings("unchecked")
  public Object apply(Object node) {
    if (node instanceof String s) return interpolate(s);
    if (node instanceof Map<?, ?> m) {
      Map<String, Object> out = new LinkedHashMap<>();
      ((Map<Object, Object>) m).forEach((k, v) -> out.put(String.valueOf(k), apply(v)));
      return out;
    }
    if (node instanceof List<?> l) {
      List<Object> out = new ArrayList<>();
      for (Object o : l) out.add(apply(o));
      return out;
    }
    return node;
  }

  public String interpolate(String s) {
    StringBuilder out = new StringBuilder();
    int i = 0;
    while (i < s.length()) {
      int start = s.indexOf("${", i);
      if (start < 0) {
        out.append(s, i, s.length());
        break;
      }
      out.append(s, i, start);
      int end = matchingBrace(s, start + 2);
      if (end < 0) throw new IllegalArgumentException("unclosed ${ in config value");
      String expr = s.substring(start + 2, end);
      int sep = expr.indexOf(":-");
      String name = sep < 0 ? expr : expr.substring(0, sep);
      String value = env.apply(name);
      if (value == null || value.isEmpty()) {
        if (sep >= 0) {
          value = interpolate(expr.substring(sep + 2));
        } else {
          missing.add(name);
          value = "";
        }
      }
      out.append(value);
      i = end + 1;
    }
    return out.toString();
  }

  private static int matchingBrace(String s, int from) {
    int depth = 1;
    for (int i = from; i < s.length(); i++) {
      if (s.startsWith("${", i)) {
        depth++;
        i++;
      } else if (s.charAt(i) == '}' && --depth == 0) {
        return i;
      }
    }
    return -1;
  }
}
