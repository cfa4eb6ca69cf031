package io.payrouter.domain;

/** The Idempotency-Key was first used with another request body. */
public class IdempotencyKeyReusedException extends DomainException {
  public IdempotencyKeyReusedException() {
    super("this Idempotency-Key was used with a different request body");
  }
}
