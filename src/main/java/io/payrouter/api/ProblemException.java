package io.payrouter.api;

import io.payrouter.common.FieldError;
import java.util.List;

/**
 * An HTTP problem raised at the edge itself (validation, authentication, framework errors), and
 * the form every {@link io.payrouter.domain.DomainException} takes when {@link Problems} maps it.
 * Messages must never contain a token or secret.
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

  public static ProblemException forbidden(String detail) {
    return new ProblemException(403, "forbidden", "Forbidden", detail, null);
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

  public static ProblemException unsupportedMediaType(String detail) {
    return new ProblemException(415, "unsupported-media-type", "Unsupported media type", detail, null);
  }

  public static ProblemException unavailable(String detail) {
    return new ProblemException(503, "service-unavailable", "Service unavailable", detail, null);
  }
}
