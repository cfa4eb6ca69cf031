package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The words of every request validation problem: one wording per rule, written for people and
 * naming the field, instead of the schema validator's ("Instance type number is invalid. Expected
 * integer"). A field's value has one rule, read from its schema in {@code openapi.yaml}: whatever
 * is wrong with it (type, bounds, length, pattern, enum; {@code 19.99} or {@code 19.0} for an
 * integer) gets the same message, which says what a good value is. The other rules are a missing
 * field, an unknown field, too long a key, and the handlers' own checks named here.
 */
final class ValidationMessages {
  private ValidationMessages() {}

  /** What each pattern of the request schemas means (a pattern without words is a test failure). */
  static final Map<String, String> PATTERNS = Map.of(
      "^[A-Z]{3}$", "an upper-case ISO 4217 code, e.g. USD",
      "^[A-Z]{2}$", "an upper-case ISO 3166 alpha-2 country code, e.g. US",
      "^[0-9]{4}$", "the last 4 digits of the card number, e.g. 4242",
      "^[^@\\s]+@[^@\\s]+$", "an email address such as a@example.com, at most 254 characters",
      "^[a-z0-9][a-z0-9_-]{0,63}$", "1 to 64 lower-case letters, digits, _ or -, starting with a letter or digit, e.g. acme");

  /** Fields whose value deserves more words than their schema gives (by the field's last name). */
  static final Map<String, String> HINTS = Map.of(
      "amount", "a whole number of minor units from %min% to %max%, e.g. 1999 for 19.99 USD",
      "tokens", "an object naming 1 to 20 providers, each with that PSP's token fields",
      "card", "a card object, shaped like the body of POST /v1/cards",
      "customer", "an object with reference and email",
      "providers", "a list of provider names");

  static final String CURRENCY_UNKNOWN = "currency must be a currency the router knows: an ISO 4217 code with"
      + " minor units, e.g. USD (codes starting with X are not)";
  static final String CARD_ONE_OF = "card_id or card is required, but not both";
  static final String IDEMPOTENCY_KEY_MISSING = "Idempotency-Key is required: a header of 1 to 255 printable ASCII"
      + " characters";
  static final String IDEMPOTENCY_KEY_INVALID = "Idempotency-Key must be 1 to 255 printable ASCII characters";
  static final String BODY_NOT_OBJECT = "the body must be a JSON object";

  /** {@code field}'s value breaks its rule; {@code node} is its schema (resolved), null when unknown. */
  static String value(String field, JsonObject node) {
    if (field.isEmpty()) return BODY_NOT_OBJECT;
    return field + " must be " + describe(leaf(field), node);
  }

  /** A key of the object at {@code field}'s parent is longer than its schema's propertyNames allow. */
  static String key(String field, JsonObject parent) {
    int dot = field.lastIndexOf('.');
    String object = dot < 0 ? "" : field.substring(0, dot);
    Object max = parent == null || !(parent.getValue("propertyNames") instanceof JsonObject pn) ? null
        : pn.getValue("maxLength");
    return field + " has too long a key: the keys of " + object + " must be at most " + max + " characters";
  }

  static FieldError unknownProvider(String field) {
    return new FieldError(field, field + " is not a configured provider");
  }

  /** What a good value is, from the schema node. */
  static String describe(String name, JsonObject node) {
    if (node == null) return "a valid value";
    String hint = HINTS.get(name);
    if (hint != null) {
      return hint.replace("%min%", String.valueOf(node.getValue("minimum")))
          .replace("%max%", String.valueOf(node.getValue("maximum")));
    }
    if (node.getValue("enum") instanceof JsonArray e) {
      List<String> values = new ArrayList<>();
      for (Object v : e) values.add(String.valueOf(v));
      return "one of " + String.join(", ", values);
    }
    Object type = node.getValue("type");
    if ("string".equals(type)) {
      String p = node.getString("pattern");
      if (p != null) {
        // The validator's copy ends its patterns with \z (see RequestValidator#endAnchored).
        String written = p.endsWith("\\z") ? p.substring(0, p.length() - 2) + "$" : p;
        return PATTERNS.getOrDefault(written, "a string matching " + written);
      }
      return "a string" + length(node);
    }
    if ("integer".equals(type)) return "a whole number" + range(node);
    if ("number".equals(type)) return "a number" + range(node);
    if ("boolean".equals(type)) return "true or false";
    if ("array".equals(type)) {
      JsonObject items = node.getValue("items") instanceof JsonObject i ? i : null;
      return items != null && "string".equals(items.getValue("type")) ? "a list of strings" : "a list";
    }
    if ("object".equals(type)) {
      String entries = count(node);
      if (node.getValue("additionalProperties") instanceof JsonObject a && "string".equals(a.getValue("type"))) {
        Object max = a.getValue("maxLength");
        return "an object of" + entries + " string values" + (max == null ? "" : " of at most " + max + " characters");
      }
      return "an object" + (entries.isEmpty() ? "" : " of" + entries + " entries");
    }
    return "a valid value";
  }

  private static String length(JsonObject node) {
    Object min = node.getValue("minLength");
    Object max = node.getValue("maxLength");
    boolean hasMin = min instanceof Number n && n.longValue() > 0;
    if (hasMin && max != null) return " of " + min + " to " + max + " characters";
    if (max != null) return " of at most " + max + " characters";
    if (hasMin) return " of at least " + min + " characters";
    return "";
  }

  private static String range(JsonObject node) {
    Object min = node.getValue("minimum");
    Object max = node.getValue("maximum");
    if (min != null && max != null) return " from " + min + " to " + max;
    if (min != null) return " of at least " + min;
    if (max != null) return " of at most " + max;
    return "";
  }

  private static String count(JsonObject node) {
    Object min = node.getValue("minProperties");
    Object max = node.getValue("maxProperties");
    if (min != null && max != null) return " " + min + " to " + max;
    if (max != null) return " at most " + max;
    if (min != null) return " at least " + min;
    return "";
  }

  /** The last name of a dotted field ({@code card.tokens} → {@code tokens}, {@code providers[1]} → {@code providers[1]}). */
  private static String leaf(String field) {
    int dot = field.lastIndexOf('.');
    return dot < 0 ? field : field.substring(dot + 1);
  }
}
