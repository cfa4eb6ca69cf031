package io.payrouter.connector;

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
    return new InquiryResult(Kind.NOT_CHARGED, PspResult.notSent(why));
  }

  public static InquiryResult unknown(String why) {
    return new InquiryResult(Kind.UNKNOWN, PspResult.inDoubt(null, why));
  }
}
