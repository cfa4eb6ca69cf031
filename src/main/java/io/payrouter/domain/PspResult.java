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
 * @param notSentReason why, when {@code outcome == NOT_SENT} (decisions read this, never the
 *     message), else null
 */
public record PspResult(
    Outcome outcome,
    String providerReference,
    DeclineCode declineCode,
    boolean softDecline,
    String providerCode,
    String message,
    NotSentReason notSentReason) {

  public PspResult {
    if (outcome == Outcome.NOT_SENT && notSentReason == null) {
      throw new IllegalArgumentException("a not_sent result needs a reason");
    }
    if (outcome != Outcome.NOT_SENT) notSentReason = null;
  }

  /** A result that is not a not_sent one (the reason is null). */
  public PspResult(Outcome outcome, String providerReference, DeclineCode declineCode, boolean softDecline,
      String providerCode, String message) {
    this(outcome, providerReference, declineCode, softDecline, providerCode, message, null);
  }

  public static PspResult succeeded(String ref) {
    return new PspResult(Outcome.SUCCEEDED, ref, null, false, null, null, null);
  }

  public static PspResult pending(String ref, String providerCode) {
    return new PspResult(Outcome.PENDING, ref, null, false, providerCode, null, null);
  }

  public static PspResult declined(String ref, DeclineCode code, boolean soft, String providerCode) {
    return new PspResult(Outcome.DECLINED, ref, code, soft, providerCode, null, null);
  }

  public static PspResult notSent(NotSentReason reason, String message) {
    return new PspResult(Outcome.NOT_SENT, null, null, false, null, message, reason);
  }

  public static PspResult notSent(NotSentReason reason, String message, String providerCode) {
    return new PspResult(Outcome.NOT_SENT, null, null, false, providerCode, message, reason);
  }

  public static PspResult inDoubt(String ref, String message) {
    return new PspResult(Outcome.IN_DOUBT, ref, null, false, null, message, null);
  }

  /** Message of the not_sent result given when the provider's breaker is open (no call was made). */
  public static final String CIRCUIT_OPEN = "circuit open";

  /** True when no call was made because the breaker is open: no evidence about the PSP's health. */
  public boolean circuitOpen() {
    return notSentReason == NotSentReason.CIRCUIT_OPEN;
  }

  /**
   * True when this result says something about the PSP's health: every answer the PSP gave (an
   * approval, a decline, pending, in doubt) and the not-sent reasons that are the PSP's doing;
   * never the router's own refusals.
   */
  public boolean isEvidenceAboutPsp() {
    return outcome != Outcome.NOT_SENT || notSentReason.countsAgainstPsp();
  }

  /** True when the PSP failed (in doubt, or a not-sent reason that is the PSP's doing). */
  public boolean isPspFailure() {
    return outcome == Outcome.IN_DOUBT || (outcome == Outcome.NOT_SENT && notSentReason.countsAgainstPsp());
  }

  public PspResult withProviderReference(String ref) {
    return new PspResult(outcome, ref, declineCode, softDecline, providerCode, message, notSentReason);
  }
}
