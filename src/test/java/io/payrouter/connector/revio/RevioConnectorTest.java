package io.payrouter.connector.revio;

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
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.util.Arrays;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Revio wire shapes and mappings (src/docs/psps.md section 1 and "Our conventions"). */
class RevioConnectorTest {
  static final String SECRET = "sk_revio_unit";
  static final String BRAND = "5c523a6d-cad0-462e-b9bb-79b16495f3b9";
  static final String PURCHASE_ID = "0b8b1f3e-6a3c-4c53-9f0e-1d2e3f405162";
  static final String CHARGE_ID = "ch_123";
  static final Map<String, String> BEARER_JSON = Map.of("Authorization", "Bearer " + SECRET,
      "Accept", "application/json", "Content-Type", "application/json");
  static final Map<String, String> BEARER = Map.of("Authorization", "Bearer " + SECRET,
      "Accept", "application/json");

  static KeyPair keys;
  static KeyPair otherKeys;

  final RevioConnector connector = new RevioConnector();

  @BeforeAll
  static void keys() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
    g.initialize(2048);
    keys = g.generateKeyPair();
    otherKeys = g.generateKeyPair();
  }

  // ---------------------------------------------------------------- token fields

  @Test
  void validTokenHasNoErrors() {
    assertEquals(List.of(), connector.validateToken(
        new JsonObject().put("client_id", "c1").put("recurring_token", "rt1")));
  }

  @Test
  void missingTokenFieldsAreNamedRelativeToTheTokenObject() {
    List<FieldError> errors = connector.validateToken(new JsonObject());
    assertEquals(List.of("client_id", "recurring_token"), errors.stream().map(FieldError::field).toList());
  }

  @Test
  void emptyOrNonStringTokenFieldsAreErrors() {
    List<FieldError> errors = connector.validateToken(
        new JsonObject().put("client_id", "").put("recurring_token", 12));
    assertEquals(List.of("client_id", "recurring_token"), errors.stream().map(FieldError::field).toList());
  }

  @Test
  void unknownTokenFieldIsAnError() {
    List<FieldError> errors = connector.validateToken(new JsonObject()
        .put("client_id", "c1").put("recurring_token", "rt1").put("card_token", "x"));
    assertEquals(List.of("card_token"), errors.stream().map(FieldError::field).toList());
  }

  // ---------------------------------------------------------------- charge, step 1

  @Test
  void createPurchaseIsAPostToPurchasesWithBearerAuthAndMovesNoMoney() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD", "http://router/v1/webhooks/revio")));
    assertEquals("POST", call.method());
    assertEquals("/purchases/", call.url());
    assertEquals(BEARER_JSON, call.headers());
    assertFalse(call.movesMoney());
    assertNull(call.checkpoint());
  }

  @Test
  void createPurchaseBodyIsExactlyTheDocumentedShapeWithMinorUnitPriceAndChargeIdReference() {
    HttpCall call = call(connector.charge(ctx(), input(1999, "USD", "http://router/v1/webhooks/revio")));
    assertEquals("{\"brand_id\":\"" + BRAND + "\",\"client_id\":\"client-1\","
        + "\"purchase\":{\"currency\":\"USD\",\"products\":[{\"name\":\"Order 1001\",\"price\":1999,"
        + "\"quantity\":1}]},\"reference\":\"ch_123\","
        + "\"success_callback\":\"http://router/v1/webhooks/revio\"}", call.body());
  }

  @ParameterizedTest(name = "{0} minor {1} -> price {0}")
  @CsvSource({"1999, USD", "1000, JPY", "1, JPY", "1234, BHD", "1000, KWD"})
  void purchasePriceIsTheAmountInIntegerMinorUnitsForEveryExponent(long minor, String currency) {
    String text = call(connector.charge(ctx(), input(minor, currency, null))).body();
    assertTrue(text.contains("\"price\":" + minor + ","), text);
    JsonObject body = new JsonObject(text);
    assertEquals(currency, body.getJsonObject("purchase").getString("currency"));
  }

  @Test
  void createPurchaseOmitsSuccessCallbackWhenThereIsNoCallbackUrl() {
    HttpCall call = call(connector.charge(ctx(), input(1000, "JPY", null)));
    JsonObject body = new JsonObject(call.body());
    assertFalse(body.containsKey("success_callback"));
    assertEquals(1000, body.getJsonObject("purchase").getJsonArray("products").getJsonObject(0).getLong("price"));
  }

  @Test
  void productNameFallsBackToTheChargeIdWithoutDescription() {
    ChargeInput in = new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, 500, "USD", "visa", token(), null, null, null, null);
    JsonObject body = new JsonObject(call(connector.charge(ctx(), in)).body());
    assertEquals("Charge ch_123", body.getJsonObject("purchase").getJsonArray("products").getJsonObject(0).getString("name"));
  }

  @Test
  void chargeWithoutBrandIdIsUnsupportedAndMakesNoCall() {
    PspResult r = done(connector.charge(ctx(new JsonObject()), input(1999, "USD", null)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
  }

  @Test
  void chargeInAnUnknownCurrencyIsUnsupportedAndMakesNoCall() {
    PspResult r = done(connector.charge(ctx(), input(1999, "XXY", null)));
    assertEquals(NotSentReason.UNSUPPORTED, r.notSentReason());
  }

  @Test
  void cardWithoutACompleteTokenIsNoTokenAndMakesNoCall() {
    ChargeInput in = new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, 500, "USD", "visa",
        Map.of("client_id", "client-1"), null, null, null, null);
    PspResult r = done(connector.charge(ctx(), in));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.NO_TOKEN, r.notSentReason());
  }

  /** Creating a purchase moves no money: every failure is not_sent; the reason says whose doing. */
  @ParameterizedTest(name = "HTTP {0} on purchase creation -> not_sent {1} ({2})")
  @CsvSource({
    "401, CREDENTIALS_REFUSED, unauthorized, '{\"__all__\":{\"message\":\"Invalid token\",\"code\":\"unauthorized\"}}'",
    "403, CREDENTIALS_REFUSED, forbidden, '{\"__all__\":{\"message\":\"Forbidden\",\"code\":\"forbidden\"}}'",
    "429, PSP_UNAVAILABLE, rate_limited, '{\"__all__\":{\"message\":\"Slow down\",\"code\":\"rate_limited\"}}'",
    "400, REQUEST_REJECTED, does_not_exist, '{\"brand_id\":{\"message\":\"no\",\"code\":\"does_not_exist\"}}'",
    "404, REQUEST_REJECTED, not_found, '{\"__all__\":{\"message\":\"no\",\"code\":\"not_found\"}}'",
    "500, PSP_ERROR_BEFORE_MONEY_CALL, server_error, '{\"__all__\":{\"message\":\"boom\",\"code\":\"server_error\"}}'",
    "502, PSP_ERROR_BEFORE_MONEY_CALL, '', 'Bad Gateway'",
    "503, PSP_ERROR_BEFORE_MONEY_CALL, '', ''"
  })
  void anyFailureOfPurchaseCreationIsNotSentWithTheReasonOfItsStatus(int status, NotSentReason reason,
      String providerCode, String body) {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD", null)), reply(status, body)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(reason, r.notSentReason());
    assertEquals(providerCode.isEmpty() ? null : providerCode, r.providerCode());
  }

  @Test
  void unparseablePurchaseCreationAnswerIsAPspErrorBeforeTheMoneyCall() {
    PspResult r = done(next(connector.charge(ctx(), input(1999, "USD", null)), reply(201, "<html>")));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, r.notSentReason());
  }

  // ---------------------------------------------------------------- charge, step 2

  @Test
  void chargeCallPostsTheRecurringTokenToThePurchaseAfterCheckpointingItsId() {
    HttpCall call = call(chargeStep());
    assertEquals("POST", call.method());
    assertEquals("/purchases/" + PURCHASE_ID + "/charge/", call.url());
    assertEquals(BEARER_JSON, call.headers());
    assertEquals("{\"recurring_token\":\"rt-1\"}", call.body());
    assertTrue(call.movesMoney());
    assertEquals(PURCHASE_ID, call.checkpoint());
  }

  @Test
  void paidPurchaseSucceedsWithThePurchaseIdAsProviderReference() {
    PspResult r = chargeAnswer(200, purchase("paid").encode());
    assertEquals(Outcome.SUCCEEDED, r.outcome());
    assertEquals(PURCHASE_ID, r.providerReference());
  }

  /** Every documented status, as the answer to the charge call. */
  @ParameterizedTest(name = "charge answer status {0} -> {1}")
  @CsvSource({
    "paid, SUCCEEDED", "cleared, SUCCEEDED", "settled, SUCCEEDED", "refunded, SUCCEEDED",
    "chargeback, SUCCEEDED", "pending_refund, SUCCEEDED",
    "error, DECLINED", "blocked, DECLINED", "cancelled, NOT_SENT", "expired, NOT_SENT",
    "released, NOT_SENT",
    "pending_execute, PENDING", "pending_charge, PENDING", "pending_capture, PENDING",
    "pending_release, PENDING", "hold, PENDING", "preauthorized, PENDING", "created, PENDING",
    "sent, IN_DOUBT", "viewed, IN_DOUBT", "overdue, IN_DOUBT",
    "some_new_status, IN_DOUBT"
  })
  void everyPurchaseStatusMapsOnTheChargeAnswer(String status, Outcome expected) {
    PspResult r = chargeAnswer(200, purchase(status).encode());
    assertEquals(expected, r.outcome());
    assertEquals(PURCHASE_ID, r.providerReference());
  }

  @Test
  void theStatusTableCoversEveryDocumentedStatus() {
    Set<String> documented = Set.of("created", "sent", "viewed", "error", "cancelled", "overdue",
        "expired", "blocked", "hold", "released", "preauthorized", "paid", "cleared", "settled",
        "chargeback", "refunded", "pending_execute", "pending_charge", "pending_capture",
        "pending_release", "pending_refund");
    assertEquals(documented, RevioMapping.STATUSES.keySet());
  }

  @ParameterizedTest(name = "decline {0} -> {1}, soft={2}")
  @CsvSource({
    "insufficient_funds, INSUFFICIENT_FUNDS, true",
    "do_not_honor, DO_NOT_HONOR, true",
    "limit_exceeded, LIMIT_EXCEEDED, true",
    "expired_card, EXPIRED_CARD, false",
    "fraud_suspected, FRAUD_SUSPECTED, false",
    "invalid_recurring_token, INVALID_TOKEN, false",
    "something_else, GENERIC_DECLINE, true"
  })
  void errorPurchaseDeclinesWithTheCodeOfTheFirstAttempt(String code, DeclineCode expected, boolean soft) {
    PspResult r = chargeAnswer(200, declinedPurchase(code).encode());
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(expected, r.declineCode());
    assertEquals(soft, r.softDecline());
    assertEquals(code, r.providerCode());
    assertEquals(PURCHASE_ID, r.providerReference());
  }

  @ParameterizedTest(name = "charge answered {0} without a card error -> proven not charged")
  @ValueSource(strings = {"cancelled", "expired", "released"})
  void purchaseClosedWithoutPaymentOnTheChargeAnswerIsProvenNotCharged(String status) {
    PspResult r = chargeAnswer(200, purchase(status).encode());
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertEquals(PURCHASE_ID, r.providerReference());
    assertEquals(status, r.providerCode());
  }

  @Test
  void purchaseClosedWithACardErrorIsThatDecline() {
    JsonObject p = declinedPurchase("expired_card").put("status", "cancelled");
    PspResult r = chargeAnswer(200, p.encode());
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(DeclineCode.EXPIRED_CARD, r.declineCode());
    assertEquals(InquiryResult.Kind.FOUND, inquiry(200, p.encode()).kind());
  }

  /** One status table: the charge answer, the inquiry and a webhook say the same of each status. */
  @Test
  void chargeAnswerInquiryAndWebhookReadOneStatusTable() {
    for (String status : RevioMapping.STATUSES.keySet()) {
      PspResult charged = chargeAnswer(200, purchase(status).encode());
      InquiryResult asked = inquiry(200, purchase(status).encode());
      WebhookEvent told = RevioMapping.webhookEvent(purchase(status));
      assertEquals(charged, asked.result(), status);
      assertEquals(charged, told.result(), status);
      InquiryResult.Kind kind = switch (charged.outcome()) {
        case NOT_SENT -> InquiryResult.Kind.NOT_CHARGED;
        case IN_DOUBT -> InquiryResult.Kind.UNKNOWN;
        default -> InquiryResult.Kind.FOUND;
      };
      assertEquals(kind, asked.kind(), status);
    }
  }

  @Test
  void blockedPurchaseIsAHardFraudDecline() {
    PspResult r = chargeAnswer(200, purchase("blocked").encode());
    assertEquals(DeclineCode.FRAUD_SUSPECTED, r.declineCode());
    assertFalse(r.softDecline());
    assertEquals("blocked", r.providerCode());
  }

  @Test
  void invalidRecurringTokenIsAHardInvalidTokenDecline() {
    PspResult r = chargeAnswer(400,
        "{\"__all__\":[{\"code\":\"invalid_recurring_token\",\"message\":\"Token deleted\"}]}");
    assertEquals(Outcome.DECLINED, r.outcome());
    assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
    assertFalse(r.softDecline());
  }

  @ParameterizedTest(name = "HTTP {0} on the charge call -> not_sent {1}")
  @CsvSource({"401, CREDENTIALS_REFUSED", "403, CREDENTIALS_REFUSED", "429, PSP_UNAVAILABLE"})
  void refusedCredentialsAndTheDocumentedRateLimitOnTheChargeCallAreNotSent(int status, NotSentReason reason) {
    PspResult r = chargeAnswer(status, "{\"__all__\":{\"code\":\"x\",\"message\":\"y\"}}");
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(reason, r.notSentReason());
    assertEquals(PURCHASE_ID, r.providerReference());
  }

  /** 503 is not in CHIP's error table: on the money call it proves nothing. */
  @ParameterizedTest(name = "HTTP {0} on the charge call -> in doubt")
  @ValueSource(ints = {500, 502, 503, 504, 409, 404, 400, 202})
  void otherChargeAnswersAreInDoubtWithThePurchaseId(int status) {
    PspResult r = chargeAnswer(status, "{\"__all__\":{\"code\":\"x\",\"message\":\"y\"}}");
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals(PURCHASE_ID, r.providerReference());
  }

  @Test
  void unparseableChargeAnswerIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(200, "{not json").outcome());
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(200, "{\"id\":\"x\"}").outcome());
  }

  // ---------------------------------------------------------------- inquiry

  @Test
  void inquiryWithoutPurchaseIdIsNotFoundWithoutAnyCall() {
    Step<InquiryResult> s = connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, null, 1999, "USD"));
    assertEquals(InquiryResult.Kind.NOT_FOUND, done(s).kind());
  }

  @Test
  void inquiryIsAGetOfThePurchaseWithBearerAuth() {
    HttpCall call = call(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, PURCHASE_ID, 1999, "USD")));
    assertEquals("GET", call.method());
    assertEquals("/purchases/" + PURCHASE_ID + "/", call.url());
    assertEquals(BEARER, call.headers());
    assertNull(call.body());
    assertFalse(call.movesMoney());
  }

  @Test
  void unknownPurchaseIsNotFound() {
    assertEquals(InquiryResult.Kind.NOT_FOUND, inquiry(404, "{\"__all__\":{\"code\":\"not_found\"}}").kind());
  }

  /** Every documented status, as seen by a status inquiry. */
  @ParameterizedTest(name = "inquiry status {0} -> {1} {2}")
  @CsvSource({
    "paid, FOUND, SUCCEEDED", "cleared, FOUND, SUCCEEDED", "settled, FOUND, SUCCEEDED",
    "refunded, FOUND, SUCCEEDED", "chargeback, FOUND, SUCCEEDED", "pending_refund, FOUND, SUCCEEDED",
    "error, FOUND, DECLINED", "blocked, FOUND, DECLINED", "cancelled, NOT_CHARGED, NOT_SENT",
    "expired, NOT_CHARGED, NOT_SENT", "released, NOT_CHARGED, NOT_SENT",
    "pending_execute, FOUND, PENDING", "pending_charge, FOUND, PENDING",
    "pending_capture, FOUND, PENDING", "pending_release, FOUND, PENDING", "hold, FOUND, PENDING",
    "preauthorized, FOUND, PENDING",
    "created, FOUND, PENDING", "sent, UNKNOWN, IN_DOUBT", "viewed, UNKNOWN, IN_DOUBT",
    "overdue, UNKNOWN, IN_DOUBT", "brand_new, UNKNOWN, IN_DOUBT"
  })
  void everyPurchaseStatusMapsOnInquiry(String status, InquiryResult.Kind kind, Outcome outcome) {
    InquiryResult r = inquiry(200, purchase(status).encode());
    assertEquals(kind, r.kind());
    if (outcome == null) {
      assertNull(r.result());
    } else {
      assertEquals(outcome, r.result().outcome());
    }
  }

  @Test
  void inquiredErrorPurchaseCarriesItsDeclineCode() {
    InquiryResult r = inquiry(200, declinedPurchase("expired_card").encode());
    assertEquals(DeclineCode.EXPIRED_CARD, r.result().declineCode());
    assertEquals(PURCHASE_ID, r.result().providerReference());
  }

  @Test
  void inquiryFailuresAreUnknown() {
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(500, "").kind());
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(401, "").kind());
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, "not json").kind());
  }

  @Test
  void purchaseOfAnotherReferenceIsUnknownNotSuccess() {
    assertEquals(InquiryResult.Kind.UNKNOWN,
        inquiry(200, purchase("paid").put("reference", "ch_other").encode()).kind());
  }

  @Test
  void createdPurchaseIsPendingNeverNoSuchPayment() {
    InquiryResult r = inquiry(200, purchase("created").encode());
    assertEquals(InquiryResult.found(PspResult.pending(PURCHASE_ID, "created")), r);
  }

  @Test
  void inquiryOfALaterAttemptIgnoresThePurchaseOfTheFirstAttempt() {
    // The purchase names ch_123 (attempt 1); the inquiry is about attempt 2 (ch_123-2).
    InquiryResult r = inquiry("ch_123-2", 200, purchase("paid").encode());
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryOfALaterAttemptAppliesThePurchaseThatEchoesItsReference() {
    InquiryResult r = inquiry("ch_123-2", 200, purchase("paid").put("reference", "ch_123-2").encode());
    assertEquals(InquiryResult.found(PspResult.succeeded(PURCHASE_ID)), r);
  }

  @Test
  void purchaseWithoutAReferenceSaysNothingAboutTheAttempt() {
    JsonObject p = purchase("cancelled");
    p.remove("reference");
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, p.encode()).kind());
  }

  @Test
  void purchaseWithAnotherIdSaysNothingAboutTheAttempt() {
    assertEquals(InquiryResult.Kind.UNKNOWN, inquiry(200, purchase("paid").put("id", "other-id").encode()).kind());
  }

  @Test
  void closedPurchaseOnInquiryIsNotChargedWithTheProvenReason() {
    InquiryResult r = inquiry(200, purchase("expired").encode());
    assertEquals(InquiryResult.Kind.NOT_CHARGED, r.kind());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.result().notSentReason());
    assertEquals(PURCHASE_ID, r.result().providerReference());
  }

  // ---------------------------------------------------------------- cancel

  @Test
  void cancelWithoutPurchaseIdIsUnknownWithoutAnyCall() {
    InquiryResult r = done(connector.cancel(ctx(), new InquiryInput(CHARGE_ID, CHARGE_ID, null, 1999, "USD")).orElseThrow());
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void cancelIsAPostToThePurchasesCancelPathWithBearerAuthAndNoBody() {
    HttpCall call = call(cancelStep(CHARGE_ID));
    assertEquals("POST", call.method());
    assertEquals("/purchases/" + PURCHASE_ID + "/cancel/", call.url());
    assertEquals(BEARER, call.headers());
    assertNull(call.body());
    assertFalse(call.movesMoney());
    assertNull(call.checkpoint());
  }

  @Test
  void cancelledPurchaseIsProofNothingWasCharged() {
    InquiryResult r = done(next(cancelStep(CHARGE_ID), reply(200, purchase("cancelled").encode())));
    assertEquals(InquiryResult.Kind.NOT_CHARGED, r.kind());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.result().notSentReason());
    assertEquals(PURCHASE_ID, r.result().providerReference());
  }

  @Test
  void cancelAnsweredWithAPaidPurchaseIsASuccess() {
    InquiryResult r = done(next(cancelStep(CHARGE_ID), reply(200, purchase("paid").encode())));
    assertEquals(InquiryResult.found(PspResult.succeeded(PURCHASE_ID)), r);
  }

  @Test
  void cancelAnswerAboutAnotherReferenceIsUnknownAndNeverProof() {
    InquiryResult r = done(next(cancelStep("ch_123-2"), reply(200, purchase("cancelled").encode())));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @ParameterizedTest(name = "cancel refused with HTTP {0} -> the purchase is read back")
  @ValueSource(ints = {400, 409, 422, 500, 502})
  void refusedCancelIsNeverProofAndReadsThePurchaseBack(int status) {
    Step<InquiryResult> afterRefusal = next(cancelStep(CHARGE_ID),
        reply(status, "{\"__all__\":{\"code\":\"conflict\",\"message\":\"already paid\"}}"));
    HttpCall get = call(afterRefusal);
    assertEquals("GET", get.method());
    assertEquals("/purchases/" + PURCHASE_ID + "/", get.url());
    assertEquals(BEARER, get.headers());
    assertEquals(InquiryResult.found(PspResult.succeeded(PURCHASE_ID)),
        done(next(afterRefusal, reply(200, purchase("paid").encode()))));
  }

  @Test
  void refusedCancelOfAPurchaseThatIsCancelledByNowIsProvenByTheReadBack() {
    Step<InquiryResult> afterRefusal = next(cancelStep(CHARGE_ID), reply(409, "{}"));
    assertEquals(InquiryResult.Kind.NOT_CHARGED, done(next(afterRefusal, reply(200, purchase("cancelled").encode()))).kind());
  }

  @Test
  void refusedCancelWithAFailedReadBackIsUnknown() {
    Step<InquiryResult> afterRefusal = next(cancelStep(CHARGE_ID), reply(409, "{}"));
    assertEquals(InquiryResult.Kind.UNKNOWN, done(next(afterRefusal, reply(500, ""))).kind());
  }

  @Test
  void unreadableCancelAnswerReadsThePurchaseBack() {
    Step<InquiryResult> after = next(cancelStep(CHARGE_ID), reply(200, "<html>"));
    assertEquals("GET", call(after).method());
    assertEquals(InquiryResult.Kind.FOUND, done(next(after, reply(200, purchase("pending_charge").encode()))).kind());
  }

  // ---------------------------------------------------------------- webhook

  @Test
  void webhookSignedWithTheConfiguredKeyIsAccepted() throws Exception {
    String body = purchase("paid").put("event_type", "purchase.paid").encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(Outcome.SUCCEEDED, e.result().outcome());
    assertEquals(PURCHASE_ID, e.result().providerReference());
  }

  @ParameterizedTest(name = "purchase total {0} {1} -> event amount {0} minor units")
  @CsvSource({"1999, USD", "1000, JPY", "1234, BHD", "1234, KWD"})
  void webhookEventCarriesThePurchaseTotalAndCurrency(long total, String currency) throws Exception {
    JsonObject p = purchase("paid").put("event_type", "purchase.paid");
    p.getJsonObject("purchase").put("total", total).put("currency", currency);
    String body = p.encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals(total, e.amount());
    assertEquals(currency, e.currency());
  }

  @Test
  void webhookWithATamperedBodyIsRejected() throws Exception {
    String body = purchase("paid").put("event_type", "purchase.paid").encode();
    String sig = sign(keys, body);
    String forged = body.replace("\"paid\"", "\"paid\" ");
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctxWithKey(), webhook(forged, sig)));
  }

  @Test
  void webhookSignedWithAnotherKeyIsRejected() throws Exception {
    String body = purchase("paid").encode();
    String sig = sign(otherKeys, body);
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctxWithKey(), webhook(body, sig)));
  }

  @Test
  void webhookWithoutSignatureIsRejectedBeforeAnyCall() {
    String body = purchase("paid").encode();
    assertThrows(WebhookRejectedException.class,
        () -> connector.webhook(ctx(), new WebhookInput("POST", "http://r/v1/webhooks/revio", Map.of(), Map.of(), body)));
  }

  @Test
  void webhookWithGarbageSignatureIsRejected() {
    String body = purchase("paid").encode();
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctxWithKey(), webhook(body, "%%%not base64")));
  }

  @Test
  void webhookWithoutConfiguredKeyFetchesThePublicKeyFirst() throws Exception {
    String body = purchase("paid").encode();
    Step<WebhookEvent> s = connector.webhook(ctx(), webhook(body, sign(keys, body)));
    HttpCall call = call(s);
    assertEquals("GET", call.method());
    assertEquals("/public_key/", call.url());
    assertEquals(BEARER, call.headers());
    String pemAsJsonString = Json.encode(RevioSignature.toPem(keys.getPublic()));
    WebhookEvent e = done(next(s, reply(200, pemAsJsonString)));
    assertEquals(Outcome.SUCCEEDED, e.result().outcome());
  }

  @Test
  void publicKeyAnswerMayAlsoBeRawPem() throws Exception {
    String body = purchase("paid").encode();
    Step<WebhookEvent> s = connector.webhook(ctx(), webhook(body, sign(keys, body)));
    WebhookEvent e = done(next(s, reply(200, RevioSignature.toPem(keys.getPublic()))));
    assertEquals(CHARGE_ID, e.chargeId());
  }

  @Test
  void fetchedPublicKeyIsReusedForTheNextWebhook() throws Exception {
    String body = purchase("paid").encode();
    Step<WebhookEvent> first = connector.webhook(ctx(), webhook(body, sign(keys, body)));
    done(next(first, reply(200, Json.encode(RevioSignature.toPem(keys.getPublic())))));
    String body2 = purchase("pending_charge").encode();
    WebhookEvent e = done(connector.webhook(ctx(), webhook(body2, sign(keys, body2))));
    assertEquals(Outcome.PENDING, e.result().outcome());
  }

  @Test
  void forgedWebhookAfterAFreshKeyFetchIsRejectedWithoutFetchingAgain() throws Exception {
    String body = purchase("paid").encode();
    done(next(connector.webhook(ctx(), webhook(body, sign(keys, body))),
        reply(200, Json.encode(RevioSignature.toPem(keys.getPublic())))));
    String forgedSig = sign(otherKeys, body);
    assertThrows(WebhookRejectedException.class, () -> connector.webhook(ctx(), webhook(body, forgedSig)));
  }

  @Test
  void failingPublicKeyFetchIsUnavailableNotAccepted() throws Exception {
    String body = purchase("paid").encode();
    Step<WebhookEvent> s = connector.webhook(ctx(), webhook(body, sign(keys, body)));
    assertThrows(PspUnavailableException.class, () -> next(s, reply(500, "")));
  }

  @Test
  void webhookOfADeclinedPurchaseCarriesTheDecline() throws Exception {
    String body = declinedPurchase("insufficient_funds").put("event_type", "purchase.payment_failure").encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals(Outcome.DECLINED, e.result().outcome());
    assertEquals(DeclineCode.INSUFFICIENT_FUNDS, e.result().declineCode());
  }

  @Test
  void webhookOfACreatedPurchaseIsPendingLikeItsInquiry() throws Exception {
    String body = purchase("created").put("event_type", "purchase.created").encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals(CHARGE_ID, e.reference());
    assertEquals(PspResult.pending(PURCHASE_ID, "created"), e.result());
  }

  @Test
  void webhookOfACancelledPurchaseIsProvenNotCharged() throws Exception {
    String body = purchase("cancelled").put("event_type", "purchase.cancelled").encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals(Outcome.NOT_SENT, e.result().outcome());
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, e.result().notSentReason());
  }

  @Test
  void webhookCarriesTheEchoedAttemptReferenceThePurchaseIdAmountAndCurrency() throws Exception {
    JsonObject p = purchase("paid").put("reference", "ch_123-2").put("event_type", "purchase.paid");
    String body = p.encode();
    WebhookEvent e = done(connector.webhook(ctxWithKey(), webhook(body, sign(keys, body))));
    assertEquals("ch_123-2", e.reference());
    assertEquals(CHARGE_ID, e.chargeId());
    assertEquals(PURCHASE_ID, e.result().providerReference());
    assertEquals(1999L, e.amount());
    assertEquals("USD", e.currency());
  }

  @Test
  void pkcs1PemIsParsedToTheSameKey() {
    byte[] spki = keys.getPublic().getEncoded();
    byte[] pkcs1 = Arrays.copyOfRange(spki, 24, spki.length); // 2048-bit SPKI header is 24 bytes
    String pem = "-----BEGIN RSA PUBLIC KEY-----\n" + Base64.getEncoder().encodeToString(pkcs1)
        + "\n-----END RSA PUBLIC KEY-----\n";
    assertEquals(keys.getPublic(), RevioSignature.parsePublicKey(pem));
  }

  // ---------------------------------------------------------------- helpers

  static CallContext ctx() {
    return ctx(new JsonObject().put("brand_id", BRAND));
  }

  static CallContext ctxWithKey() {
    return ctx(new JsonObject().put("brand_id", BRAND).put("public_key", RevioSignature.toPem(keys.getPublic())));
  }

  static CallContext ctx(JsonObject options) {
    return new CallContext(new ProviderConfig("revio", "revio", true, "http://127.0.0.1:1/revio/api/v1",
        Map.of("secret_key", SECRET), Set.of("USD", "JPY"), 5000, BreakerConfig.DEFAULT, options), null);
  }

  static Map<String, String> token() {
    return Map.of("client_id", "client-1", "recurring_token", "rt-1");
  }

  static ChargeInput input(long amount, String currency, String callbackUrl) {
    return new ChargeInput(CHARGE_ID, "att_1", CHARGE_ID, amount, currency, "visa", token(), "Order 1001",
        "cust-42", null, callbackUrl);
  }

  static JsonObject purchase(String status) {
    return new JsonObject().put("id", PURCHASE_ID).put("type", "purchase").put("status", status)
        .put("reference", CHARGE_ID).put("is_test", true)
        .put("purchase", new JsonObject().put("currency", "USD").put("total", 1999))
        .put("transaction_data", new JsonObject().put("attempts", new JsonArray()));
  }

  static JsonObject declinedPurchase(String code) {
    JsonObject p = purchase("error");
    p.getJsonObject("transaction_data").getJsonArray("attempts").add(new JsonObject()
        .put("successful", false).put("error", new JsonObject().put("code", code).put("message", "m")));
    return p;
  }

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, Map.of("content-type", "application/json"), body);
  }

  static WebhookInput webhook(String body, String signature) {
    return new WebhookInput("POST", "http://router/v1/webhooks/revio", Map.of(),
        Map.of("x-signature", signature, "content-type", "application/json"), body);
  }

  static String sign(KeyPair kp, String body) throws Exception {
    Signature s = Signature.getInstance("SHA256withRSA");
    s.initSign(kp.getPrivate());
    s.update(body.getBytes(StandardCharsets.UTF_8));
    return Base64.getEncoder().encodeToString(s.sign());
  }

  Step<PspResult> chargeStep() {
    Step<PspResult> s = connector.charge(ctx(), input(1999, "USD", null));
    return next(s, reply(201, purchase("created").encode()));
  }

  PspResult chargeAnswer(int status, String body) {
    return done(next(chargeStep(), reply(status, body)));
  }

  InquiryResult inquiry(int status, String body) {
    return inquiry(CHARGE_ID, status, body);
  }

  InquiryResult inquiry(String reference, int status, String body) {
    return done(next(connector.inquire(ctx(), new InquiryInput(CHARGE_ID, reference, PURCHASE_ID, 1999, "USD")),
        reply(status, body)));
  }

  Step<InquiryResult> cancelStep(String reference) {
    return connector.cancel(ctx(), new InquiryInput(CHARGE_ID, reference, PURCHASE_ID, 1999, "USD")).orElseThrow();
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
