package io.payrouter.connector.processout;

import static io.payrouter.connector.processout.ProcessOutFixtures.BASIC;
import static io.payrouter.connector.processout.ProcessOutFixtures.answer;
import static io.payrouter.connector.processout.ProcessOutFixtures.call;
import static io.payrouter.connector.processout.ProcessOutFixtures.captured;
import static io.payrouter.connector.processout.ProcessOutFixtures.charge;
import static io.payrouter.connector.processout.ProcessOutFixtures.connector;
import static io.payrouter.connector.processout.ProcessOutFixtures.ctx;
import static io.payrouter.connector.processout.ProcessOutFixtures.done;
import static io.payrouter.connector.processout.ProcessOutFixtures.error;
import static io.payrouter.connector.processout.ProcessOutFixtures.invoiceCreated;
import static io.payrouter.connector.processout.ProcessOutFixtures.reply;
import static io.payrouter.connector.processout.ProcessOutFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.common.FieldError;
import io.payrouter.connector.ChargeInput;
import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ProcessOutConnectorTest {

  @Test
  void typeIsProcessOut() {
    assertEquals("processout", connector().type());
  }

  // ---------------------------------------------------------------- invoice creation

  @Test
  void chargeFirstCreatesAnInvoiceWithoutMovingMoney() {
    HttpCall c = call(connector().charge(ctx(), charge(1999))).call();
    assertEquals("POST", c.method());
    assertEquals("/invoices", c.url());
    assertFalse(c.movesMoney());
    assertNull(c.checkpoint());
  }

  @Test
  void invoiceCreationSendsBasicAuthApiVersionAndTheAttemptIdAsIdempotencyKey() {
    assertEquals(Map.of("Authorization", BASIC, "API-Version", "1.4.0.0", "Accept", "application/json",
            "Content-Type", "application/json", "Idempotency-Key", "att_1"),
        call(connector().charge(ctx(), charge(1999))).call().headers());
  }

  @Test
  void invoiceBodyCarriesDecimalStringAmountCustomerOrderIdAndWebhookUrl() {
    HttpCall c = call(connector().charge(ctx(), charge(1999, "USD", "Order 1",
        "https://router.example/v1/webhooks/processout"))).call();
    assertEquals(new JsonObject().put("name", "Order 1").put("amount", "19.99").put("currency", "USD")
            .put("customer_id", "cust_1").put("order_id", "ch_1").put("merchant_initiator_type", "one-off")
            .put("webhook_url", "https://router.example/v1/webhooks/processout"),
        new JsonObject(c.body()));
  }

  @ParameterizedTest(name = "{0} {1} -> \"{2}\"")
  @CsvSource({"1000, JPY, 1000", "1999, USD, 19.99", "5, USD, 0.05", "1234, BHD, 1.234", "1000, BHD, 1.000",
      "1, KWD, 0.001", "1, JPY, 1"})
  void invoiceAmountIsAStringWithTheCurrencyExponent(long minor, String currency, String expected) {
    JsonObject body = new JsonObject(call(connector().charge(ctx(), charge(minor, currency, "x", null))).call().body());
    assertEquals(expected, body.getValue("amount"));
  }

  @Test
  void invoiceNameFallsBackToTheChargeIdAndOmitsWebhookUrl() {
    JsonObject body = new JsonObject(call(connector().charge(ctx(), charge(1999, "USD", null, null))).call().body());
    assertEquals("ch_1", body.getString("name"));
    assertFalse(body.containsKey("webhook_url"));
  }

  @Test
  void invoiceNameIsCutToEightyCharacters() {
    JsonObject body = new JsonObject(call(connector().charge(ctx(), charge(1999, "USD", "d".repeat(200), null))).call().body());
    assertEquals(80, body.getString("name").length());
  }

  @Test
  void unknownCurrencyIsUnsupportedWithoutACall() {
    PspResult r = ProcessOutFixtures.<PspResult>done(connector().charge(ctx(), charge(100, "XXX", "x", null)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
  }

  @Test
  void missingTokenFieldsAreNoTokenWithoutACall() {
    ChargeInput in = new ChargeInput("ch_1", "att_1", "ch_1", 100, "USD", "visa", Map.of("customer_id", "c"), null, null, null, null);
    PspResult r = done(connector().charge(ctx(), in));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.NO_TOKEN, r.notSentReason());
  }

  /** Invoice creation moves no money: every failure is not_sent; the reason says whose doing. */
  @ParameterizedTest(name = "HTTP {0} on invoice creation -> not_sent {1}")
  @CsvSource({"400, REQUEST_REJECTED", "404, REQUEST_REJECTED", "401, CREDENTIALS_REFUSED", "403, CREDENTIALS_REFUSED",
      "429, PSP_ERROR_BEFORE_MONEY_CALL", "500, PSP_ERROR_BEFORE_MONEY_CALL", "502, PSP_ERROR_BEFORE_MONEY_CALL",
      "503, PSP_ERROR_BEFORE_MONEY_CALL", "504, PSP_ERROR_BEFORE_MONEY_CALL"})
  void anyInvoiceCreationFailureIsNotSentBecauseNoMoneyMoves(int status, NotSentReason reason) {
    PspResult r = answer(connector().charge(ctx(), charge(1999)), reply(status, error("x.y")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(reason, r.notSentReason());
    assertEquals("x.y", r.providerCode());
  }

  @Test
  void unparseableInvoiceAnswerIsAPspErrorBeforeTheMoneyCall() {
    PspResult r = answer(connector().charge(ctx(), charge(1999)), reply(200, "nope"));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, r.notSentReason());
  }

  // ---------------------------------------------------------------- capture

  private Step.Call<PspResult> captureStep(ChargeInput in) {
    return call(call(connector().charge(ctx(), in)).next().apply(reply(200, invoiceCreated("iv_1"))));
  }

  private PspResult captureAnswer(int status, String body) {
    return done(captureStep(charge(1999)).next().apply(reply(status, body)));
  }

  @Test
  void captureIsPostedToTheInvoiceWithTheTokenAsSource() {
    HttpCall c = captureStep(charge(1999)).call();
    assertEquals("POST", c.method());
    assertEquals("/invoices/iv_1/capture", c.url());
    assertEquals(new JsonObject().put("source", "tok_1"), new JsonObject(c.body()));
  }

  @Test
  void captureMovesMoneyAfterCheckpointingTheInvoiceId() {
    HttpCall c = captureStep(charge(1999)).call();
    assertTrue(c.movesMoney());
    assertEquals("iv_1", c.checkpoint());
  }

  @Test
  void captureUsesADistinctIdempotencyKeyDerivedFromTheAttemptId() {
    Map<String, String> h = captureStep(charge(1999)).call().headers();
    assertEquals("att_1-capture", h.get("Idempotency-Key"));
    assertEquals("1.4.0.0", h.get("API-Version"));
    assertEquals(BASIC, h.get("Authorization"));
  }

  @Test
  void completedCaptureSucceedsWithTheInvoiceIdAsReference() {
    assertEquals(PspResult.succeeded("iv_1"), captureAnswer(200, captured("completed").encode()));
  }

  @Test
  void pendingCaptureIsPending() {
    assertEquals(PspResult.pending("iv_1", "pending"), captureAnswer(200, captured("pending").encode()));
  }

  @ParameterizedTest(name = "402 {0} -> {1} soft={2}")
  @CsvSource({
      "card.no-money, INSUFFICIENT_FUNDS, true",
      "card.do-not-honor, DO_NOT_HONOR, true",
      "card.expired, EXPIRED_CARD, false",
      "card.possible-fraud, FRAUD_SUSPECTED, false",
      "card.exceeded-limits, LIMIT_EXCEEDED, true",
      "card.revoked, INVALID_TOKEN, false"})
  void declineAnswersMapTheErrorType(String type, DeclineCode code, boolean soft) {
    assertEquals(PspResult.declined("iv_1", code, soft, type), captureAnswer(402, error(type).encode()));
  }

  @Test
  void unknownOrDeletedTokenIsAHardInvalidTokenDecline() {
    assertEquals(PspResult.declined("iv_1", DeclineCode.INVALID_TOKEN, false, "resource.token.not-found"),
        captureAnswer(404, error("resource.token.not-found").encode()));
  }

  @Test
  void unknownInvoiceOnCaptureIsInDoubtNotADecline() {
    PspResult r = captureAnswer(404, error("resource.invoice.not-found").encode());
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("iv_1", r.providerReference());
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedCredentialsOnCaptureAreNotSent(int status) {
    PspResult r = captureAnswer(status, error("request.authentication.invalid").encode());
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.CREDENTIALS_REFUSED, r.notSentReason());
    assertEquals("iv_1", r.providerReference());
  }

  /** ProcessOut documents no 429 and no 503 semantics: on the capture they prove nothing. */
  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void throttledOrUnavailableCaptureIsInDoubt(int status) {
    PspResult r = captureAnswer(status, error("request.rate-limit").encode());
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("iv_1", r.providerReference());
  }

  /** One status table: the capture answer, the inquiry and a webhook say the same of each status. */
  @Test
  void captureAnswerInquiryAndWebhookReadOneStatusTable() {
    for (ProcessOutMapping.Status st : ProcessOutMapping.Status.values()) {
      PspResult captured = captureAnswer(200, captured(st.wire).encode());
      JsonObject body = invoiceCreated("iv_1");
      body.getJsonObject("invoice").put("transaction", tx(st.wire));
      InquiryResult asked = answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body));
      WebhookEvent told = ProcessOutMapping.webhookEvent("ch_1", tx(st.wire), "iv_1");
      assertEquals(InquiryResult.of(captured), asked, st.wire);
      assertEquals(captured, told.result(), st.wire);
    }
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 504})
  void serverErrorsOnCaptureAreInDoubtWithTheInvoiceId(int status) {
    PspResult r = captureAnswer(status, error("processout.internal-error").encode());
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("iv_1", r.providerReference());
  }

  @Test
  void unparseableCaptureAnswerIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, captureAnswer(200, "<html/>").outcome());
  }

  @Test
  void captureAnswerWithoutTransactionIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, captureAnswer(200, "{\"success\":true}").outcome());
  }

  @Test
  void captureAnswerWithUnknownStatusIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, captureAnswer(200, captured("teleported").encode()).outcome());
  }

  // ---------------------------------------------------------------- inquiry

  private static InquiryInput inquiry(String ref) {
    return new InquiryInput("ch_1", "ch_1", ref, 1999, "USD");
  }

  private static InquiryInput inquiry(String reference, String ref) {
    return new InquiryInput("ch_1", reference, ref, 1999, "USD");
  }

  @Test
  void inquiryWithoutInvoiceIdIsNotFoundWithoutACall() {
    assertEquals(InquiryResult.notFound(), done(connector().inquire(ctx(), inquiry(null))));
  }

  @Test
  void inquiryGetsTheInvoiceWithBasicAuthAndApiVersion() {
    HttpCall c = call(connector().inquire(ctx(), inquiry("iv_1"))).call();
    assertEquals("GET", c.method());
    assertEquals("/invoices/iv_1", c.url());
    assertEquals(Map.of("Authorization", BASIC, "API-Version", "1.4.0.0", "Accept", "application/json"), c.headers());
  }

  @Test
  void inquiryOfUnknownInvoiceIsNotFound() {
    assertEquals(InquiryResult.Kind.NOT_FOUND,
        answer(connector().inquire(ctx(), inquiry("iv_1")), reply(404, error("resource.invoice.not-found"))).kind());
  }

  @Test
  void inquiryOfInvoiceWithCompletedTransactionSucceeds() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("completed"));
    assertEquals(InquiryResult.found(PspResult.succeeded("iv_1")),
        answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)));
  }

  @Test
  void inquiryFollowsTransactionIdWhenTheTransactionIsNotExpanded() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction_id", "tr_1");
    Step.Call<InquiryResult> second = call(call(connector().inquire(ctx(), inquiry("iv_1"))).next().apply(reply(200, body)));
    assertEquals("/transactions/tr_1", second.call().url());
    InquiryResult r = done(second.next().apply(reply(200, new JsonObject().put("success", true).put("transaction", tx("completed")))));
    assertEquals(InquiryResult.found(PspResult.succeeded("iv_1")), r);
  }

  @Test
  void inquiryOfWaitingTransactionIsPendingNeverNoSuchPayment() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("waiting").put("captured", false).put("captured_amount", "0"));
    assertEquals(InquiryResult.found(PspResult.pending("iv_1", "waiting")),
        answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)));
  }

  @Test
  void inquiryOfInvoiceWithoutTransactionIsPendingBecauseTheInvoiceIsOpen() {
    InquiryResult r = answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, invoiceCreated("iv_1")));
    assertEquals(InquiryResult.Kind.FOUND, r.kind());
    assertEquals(Outcome.PENDING, r.result().outcome());
    assertEquals("iv_1", r.result().providerReference());
  }

  @Test
  void inquiryOfVoidedTransactionIsNotCharged() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("voided"));
    InquiryResult r = answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body));
    assertEquals(InquiryResult.Kind.NOT_CHARGED, r.kind());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.result().notSentReason());
  }

  @Test
  void inquiryOfALaterAttemptIgnoresTheInvoiceOfTheFirstAttempt() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("completed"));
    assertEquals(InquiryResult.Kind.UNKNOWN,
        answer(connector().inquire(ctx(), inquiry("ch_1-2", "iv_1")), reply(200, body)).kind());
  }

  @Test
  void inquiryOfALaterAttemptAppliesTheInvoiceThatEchoesItsOrderId() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("order_id", "ch_1-2").put("transaction", tx("completed"));
    assertEquals(InquiryResult.found(PspResult.succeeded("iv_1")),
        answer(connector().inquire(ctx(), inquiry("ch_1-2", "iv_1")), reply(200, body)));
  }

  @Test
  void invoiceWithoutOrderIdSaysNothingAboutTheAttempt() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").remove("order_id");
    body.getJsonObject("invoice").put("transaction", tx("voided"));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)).kind());
  }

  @Test
  void transactionOfAnotherInvoiceSaysNothingAboutTheAttempt() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("completed").put("invoice_id", "iv_9"));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)).kind());
  }

  // ---------------------------------------------------------------- cancel (void)

  private Step<InquiryResult> voidStep(String reference) {
    return connector().cancel(ctx(), inquiry(reference, "iv_1")).orElseThrow();
  }

  @Test
  void voidWithoutInvoiceIdIsUnknownWithoutACall() {
    assertEquals(InquiryResult.Kind.UNKNOWN, done(connector().cancel(ctx(), inquiry(null)).orElseThrow()).kind());
  }

  @Test
  void voidIsAPostToTheInvoicesVoidPathWithBasicAuth() {
    HttpCall c = call(voidStep("ch_1")).call();
    assertEquals("POST", c.method());
    assertEquals("/invoices/iv_1/void", c.url());
    assertEquals(Map.of("Authorization", BASIC, "API-Version", "1.4.0.0", "Accept", "application/json",
        "Content-Type", "application/json"), c.headers());
    assertEquals("{}", c.body());
    assertFalse(c.movesMoney());
  }

  @Test
  void successfulVoidIsProofNothingWasCharged() {
    InquiryResult r = answer(voidStep("ch_1"), reply(200, captured("voided")));
    assertEquals(InquiryResult.Kind.NOT_CHARGED, r.kind());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.result().notSentReason());
    assertEquals("iv_1", r.result().providerReference());
  }

  @Test
  void voidAnsweredWithACompletedTransactionIsASuccess() {
    assertEquals(InquiryResult.found(PspResult.succeeded("iv_1")), answer(voidStep("ch_1"), reply(200, captured("completed"))));
  }

  @Test
  void voidAnswerAboutAnotherInvoiceIsUnknownAndNeverProof() {
    JsonObject body = new JsonObject().put("success", true).put("transaction", tx("voided").put("invoice_id", "iv_9"));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(voidStep("ch_1"), reply(200, body)).kind());
  }

  @Test
  void voidAnswerNamingAnotherOrderIsUnknownAndNeverProof() {
    JsonObject body = new JsonObject().put("success", true).put("transaction", tx("voided").put("order_id", "ch_1"));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(voidStep("ch_1-2"), reply(200, body)).kind());
  }

  @ParameterizedTest(name = "void refused with HTTP {0} -> the invoice is read back")
  @ValueSource(ints = {400, 402, 404, 409, 500})
  void refusedVoidIsNeverProofAndReadsTheInvoiceBack(int status) {
    Step<InquiryResult> after = call(voidStep("ch_1")).next()
        .apply(reply(status, error("request.invoice.already-captured")));
    HttpCall get = call(after).call();
    assertEquals("GET", get.method());
    assertEquals("/invoices/iv_1", get.url());
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("completed"));
    assertEquals(InquiryResult.found(PspResult.succeeded("iv_1")), answer(after, reply(200, body)));
  }

  @Test
  void voidAnsweredWithSuccessFalseReadsTheInvoiceBack() {
    Step<InquiryResult> after = call(voidStep("ch_1")).next().apply(reply(200, error("request.invoice.already-captured")));
    assertEquals("/invoices/iv_1", call(after).call().url());
  }

  @Test
  void refusedVoidOfAnInvoiceVoidedByNowIsProvenByTheReadBack() {
    Step<InquiryResult> after = call(voidStep("ch_1")).next().apply(reply(400, error("request.invoice.already-voided")));
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("voided"));
    assertEquals(InquiryResult.Kind.NOT_CHARGED, answer(after, reply(200, body)).kind());
  }

  @Test
  void refusedVoidWithAFailedReadBackIsUnknown() {
    Step<InquiryResult> after = call(voidStep("ch_1")).next().apply(reply(409, error("x")));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(after, reply(503, "")).kind());
  }

  @Test
  void inquiryOfFailedTransactionIsAFoundDecline() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("failed").put("error_code", "card.no-money"));
    assertEquals(InquiryResult.found(PspResult.declined("iv_1", DeclineCode.INSUFFICIENT_FUNDS, true, "card.no-money")),
        answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)));
  }

  @Test
  void inquiryServerErrorIsUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(500, "")).kind());
  }

  @Test
  void inquiryUnparseableAnswerIsUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, "[]")).kind());
  }

  @Test
  void inquiryOfInvoiceOfAnotherOrderIsUnknown() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("order_id", "ch_2").put("transaction", tx("completed"));
    assertEquals(InquiryResult.Kind.UNKNOWN, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)).kind());
  }

  // ---------------------------------------------------------------- token deletion

  @Test
  void deactivationDeletesTheCustomerToken() {
    HttpCall c = call(connector().deactivateToken(ctx(), ProcessOutFixtures.TOKEN).orElseThrow()).call();
    assertEquals("DELETE", c.method());
    assertEquals("/customers/cust_1/tokens/tok_1", c.url());
    assertEquals("1.4.0.0", c.headers().get("API-Version"));
    assertEquals(BASIC, c.headers().get("Authorization"));
  }

  @ParameterizedTest
  @CsvSource({"200, true", "204, true", "404, true", "401, false", "500, false"})
  void deactivationIsDoneOn2xxOrAlreadyGone(int status, boolean expected) {
    assertEquals(expected, answer(connector().deactivateToken(ctx(), ProcessOutFixtures.TOKEN).orElseThrow(), reply(status, "")));
  }

  // ---------------------------------------------------------------- token fields

  @Test
  void validTokenHasNoErrors() {
    assertEquals(List.of(), connector().validateToken(new JsonObject().put("customer_id", "cust_1").put("token_id", "tok_1")));
  }

  @Test
  void missingCustomerIdIsAnError() {
    assertEquals(List.of("customer_id"), connector().validateToken(new JsonObject().put("token_id", "tok_1"))
        .stream().map(FieldError::field).toList());
  }

  @Test
  void missingTokenIdIsAnError() {
    assertEquals(List.of("token_id"), connector().validateToken(new JsonObject().put("customer_id", "cust_1"))
        .stream().map(FieldError::field).toList());
  }

  @Test
  void nonStringTokenIdIsAnError() {
    assertEquals(List.of("token_id"), connector().validateToken(new JsonObject().put("customer_id", "cust_1").put("token_id", 5))
        .stream().map(FieldError::field).toList());
  }

  @Test
  void unknownTokenFieldIsAnError() {
    assertEquals(List.of(FieldError.unknownField("card_id")), connector().validateToken(
        new JsonObject().put("customer_id", "cust_1").put("token_id", "tok_1").put("card_id", "card_1")));
  }
}
