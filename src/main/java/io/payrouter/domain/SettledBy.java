package io.payrouter.domain;

import java.util.Locale;

/**
 * What settled a charge, rendered as the charge's {@code settled_by}: the answer to the request
 * itself, that answer completed by asking the PSP (an in-doubt call resolved by inquiry while the
 * merchant waited), a PSP callback, or the reconciler. Null while the charge is not settled.
 */
public enum SettledBy {
  REQUEST, INQUIRY, WEBHOOK, RECONCILER;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return lowerName;
  }

  /** Null for null (a charge not settled, or settled before this was recorded). */
  public static SettledBy fromWire(String s) {
    return s == null ? null : valueOf(s.toUpperCase(Locale.ROOT));
  }
}
