package io.payrouter.charge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.charge.SettlementPolicy.Evidence;
import io.payrouter.charge.SettlementPolicy.Kind;
import io.payrouter.charge.SettlementPolicy.Source;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Only the PSP of the current attempt, for its reference, settles a charge; money moved elsewhere is a conflict. */
class SettlementPolicyTest {
  static final PspResult SUCCESS = PspResult.succeeded(null);
  static final PspResult DECLINE = PspResult.declined(null, DeclineCode.DO_NOT_HONOR, false, "05");
  static final PspResult CLOSED = PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, "cancelled");

  static Attempt attempt(int seq, String provider, AttemptOutcome o) {
    return new Attempt("att_" + seq, "ch_1", seq, provider, o, 0, null, null, null, null);
  }

  static Charge charge(ChargeStatus status, String provider, Attempt... attempts) {
    return new Charge("ch_1", "m", "k", "fp", 100, "USD", null, null, status, provider, null, null, null, null,
        List.of(attempts), Instant.EPOCH, Instant.EPOCH, null);
  }

  /** Revio timed out, its inquiry said cancelled, the router failed over to PayCore (pending). */
  static final Charge FAILED_OVER = charge(ChargeStatus.PENDING, "paycore",
      attempt(1, "revio", AttemptOutcome.UNAVAILABLE), attempt(2, "paycore", AttemptOutcome.PENDING));

  @Test
  void anEarlierAttemptsPspCannotSettleTheCharge() {
    assertEquals(Kind.IGNORE, SettlementPolicy.decide(FAILED_OVER, new Evidence("revio", "ch_1", DECLINE, Source.WEBHOOK)).kind());
  }

  @Test
  void aSuccessFromAnEarlierAttemptIsAConflict() {
    assertEquals(Kind.CONFLICT, SettlementPolicy.decide(FAILED_OVER, new Evidence("revio", "ch_1", SUCCESS, Source.WEBHOOK)).kind());
  }

  @Test
  void theCurrentAttemptsPspSettlesIt() {
    var v = SettlementPolicy.decide(FAILED_OVER, new Evidence("paycore", "ch_1-2", SUCCESS, Source.WEBHOOK));
    assertEquals(Kind.APPLY, v.kind());
    assertEquals(ChargeStatus.SUCCEEDED, v.target());
  }

  @Test
  void theRightPspWithAnotherAttemptsReferenceDoesNotSettleIt() {
    assertEquals(Kind.IGNORE, SettlementPolicy.decide(FAILED_OVER, new Evidence("paycore", "ch_1", DECLINE, Source.WEBHOOK)).kind());
  }

  @Test
  void anotherPspsSuccessForAPendingChargeIsAConflict() {
    assertEquals(Kind.CONFLICT, SettlementPolicy.decide(FAILED_OVER, new Evidence("fatora", "ch_1-2", SUCCESS, Source.WEBHOOK)).kind());
  }

  @Test
  void theSameResultTwiceChangesNothing() {
    Charge done = charge(ChargeStatus.SUCCEEDED, "paycore", attempt(1, "revio", AttemptOutcome.UNAVAILABLE),
        attempt(2, "paycore", AttemptOutcome.SUCCEEDED));
    assertEquals(Kind.ALREADY, SettlementPolicy.decide(done, new Evidence("paycore", "ch_1-2", SUCCESS, Source.WEBHOOK)).kind());
  }

  @Test
  void aSuccessForAFailedChargeIsAConflict() {
    Charge failed = charge(ChargeStatus.FAILED, null, attempt(1, "revio", AttemptOutcome.UNAVAILABLE));
    assertEquals(Kind.CONFLICT, SettlementPolicy.decide(failed, new Evidence("revio", "ch_1", SUCCESS, Source.REQUEST)).kind());
  }

  @Test
  void aClosedUnpaidPaymentSettlesAPendingChargeAsFailed() {
    var v = SettlementPolicy.decide(FAILED_OVER, new Evidence("paycore", "ch_1-2", CLOSED, Source.WEBHOOK));
    assertEquals(ChargeStatus.FAILED, v.target());
  }

  @Test
  void noSuchPaymentSettlesNothing() {
    PspResult notFound = PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "not proof of anything at the PSP");
    assertEquals(Kind.IGNORE, SettlementPolicy.decide(FAILED_OVER, new Evidence("paycore", "ch_1-2", notFound, Source.WEBHOOK)).kind());
  }

  @Test
  void aWebhookMaySettleAProcessingChargeOnlyWithASuccess() {
    Charge working = charge(ChargeStatus.PROCESSING, null, attempt(1, "revio", AttemptOutcome.SENT));
    assertEquals(Kind.IGNORE, SettlementPolicy.decide(working, new Evidence("revio", "ch_1", DECLINE, Source.WEBHOOK)).kind());
    assertEquals(Kind.APPLY, SettlementPolicy.decide(working, new Evidence("revio", "ch_1", SUCCESS, Source.WEBHOOK)).kind());
    assertEquals(Kind.APPLY, SettlementPolicy.decide(working, new Evidence("revio", "ch_1", DECLINE, Source.RECONCILER)).kind());
  }

  @Test
  void aFailedChargeWithARecordedConflictIsNeverRetried() {
    Charge failed = charge(ChargeStatus.FAILED, null, attempt(1, "revio", AttemptOutcome.UNAVAILABLE));
    assertTrue(SettlementPolicy.mayRetryFailed(failed));
    Charge conflicted = new Charge("ch_1", "m", "k", "fp", 100, "USD", null, null, ChargeStatus.FAILED, null, null, null,
        null, null, failed.attempts(), Instant.EPOCH, Instant.EPOCH, "late succeeded at revio");
    assertFalse(SettlementPolicy.mayRetryFailed(conflicted));
  }

  @Test
  void aFailedChargeWithASucceededAttemptIsNeverRetried() {
    assertFalse(SettlementPolicy.mayRetryFailed(charge(ChargeStatus.FAILED, null, attempt(1, "revio", AttemptOutcome.SUCCEEDED))));
  }

  @Test
  void aResultNamingAnotherPspIdForTheSameAttemptDoesNotSettleIt() {
    Attempt withId = new Attempt("att_1", "ch_1", 1, "revio", AttemptOutcome.IN_DOUBT, 0, null, "pur_1", null, null);
    Charge c = charge(ChargeStatus.PENDING, "revio", withId);
    assertEquals(Kind.IGNORE, SettlementPolicy.decide(c, new Evidence("revio", "ch_1",
        PspResult.declined("pur_2", DeclineCode.DO_NOT_HONOR, false, "05"), Source.WEBHOOK)).kind());
    assertEquals(Kind.APPLY, SettlementPolicy.decide(c, new Evidence("revio", "ch_1",
        PspResult.declined("pur_1", DeclineCode.DO_NOT_HONOR, false, "05"), Source.WEBHOOK)).kind());
  }

  @Test
  void proofOfNoChargeForAFailedChargeChangesNothing() {
    Charge failed = charge(ChargeStatus.FAILED, null, attempt(1, "revio", AttemptOutcome.UNAVAILABLE));
    assertEquals(Kind.ALREADY, SettlementPolicy.decide(failed, new Evidence("revio", "ch_1", CLOSED, Source.WEBHOOK)).kind());
  }

  @Test
  void aDeclineForASucceededChargeIsIgnored() {
    Charge done = charge(ChargeStatus.SUCCEEDED, "revio", attempt(1, "revio", AttemptOutcome.SUCCEEDED));
    var v = SettlementPolicy.decide(done, new Evidence("revio", "ch_1", DECLINE, Source.WEBHOOK));
    assertEquals(Kind.IGNORE, v.kind());
    assertEquals("the charge is final with another outcome", v.why());
  }

  @Test
  void nothingChargedFailsAnUnsettledChargeOnly() {
    assertEquals(Kind.APPLY, SettlementPolicy.decideNothingCharged(FAILED_OVER).kind());
    assertEquals(ChargeStatus.FAILED, SettlementPolicy.decideNothingCharged(FAILED_OVER).target());
    assertEquals(Kind.ALREADY, SettlementPolicy.decideNothingCharged(charge(ChargeStatus.FAILED, null)).kind());
    assertEquals(Kind.IGNORE, SettlementPolicy.decideNothingCharged(charge(ChargeStatus.SUCCEEDED, "revio")).kind());
  }

  @Test
  void sourcesAreNamedOnTheWireInLowerCase() {
    assertEquals("webhook", Source.WEBHOOK.wire());
    assertEquals("reconciler", Source.RECONCILER.wire());
    assertEquals("request", Source.REQUEST.wire());
  }
}
