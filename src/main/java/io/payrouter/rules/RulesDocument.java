package io.payrouter.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A routing rules document in the one shape {@link io.payrouter.routing.RulesParser} reads, whatever
 * it was read from. SnakeYAML gives maps and lists; the API's strict JSON parser gives a
 * {@link JsonObject} or {@link JsonArray} at every level (so {@code JsonObject#getMap()} alone
 * leaves nested rules as JSON types, which the parser, pure Java, does not know); jsonb read back
 * from PostgreSQL gives maps and lists again. Numbers arrive as Integer, Long, BigInteger, Double or
 * BigDecimal depending on the reader and the value. {@link #normalize} is applied once where rules
 * enter ({@link RulesSource#replace}, and at start): maps and lists all the way down, and every
 * integral number as a {@code Long}, so that {@code 500000}, {@code 500000.0} and a jsonb
 * {@code 500000} are the same value to the parser and to {@link #sameRules}. A non-integral number,
 * or an integral double too large to be exact (2^53 or more), is kept as it came: the parser refuses it
 * where an integer is required. Money is never turned into floating point here.
 */
public final class RulesDocument {
  /** 2^53: an integer written below it reads as exactly that double; from it on, neighbours round together. */
  static final double MAX_EXACT_DOUBLE = 9_007_199_254_740_992d;
  /** Keys of {@code GET /admin/routing}'s answer; {@code version} and {@code source} are read-only. */
  static final Set<String> ANSWER_KEYS = Set.of("version", "source", "rules", "file");

  private RulesDocument() {}

  /** The document with JSON objects and arrays as maps and lists, integral numbers as Long. */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> normalize(Map<?, ?> raw) {
    return (Map<String, Object>) value(raw);
  }

  static Object value(Object v) {
    if (v instanceof JsonObject o) return value(o.getMap());
    if (v instanceof JsonArray a) return value(a.getList());
    if (v instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      m.forEach((k, x) -> out.put(k, value(x)));
      return out;
    }
    if (v instanceof List<?> l) {
      List<Object> out = new ArrayList<>(l.size());
      for (Object x : l) out.add(value(x));
      return out;
    }
    if (v instanceof Number n) return number(n);
    return v;
  }

  private static Object number(Number n) {
    if (n instanceof Integer || n instanceof Short || n instanceof Byte) return n.longValue();
    if (n instanceof BigInteger b) return b.bitLength() < 64 ? (Object) b.longValue() : b;
    if (n instanceof BigDecimal d) {
      try {
        return d.longValueExact();
      } catch (ArithmeticException e) {
        return d;
      }
    }
    if (n instanceof Double || n instanceof Float) {
      double d = n.doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < MAX_EXACT_DOUBLE) return (long) d;
    }
    return n;
  }

  /**
   * What {@code PUT /admin/routing} installs from its body: the body itself, or, when the body is
   * {@code GET /admin/routing}'s answer ({@code rules} a mapping, beside it at most the read-only
   * {@code version} and {@code source}, which are ignored), the document under {@code rules}. The
   * document's own {@code rules} is a list, so the two shapes cannot be mistaken for each other.
   */
  @SuppressWarnings("unchecked")
  public static Map<String, Object> fromRequest(Map<?, ?> body) {
    Map<String, Object> doc = normalize(body);
    if (doc.get("rules") instanceof Map<?, ?> inner && ANSWER_KEYS.containsAll(doc.keySet())) {
      return (Map<String, Object>) inner;
    }
    return doc;
  }

  /**
   * True when two documents say the same, once normalised: equal maps (key order aside) and lists
   * (order kept: rules, providers and condition values are shown in their written order), the
   * ignored top-level {@code version} aside. YAML and JSON spellings of one document are the same;
   * a document written differently (a scalar for a one-element list, a default spelled out) is not,
   * because it is what {@code GET /admin/routing} shows.
   */
  public static boolean sameRules(Map<?, ?> a, Map<?, ?> b) {
    Map<String, Object> x = new LinkedHashMap<>(normalize(a));
    Map<String, Object> y = new LinkedHashMap<>(normalize(b));
    x.remove("version");
    y.remove("version");
    return x.equals(y);
  }
}
