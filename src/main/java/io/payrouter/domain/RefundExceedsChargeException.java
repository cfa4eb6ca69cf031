package io.payrouter.domain;

/** The refund asks for more than is left to refund of the charge (or nothing is left). */
public class RefundExceedsChargeException extends DomainException {
  private final long remaining;

  public RefundExceedsChargeException(long remaining, String detail) {
    super(detail);
    this.remaining = remaining;
  }

  /** What is left to refund, minor units. */
  public long remaining() {
    return remaining;
  }
}
