package io.payrouter.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.PspResult;
import io.payrouter.recovery.ReconcilerVerdict.Asked;
import io.payrouter.recovery.ReconcilerVerdict.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler's decision over the answers about every attempt that may have moved money. */
class ReconcilerVerdictTest {
  static final InquiryResult DECLINED = InquiryResult.found(PspResult.declined("r1", DeclineCode.DO_NOT_HONOR, false, "05"));
  static final InquiryResult SUCCEEDED = InquiryResult.found(PspResult.succeeded("r2"));
  static final InquiryResult PENDING = InquiryResult.found(PspResult.pending("r3", "created"));
  static final InquiryResult UNKNOWN = InquiryResult.unknown("HTTP 500");
  static final InquiryResult NOT_FOUND = InquiryResult.notFound();
  static final InquiryResult NOT_CHARGED = InquiryResult.notCharged("cancelled");

  static Asked asked(int seq, AttemptOutcome outcome, InquiryResult answer, boolean pastHorizon) {
    Attempt a = new Attempt("att_" + seq, "ch_1", seq, "p" + seq, outcome, 0, null, null, null, null);
    return new Asked(a, seq == 1 ? "ch_1" : "ch_1-" + seq, answer, pastHorizon);
  }

  static Asked inDoubt(int seq, InquiryResult answer) {
    return asked(seq, AttemptOutcome.IN_DOUBT, answer, false);
  }

  @Test
  void aDeclineNeverOverridesAPendingAnswerElsewhere() {
    assertEquals(Kind.WAIT, ReconcilerVerdict.decide(List.of(inDoubt(1, PENDING), inDoubt(2, DECLINED)), true).kind());
  }

  @Test
  void aFailedInquiryLeavesTheChargeUndecided() {
    assertEquals(Kind.WAIT, ReconcilerVerdict.decide(List.of(inDoubt(1, null)), true).kind());
  }

  @Test
  void anUnknownAnswerLeavesTheChargeUndecided() {
    assertEquals(Kind.WAIT, ReconcilerVerdict.decide(List.of(inDoubt(1, UNKNOWN)), true).kind());
  }

  @Test
  void noSuchPaymentPastTheGracePeriodIsNotProof() {
    assertEquals(Kind.WAIT, ReconcilerVerdict.decide(List.of(inDoubt(1, NOT_FOUND)), true).kind());
  }

  @Test
  void noSuchPaymentPastTheHorizonIsProof() {
    assertEquals(Kind.FAILED, ReconcilerVerdict.decide(List.of(asked(1, AttemptOutcome.IN_DOUBT, NOT_FOUND, true)), true).kind());
  }

  @Test
  void aStatusThePspDocumentsAsPendingIsNeverProofEvenPastTheHorizon() {
    assertEquals(Kind.WAIT, ReconcilerVerdict.decide(List.of(asked(1, AttemptOutcome.PENDING, PENDING, true)), true).kind());
  }

  @Test
  void aClosedUnpaidPaymentIsProof() {
    assertEquals(Kind.FAILED, ReconcilerVerdict.decide(List.of(inDoubt(1, NOT_CHARGED)), false).kind());
  }

  @Test
  void noAttemptThatMayHaveChargedMeansNothingWasCharged() {
    assertEquals(Kind.FAILED, ReconcilerVerdict.decide(List.of(), false).kind());
  }

  @Test
  void aSuccessAnywhereSettlesSucceeded() {
    var v = ReconcilerVerdict.decide(List.of(inDoubt(1, UNKNOWN), inDoubt(2, SUCCEEDED)), true);
    assertEquals(Kind.SUCCEEDED, v.kind());
    assertEquals(2, v.settling().attempt().seq());
  }

  @Test
  void aSecondSuccessIsAConflictAndTheCurrentAttemptSettles() {
    Asked first = inDoubt(1, SUCCEEDED);
    Asked current = inDoubt(2, SUCCEEDED);
    var v = ReconcilerVerdict.decide(List.of(first, current), true);
    assertSame(current, v.settling());
    assertEquals(List.of(first), v.otherSuccesses());
  }

  @Test
  void theCurrentAttemptsDeclineSettlesDeclinedWhenTheOthersAreProvenNotCharged() {
    assertEquals(Kind.DECLINED, ReconcilerVerdict.decide(List.of(inDoubt(1, NOT_CHARGED), inDoubt(2, DECLINED)), true).kind());
  }

  @Test
  void anInDoubtAttemptThePspHoldsOpenIsCancelledOncePastTheGracePeriod() {
    Asked open = inDoubt(1, PENDING);
    assertEquals(List.of(open), ReconcilerVerdict.decide(List.of(open), true).cancellable());
  }

  @Test
  void anInDoubtAttemptIsNotCancelledWithinTheGracePeriod() {
    assertTrue(ReconcilerVerdict.decide(List.of(inDoubt(1, PENDING)), false).cancellable().isEmpty());
  }

  @Test
  void anAttemptThePspAnsweredPendingIsLeftToThePspUntilTheHorizon() {
    assertTrue(ReconcilerVerdict.decide(List.of(asked(1, AttemptOutcome.PENDING, PENDING, false)), true).cancellable().isEmpty());
    Asked stale = asked(1, AttemptOutcome.PENDING, PENDING, true);
    assertEquals(List.of(stale), ReconcilerVerdict.decide(List.of(stale), true).cancellable());
  }
}
