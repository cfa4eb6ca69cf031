package io.payrouter.api;

import io.payrouter.common.FieldError;
import java.util.List;
import java.util.Map;

/**
 * Which characters a string from a client may hold. PostgreSQL refuses U+0000 in text and jsonb
 * (the request would fail as a 500 after the PSP may already have been called), and the other
 * controls and unpaired surrogates are never meaningful in an id, a reference or a name: they are
 * refused at the edge, with the field named.
 */
final class Strings {
  static final String FORBIDDEN = "must not contain control characters (U+0000-U+001F except tab, line feed and"
      + " carriage return, U+007F) or unpaired surrogates";

  private Strings() {}

  /** A string value at {@code at} holds a forbidden character. */
  static FieldError forbidden(String at) {
    String f = printable(at);
    return new FieldError(f, (f.isEmpty() ? "the body" : f) + " " + FORBIDDEN);
  }

  /** The key at {@code path} holds a forbidden character. */
  static FieldError forbiddenKey(String path) {
    String f = printable(path);
    return new FieldError(f, "the key " + f + " " + FORBIDDEN);
  }

  /** NUL and the other C0 controls except tab, LF and CR; DEL; an unpaired surrogate. */
  static boolean hasForbidden(String s) {
    return scan(s, false);
  }

  /** Like {@link #hasForbidden} but tab, LF and CR count too (paths, query strings, headers). */
  static boolean hasControl(String s) {
    return scan(s, true);
  }

  private static boolean scan(String s, boolean strict) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c < 0x20) {
        if (strict || (c != '\t' && c != '\n' && c != '\r')) return true;
      } else if (c == 0x7f) {
        return true;
      } else if (Character.isHighSurrogate(c)) {
        if (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1))) return true;
        i++;
      } else if (Character.isLowSurrogate(c)) {
        return true;
      }
    }
    return false;
  }

  /** A field path fit for an error message: control characters shown as {@code \\uXXXX}. */
  static String printable(String s) {
    if (!hasControl(s)) return s;
    StringBuilder out = new StringBuilder();
    for (char c : s.toCharArray()) {
      if (c < 0x20 || c == 0x7f || Character.isSurrogate(c)) {
        out.append(String.format("\\u%04x", (int) c));
      } else {
        out.append(c);
      }
    }
    return out.toString();
  }

  /**
   * Checks a document parsed from YAML or JSON: keys are strings, values are strings, numbers,
   * booleans, null, mappings or lists, and no string (key or value) holds a forbidden character
   * or is longer than {@code maxLength}.
   */
  static void check(Object v, String at, int maxLength, List<FieldError> errors) {
    if (v instanceof Map<?, ?> m) {
      for (var e : m.entrySet()) {
        if (!(e.getKey() instanceof String k)) {
          errors.add(new FieldError(printable(at), (at.isEmpty() ? "the document" : printable(at)) + " must have string keys"));
          continue;
        }
        String path = at.isEmpty() ? k : at + "." + k;
        if (hasForbidden(k)) errors.add(forbiddenKey(path));
        if (k.length() > maxLength) {
          errors.add(new FieldError(printable(at), (at.isEmpty() ? "the document" : printable(at)) + " has a key longer than "
              + maxLength + " characters"));
        }
        check(e.getValue(), path, maxLength, errors);
      }
    } else if (v instanceof List<?> l) {
      for (int i = 0; i < l.size(); i++) check(l.get(i), at + "[" + i + "]", maxLength, errors);
    } else if (v instanceof io.vertx.core.json.JsonObject o) {
      check(o.getMap(), at, maxLength, errors);
    } else if (v instanceof io.vertx.core.json.JsonArray a) {
      check(a.getList(), at, maxLength, errors);
    } else if (v instanceof String s) {
      if (hasForbidden(s)) errors.add(forbidden(at));
      if (s.length() > maxLength) errors.add(new FieldError(printable(at), printable(at) + " is longer than " + maxLength + " characters"));
    } else if (v != null && !(v instanceof Number) && !(v instanceof Boolean)) {
      errors.add(new FieldError(printable(at), printable(at) + " must be a string, number, boolean, null, mapping or list"));
    }
  }
}
