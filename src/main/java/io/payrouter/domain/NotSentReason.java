package io.payrouter.domain;

/**
 * Why an attempt was not sent, or provably not processed, at a PSP. The breaker and the live
 * success rate count only the reasons that say something about the PSP ({@link #countsAgainstPsp});
 * the router's own refusals (no token, a currency the PSP cannot take, a checkpoint it could not
 * write, ownership it no longer holds, a request the PSP rejected as malformed) never trip a
 * breaker. Decisions read this enum, never the message text.
 */
public enum NotSentReason {
  /** The PSP refused the connection: nothing reached it. */
  CONNECTION_REFUSED(true),
  /** The PSP did not answer a call that moves no money (e.g. creating a purchase or an invoice). */
  NO_ANSWER_BEFORE_MONEY_CALL(true),
  /** An answer the PSP documents as "not processed" (a 429 or 503 only where its docs say so). */
  PSP_UNAVAILABLE(true),
  /** A call before the money call failed at the PSP (e.g. a 5xx creating the purchase). */
  PSP_ERROR_BEFORE_MONEY_CALL(true),
  /** The PSP refused the router's credentials (401/403): the PSP is unusable for this account. */
  CREDENTIALS_REFUSED(true),
  /** Obtaining an access token from the PSP failed (Dintero's token call). */
  AUTHENTICATION_FAILED(true),
  /** The provider's breaker is open: no call was made. */
  CIRCUIT_OPEN(false),
  /** The card has no (complete) token for this PSP. */
  NO_TOKEN(false),
  /** The PSP cannot take this charge as configured (currency, missing option, unknown provider). */
  UNSUPPORTED(false),
  /** The PSP rejected the request as malformed before any money call (a 4xx on the create call). */
  REQUEST_REJECTED(false),
  /** The attempt's checkpoint could not be made durable, so the money call was not sent. */
  CHECKPOINT_FAILED(false),
  /** This instance no longer owns the charge (lease lost, taken over): the money call was not sent. */
  FENCED(false),
  /**
   * The money call was sent but the PSP shows the payment in a state it documents as final and
   * unpaid (cancelled, voided, expired), or the router closed it through the PSP's documented call.
   * The attempt's own failure (timeout, 5xx) was already counted when it happened.
   */
  PROVEN_NOT_CHARGED(false);

  private final boolean countsAgainstPsp;

  NotSentReason(boolean countsAgainstPsp) {
    this.countsAgainstPsp = countsAgainstPsp;
  }

  /** True when this says something about the PSP's health (breaker, success rate). */
  public boolean countsAgainstPsp() {
    return countsAgainstPsp;
  }
}
