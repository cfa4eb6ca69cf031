package io.payrouter.common;

/** Masks secrets and tokens before anything reaches a log line or an error body. */
public final class Redact {
  private Redact() {}

  /** Keeps at most the last 4 characters: "tok_abcdef123" becomes "…f123". */
  public static String token(String value) {
    if (value == null) return null;
    if (value.length() <= 8) return "****";
    return "…" + value.substring(value.length() - 4);
  }
}
