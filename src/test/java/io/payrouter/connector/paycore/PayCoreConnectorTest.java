package io.payrouter.connector.paycore;

import io.payrouter.domain.WebhookRejectedException;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.common.FieldError;
import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** PayCore wire shapes and mappings (src/docs/psps.md section 2 and "Our conventions"). */
class PayCoreConnectorTest {
  static final String ACCOUNT = "acc_1";
  static final String API_KEY = "key_1";
  static final String CALLBACK_SECRET = "cb_secret";
  static final String BASIC = "Basic " + Base64.getEncoder()
      .encodeToString((ACCOUNT + ":" + API_KEY).getBytes(StandardCharsets.UTF_8));
  static final String CPI = "cpi_ADzwZTG99f3q3utQ";
  static final String SALE_TOKEN = "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzUxMiJ9.sale";
  static final String CHARGE_ID = "ch_123";
  static final String CARDGATE = "http://127.0.0.1:1/paycore/cardgate";

  final PayCoreConnector connector = new PayCoreConnector();

  // ---------------------------------------------------------------- token fields

  @Test
  void validTokenHasNoErrors() {
    assertEquals(List.of(), connector.validateToken(
        new JsonObject().put("token", "t").put("customer_reference_id", "c")));
  }

  @Test
  void missingTokenFieldsAreNamedRelativeToTheTokenObject() {
    assertEquals(List.of("token", "customer_reference_id"),
        connector.validateToken(new JsonObject()).stream().map(FieldError::field).toList());
  }

  @Test
  void emptyOrNonStringTokenFieldsAreErrors() {
    assertEquals(List.of("token", "customer_reference_id"), connector.validateToken(
        new JsonObject().put("token", " ").put("customer_reference_id", true))
        .stream().map(FieldError::field).toList());
  }

  @Test
  void unknownTokenFieldIsAnError() {
    assertEquals(List.of("recurring_token"), connector.validateToken(new JsonObject()
        .put("token", "t").put("customer_reference_id", "c").put("recurring_token", "x"))
        .stream().map(FieldError::field).toList());
  }

  // ---------------------------------------------------------------- charge, step 1

