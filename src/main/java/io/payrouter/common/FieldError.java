package io.payrouter.common;

/**
 * One problem with one field of a request: rendered in problem+json {@code errors[]}.
 *
 * @param line the 1-based line of the field in a YAML request body, when known (else null)
 */
public record FieldError(String field, String message, Integer line) {
  public FieldError(String field, String message) {
    this(field, message, null);
  }

  /** The same problem, placed at a line of the body. */
  public FieldError at(Integer line) {
    return new FieldError(field, message, line);
  }
}
