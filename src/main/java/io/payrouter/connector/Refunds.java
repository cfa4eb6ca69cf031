package io.payrouter.connector;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;

/** What every PSP's refund mapping shares: pure helpers over {@link RefundInput}. */
public final class Refunds {
  private Refunds() {}

  /**
   * The PSP refused the refund (nothing refunded): a declined result whose provider code is the
   * PSP's own word for it (kept as the refund's {@code failure_reason}).
   */
  public static PspResult refused(String providerCode, String message) {
    return new PspResult(Outcome.DECLINED, null, DeclineCode.GENERIC_DECLINE, false, providerCode, message);
  }

  /**
   * A refund judged by the PSP's refunded total for the payment (minor units), for a PSP that shows
   * only that: at most one refund of a charge is unsettled at a time, so the total is either what
   * the charge's settled refunds add up to ({@code refundedBefore}: this one has not landed, or not
   * yet) or that plus this refund's amount (it landed). Anything else (a refund made outside the
   * router, a partial one) cannot be told apart: unknown, asked again, never guessed.
   */
  public static InquiryResult byTotal(long refundedTotal, RefundInput in, String providerReference) {
    if (refundedTotal == in.refundedBefore() + in.amount()) {
      return InquiryResult.found(PspResult.succeeded(providerReference));
    }
    if (refundedTotal == in.refundedBefore()) return InquiryResult.notFound();
    return InquiryResult.unknown("the PSP's refunded total (" + refundedTotal + ") is neither " + in.refundedBefore()
        + " nor " + (in.refundedBefore() + in.amount()));
  }

  /** {@link #byTotal} as the answer of the refund call itself: unknown there is in doubt. */
  public static PspResult answerByTotal(long refundedTotal, RefundInput in, String providerReference) {
    InquiryResult r = byTotal(refundedTotal, in, providerReference);
    return r.kind() == InquiryResult.Kind.FOUND ? r.result()
        : PspResult.inDoubt(providerReference, "the refund answer shows a refunded total of " + refundedTotal);
  }
}
