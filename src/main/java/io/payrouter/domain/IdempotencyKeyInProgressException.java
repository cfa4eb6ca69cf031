package io.payrouter.domain;

/** A request with the same Idempotency-Key is still being worked on. */
public class IdempotencyKeyInProgressException extends DomainException {
  public IdempotencyKeyInProgressException() {
    super("a request with this Idempotency-Key is still being processed; retry shortly");
  }
}
