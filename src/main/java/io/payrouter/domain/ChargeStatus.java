package io.payrouter.domain;

/** A charge's lifecycle. {@code processing} is internal: the intent is durable, the PSP call is under way. */
public enum ChargeStatus {
  PROCESSING, SUCCEEDED, DECLINED, PENDING, FAILED;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(java.util.Locale.ROOT);

  public String wire() {
    return lowerName;
  }

  public static ChargeStatus fromWire(String s) {
    return valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }

  /** Final: the charge will not change any more. */
  public boolean isFinal() {
    return this == SUCCEEDED || this == DECLINED || this == FAILED;
  }
}
