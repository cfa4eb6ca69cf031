package io.payrouter.connector.processout;

import static io.payrouter.connector.processout.ProcessOutFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ProcessOutMappingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "waiting, PENDING",
      "pending, PENDING",
      "authorized, PENDING",
      "pending-capture, PENDING",
      "completed, SUCCEEDED",
      "failed, DECLINED",
      "voided, NOT_SENT",
      "refunded, SUCCEEDED",
      "in-review, PENDING",
      "blocked, DECLINED",
      "retrieval-request, SUCCEEDED",
      "fraud-notification, SUCCEEDED",
      "chargeback-initiated, SUCCEEDED",
      "solved, SUCCEEDED",
      "reversed, SUCCEEDED"})
  void everyDocumentedStatusMapsToItsOutcome(String status, Outcome expected) {
    PspResult r = ProcessOutMapping.fromTransaction(tx(status), "iv_1");
    assertEquals(expected, r.outcome());
    assertEquals("iv_1", r.providerReference());
  }

  @Test
  void statusTableCoversExactlyTheFifteenDocumentedStatuses() {
    assertEquals(15, ProcessOutMapping.Status.values().length);
  }

  @Test
  void unknownStatusIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, ProcessOutMapping.fromTransaction(tx("mystery"), "iv_1").outcome());
  }

  @ParameterizedTest(name = "{0} -> {1} soft={2}")
  @CsvSource({
      "card.no-money, INSUFFICIENT_FUNDS, true",
      "card.do-not-honor, DO_NOT_HONOR, true",
      "card.exceeded-limits, LIMIT_EXCEEDED, true",
      "payment.declined, GENERIC_DECLINE, true",
      "card.declined, GENERIC_DECLINE, true",
      "card.needs-authentication, GENERIC_DECLINE, true",
      "card.issuer-down, GENERIC_DECLINE, true",
      "card.expired, EXPIRED_CARD, false",
      "card.possible-fraud, FRAUD_SUSPECTED, false",
      "card.stolen, FRAUD_SUSPECTED, false",
      "card.lost, FRAUD_SUSPECTED, false",
      "card.blacklisted, FRAUD_SUSPECTED, false",
      "card.invalid, INVALID_TOKEN, false",
      "card.revoked, INVALID_TOKEN, false",
      "card.dont-retry, GENERIC_DECLINE, false",
      "resource.token.not-found, INVALID_TOKEN, false",
      "card.something-new, GENERIC_DECLINE, true"})
  void declineCodesMapToCodeAndSoftness(String code, DeclineCode expected, boolean soft) {
    assertEquals(new ProcessOutMapping.Decline(expected, soft), ProcessOutMapping.decline(code));
  }

  @Test
  void failedTransactionUsesItsErrorCode() {
    assertEquals(PspResult.declined("iv_1", DeclineCode.EXPIRED_CARD, false, "card.expired"),
        ProcessOutMapping.fromTransaction(tx("failed").put("error_code", "card.expired"), "iv_1"));
  }

  @Test
  void failedTransactionWithoutErrorCodeIsASoftGenericDecline() {
    assertEquals(PspResult.declined("iv_1", DeclineCode.GENERIC_DECLINE, true, "failed"),
        ProcessOutMapping.fromTransaction(tx("failed"), "iv_1"));
  }

  @Test
  void blockedTransactionWithoutErrorCodeIsAHardGenericDecline() {
    assertEquals(PspResult.declined("iv_1", DeclineCode.GENERIC_DECLINE, false, "blocked"),
        ProcessOutMapping.fromTransaction(tx("blocked"), "iv_1"));
  }

  @Test
  void voidedTransactionIsProvenNotChargedNeverADecline() {
    PspResult r = ProcessOutMapping.fromTransaction(tx("voided"), "iv_1");
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertEquals("voided", r.providerCode());
    assertEquals("iv_1", r.providerReference());
  }

  @Test
  void voidedTransactionThatShowsACaptureIsInDoubtNeverProof() {
    assertEquals(Outcome.IN_DOUBT,
        ProcessOutMapping.fromTransaction(tx("voided").put("captured_amount", "19.99"), "iv_1").outcome());
    assertEquals(Outcome.IN_DOUBT, ProcessOutMapping.fromTransaction(tx("voided").put("captured", true), "iv_1").outcome());
  }

  @Test
  void waitingTransactionIsPendingOnInquiry() {
    assertEquals(InquiryResult.found(PspResult.pending("iv_1", "waiting")),
        ProcessOutMapping.inquiryFromTransaction(tx("waiting").put("captured_amount", "0"), "iv_1"));
  }

  @Test
  void completedTransactionWithLessCapturedThanItsAmountIsPendingNeverSucceeded() {
    PspResult r = ProcessOutMapping.fromTransaction(tx("completed").put("captured_amount", "10.00"), "iv_1");
    assertEquals(Outcome.PENDING, r.outcome());
    assertEquals("completed", r.providerCode());
    assertEquals("iv_1", r.providerReference());
  }

  @Test
  void completedTransactionWithItsWholeAmountCapturedSucceeds() {
    assertEquals(PspResult.succeeded("iv_1"),
        ProcessOutMapping.fromTransaction(tx("completed").put("captured_amount", "19.99"), "iv_1"));
  }

  @Test
  void partialCaptureAnsweredOnTheCaptureCallIsPendingNeverSucceeded() {
    PspResult r = ProcessOutMapping.captureResult(ProcessOutFixtures.reply(200,
        new io.vertx.core.json.JsonObject().put("success", true)
            .put("transaction", tx("completed").put("captured_amount", "0.01"))), "iv_1");
    assertEquals(Outcome.PENDING, r.outcome());
  }

  @Test
  void waitingTransactionWithCapturedAmountIsNotTakenForNotFound() {
    assertEquals(Outcome.PENDING, ProcessOutMapping.inquiryFromTransaction(
        tx("waiting").put("captured_amount", "1.00"), "iv_1").result().outcome());
  }
}
