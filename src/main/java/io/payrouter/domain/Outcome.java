package io.payrouter.domain;

/**
 * The normalized result of one attempt at one PSP. The split decides whether failover is safe:
 * only {@link #NOT_SENT} proves the PSP did not process the charge.
 */
public enum Outcome {
  /** The PSP approved the charge. */
  SUCCEEDED,
  /** The PSP refused the card ({@link PspResult#softDecline()} says whether another PSP might not). */
  DECLINED,
  /** The PSP accepted the charge but the outcome is not final (webhook or inquiry settles it). */
  PENDING,
  /** The PSP provably did not process: refused connection, breaker open, 429/503, documented not-processed. */
  NOT_SENT,
  /** Sent, but no trustworthy answer: read timeout, 500/502/504, unparseable or unknown status. */
  IN_DOUBT;

  /** Name used on the wire in {@code attempts[].outcome}. */
  public String wire() {
    return switch (this) {
      case SUCCEEDED -> "succeeded";
      case DECLINED -> "declined";
      case PENDING -> "pending";
      case NOT_SENT -> "unavailable";
      case IN_DOUBT -> "in_doubt";
    };
  }
}
