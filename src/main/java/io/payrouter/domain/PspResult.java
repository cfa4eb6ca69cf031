package io.payrouter.domain;

/**
 * What one attempt at a PSP came to, normalized.
 *
 * @param outcome the normalized outcome
 * @param providerReference the PSP's own id for the payment (may be null when none was created)
 * @param declineCode normalized decline code when {@code outcome == DECLINED}
 * @param softDecline true when another PSP might approve (issuer down, generic do-not-honor...)
 * @param providerCode the PSP's own code or status text, kept verbatim (never a token)
 * @param message a short human-readable reason (never a token or secret)
 */
public record PspResult(
    Outcome outcome,
    String providerReference,
    DeclineCode declineCode,
    boolean softDecline,
    String providerCode,
    String message) {

  public static PspResult succeeded(String ref) {
    return new PspResult(Outcome.SUCCEEDED, ref, null, false, null, null);
  }

  public static PspResult pending(String ref, String providerCode) {
    return new PspResult(Outcome.PENDING, ref, null, false, providerCode, null);
  }

  public static PspResult declined(String ref, DeclineCode code, boolean soft, String providerCode) {
    return new PspResult(Outcome.DECLINED, ref, code, soft, providerCode, null);
  }

  public static PspResult notSent(String message) {
    return new PspResult(Outcome.NOT_SENT, null, null, false, null, message);
  }

  public static PspResult notSent(String message, String providerCode) {
    return new PspResult(Outcome.NOT_SENT, null, null, false, providerCode, message);
  }

  public static PspResult inDoubt(String ref, String message) {
    return new PspResult(Outcome.IN_DOUBT, ref, null, false, null, message);
  }

  /** Message of the not_sent result given when the provider's breaker is open (no call was made). */
  public static final String CIRCUIT_OPEN = "circuit open";

  /** True when no call was made because the breaker is open: no evidence about the PSP's health. */
  public boolean circuitOpen() {
    return outcome == Outcome.NOT_SENT && CIRCUIT_OPEN.equals(message);
  }

  /** Prefix of the message of an in-doubt result where the PSP never answered (read timeout, reset). */
  public static final String NO_ANSWER = "no answer";

  /**
   * True when the PSP did not answer at all. An inquiry that then finds no payment is not proof:
   * the request may still be in the PSP's queue, so the charge stays pending for reconciliation
   * instead of failing over.
   */
  public boolean noAnswer() {
    return outcome == Outcome.IN_DOUBT && message != null && message.startsWith(NO_ANSWER);
  }

  public PspResult withProviderReference(String ref) {
    return new PspResult(outcome, ref, declineCode, softDecline, providerCode, message);
  }
}
