package io.payrouter.recovery;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Outcome;
import java.util.ArrayList;
import java.util.List;

/**
 * What the answers about every attempt that may have moved money add up to: the reconciler's
 * decision as a pure function.
 *
 * <ul>
 *   <li>any attempt charged: succeeded (at the current attempt when it is among them); every other
 *       attempt that charged is a conflict, never dropped;</li>
 *   <li>any attempt undecided (pending at the PSP, no answer, or "no such payment" before the
 *       horizon): wait; the undecided attempts that may be closed through the PSP's documented
 *       cancel are listed, and a confirmed cancel is proof;</li>
 *   <li>the current attempt declined, the others proven not charged: declined;</li>
 *   <li>every attempt proven not charged: failed (nothing was charged; the merchant may retry).</li>
 * </ul>
 * Proof that an attempt did not charge: the PSP shows it closed unpaid, or it says "no such
 * payment" once the per-PSP horizon ({@code recovery.not_found_final_after}) has passed, never the
 * short processing grace period.
 */
public final class ReconcilerVerdict {
  private ReconcilerVerdict() {}

  /**
   * One attempt and what its PSP answered.
   *
   * @param attempt the attempt (its outcome as stored: sent, in doubt, pending...)
   * @param reference the attempt's merchant reference the PSP was asked by
   * @param answer the PSP's answer (null: the inquiry itself failed)
   * @param pastHorizon the PSP's "no such payment" horizon has passed for this attempt
   */
  public record Asked(Attempt attempt, String reference, InquiryResult answer, boolean pastHorizon) {}

  public enum Kind { SUCCEEDED, DECLINED, FAILED, WAIT }

  /**
   * @param settling the attempt whose answer settles the charge (SUCCEEDED, DECLINED), else null
   * @param otherSuccesses further attempts that charged: conflicts
   * @param cancellable undecided attempts to close through the PSP's cancel call (WAIT only)
   */
  public record Verdict(Kind kind, Asked settling, List<Asked> otherSuccesses, List<Asked> cancellable) {}

  /** How one answer counts. */
  enum Reading { CHARGED, DECLINED, NOT_CHARGED, UNDECIDED }

  static Reading read(Asked a) {
    InquiryResult r = a.answer();
    if (r == null) return Reading.UNDECIDED;
    return switch (r.kind()) {
      case UNKNOWN -> Reading.UNDECIDED;
      case NOT_CHARGED -> Reading.NOT_CHARGED;
      case NOT_FOUND -> a.pastHorizon() ? Reading.NOT_CHARGED : Reading.UNDECIDED;
      case FOUND -> switch (r.result().outcome()) {
        case SUCCEEDED -> Reading.CHARGED;
        case DECLINED -> Reading.DECLINED;
        case NOT_SENT -> Reading.NOT_CHARGED;
        case PENDING, IN_DOUBT -> Reading.UNDECIDED;
      };
    };
  }

  /**
   * True when an undecided attempt should be closed through the PSP's cancel: the PSP holds it open
   * and unpaid, and either the router never got a trustworthy answer to the money call (sent, in
   * doubt) and the grace period has passed, or it has stayed open past the horizon.
   */
  static boolean cancellable(Asked a, boolean pastGrace) {
    InquiryResult r = a.answer();
    if (r == null || r.kind() != InquiryResult.Kind.FOUND || r.result().outcome() != Outcome.PENDING) return false;
    AttemptOutcome o = a.attempt().outcome();
    return pastGrace && (o == AttemptOutcome.SENT || o == AttemptOutcome.IN_DOUBT) || a.pastHorizon();
  }

  /**
   * @param asked every attempt that may have moved money, in attempt order (the last is current)
   * @param pastGrace the charge is older than the processing grace period
   */
  public static Verdict decide(List<Asked> asked, boolean pastGrace) {
    if (asked.isEmpty()) return new Verdict(Kind.FAILED, null, List.of(), List.of());
    Asked current = asked.get(asked.size() - 1);
    Asked settling = null;
    List<Asked> others = new ArrayList<>();
    boolean undecided = false;
    List<Asked> cancel = new ArrayList<>();
    for (Asked a : asked) {
      switch (read(a)) {
        case CHARGED -> {
          if (settling == null) settling = a;
          else others.add(a);
        }
        case UNDECIDED -> {
          undecided = true;
          if (cancellable(a, pastGrace)) cancel.add(a);
        }
        case DECLINED, NOT_CHARGED -> { }
      }
    }
    if (settling != null) {
      // The current attempt settles when it charged; any other success is a conflict.
      if (settling != current && others.remove(current)) {
        others.add(0, settling);
        settling = current;
      }
      return new Verdict(Kind.SUCCEEDED, settling, List.copyOf(others), List.of());
    }
    if (undecided) return new Verdict(Kind.WAIT, null, List.of(), List.copyOf(cancel));
    if (read(current) == Reading.DECLINED) return new Verdict(Kind.DECLINED, current, List.of(), List.of());
    return new Verdict(Kind.FAILED, null, List.of(), List.of());
  }
}
