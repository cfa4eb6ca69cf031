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
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
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
  void unknownCurrencyIsNotSentWithoutACall() {
    assertEquals(Outcome.NOT_SENT, ProcessOutFixtures.<PspResult>done(connector().charge(ctx(), charge(100, "XXX", "x", null))).outcome());
  }

  @Test
  void missingTokenFieldsAreNotSentWithoutACall() {
    ChargeInput in = new ChargeInput("ch_1", "att_1", "ch_1", 100, "USD", "visa", Map.of("customer_id", "c"), null, null, null, null);
    assertEquals(Outcome.NOT_SENT, done(connector().charge(ctx(), in)).outcome());
  }

  @ParameterizedTest
  @ValueSource(ints = {400, 401, 404, 429, 500, 502, 503, 504})
  void anyInvoiceCreationFailureIsNotSentBecauseNoMoneyMoves(int status) {
    PspResult r = answer(connector().charge(ctx(), charge(1999)), reply(status, error("x.y")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals("x.y", r.providerCode());
  }

  @Test
  void unparseableInvoiceAnswerIsNotSent() {
    assertEquals(Outcome.NOT_SENT, answer(connector().charge(ctx(), charge(1999)), reply(200, "nope")).outcome());
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
  @ValueSource(ints = {401, 403, 429, 503})
  void refusedOrThrottledCaptureIsNotSent(int status) {
    assertEquals(Outcome.NOT_SENT, captureAnswer(status, error("request.authentication.invalid").encode()).outcome());
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
  void inquiryOfWaitingTransactionWithNothingCapturedIsNotFound() {
    JsonObject body = invoiceCreated("iv_1");
    body.getJsonObject("invoice").put("transaction", tx("waiting").put("captured", false).put("captured_amount", "0"));
    assertEquals(InquiryResult.Kind.NOT_FOUND, answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, body)).kind());
  }

  @Test
  void inquiryOfInvoiceWithoutTransactionIsNotFound() {
    assertEquals(InquiryResult.Kind.NOT_FOUND,
        answer(connector().inquire(ctx(), inquiry("iv_1")), reply(200, invoiceCreated("iv_1"))).kind());
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
    assertEquals(List.of(new FieldError("card_id", "unknown field")), connector().validateToken(
        new JsonObject().put("customer_id", "cust_1").put("token_id", "tok_1").put("card_id", "card_1")));
  }
}
