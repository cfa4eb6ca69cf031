package io.payrouter.api;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A fast check that a request body certainly satisfies one schema of {@code openapi.yaml}, for the
 * schemas written with plain keywords only (type, properties, required, additionalProperties,
 * propertyNames, maxProperties, minimum, maximum, minLength, maxLength, anchored pattern). It only
 * ever <em>accepts</em>: a body it cannot vouch for (an error, a keyword it does not know such as
 * {@code $ref}, a string outside the Basic Multilingual Plane, a fractional number) goes to the
 * full JSON Schema validator, which gives the verdict and the messages. So it can make the common
 * case cheap (a valid charge: about a tenth of the router's CPU went to schema validation) and can
 * never accept what the document forbids; {@code PlainSchemaTest} checks that on a corpus of good
 * and broken bodies against the full validator.
 */
final class PlainSchema {
  private static final Set<String> ANNOTATIONS = Set.of("description", "title", "example", "examples",
      "deprecated", "readOnly", "writeOnly");

  private enum Type { OBJECT, STRING, INTEGER, BOOLEAN }

  private final Type type;
  private final Map<String, PlainSchema> properties;
  private final Set<String> required;
  /** For objects: null = any other property allowed unchecked; FORBID = none allowed; else each checked. */
  private final PlainSchema additional;
  private final int maxProperties;
  private final int propertyNameMaxLength;
  private final long minimum;
  private final long maximum;
  private final int minLength;
  private final int maxLength;
  private final Pattern pattern;

  private static final PlainSchema FORBID = new PlainSchema(Type.BOOLEAN, null, null, null, -1, -1,
      Long.MIN_VALUE, Long.MAX_VALUE, 0, Integer.MAX_VALUE, null);

  private PlainSchema(Type type, Map<String, PlainSchema> properties, Set<String> required, PlainSchema additional,
      int maxProperties, int propertyNameMaxLength, long minimum, long maximum, int minLength, int maxLength,
      Pattern pattern) {
    this.type = type;
    this.properties = properties;
    this.required = required;
    this.additional = additional;
    this.maxProperties = maxProperties;
    this.propertyNameMaxLength = propertyNameMaxLength;
    this.minimum = minimum;
    this.maximum = maximum;
    this.minLength = minLength;
    this.maxLength = maxLength;
    this.pattern = pattern;
  }

  /**
   * Compiles a schema node, or answers null when it uses anything but the plain keywords. A
   * property whose own schema is not plain is kept as "not vouched for": a body carrying it goes
   * to the full validator.
   */
  static PlainSchema compile(JsonObject node) {
    Object t = node.getValue("type");
    if (!(t instanceof String ts)) return null;
    Type type;
    switch (ts) {
      case "object" -> type = Type.OBJECT;
      case "string" -> type = Type.STRING;
      case "integer" -> type = Type.INTEGER;
      case "boolean" -> type = Type.BOOLEAN;
      default -> {
        return null;
      }
    }
    Map<String, PlainSchema> properties = null;
    Set<String> required = Set.of();
    PlainSchema additional = null;
    int maxProperties = -1;
    int nameMax = -1;
    long minimum = Long.MIN_VALUE;
    long maximum = Long.MAX_VALUE;
    int minLength = 0;
    int maxLength = Integer.MAX_VALUE;
    Pattern pattern = null;
    for (String k : node.fieldNames()) {
      Object v = node.getValue(k);
      if (k.equals("type") || ANNOTATIONS.contains(k)) continue;
      switch (type) {
        case OBJECT -> {
          switch (k) {
            case "properties" -> {
              if (!(v instanceof JsonObject ps)) return null;
              properties = new HashMap<>();
              for (String name : ps.fieldNames()) {
                // null: present in the document but not plain; a body using it is not vouched for
                properties.put(name, ps.getValue(name) instanceof JsonObject p ? compile(p) : null);
              }
            }
            case "required" -> {
              if (!(v instanceof JsonArray r)) return null;
              Set<String> req = new HashSet<>();
              for (Object o : r) {
                if (!(o instanceof String s)) return null;
                req.add(s);
              }
              required = req;
            }
            case "additionalProperties" -> {
              if (Boolean.FALSE.equals(v)) {
                additional = FORBID;
              } else if (v instanceof JsonObject a) {
                additional = compile(a);
                if (additional == null) return null;
              } else if (!Boolean.TRUE.equals(v)) {
                return null;
              }
            }
            case "maxProperties" -> {
              if (!(v instanceof Number n)) return null;
              maxProperties = n.intValue();
            }
            case "propertyNames" -> {
              if (!(v instanceof JsonObject pn) || pn.size() != 1 || !(pn.getValue("maxLength") instanceof Number n)) {
                return null;
              }
              nameMax = n.intValue();
            }
            default -> {
              return null;
            }
          }
        }
        case STRING -> {
          switch (k) {
            case "minLength" -> {
              if (!(v instanceof Number n)) return null;
              minLength = n.intValue();
            }
            case "maxLength" -> {
              if (!(v instanceof Number n)) return null;
              maxLength = n.intValue();
            }
            case "pattern" -> {
              // Only patterns anchored at both ends: then "found anywhere" and "matches the whole
              // string" agree, whichever the full validator uses.
              if (!(v instanceof String p) || !p.startsWith("^") || !(p.endsWith("\\z") || p.endsWith("$") && !p.endsWith("\\$"))) {
                return null;
              }
              pattern = Pattern.compile(p);
            }
            default -> {
              return null;
            }
          }
        }
        case INTEGER -> {
          switch (k) {
            case "minimum" -> {
              if (!(v instanceof Integer || v instanceof Long)) return null;
              minimum = ((Number) v).longValue();
            }
            case "maximum" -> {
              if (!(v instanceof Integer || v instanceof Long)) return null;
              maximum = ((Number) v).longValue();
            }
            default -> {
              return null;
            }
          }
        }
        default -> {
          return null;
        }
      }
    }
    if (type == Type.OBJECT && additional == null && properties == null) return null; // free-form: not plain
    return new PlainSchema(type, properties, required, additional, maxProperties, nameMax, minimum, maximum,
        minLength, maxLength, pattern);
  }

  /** True only when {@code value} certainly satisfies the schema; false means "ask the full validator". */
  boolean vouchesFor(Object value) {
    switch (type) {
      case STRING -> {
        if (!(value instanceof String s)) return false;
        int n = s.length();
        if (n < minLength || n > maxLength) return false;
        for (int i = 0; i < n; i++) {
          if (Character.isSurrogate(s.charAt(i))) return false; // lengths would count code points
        }
        return pattern == null || pattern.matcher(s).find();
      }
      case INTEGER -> {
        if (!(value instanceof Integer || value instanceof Long)) return false;
        long v = ((Number) value).longValue();
        return v >= minimum && v <= maximum;
      }
      case BOOLEAN -> {
        return this != FORBID && value instanceof Boolean;
      }
      case OBJECT -> {
        if (!(value instanceof JsonObject o)) return false;
        if (maxProperties >= 0 && o.size() > maxProperties) return false;
        for (String r : required) {
          if (!o.containsKey(r)) return false;
        }
        for (Map.Entry<String, Object> e : o) {
          String name = e.getKey();
          if (propertyNameMaxLength >= 0 && (name.length() > propertyNameMaxLength || hasSurrogate(name))) return false;
          if (properties != null && properties.containsKey(name)) {
            PlainSchema p = properties.get(name);
            if (p == null || !p.vouchesFor(e.getValue())) return false;
          } else if (additional == FORBID) {
            return false;
          } else if (additional != null && !additional.vouchesFor(e.getValue())) {
            return false;
          }
        }
        return true;
      }
      default -> {
        return false;
      }
    }
  }

  private static boolean hasSurrogate(String s) {
    for (int i = 0; i < s.length(); i++) {
      if (Character.isSurrogate(s.charAt(i))) return true;
    }
    return false;
  }
}
