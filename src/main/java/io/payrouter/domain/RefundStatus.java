package io.payrouter.domain;

/**
 * A refund's lifecycle. {@code processing} is internal (the intent is durable, the PSP call is
 * under way) and is {@code pending} on the wire, like a charge's.
 */
public enum RefundStatus {
  PROCESSING, PENDING, SUCCEEDED, FAILED;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(java.util.Locale.ROOT);

  /** The stored name. */
  public String db() {
    return lowerName;
  }

  /** The name a merchant sees: pending, succeeded or failed. */
  public String wire() {
    return this == PROCESSING ? "pending" : db();
  }

  public static RefundStatus fromDb(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }

  /** Final: the refund will not change any more. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == FAILED;
  }
}
