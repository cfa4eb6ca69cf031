package io.payrouter.domain;

/** A routing canary cannot be started (one is running) or stopped (none is). */
public class CanaryConflictException extends DomainException {
  public CanaryConflictException(String message) {
    super(message);
  }
}
