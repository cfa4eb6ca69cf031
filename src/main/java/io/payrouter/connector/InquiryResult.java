package io.payrouter.connector;

import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;


/** What a status inquiry learned about one charge at one PSP. */
public record InquiryResult(Kind kind, PspResult result) {

  public enum Kind {
    /** The PSP has the payment; {@code result} holds its normalized state. */
    FOUND,
    /**
     * The PSP has no such payment, or only one that has not been charged yet and may still be:
     * no proof either way. Only once the charge is older than the processing grace period does the
     * reconciler take this as "will not charge".
     */
    NOT_FOUND,
    /**
     * The PSP holds the payment in a state it documents as final and not charged (cancelled,
     * expired, failed without a decline): proof that it will not charge, so failing over is safe.
     */
    NOT_CHARGED,
    /** The PSP could not say (error, unparseable answer): leave the charge pending. */
    UNKNOWN
  }

  public static InquiryResult found(PspResult r) {
    return new InquiryResult(Kind.FOUND, r);
  }

  public static InquiryResult notFound() {
    return new InquiryResult(Kind.NOT_FOUND, null);
  }

  public static InquiryResult notCharged(String why) {
    return new InquiryResult(Kind.NOT_CHARGED, PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, why));
  }

  /**
   * The inquiry answer for a payment the PSP showed, normalized by its connector's status table
   * (the same mapping the charge answer and webhooks use): not_sent {@link
   * NotSentReason#PROVEN_NOT_CHARGED} is {@link Kind#NOT_CHARGED}, in doubt is {@link Kind#UNKNOWN}
   * (as is any other not_sent: only a documented final unpaid state is proof), anything else
   * (succeeded, declined, pending) is {@link Kind#FOUND}.
   */
  public static InquiryResult of(PspResult r) {
    if (r.outcome() == Outcome.NOT_SENT) {
      return r.notSentReason() == NotSentReason.PROVEN_NOT_CHARGED
          ? new InquiryResult(Kind.NOT_CHARGED, r)
          : unknown(r.message());
    }
    return r.outcome() == Outcome.IN_DOUBT ? new InquiryResult(Kind.UNKNOWN, r) : found(r);
  }

  public static InquiryResult unknown(String why) {
    return new InquiryResult(Kind.UNKNOWN, PspResult.inDoubt(null, why));
  }
}
