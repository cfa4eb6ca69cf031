package io.payrouter.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.PspResult;
import io.payrouter.recovery.Reconciler.Verdict;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The reconciler's decision over the answers of every PSP that could have charged. */
class ReconcilerVerdictTest {
  static final InquiryResult DECLINED = InquiryResult.found(PspResult.declined("r1", DeclineCode.DO_NOT_HONOR, false, "05"));
  static final InquiryResult SUCCEEDED = InquiryResult.found(PspResult.succeeded("r2"));
  static final InquiryResult PENDING = InquiryResult.found(PspResult.pending("r3", "processing"));
  static final InquiryResult UNKNOWN = InquiryResult.unknown("HTTP 500");
  static final InquiryResult NOT_FOUND = InquiryResult.notFound();
  static final InquiryResult NOT_CHARGED = InquiryResult.notCharged("cancelled");

  static Verdict.Kind verdict(boolean pastGrace, InquiryResult... answers) {
    List<String> providers = Arrays.stream(answers).map(a -> "p" + System.identityHashCode(a)).toList();
    return Reconciler.verdict(providers, Arrays.asList(answers), pastGrace).kind();
  }

  @Test
  void aDeclineNeverOverridesAPendingAnswerElsewhere() {
    assertEquals(Verdict.Kind.WAIT, verdict(true, DECLINED, PENDING));
  }

  @Test
  void aDeclineNeverOverridesAnUnknownAnswerElsewhere() {
    assertEquals(Verdict.Kind.WAIT, verdict(true, DECLINED, UNKNOWN));
  }

  @Test
  void aDeclineNeverOverridesAFailedInquiryElsewhere() {
    assertEquals(Verdict.Kind.WAIT, verdict(true, DECLINED, null));
  }

  @Test
  void aDeclineNeverOverridesNoPaymentYetBeforeTheGracePeriod() {
    assertEquals(Verdict.Kind.WAIT, verdict(false, DECLINED, NOT_FOUND));
  }

  @Test
  void aDeclineSettlesOnceEveryOtherPspProvedItDidNotCharge() {
    assertEquals(Verdict.Kind.DECLINED, verdict(true, DECLINED, NOT_CHARGED, NOT_FOUND));
  }

  @Test
  void aSuccessAnywhereWinsOverEverything() {
    assertEquals(Verdict.Kind.SUCCEEDED, verdict(false, UNKNOWN, PENDING, SUCCEEDED, DECLINED));
  }

  @Test
  void twoSuccessesKeepTheSecondAsAConflictToRecord() {
    Verdict v = Reconciler.verdict(List.of("a", "b"), List.of(SUCCEEDED, SUCCEEDED), true);
    assertEquals(Verdict.Kind.SUCCEEDED, v.kind());
    assertEquals("a", v.provider());
    assertEquals(List.of("b"), v.otherSuccesses());
  }

  @Test
  void noPaymentYetIsNoProofBeforeTheGracePeriod() {
    assertEquals(Verdict.Kind.WAIT, verdict(false, NOT_FOUND));
  }

  @Test
  void noPaymentPastTheGracePeriodFails() {
    assertEquals(Verdict.Kind.FAILED, verdict(true, NOT_FOUND, NOT_CHARGED));
  }

  @Test
  void aDocumentedFinalNotChargedStateFailsEvenBeforeTheGracePeriod() {
    assertEquals(Verdict.Kind.FAILED, verdict(false, NOT_CHARGED));
  }

  @Test
  void anUnknownAnswerNeverFails() {
    assertEquals(Verdict.Kind.WAIT, verdict(true, NOT_CHARGED, UNKNOWN));
  }
}
