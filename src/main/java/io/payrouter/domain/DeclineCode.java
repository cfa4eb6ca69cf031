package io.payrouter.domain;

/** The contract's normalized decline codes ({@code decline_code}). */
public enum DeclineCode {
  INSUFFICIENT_FUNDS,
  DO_NOT_HONOR,
  EXPIRED_CARD,
  INVALID_TOKEN,
  FRAUD_SUSPECTED,
  LIMIT_EXCEEDED,
  GENERIC_DECLINE;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(java.util.Locale.ROOT);

  public String wire() {
    return lowerName;
  }

  public static DeclineCode fromWire(String s) {
    return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
