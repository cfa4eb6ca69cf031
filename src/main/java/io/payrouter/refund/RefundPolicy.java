package io.payrouter.refund;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.RefundStatus;

/**
 * What a PSP's answer makes of a refund, as pure functions: the same money rules as a charge. A
 * refund is succeeded only on the PSP's word that it refunded; failed only on proof that nothing
 * was refunded (the PSP refused it, failed it, it was never sent, or the PSP has shown no such
 * refund for longer than {@code recovery.not_found_final_after}); everything else is pending,
 * settled by a later inquiry, and never sent again.
 */
public final class RefundPolicy {
  private RefundPolicy() {}

  /** What to do with a refund. */
  public enum Kind {
    /** Write this status. */
    SETTLE,
    /** Nothing to write: ask again later (the refund stays as it is). */
    WAIT,
    /** This instance no longer owns the refund: write nothing, its owner settles it. */
    ABANDON
  }

  /** A verdict: for {@link Kind#SETTLE}, the status, the PSP's refund id and why it failed. */
  public record Decision(Kind kind, RefundStatus status, String providerReference, String failureReason) {
    static Decision settle(RefundStatus s, String ref, String why) {
      return new Decision(Kind.SETTLE, s, ref, why);
    }

    static final Decision WAIT = new Decision(Kind.WAIT, null, null, null);
    static final Decision ABANDON = new Decision(Kind.ABANDON, null, null, null);

    /** The status a merchant is told now: a wait is pending. */
    public RefundStatus statusOr(RefundStatus current) {
      return kind == Kind.SETTLE ? status : current == RefundStatus.PROCESSING ? RefundStatus.PENDING : current;
    }
  }

  /**
   * The request path: the refund call's answer and, when it was in doubt, what the inquiry that
   * followed at once said (null when none was made). An in-doubt refund the PSP does not show yet
   * is pending, never failed: the horizon has not passed.
   */
  public static Decision onAnswer(PspResult answer, InquiryResult inquiry) {
    return switch (answer.outcome()) {
      case SUCCEEDED -> Decision.settle(RefundStatus.SUCCEEDED, answer.providerReference(), null);
      case PENDING -> Decision.settle(RefundStatus.PENDING, answer.providerReference(), null);
      case DECLINED -> Decision.settle(RefundStatus.FAILED, null, why(answer));
      case NOT_SENT -> answer.notSentReason() == NotSentReason.FENCED ? Decision.ABANDON
          : Decision.settle(RefundStatus.FAILED, null, "not sent: " + answer.message());
      case IN_DOUBT -> {
        Decision d = inquiry == null ? Decision.WAIT : fromInquiry(inquiry, false);
        yield d.kind() == Kind.WAIT ? Decision.settle(RefundStatus.PENDING, null, null) : d;
      }
    };
  }

  /**
   * The reconciler: a refund whose money call was never sent (no checkpoint) cannot have moved
   * money and is failed; otherwise the inquiry decides ({@code answer} null: no answer).
   */
  public static Decision reconcile(boolean sent, InquiryResult answer, boolean pastHorizon) {
    if (!sent) return Decision.settle(RefundStatus.FAILED, null, "never sent to the PSP");
    if (answer == null) return Decision.WAIT;
    return fromInquiry(answer, pastHorizon);
  }

  /** An inquiry's answer about a refund. */
  static Decision fromInquiry(InquiryResult q, boolean pastHorizon) {
    return switch (q.kind()) {
      case FOUND -> switch (q.result().outcome()) {
        case SUCCEEDED -> Decision.settle(RefundStatus.SUCCEEDED, q.result().providerReference(), null);
        case DECLINED -> Decision.settle(RefundStatus.FAILED, null, why(q.result()));
        case PENDING -> Decision.settle(RefundStatus.PENDING, q.result().providerReference(), null);
        default -> Decision.WAIT;
      };
      case NOT_CHARGED -> Decision.settle(RefundStatus.FAILED, null, "the PSP shows the refund closed without money");
      case NOT_FOUND -> pastHorizon
          ? Decision.settle(RefundStatus.FAILED, null, "the PSP has shown no such refund for longer than the horizon")
          : Decision.WAIT;
      case UNKNOWN -> Decision.WAIT;
    };
  }

  private static String why(PspResult r) {
    return r.providerCode() != null ? r.providerCode() : r.message() != null ? r.message() : "refused by the PSP";
  }
}
