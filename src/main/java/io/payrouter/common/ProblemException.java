package io.payrouter.common;

import java.util.List;

/**
 * An error with an HTTP meaning, thrown anywhere below the API and mapped once to RFC 9457
 * problem+json by the API's failure handler. Messages must never contain a token or secret.
 */
public class ProblemException extends RuntimeException {
  private final int status;
  private final String type;
  private final String title;
  private final List<FieldError> errors;

  public ProblemException(int status, String type, String title, String detail, List<FieldError> errors) {
    super(detail, null, false, false);
    this.status = status;
    this.type = type;
    this.title = title;
    this.errors = errors == null ? List.of() : List.copyOf(errors);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  public String title() {
    return title;
  }

  public List<FieldError> errors() {
    return errors;
  }

  public static ProblemException validation(List<FieldError> errors) {
    return new ProblemException(400, "validation-error", "Request validation failed",
        errors.size() + " problem(s) with the request", errors);
  }

  public static ProblemException badRequest(String detail) {
    return new ProblemException(400, "bad-request", "Bad request", detail, null);
  }

  public static ProblemException unauthorized() {
    return new ProblemException(401, "unauthorized", "Unauthorized",
        "A valid API key is required in the Authorization header (Bearer)", null);
  }

  public static ProblemException notFound(String what) {
    return new ProblemException(404, "not-found", "Not found", what + " not found", null);
  }

  public static ProblemException conflict(String type, String detail) {
    return new ProblemException(409, type, "Conflict", detail, null);
  }

  public static ProblemException unprocessable(String type, String detail, List<FieldError> errors) {
    return new ProblemException(422, type, "Unprocessable request", detail, errors);
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "service-unavailable", "Service unavailable", detail, null);
  }
}
