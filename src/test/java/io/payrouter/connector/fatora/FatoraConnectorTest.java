package io.payrouter.connector.fatora;

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
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Fatora wire shapes and mappings (src/docs/psps.md section 3, docs/fatora-tokenization.txt). */
class FatoraConnectorTest {
  static final String API_KEY = "E4B73FEE-F492-4607-A38D-852B0EBC91C9";
  static final String SECRET = "fatora_unit_webhook_secret";
  static final String CHARGE_ID = "ch_123";
  static final String CARD_TOKEN = "tok+/\\|123";
  static final String TXN = "987654";
  static final Map<String, String> HEADERS = Map.of("api_key", API_KEY, "Content-Type", "application/json",
      "Accept", "application/json");

  final FatoraConnector connector = new FatoraConnector();

  // ---------------------------------------------------------------- token fields

  @Test
  void validTokenHasNoErrors() {
    assertEquals(List.of(), connector.validateToken(new JsonObject().put("card_token", CARD_TOKEN)));
  }

  @Test
  void missingCardTokenIsAnErrorNamedCardToken() {
    assertEquals(List.of("card_token"), fieldsOf(connector.validateToken(new JsonObject())));
  }

  @Test
  void blankNonStringOrOverlongCardTokenIsAnError() {
    assertEquals(List.of("card_token"), fieldsOf(connector.validateToken(new JsonObject().put("card_token", " "))));
    assertEquals(List.of("card_token"), fieldsOf(connector.validateToken(new JsonObject().put("card_token", 123))));
    assertEquals(List.of("card_token"),
        fieldsOf(connector.validateToken(new JsonObject().put("card_token", "t".repeat(513)))));
    assertEquals(List.of(), connector.validateToken(new JsonObject().put("card_token", "t".repeat(512))));
  }

  @Test
  void unknownTokenFieldIsAnError() {
    List<FieldError> errors = connector.validateToken(
        new JsonObject().put("card_token", CARD_TOKEN).put("recurring_token", "x"));
    assertEquals(List.of(FieldError.unknownField("recurring_token")), errors);
  }

  // ---------------------------------------------------------------- collect-payment request

