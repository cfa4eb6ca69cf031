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

  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }

  public static DeclineCode fromWire(String s) {
    return s == null ? null : valueOf(s.toUpperCase(java.util.Locale.ROOT));
  }
}
