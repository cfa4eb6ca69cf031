package io.payrouter.charge;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;

/**
 * What the request path does after one attempt: the money rule "no proof, no failover" as a pure
 * function. Only a result that proves the PSP did not charge ({@link Outcome#NOT_SENT}) moves on to
 * the next candidate; an in-doubt answer is first put to the PSP itself (inquiry, then the PSP's
 * documented cancel where it has one), and whatever is not proof leaves the charge pending.
 */
public final class FailoverPolicy {
  private FailoverPolicy() {}

  /** The next step after an attempt's settled result. */
  public enum Next {
    /** The PSP approved: the charge is succeeded. */
    SUCCEED,
    /** The PSP declined and no failover applies: the charge is declined. */
    DECLINE,
    /** The PSP accepted it, or the router is in doubt: the charge is pending for the reconciler. */
    PENDING,
    /** The PSP provably did not charge and another candidate is left: try it. */
    NEXT_CANDIDATE,
    /** The PSP provably did not charge and no candidate is left: the charge is failed. */
    FAIL,
    /**
     * This instance no longer owns the charge (fenced): it sends nothing more and writes nothing;
     * the owner settles the charge. The merchant is answered pending.
     */
    ABANDON
  }

  /**
   * @param result the attempt's result, after {@link #resolveInDoubt} when it was in doubt
   * @param failoverOnSoftDecline the rule opts in to failing over after a soft decline
   * @param candidateLeft another candidate may be tried (candidates and max_attempts allow it)
   */
  public static Next next(PspResult result, boolean failoverOnSoftDecline, boolean candidateLeft) {
    return switch (result.outcome()) {
      case SUCCEEDED -> Next.SUCCEED;
      case DECLINED -> result.softDecline() && failoverOnSoftDecline && candidateLeft ? Next.NEXT_CANDIDATE : Next.DECLINE;
      case PENDING, IN_DOUBT -> Next.PENDING;
      case NOT_SENT -> result.notSentReason() == NotSentReason.FENCED ? Next.ABANDON
          : candidateLeft ? Next.NEXT_CANDIDATE : Next.FAIL;
    };
  }

  /**
   * True when an in-doubt answer should be followed by the PSP's documented cancel: the PSP shows
   * the payment open and unpaid (pending) after an answer the router could not trust. A cancel the
   * PSP confirms is proof that nothing will be charged; anything else proves nothing.
   */
  public static boolean shouldCancel(PspResult first, InquiryResult inquiry) {
    return first.outcome() == Outcome.IN_DOUBT && inquiry != null && inquiry.kind() == InquiryResult.Kind.FOUND
        && inquiry.result().outcome() == Outcome.PENDING;
  }

  /**
   * An in-doubt answer resolved by what the PSP says when asked (an inquiry, or the answer to a
   * cancel). Found: the PSP's word (approved, declined, pending). Closed unpaid: proof, not_sent
   * {@link NotSentReason#PROVEN_NOT_CHARGED}. "No such payment (yet)" and "cannot say" prove
   * nothing: the request may still land, so it stays in doubt (pending for the reconciler).
   *
   * @param first the attempt's own result; returned unchanged unless it is in doubt
   * @param answer the PSP's answer when asked, or null when it was not asked
   */
  public static PspResult resolveInDoubt(PspResult first, InquiryResult answer) {
    if (first.outcome() != Outcome.IN_DOUBT || answer == null) return first;
    return switch (answer.kind()) {
      case FOUND -> switch (answer.result().outcome()) {
        case NOT_SENT -> proven(first, answer.result().message());
        // Open at the PSP: still in doubt (the money call's answer was not trustworthy), so the
        // reconciler may close it through the PSP's cancel once the grace period has passed.
        case PENDING, IN_DOUBT -> new PspResult(Outcome.IN_DOUBT,
            answer.result().providerReference() != null ? answer.result().providerReference() : first.providerReference(),
            null, false, answer.result().providerCode(),
            first.message() + "; the PSP shows the payment open"
                + (answer.result().providerCode() == null ? "" : " (" + answer.result().providerCode() + ")"));
        case SUCCEEDED, DECLINED -> answer.result().providerReference() == null
            ? answer.result().withProviderReference(first.providerReference()) : answer.result();
      };
      case NOT_CHARGED -> proven(first, answer.result() == null ? null : answer.result().message());
      case NOT_FOUND -> new PspResult(Outcome.IN_DOUBT, first.providerReference(), null, false, first.providerCode(),
          first.message() + "; inquiry found no payment yet");
      case UNKNOWN -> first;
    };
  }

  private static PspResult proven(PspResult first, String why) {
    return new PspResult(Outcome.NOT_SENT, first.providerReference(), null, false, first.providerCode(),
        first.message() + "; the PSP shows the payment closed without a charge" + (why == null ? "" : " (" + why + ")"),
        NotSentReason.PROVEN_NOT_CHARGED);
  }
}
