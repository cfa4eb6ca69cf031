package io.payrouter.common;

/**
 * One problem with one field of a request: rendered in problem+json {@code errors[]}. The message
 * is written for people and names the field it is about (it starts with {@code field}, e.g.
 * "currency must be an upper-case ISO 4217 code, e.g. USD"), one wording per rule.
 *
 * @param line the 1-based line of the field in a YAML request body, when known (else null)
 */
public record FieldError(String field, String message, Integer line) {
  public FieldError(String field, String message) {
    this(field, message, null);
  }

  /** A field the request must carry. */
  public static FieldError required(String field) {
    return new FieldError(field, field + " is required");
  }

  /** A field the object does not have. */
  public static FieldError unknownField(String field) {
    return new FieldError(field, field + " is not a known field");
  }

  /** The same problem, placed at a line of the body. */
  public FieldError at(Integer line) {
    return new FieldError(field, message, line);
  }

  /**
   * The same problem one level down, inside the object at {@code prefix} ({@code tokens.revio},
   * {@code card}): the field and the field its message names both gain the prefix.
   */
  public FieldError under(String prefix) {
    if (prefix == null || prefix.isEmpty()) return this;
    String f = field.isEmpty() ? prefix : prefix + "." + field;
    String m = !field.isEmpty() && message.startsWith(field) ? f + message.substring(field.length())
        : field.isEmpty() && !message.startsWith(prefix) ? prefix + ": " + message : message;
    return new FieldError(f, m, line);
  }
}
