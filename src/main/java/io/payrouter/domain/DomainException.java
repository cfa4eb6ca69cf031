package io.payrouter.domain;

/**
 * A failure with a meaning for the caller, named for what went wrong. Thrown below the API and
 * mapped to an HTTP problem once, at the edge ({@code api.Problems}). Messages never contain a
 * token or secret. No stack trace: these are answers, not bugs.
 */
public abstract class DomainException extends RuntimeException {
  protected DomainException(String message) {
    super(message, null, false, false);
  }
}