  @Test
  void invoiceCreationIsAPostWithBasicAuthAndMovesNoMoney() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD")));
    assertEquals("POST", call.method());
    assertEquals("/payment-invoices", call.url());
    assertEquals(Map.of("Authorization", BASIC, "Accept", "application/json",
        "Content-Type", "application/json"), call.headers());
    assertFalse(call.movesMoney());
    assertNull(call.checkpoint());
  }

  @Test
  void invoiceBodyIsExactlyTheJsonApiWriteOffByToken() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD")));
    assertEquals("{\"data\":{\"type\":\"payment-invoices\",\"attributes\":{"
        + "\"reference_id\":\"ch_123\",\"amount\":19.99,\"currency\":\"USD\","
        + "\"service\":\"payment_card_usd_hpp\",\"flow\":\"charge\",\"token\":\"tok-1\","
        + "\"customer\":{\"reference_id\":\"cust-1\"},\"test_mode\":true,"
        + "\"description\":\"Order 1001\",\"callback_url\":\"http://router/v1/webhooks/paycore\","
        + "\"gateway_options\":{\"cardgate\":{\"instant\":true}}}}}", call.body());
  }

  @ParameterizedTest(name = "{0} minor {1} -> \"amount\":{2}")
  @CsvSource({
    "1999, USD, 19.99", "100, USD, 1.00", "1, USD, 0.01", "1000, JPY, 1000", "1, JPY, 1",
    "1234, BHD, 1.234", "1000, BHD, 1.000", "5, KWD, 0.005", "99999999999, USD, 999999999.99"
  })
  void amountIsEncodedAsAnExactDecimalWithTheCurrencyExponent(long minor, String currency, String text) {
    String body = call(connector.charge(ctx(), input(minor, currency))).body();
    assertTrue(body.contains("\"amount\":" + text + ","), body);
  }

  @Test
  void optionalDescriptionAndCallbackAreOmittedWhenAbsent() {
    ChargeInput in = new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, 500, "USD", "visa", token(), null, null, null, null);
    JsonObject attrs = new JsonObject(call(connector.charge(ctx(), in)).body())
        .getJsonObject("data").getJsonObject("attributes");
    assertFalse(attrs.containsKey("description"));
    assertFalse(attrs.containsKey("callback_url"));
  }

  @Test
  void testModeFollowsTheOption() {
    CallContext live = ctx(options().put("test_mode", false));
    JsonObject attrs = new JsonObject(call(connector.charge(live, input(500, "USD"))).body())
        .getJsonObject("data").getJsonObject("attributes");
    assertEquals(false, attrs.getBoolean("test_mode"));
  }

  @Test
  void currencyWithoutServiceIsUnsupportedWithoutAnyCall() {
    PspResult r = done(connector.charge(ctx(), input(500, "GBP")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
    assertEquals("no service for currency", r.message());
  }

  @Test
  void missingCardgateUrlIsUnsupportedWithoutAnyCall() {
    PspResult r = done(connector.charge(ctx(new JsonObject().put("services", new JsonObject().put("USD", "s"))),
        input(500, "USD")));
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
  }

  @Test
  void cardWithoutACompleteTokenIsNoTokenWithoutAnyCall() {
    ChargeInput in = new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, 500, "USD", "visa", Map.of("token", "tok-1"),
        null, null, null, null);
    PspResult r = done(connector.charge(ctx(), in));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.NO_TOKEN, r.notSentReason());
  }

  @Test
  void servicesMayComeAsAPlainMapFromYaml() {
    CallContext c = ctx(new JsonObject().put("cardgate_url", CARDGATE)
        .put("services", Map.of("USD", "payment_card_usd_hpp")));
    assertInstanceOf(Step.Call.class, connector.charge(c, input(500, "USD")));
  }

  @Test
  void revokedTokenRefusedAtInvoiceCreationIsAHardInvalidTokenDecline() {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(422,
        "{\"request_id\":\"r1\",\"error_type\":\"validation_error\",\"error_codes\":[\"invalid_token\"]}")));
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
    assertFalse(r.softDecline());
  }

  @Test
  void duplicateReferenceIsInDoubtWithoutProviderReference() {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(422,
        "{\"request_id\":\"r1\",\"error_type\":\"validation_error\",\"error_codes\":[\"duplicate_reference_id\"]}")));
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertNull(r.providerReference());
    assertEquals("duplicate_reference_id", r.providerCode());
  }

  /** Creating the invoice moves no money: every failure is not_sent; the reason says whose doing. */
  @ParameterizedTest(name = "HTTP {0} on invoice creation -> not_sent {1} ({2})")
  @CsvSource({
    "401, CREDENTIALS_REFUSED, unauthorized, '{\"errors\":[{\"status\":\"401\",\"code\":\"unauthorized\"}]}'",
    "403, CREDENTIALS_REFUSED, forbidden, ''",
    "429, PSP_ERROR_BEFORE_MONEY_CALL, rate_limited, ''",
    "422, REQUEST_REJECTED, invalid_service, '{\"request_id\":\"r\",\"error_type\":\"validation_error\",\"error_codes\":[\"invalid_service\"]}'",
    "404, REQUEST_REJECTED, '', ''",
    "500, PSP_ERROR_BEFORE_MONEY_CALL, '', ''",
    "502, PSP_ERROR_BEFORE_MONEY_CALL, '', 'Bad gateway'",
    "503, PSP_ERROR_BEFORE_MONEY_CALL, '', ''"
  })
  void otherInvoiceCreationFailuresAreNotSentWithTheReasonOfTheirStatus(int status, NotSentReason reason,
      String providerCode, String body) {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(status, body)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(reason, r.notSentReason());
    assertEquals(providerCode.isEmpty() ? null : providerCode, r.providerCode());
  }

  @Test
  void invoiceAnswerWithoutSaleTokenIsAPspErrorBeforeTheMoneyCall() {
    JsonObject doc = invoice("process_pending");
    doc.getJsonObject("data").getJsonObject("attributes").getJsonObject("flow_data").put("metadata", new JsonObject());
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(201, doc.encode())));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, r.notSentReason());
    assertEquals(CPI, r.providerReference());
  }

  @Test
  void unparseableInvoiceAnswerIsAPspErrorBeforeTheMoneyCall() {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(201, "<html/>")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, r.notSentReason());
  }

  @ParameterizedTest(name = "invoice created {0} -> no sale, proven not charged")
  @ValueSource(strings = {"expired", "terminated"})
  void invoiceEndedUnpaidAtCreationSendsNoSaleAndIsProvenNotCharged(String status) {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD")), reply(201, invoice(status).encode())));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertEquals(CPI, r.providerReference());
  }

  @Test
  void invoiceCreatedInStatusCreatedGoesOnToTheSale() {
    Step<PspResult> s = next(connector.charge(ctx(), input(1999, "USD")), reply(201, invoice("created").encode()));
    assertTrue(call(s).movesMoney());
  }

  // ---------------------------------------------------------------- charge, step 2 (sale)

  @Test
  void saleIsAPostToCardgateWithTheInvoiceBearerAfterCheckpointingTheInvoiceId() {
    HttpCall call = call(saleStep());
    assertEquals("POST", call.method());
    assertEquals(CARDGATE + "/payment/sale", call.url());
    assertEquals(Map.of("Authorization", "Bearer " + SALE_TOKEN, "Accept", "application/json",
        "Content-Type", "application/json"), call.headers());
    assertEquals("{\"data\":{\"type\":\"sale-operation\",\"attributes\":{}}}", call.body());
    assertTrue(call.movesMoney());
    assertEquals(CPI, call.checkpoint());
  }

  @Test
  void cardgateUrlWithTrailingSlashGivesTheSamePath() {
    CallContext c = ctx(options().put("cardgate_url", CARDGATE + "/"));
    Step<PspResult> s = next(connector.charge(c, input(1999, "USD")), reply(201, invoice("process_pending").encode()));
    assertEquals(CARDGATE + "/payment/sale", call(s).url());
  }

  @Test
  void processedSaleSucceedsWithTheInvoiceIdAsProviderReference() {
    PspResult r = saleAnswer(201, sale("processed", "ok"));
    assertEquals(Outcome.SUCCEEDED, r.outcome());
    assertEquals(CPI, r.providerReference());
  }

  @ParameterizedTest(name = "sale status {0} -> {1}")
  @CsvSource({
    "processed, SUCCEEDED", "partially_processed, PENDING", "process_failed, DECLINED",
    "process_pending, PENDING", "processing, PENDING", "process_error, PENDING",
    "created, PENDING", "expired, NOT_SENT", "terminated, NOT_SENT", "whatever, IN_DOUBT"
  })
  void saleStatusesMap(String status, Outcome expected) {
    PspResult r = saleAnswer(201, sale(status, "ok"));
    assertEquals(expected, r.outcome());
    assertEquals(CPI, r.providerReference());
  }

  @ParameterizedTest(name = "resolution {0} -> {1}, soft={2}")
  @CsvSource({
    "insufficient_funds, INSUFFICIENT_FUNDS, true",
    "do_not_honor, DO_NOT_HONOR, true",
    "limit_exceeded, LIMIT_EXCEEDED, true",
    "expired_card, EXPIRED_CARD, false",
    "fraud_suspected, FRAUD_SUSPECTED, false",
    "invalid_token, INVALID_TOKEN, false",
    "acquirer_said_no, GENERIC_DECLINE, true"
  })
  void failedSaleDeclinesWithItsResolution(String resolution, DeclineCode code, boolean soft) {
    PspResult r = saleAnswer(201, sale("process_failed", resolution));
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(code, r.declineCode());
    assertEquals(soft, r.softDecline());
    assertEquals(resolution, r.providerCode());
  }

  @ParameterizedTest(name = "HTTP {0} on the sale -> not_sent, credentials refused")
  @ValueSource(ints = {401, 403})
  void refusedSaleTokenIsNotSentWithCredentialsRefused(int status) {
    PspResult r = saleAnswer(status, "");
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.CREDENTIALS_REFUSED, r.notSentReason());
    assertEquals(CPI, r.providerReference());
  }

  /** PayCore's 429 is "too many requests or duplicate request detected": a duplicate may be processed. */
  @Test
  void rateLimitOrDuplicateOnTheSaleIsInDoubtNeverNotSent() {
    PspResult r = saleAnswer(429, "");
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals(CPI, r.providerReference());
  }

  @ParameterizedTest(name = "sale answered {0} -> proven not charged")
  @ValueSource(strings = {"expired", "terminated"})
  void saleAnsweredWithAnInvoiceEndedUnpaidIsProvenNotCharged(String status) {
    PspResult r = saleAnswer(201, sale(status, "ok"));
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertEquals(CPI, r.providerReference());
  }

  /** One status table: the sale answer, the inquiry and a callback say the same of each status. */
  @Test
  void saleAnswerInquiryAndCallbackReadOneStatusTable() throws Exception {
    for (String status : PayCoreMapping.STATUSES.keySet()) {
      PspResult sold = saleAnswer(201, invoice(status).encode());
      InquiryResult asked = inquiry(200, invoice(status).encode());
      WebhookEvent told = callback(invoice(status).encode(), 200, invoice(status).encode());
      assertEquals(sold, asked.result(), status);
      assertEquals(sold, told.result(), status);
      InquiryResult.Kind kind = switch (sold.outcome()) {
        case NOT_SENT -> InquiryResult.Kind.NOT_CHARGED;
        case IN_DOUBT -> InquiryResult.Kind.UNKNOWN;
        default -> InquiryResult.Kind.FOUND;
      };
      assertEquals(kind, asked.kind(), status);
    }
  }

  /** 503 is not among PayCore's documented answers: on the money call it proves nothing. */
  @ParameterizedTest(name = "HTTP {0} on the sale -> in doubt")
  @ValueSource(ints = {500, 502, 503, 504, 400, 404, 409, 422, 204})
  void otherSaleAnswersAreInDoubtWithTheInvoiceId(int status) {
    PspResult r = saleAnswer(status, "{\"error_codes\":[\"x\"]}");
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals(CPI, r.providerReference());
  }

  @Test
  void unparseableSaleAnswerIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, saleAnswer(201, "{oops").outcome());
    assertEquals(Outcome.IN_DOUBT, saleAnswer(201, "{\"data\":{}}").outcome());
  }

  // ---------------------------------------------------------------- inquiry

  @Test
  void inquiryWithoutInvoiceIdIsNotFoundWithoutAnyCall() {
    assertEquals(InquiryResult.Kind.NOT_FOUND,
        done(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, null, 1999, "USD"))).kind());
  }

  @Test
  void inquiryIsAGetOfTheInvoiceWithBasicAuth() {
    HttpCall call = call(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, CPI, 1999, "USD")));
    assertEquals("GET", call.method());
    assertEquals("/payment-invoices/" + CPI, call.url());
    assertEquals(Map.of("Authorization", BASIC, "Accept", "application/json"), call.headers());
    assertNull(call.body());
    assertFalse(call.movesMoney());
  }

  @Test
  void unknownInvoiceIsNotFound() {
    assertEquals(InquiryResult.Kind.NOT_FOUND, inquiry(404, "").kind());
  }

  /** Every documented invoice status. */
  @ParameterizedTest(name = "inquiry status {0} -> {1} {2}")
  @CsvSource({
    "expired, NOT_CHARGED, NOT_SENT", "terminated, NOT_CHARGED, NOT_SENT", "process_failed, FOUND, DECLINED",
    "partially_refunded, FOUND, SUCCEEDED", "refunded, FOUND, SUCCEEDED",
    "refund_failed, FOUND, SUCCEEDED", "created, FOUND, PENDING", "processing, FOUND, PENDING",
    "process_pending, FOUND, PENDING", "processed, FOUND, SUCCEEDED",
    "partially_processed, FOUND, PENDING", "process_error, FOUND, PENDING",
    "refunding, FOUND, SUCCEEDED", "refund_pending, FOUND, SUCCEEDED",
    "refund_error, FOUND, SUCCEEDED", "mystery, UNKNOWN, IN_DOUBT"
  })
  void everyInvoiceStatusMapsOnInquiry(String status, InquiryResult.Kind kind, Outcome outcome) {
    InquiryResult r = inquiry(200, invoice(status).encode());
    assertEquals(kind, r.kind());
    if (outcome == null) {
      assertNull(r.result());
    } else {
      assertEquals(outcome, r.result().outcome());
    }
  }

  @Test
  void theStatusTableCoversEveryDocumentedStatus() {
    assertEquals(Set.of("expired", "terminated", "process_failed", "partially_refunded", "refunded",
        "refund_failed", "created", "processing", "process_pending", "processed",
        "partially_processed", "process_error", "refunding", "refund_pending", "refund_error"),
        PayCoreMapping.STATUSES.keySet());
  }

  @Test
  void partiallyProcessedInvoiceIsPendingNeverSucceeded() {
    InquiryResult r = inquiry(200, invoice("partially_processed").encode());
    assertEquals(PspResult.pending(CPI, "partially_processed"), r.result());
  }

  @Test
  void processedInvoiceWithLessProcessedThanItsAmountIsPendingNeverSucceeded() {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").getJsonObject("attributes").put("processed_amount", new java.math.BigDecimal("10.00"));
    InquiryResult r = inquiry(200, doc.encode());
    assertEquals(Outcome.PENDING, r.result().outcome());
    assertEquals("partially_processed", r.result().providerCode());
  }

  @Test
  void processedInvoiceWithItsWholeAmountProcessedSucceeds() {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").getJsonObject("attributes").put("processed_amount", new java.math.BigDecimal("19.99"));
    assertEquals(PspResult.succeeded(CPI), inquiry(200, doc.encode()).result());
  }

  @Test
  void partiallyProcessedCallbackIsPendingNeverSucceeded() throws Exception {
    WebhookEvent e = callback(invoice("processed").encode(), 200, invoice("partially_processed").encode());
    assertEquals(Outcome.PENDING, e.result().outcome());
  }

  @Test
  void inquiredFailedInvoiceCarriesItsResolution() {
    JsonObject doc = invoice("process_failed");
    doc.getJsonObject("data").getJsonObject("attributes").put("resolution", "fraud_suspected");
    InquiryResult r = inquiry(200, doc.encode());
    assertEquals(DeclineCode.FRAUD_SUSPECTED, r.result().declineCode());
    assertFalse(r.result().softDecline());
  }

  @Test
  void inquiryFailuresAreUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(500, "").kind());
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(401, "").kind());
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, "[]").kind());
  }

  @Test
  void invoiceOfAnotherReferenceIsUnknownNotSuccess() {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").getJsonObject("attributes").put("reference_id", "ch_other");
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, doc.encode()).kind());
  }

  @Test
  void createdInvoiceIsPendingNeverNoSuchPayment() {
    assertEquals(InquiryResult.found(PspResult.pending(CPI, "created")), inquiry(200, invoice("created").encode()));
  }

  @Test
  void inquiryOfALaterAttemptIgnoresTheInvoiceOfTheFirstAttempt() {
    // The invoice's reference_id is ch_123 (attempt 1); the inquiry is about attempt 2.
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry("ch_123-2", 200, invoice("terminated").encode()).kind());
  }

  @Test
  void inquiryOfALaterAttemptAppliesTheInvoiceThatEchoesItsReference() {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").getJsonObject("attributes").put("reference_id", "ch_123-2");
    assertEquals(InquiryResult.found(PspResult.succeeded(CPI)), inquiry("ch_123-2", 200, doc.encode()));
  }

  @Test
  void invoiceWithoutAReferenceIdSaysNothingAboutTheAttempt() {
    JsonObject doc = invoice("expired");
    doc.getJsonObject("data").getJsonObject("attributes").remove("reference_id");
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, doc.encode()).kind());
  }

  @Test
  void invoiceWithAnotherIdSaysNothingAboutTheAttempt() {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").put("id", "cpi_other");
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, doc.encode()).kind());
  }

  @Test
  void paycoreDocumentsNoCancel() {
    assertTrue(connector.cancel(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, CPI, 1999, "USD")).isEmpty());
  }

  // ---------------------------------------------------------------- webhook

  @Test
  void signedCallbackIsConfirmedByReadingTheInvoiceFromPayCore() throws Exception {
    String body = invoice("processed").encode();
    HttpCall get = call(connector.webhook(ctx(), webhook(body, sign(CALLBACK_SECRET, body))));
    assertEquals("GET", get.method());
    assertEquals("/payment-invoices/" + CPI, get.url());
    assertEquals(BASIC, get.headers().get("Authorization"));
    assertNull(get.body());
    assertFalse(get.movesMoney());
  }

  @Test
  void theFetchedInvoiceStateIsAppliedNotTheCallbackBody() throws Exception {
    String body = invoice("processed").encode();
    WebhookEvent e = callback(body, 200, invoice("process_pending").encode());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(Outcome.PENDING, e.result().outcome());
    assertEquals(CPI, e.result().providerReference());
  }

  @Test
  void callbackOfAProcessedInvoiceSucceedsWithTheInvoiceId() throws Exception {
    String body = invoice("processed").encode();
    WebhookEvent e = callback(body, 200, invoice("processed").encode());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(Outcome.SUCCEEDED, e.result().outcome());
    assertEquals(CPI, e.result().providerReference());
  }

  @ParameterizedTest(name = "invoice amount {0} {1} -> event amount {2} minor units")
  @CsvSource({"19.99, USD, 1999", "1000, JPY, 1000", "1.234, BHD, 1234", "1.234, KWD, 1234", "0.5, KWD, 500"})
  void callbackEventCarriesTheFetchedInvoicesAmountInMinorUnits(String major, String currency, long minor)
      throws Exception {
    JsonObject fetched = invoice("processed");
    fetched.getJsonObject("data").getJsonObject("attributes")
        .put("amount", new java.math.BigDecimal(major)).put("currency", currency);
    WebhookEvent e = callback(invoice("processed").encode(), 200, fetched.encode());
    assertEquals(minor, e.amount());
    assertEquals(currency, e.currency());
    assertEquals(Outcome.SUCCEEDED, e.result().outcome());
  }

  @Test
  void invoiceAmountWithMoreDecimalsThanItsCurrencyIsNeverApplied() throws Exception {
    JsonObject fetched = invoice("processed");
    fetched.getJsonObject("data").getJsonObject("attributes").put("amount", new java.math.BigDecimal("19.999"));
    WebhookEvent e = callback(invoice("processed").encode(), 200, fetched.encode());
    assertEquals(Outcome.IN_DOUBT, e.result().outcome());
    assertNull(e.amount());
  }

  @Test
  void callbackAboutAnInvoicePayCoreDoesNotKnowIsRejected() throws Exception {
    String body = invoice("processed").encode();
    assertThrows(WebhookRejectedException.class, () -> callback(body, 404, "{\"errors\":[{\"code\":\"not_found\"}]}"));
  }

  @ParameterizedTest(name = "invoice lookup answered {0} -> PayCore retries later")
  @ValueSource(ints = {401, 429, 500, 502, 503})
  void callbackWhoseInvoiceCannotBeReadIsRetriedLater(int status) throws Exception {
    String body = invoice("processed").encode();
    assertThrows(PspUnavailableException.class, () -> callback(body, status, "{}"));
  }

  @Test
  void callbackWhoseInvoiceAnswerIsUnparseableIsRetriedLater() throws Exception {
    String body = invoice("processed").encode();
    assertThrows(PspUnavailableException.class, () -> callback(body, 200, "<html>"));
  }

  @Test
  void callbackNamingAnotherReferenceThanTheFetchedInvoiceIsRejected() throws Exception {
    JsonObject claimed = invoice("processed");
    claimed.getJsonObject("data").getJsonObject("attributes").put("reference_id", "ch_other");
    String body = claimed.encode();
    assertThrows(WebhookRejectedException.class, () -> callback(body, 200, invoice("processed").encode()));
  }

  @Test
  void fetchedInvoiceWithAnotherIdIsRejected() throws Exception {
    String body = invoice("processed").encode();
    JsonObject other = invoice("processed");
    other.getJsonObject("data").put("id", "cpi_other");
    assertThrows(WebhookRejectedException.class, () -> callback(body, 200, other.encode()));
  }

  @Test
  void signedCallbackWithoutInvoiceIdIsIgnoredWithoutAnyCall() throws Exception {
    String body = new JsonObject().put("data", new JsonObject().put("type", "payment-invoices")
        .put("attributes", new JsonObject().put("status", "processed").put("reference_id", CHARGE_ID))).encode();
    WebhookEvent e = done(connector.webhook(ctx(), webhook(body, sign(CALLBACK_SECRET, body))));
    assertNull(e.chargeId());
  }

  @Test
  void signedCallbackWithAMalformedInvoiceIdIsRejectedWithoutAnyCall() throws Exception {
    JsonObject doc = invoice("processed");
    doc.getJsonObject("data").put("id", "../admin");
    String body = doc.encode();
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), webhook(body, sign(CALLBACK_SECRET, body))));
  }

  @Test
  void callbackWithTamperedBodyIsRejected() throws Exception {
    String body = invoice("processed").encode();
    String sig = sign(CALLBACK_SECRET, body);
    assertThrows(WebhookRejectedException.class,
        () -> connector.webhook(ctx(), webhook(body.replace("processed", "process_failed"), sig)));
  }

  @Test
  void callbackSignedWithAnotherSecretIsRejected() throws Exception {
    String body = invoice("processed").encode();
    String sig = sign("not-the-secret", body);
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), webhook(body, sig)));
  }

  @Test
  void callbackWithoutSignatureIsRejected() {
    String body = invoice("processed").encode();
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(),
        new WebhookInput("POST", "http://router/v1/webhooks/paycore", Map.of(), Map.of(), body)));
  }

  @Test
  void callbackWithHexInsteadOfBase64SignatureIsRejected() throws Exception {
    String body = invoice("processed").encode();
    String hex = java.util.HexFormat.of().formatHex(Base64.getDecoder().decode(sign(CALLBACK_SECRET, body)));
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), webhook(body, hex)));
  }

  @Test
  void callbackOfAFailedInvoiceCarriesTheFetchedDecline() throws Exception {
    JsonObject fetched = invoice("process_failed");
    fetched.getJsonObject("data").getJsonObject("attributes").put("resolution", "insufficient_funds");
    String body = invoice("process_pending").encode();
    WebhookEvent e = callback(body, 200, fetched.encode());
    assertEquals(Outcome.DECLINED, e.result().outcome());
    assertEquals(DeclineCode.INSUFFICIENT_FUNDS, e.result().declineCode());
  }

  @Test
  void callbackOfAnExpiredInvoiceSaysNothingWasCharged() throws Exception {
    String body = invoice("expired").encode();
    WebhookEvent e = callback(body, 200, invoice("expired").encode());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(Outcome.NOT_SENT, e.result().outcome());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, e.result().notSentReason());
  }

  @Test
  void callbackOfACreatedInvoiceIsPendingLikeItsInquiry() throws Exception {
    WebhookEvent e = callback(invoice("created").encode(), 200, invoice("created").encode());
    assertEquals(PspResult.pending(CPI, "created"), e.result());
  }

  @Test
  void callbackCarriesTheEchoedAttemptReferenceTheInvoiceIdAmountAndCurrency() throws Exception {
    JsonObject fetched = invoice("processed");
    fetched.getJsonObject("data").getJsonObject("attributes").put("reference_id", "ch_123-2");
    WebhookEvent e = callback(fetched.encode(), 200, fetched.encode());
    assertEquals("ch_123-2", e.reference());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(CPI, e.result().providerReference());
    assertEquals(1999L, e.amount());
    assertEquals("USD", e.currency());
  }

  // ---------------------------------------------------------------- helpers

  static JsonObject options() {
    return new JsonObject().put("cardgate_url", CARDGATE)
        .put("services", new JsonObject().put("USD", "payment_card_usd_hpp")
            .put("EUR", "payment_card_eur_hpp").put("JPY", "payment_card_jpy_hpp")
            .put("BHD", "payment_card_bhd_hpp").put("KWD", "payment_card_kwd_hpp"));
  }

  static CallContext ctx() {
    return ctx(options());
  }

  static CallContext ctx(JsonObject options) {
    return new CallContext(new ProviderConfig("paycore", "paycore", true, "http://127.0.0.1:1/paycore/api",
        Map.of("account_id", ACCOUNT, "api_key", API_KEY, "callback_secret", CALLBACK_SECRET),
        Set.of("USD", "EUR", "JPY", "BHD", "KWD"), 5000, BreakerConfig.DEFAULT, options), null);
  }

  static Map<String, String> token() {
    return Map.of("token", "tok-1", "customer_reference_id", "cust-1");
  }

  static ChargeInput input(long amount, String currency) {
    return new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, amount, currency, "visa", token(), "Order 1001",
        "cust-42", null, "http://router/v1/webhooks/paycore");
  }

  static JsonObject invoice(String status) {
    return new JsonObject().put("data", new JsonObject()
        .put("type", "payment-invoices")
        .put("id", CPI)
        .put("attributes", new JsonObject()
            .put("status", status)
            .put("resolution", "ok")
            .put("amount", new java.math.BigDecimal("19.99"))
            .put("currency", "USD")
            .put("reference_id", CHARGE_ID)
            .put("flow_data", new JsonObject().put("action", "http://x/hpp/cgi_1").put("method", "GET")
                .put("metadata", new JsonObject().put("sid", "cgi_1").put("token", SALE_TOKEN)))));
  }

  static String sale(String status, String resolution) {
    return new JsonObject().put("data", new JsonObject().put("type", "sale-operation").put("id", "cgo_1")
        .put("attributes", new JsonObject().put("status", status).put("resolution", resolution))).encode();
  }

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, Map.of("content-type", "application/json"), body);
  }

  static WebhookInput webhook(String body, String signature) {
    return new WebhookInput("POST", "http://router/v1/webhooks/paycore", Map.of(),
        Map.of("x-signature", signature, "content-type", "application/json"), body);
  }

  /** Written out independently of the connector: base64(sha1(secret + body + secret)). */
  static String sign(String secret, String body) throws Exception {
    byte[] d = MessageDigest.getInstance("SHA-1")
        .digest((secret + body + secret).getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(d);
  }

  Step<PspResult> saleStep() {
    return next(connector.charge(ctx(), input(1999, "USD")), reply(201, invoice("process_pending").encode()));
  }

  PspResult saleAnswer(int status, String body) {
    return done(next(saleStep(), reply(status, body)));
  }

  /** A signed callback with {@code body}, the invoice lookup answered {@code status} with {@code invoice}. */
  WebhookEvent callback(String body, int status, String invoice) throws Exception {
    return done(next(connector.webhook(ctx(), webhook(body, sign(CALLBACK_SECRET, body))), reply(status, invoice)));
  }

  InquiryResult inquiry(int status, String body) {
    return inquiry(CHARGE_ID, status, body);
  }

  InquiryResult inquiry(String reference, int status, String body) {
    return done(next(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, reference, CPI, 1999, "USD")),
        reply(status, body)));
  }

  static <T> HttpCall call(Step<T> s) {
    return assertInstanceOf(Step.Call.class, s).call();
  }

  @SuppressWarnings("unchecked")
  static <T> Step<T> next(Step<T> s, HttpReply reply) {
    Step.Call<T> c = assertInstanceOf(Step.Call.class, s);
    return c.next().apply(reply);
  }

  @SuppressWarnings("unchecked")
  static <T> T done(Step<T> s) {
    return ((Step.Done<T>) assertInstanceOf(Step.Done.class, s)).value();
  }
}
