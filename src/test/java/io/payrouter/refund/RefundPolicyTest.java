package io.payrouter.refund;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.RefundStatus;
import org.junit.jupiter.api.Test;

/** The refund verdicts: succeeded only on the PSP's word, failed only on proof, never a guess. */
class RefundPolicyTest {
  static final PspResult REFUSED = PspResult.declined(null, DeclineCode.GENERIC_DECLINE, false, "purchase_refund_error");

  static RefundPolicy.Decision answer(PspResult r, InquiryResult q) {
    return RefundPolicy.onAnswer(r, q);
  }

  @Test
  void theRefundCallsAnswerDecidesWhenItIsOne() {
    assertEquals(RefundStatus.SUCCEEDED, answer(PspResult.succeeded("pay_1"), null).status());
    assertEquals("pay_1", answer(PspResult.succeeded("pay_1"), null).providerReference());
    assertEquals(RefundStatus.PENDING, answer(PspResult.pending(null, "pending_refund"), null).status());
    assertEquals(RefundStatus.FAILED, answer(REFUSED, null).status());
    assertEquals("purchase_refund_error", answer(REFUSED, null).failureReason());
    assertEquals(RefundStatus.FAILED, answer(PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "401"), null).status());
    assertEquals(RefundStatus.FAILED, answer(PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "refused"), null).status());
  }

  @Test
  void fencedMeansSomeoneElseOwnsItNothingIsWritten() {
    assertEquals(RefundPolicy.Kind.ABANDON, answer(PspResult.notSent(NotSentReason.FENCED, "fenced"), null).kind());
  }

  @Test
  void inDoubtIsSettledByTheInquiryAndOtherwisePendingNeverFailed() {
    PspResult doubt = PspResult.inDoubt(null, "timeout");
    assertEquals(RefundStatus.SUCCEEDED, answer(doubt, InquiryResult.found(PspResult.succeeded(null))).status());
    assertEquals(RefundStatus.FAILED, answer(doubt, InquiryResult.found(REFUSED)).status());
    assertEquals(RefundStatus.PENDING, answer(doubt, InquiryResult.found(PspResult.pending(null, "x"))).status());
    assertEquals(RefundStatus.PENDING, answer(doubt, InquiryResult.notFound()).status(), "no such refund (yet): no proof");
    assertEquals(RefundStatus.PENDING, answer(doubt, InquiryResult.unknown("500")).status());
    assertEquals(RefundStatus.PENDING, answer(doubt, null).status());
  }

  @Test
  void theReconcilerFailsARefundNeverSentAndOtherwiseOnlyOnProof() {
    assertEquals(RefundStatus.FAILED, RefundPolicy.reconcile(false, null, false).status());
    assertEquals(RefundPolicy.Kind.WAIT, RefundPolicy.reconcile(true, null, true).kind());
    assertEquals(RefundPolicy.Kind.WAIT, RefundPolicy.reconcile(true, InquiryResult.notFound(), false).kind());
    assertEquals(RefundStatus.FAILED, RefundPolicy.reconcile(true, InquiryResult.notFound(), true).status(),
        "no such refund past the horizon is proof");
    assertEquals(RefundPolicy.Kind.WAIT, RefundPolicy.reconcile(true, InquiryResult.unknown("?"), true).kind(),
        "cannot say is never proof, however old");
    assertEquals(RefundStatus.SUCCEEDED, RefundPolicy.reconcile(true, InquiryResult.found(PspResult.succeeded(null)), false)
        .status());
    assertEquals(RefundStatus.FAILED, RefundPolicy.reconcile(true, InquiryResult.notCharged("closed"), false).status());
    assertEquals(RefundPolicy.Kind.WAIT,
        RefundPolicy.reconcile(true, InquiryResult.found(PspResult.inDoubt(null, "?")), true).kind());
  }
}