  @Test
  void chargeIsAPostToCollectPaymentWithTheApiKeyHeader() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD")));
    assertEquals("POST", call.method());
    assertEquals("/v1/payments/collect-payment", call.url());
    assertEquals(API_KEY, call.headers().get("api_key"));
    assertEquals("application/json", call.headers().get("Content-Type"));
    assertEquals(HEADERS, call.headers());
  }

  @Test
  void collectPaymentBodyIsTokenChargeIdAndExactDecimalAmount() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD")));
    assertEquals("{\"card_token\":\"tok+/\\\\|123\",\"order_id\":\"ch_123\",\"amount\":19.99}", call.body());
  }

  @ParameterizedTest(name = "{0} minor {1} -> amount {2}")
  @CsvSource({"1999, USD, 19.99", "1, USD, 0.01", "100, USD, 1.00", "99999999999, USD, 999999999.99",
      "1000, JPY, 1000", "1, JPY, 1", "1234, BHD, 1.234", "1000, KWD, 1.000", "5, KWD, 0.005"})
  void amountIsSentInMajorUnitsWithTheCurrencysExactScale(long minor, String currency, String major) {
    HttpCall call = call(connector.charge(ctx(currency), input(minor, currency)));
    JsonObject body = new JsonObject(call.body());
    assertTrue(call.body().endsWith("\"amount\":" + major + "}"), call.body());
    assertEquals(0, new BigDecimal(major).compareTo(new BigDecimal(body.getValue("amount").toString())));
  }

  @Test
  void collectPaymentMovesMoneyWithoutCheckpoint() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD")));
    assertTrue(call.movesMoney());
    assertNull(call.checkpoint());
  }

  @Test
  void chargeInAnotherCurrencyThanTheAccountsIsUnsupportedWithoutAnyCall() {
    PspResult r = done(connector.charge(ctx(), input(1999, "EUR")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
    assertTrue(r.message().contains("USD"), r.message());
  }

  @Test
  void cardWithoutACardTokenIsNoTokenWithoutAnyCall() {
    ChargeInput in = new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, 1999, "USD", "visa", Map.of(), null, null, null, null);
    PspResult r = done(connector.charge(ctx(), in));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.NO_TOKEN, r.notSentReason());
  }

  @Test
  void chargeOnAnAccountWithoutAccountCurrencyIsNotSentWithoutAnyCall() {
    CallContext noCurrency = new CallContext(new ProviderConfig("fatora", "fatora", true, "http://127.0.0.1:1/fatora",
        Map.of("api_key", API_KEY), Set.of("USD"), 5000, BreakerConfig.DEFAULT, new JsonObject()), null);
    PspResult r = done(connector.charge(noCurrency, input(1999, "USD")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
  }

  @ParameterizedTest(name = "account in {0}, charge in {1} -> not sent")
  @CsvSource({"USD, EUR", "KWD, USD", "JPY, BHD", "USD, usd"})
  void chargeInAnyOtherCurrencyThanTheAccountsIsNotSent(String account, String charge) {
    PspResult r = done(connector.charge(ctx(account), input(1000, charge)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
  }

  // ---------------------------------------------------------------- configuration

  static ProviderConfig configured(JsonObject options, String... currencies) {
    return new ProviderConfig("fatora_qa", "fatora", true, "http://127.0.0.1:1/fatora", Map.of("api_key", API_KEY),
        new java.util.LinkedHashSet<>(List.of(currencies)), 5000, BreakerConfig.DEFAULT, options);
  }

  @Test
  void providerRoutedOnlyInItsAccountCurrencyHasNoProblem() {
    assertEquals(List.of(), connector.configProblems(configured(new JsonObject().put("account_currency", "KWD"), "KWD")));
  }

  @Test
  void providerListingAnotherCurrencyThanTheAccountsIsAProblemNamingIt() {
    List<String> problems = connector.configProblems(
        configured(new JsonObject().put("account_currency", "USD"), "USD", "EUR", "JPY"));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("providers.fatora_qa.currencies:"), problems.get(0));
    assertTrue(problems.get(0).contains("EUR") && problems.get(0).contains("JPY"), problems.get(0));
  }

  @Test
  void providerWithoutAccountCurrencyIsAProblem() {
    List<String> problems = connector.configProblems(configured(new JsonObject(), "USD"));
    assertEquals(List.of("providers.fatora_qa.options.account_currency: required (a Fatora account has one currency)"),
        problems);
  }

  @Test
  void providerWithAnUnknownAccountCurrencyIsAProblem() {
    List<String> problems = connector.configProblems(configured(new JsonObject().put("account_currency", "DOLLARS"), "USD"));
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("providers.fatora_qa.options.account_currency:")), problems.toString());
  }

  // ---------------------------------------------------------------- collect-payment answers

  @Test
  void successSucceedsWithTheTransactionId() {
    PspResult r = collect(200, answer("SUCCESS", TXN, "Transaction Successful - Approved"));
    assertEquals(Outcome.SUCCEEDED, r.outcome());
    assertEquals(TXN, r.providerReference());
  }

  @Test
  void numericTransactionIdIsKeptAsText() {
    String body = "{\"status\":\"SUCCESS\",\"result\":{\"status_code\":200,\"transaction_id\":4711,\"description\":\"ok\"}}";
    assertEquals("4711", collect(200, body).providerReference());
  }

  @Test
  void pendingIsPendingWithTheTransactionId() {
    PspResult r = collect(200, answer("PENDING", TXN, "Transaction Pending"));
    assertEquals(Outcome.PENDING, r.outcome());
    assertEquals(TXN, r.providerReference());
  }

  @ParameterizedTest(name = "status {0} -> in doubt")
  @ValueSource(strings = {"PROCESSING", "UNKNOWN", ""})
  void unknownStatusIsInDoubtNeverSuccess(String status) {
    PspResult r = collect(200, answer(status, TXN, "?"));
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals(TXN, r.providerReference());
  }

  @Test
  void answerWithoutStatusIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, collect(200, "{\"result\":{\"transaction_id\":\"1\"}}").outcome());
  }

  /** The FAILURE reasons of the tokenization page (README's and the page's own wording), and our expired-card convention. */
  @ParameterizedTest(name = "FAILURE \"{0}\" -> {1}, soft={2}")
  @CsvSource(delimiter = '|', value = {
    "Token invalid | INVALID_TOKEN | false",
    "Token invalid, this happens when the token is expired. | INVALID_TOKEN | false",
    "Transaction Blocked | FRAUD_SUSPECTED | false",
    "Transaction Blocked, this happens when not all parameters of risk and checks are passed. | FRAUD_SUSPECTED | false",
    "Transaction Declined, Contact issuing Bank | DO_NOT_HONOR | true",
    "Transaction Declined, Contact issuing Bank declined. | DO_NOT_HONOR | true",
    "Transaction Declined, Insufficient credit - insufficient+Funds | INSUFFICIENT_FUNDS | true",
    "Transaction Declined, Insufficient credit - insufficient+Funds. | INSUFFICIENT_FUNDS | true",
    "Transaction Declined, Expired Card | EXPIRED_CARD | false",
    "TRANSACTION DECLINED, EXPIRED CARD | EXPIRED_CARD | false",
    "Something Fatora never documented | GENERIC_DECLINE | true"
  })
  void failureDescriptionMapsToItsDeclineCode(String description, DeclineCode code, boolean soft) {
    PspResult r = collect(200, answer("FAILURE", TXN, description));
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(code, r.declineCode());
    assertEquals(soft, r.softDecline());
    assertEquals(description, r.providerCode());
    assertEquals(TXN, r.providerReference());
  }

  @Test
  void failureWithoutDescriptionIsASoftGenericDecline() {
    PspResult r = collect(200, "{\"status\":\"FAILURE\",\"result\":{\"status_code\":400}}");
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(DeclineCode.GENERIC_DECLINE, r.declineCode());
    assertTrue(r.softDecline());
  }

  @Test
  void theDeclineTableHoldsExactlyTheDocumentedReasonsAndOurExpiredCardConvention() {
    assertEquals(Set.of("token invalid", "transaction blocked", "transaction declined, contact issuing bank",
        "transaction declined, insufficient credit", "transaction declined, expired card"),
        FatoraMapping.DECLINES.keySet());
  }

  /** The refusals Fatora documents on its responseCode page. */
  @ParameterizedTest(name = "HTTP {0} on collect-payment -> not sent {1}")
  @CsvSource({"400, REQUEST_REJECTED", "415, REQUEST_REJECTED", "401, CREDENTIALS_REFUSED", "403, CREDENTIALS_REFUSED"})
  void documentedRefusalsAreNotSentWithTheirReason(int status, NotSentReason reason) {
    PspResult r = collect(status, error(status, "nope"));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(reason, r.notSentReason());
    assertEquals(String.valueOf(status), r.providerCode());
  }

  /** Fatora documents no 429 and only a generic 5xx: on its one (money) call they prove nothing. */
  @ParameterizedTest(name = "HTTP {0} on collect-payment -> in doubt")
  @ValueSource(ints = {429, 503})
  void undocumentedThrottleOrUnavailableIsInDoubt(int status) {
    assertEquals(Outcome.IN_DOUBT, collect(status, error(status, "busy")).outcome());
  }

  @ParameterizedTest(name = "HTTP {0} on collect-payment -> in doubt")
  @ValueSource(ints = {500, 502, 504})
  void serverErrorsAreInDoubt(int status) {
    assertEquals(Outcome.IN_DOUBT, collect(status, error(status, "Internal Server Error")).outcome());
  }

  @ParameterizedTest(name = "200 with body \"{0}\" -> in doubt")
  @ValueSource(strings = {"<html>oops</html>", "", "{not json", "[]"})
  void unparseableAnswerIsInDoubt(String body) {
    assertEquals(Outcome.IN_DOUBT, collect(200, body).outcome());
  }

  @Test
  void http422IsAHardInvalidTokenDecline() {
    PspResult r = collect(422, error(422, "Token already deactivated"));
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
    assertFalse(r.softDecline());
  }

  // ---------------------------------------------------------------- verify

  @Test
  void inquiryIsAVerifyPostWithOrderAndTransactionId() {
    HttpCall call = call(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, TXN, 1999, "USD")));
    assertEquals("POST", call.method());
    assertEquals("/v1/payments/verify", call.url());
    assertEquals(HEADERS, call.headers());
    assertEquals(new JsonObject().put("order_id", CHARGE_ID).put("transaction_id", TXN), new JsonObject(call.body()));
    assertFalse(call.movesMoney());
  }

  @Test
  void inquiryWithoutTransactionIdAsksByOrderIdAlone() {
    HttpCall call = call(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, null, 1999, "USD")));
    assertEquals(new JsonObject().put("order_id", CHARGE_ID), new JsonObject(call.body()));
  }

  @Test
  void verify404IsNotFound() {
    InquiryResult r = verify(404, error(404, "Payment not found"));
    assertEquals(InquiryResult.Kind.NOT_FOUND, r.kind());
    assertNull(r.result());
  }

  @Test
  void verifySuccessIsFoundSucceededWithTheTransactionId() {
    InquiryResult r = verify(200, verified("SUCCESS", "Transaction Successful - Approved"));
    assertEquals(InquiryResult.Kind.FOUND, r.kind());
    assertEquals(Outcome.SUCCEEDED, r.result().outcome());
    assertEquals(TXN, r.result().providerReference());
  }

  @Test
  void verifyPendingIsFoundPending() {
    InquiryResult r = verify(200, verified("PENDING", "Transaction Pending"));
    assertEquals(InquiryResult.Kind.FOUND, r.kind());
    assertEquals(Outcome.PENDING, r.result().outcome());
  }

  @Test
  void verifyFailureIsFoundDeclinedWithTheDescriptionsCode() {
    InquiryResult r = verify(200, verified("FAILURE", "Transaction Declined, Insufficient credit - insufficient+Funds"));
    assertEquals(InquiryResult.Kind.FOUND, r.kind());
    assertEquals(Outcome.DECLINED, r.result().outcome());
    assertEquals(DeclineCode.INSUFFICIENT_FUNDS, r.result().declineCode());
    assertTrue(r.result().softDecline());
  }

  @Test
  void inquiryOfALaterAttemptAsksByItsOwnOrderId() {
    HttpCall call = call(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, "ch_123-2", null, 1999, "USD")));
    assertEquals(new JsonObject().put("order_id", "ch_123-2"), new JsonObject(call.body()));
  }

  @Test
  void verifyAnswerAboutAnotherOrderIsUnknownNeverApplied() {
    // verify names ch_123 (attempt 1); the inquiry is about attempt 2.
    InquiryResult r = done(next(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, "ch_123-2", null, 1999, "USD")),
        reply(200, verified("SUCCESS", "Transaction Successful - Approved"))));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void verifyAnswerWithoutOrderIdSaysNothingAboutTheAttempt() {
    JsonObject v = new JsonObject(verified("FAILURE", "Token invalid"));
    v.getJsonObject("result").remove("order_id");
    assertEquals(InquiryResult.Kind.UNKNOWN, verify(200, v.encode()).kind());
  }

  /** One status table: collect-payment and verify say the same of each status. */
  @ParameterizedTest(name = "{0} -> the same on collect-payment and verify")
  @ValueSource(strings = {"SUCCESS", "PENDING", "FAILURE"})
  void collectAndVerifyReadOneStatusTable(String status) {
    PspResult collected = collect(200, answer(status, TXN, "Transaction Declined, Contact issuing Bank"));
    InquiryResult verified = verify(200, verified(status, "Transaction Declined, Contact issuing Bank"));
    assertEquals(InquiryResult.found(collected), verified);
  }

  @Test
  void fatoraDocumentsNoCancel() {
    assertTrue(connector.cancel(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, TXN, 1999, "USD")).isEmpty());
  }

  @Test
  void verifyOfAnUnknownPaymentStatusIsUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, verify(200, verified("REVERSED", "?")).kind());
  }

  @ParameterizedTest(name = "verify HTTP {0} -> unknown")
  @ValueSource(ints = {400, 401, 500, 503})
  void verifyFailuresAreUnknown(int status) {
    assertEquals(InquiryResult.Kind.UNKNOWN, verify(status, error(status, "x")).kind());
  }

  @Test
  void unparseableVerifyAnswerIsUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, verify(200, "not json").kind());
    assertEquals(InquiryResult.Kind.UNKNOWN, verify(200, "{\"status\":\"SUCCESS\"}").kind());
  }

  // ---------------------------------------------------------------- deactivate

  @Test
  void deactivateIsAPostOfTheCardTokenToTheDeactivatePath() {
    HttpCall call = call(connector.deactivateToken(ctx(), Map.of("card_token", CARD_TOKEN)).orElseThrow());
    assertEquals("POST", call.method());
    assertEquals("/api/v1/payments/deactivate-card-token", call.url());
    assertEquals(HEADERS, call.headers());
    JsonObject body = new JsonObject(call.body());
    assertEquals(Set.of("card_token", "order_id"), body.fieldNames());
    assertEquals(CARD_TOKEN, body.getString("card_token"));
    assertFalse(body.getString("order_id").isBlank(), "order_id is required by Fatora");
    assertFalse(call.movesMoney());
  }

  @ParameterizedTest(name = "deactivate answered {0} -> done={1}")
  @CsvSource({"204, true", "200, true", "422, true", "400, false", "401, false", "500, false"})
  void deactivateIsDoneOn2xxOrAlreadyDeactivated(int status, boolean done) {
    Step<Boolean> s = connector.deactivateToken(ctx(), Map.of("card_token", CARD_TOKEN)).orElseThrow();
    assertEquals(done, done(next(s, reply(status, status == 204 ? "" : error(status, "x")))));
  }

  // ---------------------------------------------------------------- webhook

  @Test
  void webhookWithoutSignatureIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), webhook(body, Map.of())));
  }

  @Test
  void webhookWithAWrongSignatureIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), signed(body, "0".repeat(64))));
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), signed(body, "not hex")));
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), signed(body, "")));
  }

  @Test
  void webhookSignedWithAnotherSecretIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    assertThrows(WebhookRejectedException.class,
        () -> connector.webhook(ctx(), signed(body, hmacHex("another_secret", body))));
  }

  @Test
  void webhookWithATamperedBodyIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    String sig = hmacHex(SECRET, body);
    assertThrows(WebhookRejectedException.class,
        () -> connector.webhook(ctx(), signed("{\"order_id\":\"ch_999\"}", sig)));
  }

  @Test
  void webhookIsRejectedWhenNoWebhookSecretIsConfigured() {
    String body = "{\"order_id\":\"ch_123\"}";
    CallContext noSecret = new CallContext(provider(Map.of("api_key", API_KEY), "USD"), null);
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(noSecret, signed(body, hmacHex("", body))));
  }

  @Test
  void signedBodyThatIsNotJsonIsRejected() {
    String body = "order_id=ch_123";
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), signed(body, hmacHex(SECRET, body))));
  }

  @Test
  void wellSignedWebhookAsksVerifyForTheOrderAndTrustsOnlyItsAnswer() {
    String body = "{\"order_id\":\"ch_123\",\"payment_status\":\"FAILURE\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    HttpCall call = call(s);
    assertEquals("POST", call.method());
    assertEquals("/v1/payments/verify", call.url());
    assertEquals(HEADERS, call.headers());
    assertEquals(new JsonObject().put("order_id", CHARGE_ID), new JsonObject(call.body()));
    assertFalse(call.movesMoney());
    WebhookEvent e = done(next(s, reply(200, verified("SUCCESS", "Transaction Successful - Approved"))));
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(Outcome.SUCCEEDED, e.result().outcome());
    assertEquals(TXN, e.result().providerReference());
  }

  @ParameterizedTest(name = "verify amount {0} {1} -> event amount {2} minor units")
  @CsvSource({"19.99, USD, 1999", "1000, JPY, 1000", "1.234, KWD, 1234", "12.345, BHD, 12345"})
  void verifiedWebhookCarriesTheVerifiedAmountAndCurrency(String major, String currency, long minor) {
    String body = "{\"order_id\":\"ch_123\"}";
    CallContext account = ctx(currency);
    Step<WebhookEvent> s = connector.webhook(account, signed(body, hmacHex(SECRET, body)));
    JsonObject verified = new JsonObject(verified("SUCCESS", "Transaction Successful - Approved"));
    verified.getJsonObject("result").put("amount", new BigDecimal(major)).put("currency", currency);
    WebhookEvent e = done(next(s, reply(200, verified.encode())));
    assertEquals(minor, e.amount());
    assertEquals(currency, e.currency());
  }

  @Test
  void verifyAnswerWithoutCurrencyIsReadInTheAccountCurrency() {
    String body = "{\"order_id\":\"ch_123\"}";
    Step<WebhookEvent> s = connector.webhook(ctx("KWD"), signed(body, hmacHex(SECRET, body)));
    JsonObject verified = new JsonObject(verified("SUCCESS", "ok"));
    verified.getJsonObject("result").put("amount", new BigDecimal("1.234")).remove("currency");
    WebhookEvent e = done(next(s, reply(200, verified.encode())));
    assertEquals(1234L, e.amount());
    assertEquals("KWD", e.currency());
  }

  @Test
  void upperCaseHexSignatureIsAccepted() {
    String body = "{\"order_id\":\"ch_123\"}";
    assertInstanceOf(Step.Call.class, connector.webhook(ctx(), signed(body, hmacHex(SECRET, body).toUpperCase())));
  }

  @Test
  void webhookWhoseOrderVerifyCannotFindIsIgnored() {
    String body = "{\"order_id\":\"ch_123\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    WebhookEvent e = done(next(s, reply(404, error(404, "Payment not found"))));
    assertNull(e.chargeId());
  }

  @Test
  void webhookCarriesTheOrderIdVerifyEchoesForALaterAttempt() {
    String body = "{\"order_id\":\"ch_123-2\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    JsonObject v = new JsonObject(verified("SUCCESS", "Transaction Successful - Approved"));
    v.getJsonObject("result").put("order_id", "ch_123-2");
    WebhookEvent e = done(next(s, reply(200, v.encode())));
    assertEquals("ch_123-2", e.reference());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(TXN, e.result().providerReference());
    assertEquals(1999L, e.amount());
    assertEquals("USD", e.currency());
  }

  @Test
  void webhookWhoseVerifyAnswerNamesNoOrderIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    JsonObject v = new JsonObject(verified("SUCCESS", "Transaction Successful - Approved"));
    v.getJsonObject("result").remove("order_id");
    assertThrows(WebhookRejectedException.class, () -> next(s, reply(200, v.encode())));
  }

  @Test
  void webhookWhoseVerifyAnswerIsAboutAnotherOrderIsRejected() {
    String body = "{\"order_id\":\"ch_123\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    JsonObject other = new JsonObject(verified("SUCCESS", "Transaction Successful - Approved"));
    other.getJsonObject("result").put("order_id", "ch_other");
    assertThrows(WebhookRejectedException.class, () -> next(s, reply(200, other.encode())));
  }

  @ParameterizedTest(name = "verify answered {0} -> the relay retries later")
  @ValueSource(ints = {401, 429, 500, 502, 503})
  void webhookWhoseVerifyFailsIsRetriedLaterNotAcknowledged(int status) {
    String body = "{\"order_id\":\"ch_123\"}";
    Step<WebhookEvent> s = connector.webhook(ctx(), signed(body, hmacHex(SECRET, body)));
    assertThrows(PspUnavailableException.class, () -> next(s, reply(status, error(status, "x"))));
  }

  @Test
  void signedWebhookWithoutOrderIdIsIgnoredWithoutAnyCall() {
    String body = "{\"event\":\"ping\"}";
    WebhookEvent e = done(connector.webhook(ctx(), signed(body, hmacHex(SECRET, body))));
    assertNull(e.chargeId());
  }

  // ---------------------------------------------------------------- helpers

  static ProviderConfig provider(Map<String, String> credentials, String accountCurrency) {
    return new ProviderConfig("fatora", "fatora", true, "http://127.0.0.1:1/fatora", credentials,
        Set.of(accountCurrency), 5000, BreakerConfig.DEFAULT, new JsonObject().put("account_currency", accountCurrency));
  }

  static CallContext ctx() {
    return ctx("USD");
  }

  static CallContext ctx(String accountCurrency) {
    return new CallContext(provider(Map.of("api_key", API_KEY, "webhook_secret", SECRET), accountCurrency), null);
  }

  static ChargeInput input(long amount, String currency) {
    return new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, amount, currency, "visa", Map.of("card_token", CARD_TOKEN),
        "Order 1001", "cust-42", "a@b.co", "http://router/v1/webhooks/fatora");
  }

  static String answer(String status, String txn, String description) {
    return new JsonObject().put("status", status).put("result", new JsonObject()
        .put("status_code", "FAILURE".equals(status) ? 400 : 200).put("transaction_id", txn)
        .put("auth_code", "A1").put("mode", "test").put("description", description)).encode();
  }

  static String verified(String paymentStatus, String description) {
    return new JsonObject().put("status", "SUCCESS").put("result", new JsonObject().put("order_id", CHARGE_ID)
        .put("transaction_id", TXN).put("amount", 19.99).put("currency", "USD").put("payment_status", paymentStatus)
        .put("mode", "test").put("auth_code", "A1").put("description", description)).encode();
  }

  static String error(int code, String description) {
    return new JsonObject().put("status", "FAILURE")
        .put("error", new JsonObject().put("code", code).put("description", description)).encode();
  }

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, Map.of("content-type", "application/json"), body);
  }

  static String hmacHex(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.isEmpty() ? new byte[1] : secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static WebhookInput webhook(String body, Map<String, String> headers) {
    return new WebhookInput("POST", "http://router/v1/webhooks/fatora", Map.of(), headers, body);
  }

  static WebhookInput signed(String body, String signature) {
    return webhook(body, Map.of("x-signature", signature, "content-type", "application/json"));
  }

  PspResult collect(int status, String body) {
    return done(next(connector.charge(ctx(), input(1999, "USD")), reply(status, body)));
  }

  InquiryResult verify(int status, String body) {
    return done(next(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, TXN, 1999, "USD")), reply(status, body)));
  }

  static List<String> fieldsOf(List<FieldError> errors) {
    return errors.stream().map(FieldError::field).toList();
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
