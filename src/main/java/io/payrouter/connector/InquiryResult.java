package io.payrouter.connector;

import io.payrouter.domain.PspResult;


/** What a status inquiry learned about one charge at one PSP. */
public record InquiryResult(Kind kind, PspResult result) {

  public enum Kind {
    /** The PSP has the payment; {@code result} holds its normalized state. */
    FOUND,
    /** The PSP has no such payment: it did not charge, so failing over is safe. */
    NOT_FOUND,
    /** The PSP could not say (error, unparseable answer): leave the charge pending. */
    UNKNOWN
  }

  public static InquiryResult found(PspResult r) {
    return new InquiryResult(Kind.FOUND, r);
  }

  public static InquiryResult notFound() {
    return new InquiryResult(Kind.NOT_FOUND, null);
  }

  public static InquiryResult unknown(String why) {
    return new InquiryResult(Kind.UNKNOWN, PspResult.inDoubt(null, why));
  }
}
