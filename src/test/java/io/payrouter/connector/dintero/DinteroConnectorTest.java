package io.payrouter.connector.dintero;

import static io.payrouter.connector.dintero.DinteroFixtures.AID;
import static io.payrouter.connector.dintero.DinteroFixtures.NOW_MS;
import static io.payrouter.connector.dintero.DinteroFixtures.answer;
import static io.payrouter.connector.dintero.DinteroFixtures.call;
import static io.payrouter.connector.dintero.DinteroFixtures.charge;
import static io.payrouter.connector.dintero.DinteroFixtures.connector;
import static io.payrouter.connector.dintero.DinteroFixtures.ctx;
import static io.payrouter.connector.dintero.DinteroFixtures.done;
import static io.payrouter.connector.dintero.DinteroFixtures.provider;
import static io.payrouter.connector.dintero.DinteroFixtures.reply;
import static io.payrouter.connector.dintero.DinteroFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.common.FieldError;
import io.payrouter.connector.AccessToken;
import io.payrouter.connector.CallContext;
import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.Step;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DinteroConnectorTest {

  // ---------------------------------------------------------------- authenticate

  private Step.Call<AccessToken> auth(CallContext c) {
    return call(connector().authenticate(c).orElseThrow());
  }

  @Test
  void typeIsDintero() {
    assertEquals("dintero", connector().type());
  }

  @Test
  void authenticatePostsToTokenPathUnderBaseUrlByDefault() {
    HttpCall c = auth(ctx()).call();
    assertEquals("POST", c.method());
    assertEquals("/accounts/T11223344/auth/token", c.url());
    assertFalse(c.movesMoney());
  }

  @Test
  void authenticateUsesBasicClientIdAndSecret() {
    String expected = "Basic " + Base64.getEncoder().encodeToString("cid:csecret".getBytes(StandardCharsets.UTF_8));
    assertEquals(expected, auth(ctx()).call().headers().get("Authorization"));
  }

  @Test
  void authenticateSendsClientCredentialsGrantWithDefaultAudience() {
    assertEquals(new JsonObject().put("grant_type", "client_credentials")
            .put("audience", "https://api.dintero.com/v1/accounts/T11223344"),
        new JsonObject(auth(ctx()).call().body()));
  }

  @Test
  void authenticateUsesAuthUrlOptionAsAbsoluteBase() {
    CallContext c = new CallContext(provider(new JsonObject().put("account_id", AID)
        .put("auth_url", "https://api.dintero.com/v1/")), null);
    assertEquals("https://api.dintero.com/v1/accounts/T11223344/auth/token", auth(c).call().url());
  }

  @Test
  void authenticateUsesConfiguredAudience() {
    CallContext c = new CallContext(provider(new JsonObject().put("account_id", AID)
        .put("audience", "https://example.test/aud")), null);
    assertEquals("https://example.test/aud", new JsonObject(auth(c).call().body()).getString("audience"));
  }

  @Test
  void authenticateYieldsTokenExpiringAfterExpiresInFromTheClock() {
    AccessToken t = done(auth(ctx()).next().apply(reply(200,
        new JsonObject().put("access_token", "at_9").put("token_type", "Bearer").put("expires_in", 3600))));
    assertEquals(new AccessToken("at_9", NOW_MS + 3_600_000L), t);
  }

  @Test
  void authenticateFailureThrowsPspUnavailableWithStatus() {
    var next = auth(ctx()).next();
    PspUnavailableException e = assertThrows(PspUnavailableException.class,
        () -> next.apply(reply(401, "{\"error\":{\"code\":\"unauthorized\"}}")));
    assertEquals("auth failed: 401", e.getMessage());
  }

  @Test
  void authenticateAnswerWithoutAccessTokenThrowsPspUnavailable() {
    var next = auth(ctx()).next();
    assertThrows(PspUnavailableException.class, () -> next.apply(reply(200, "{\"expires_in\":3600}")));
  }

  // ---------------------------------------------------------------- charge request

  @Test
  void chargeWithoutAccessTokenIsAnAuthenticationFailureAndMakesNoCall() {
    PspResult r = done(connector().charge(new CallContext(provider(), null), charge(1000)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.AUTHENTICATION_FAILED, r.notSentReason());
  }

  @Test
  void chargePostsSessionsPayWithBearerAndStrictMerchantReferenceToggle() {
    HttpCall c = call(connector().charge(ctx(), charge(1000))).call();
    assertEquals("POST", c.method());
    assertEquals("/sessions/pay", c.url());
    assertEquals(Map.of("Authorization", "Bearer at_123", "Content-Type", "application/json",
        "Accept", "application/json", "Dintero-Feature-Toggles", "strict-merchant-reference"), c.headers());
  }

  @Test
  void chargeCallMovesMoneyWithoutCheckpoint() {
    HttpCall c = call(connector().charge(ctx(), charge(1000))).call();
    assertTrue(c.movesMoney());
    assertNull(c.checkpoint());
  }

  @Test
  void chargeBodyWithPaymentTokenIsAnUnscheduledPurchase() {
    HttpCall c = call(connector().charge(ctx(), charge(29990, "NOK",
        Map.of("payment_product_type", "dintero_psp.creditcard", "payment_token", "pt_1"),
        "a@example.com", "https://router.example/v1/webhooks/dintero"))).call();
    JsonObject expected = new JsonObject()
        .put("session", new JsonObject()
            .put("order", new JsonObject().put("amount", 29990).put("currency", "NOK").put("merchant_reference", "ch_1"))
            .put("customer", new JsonObject().put("email", "a@example.com")
                .put("tokens", new JsonObject().put("dintero_psp.creditcard", new JsonObject().put("payment_token", "pt_1"))))
            .put("url", new JsonObject().put("callback_url", "https://router.example/v1/webhooks/dintero?method=POST"))
            .put("configuration", new JsonObject().put("auto_capture", true)))
        .put("payment", new JsonObject().put("payment_product_type", "dintero_psp.creditcard")
            .put("operation", "unscheduled_purchase"));
    assertEquals(expected, new JsonObject(c.body()));
  }

  @Test
  void chargeBodyWithRecurrenceTokenIsARecurringPurchase() {
    HttpCall c = call(connector().charge(ctx(), charge(1000, "NOK",
        Map.of("payment_product_type", "payex.creditcard", "recurrence_token", "rt_1"), null, null))).call();
    JsonObject body = new JsonObject(c.body());
    assertEquals(new JsonObject().put("payment_product_type", "payex.creditcard").put("operation", "recurring_purchase"),
        body.getJsonObject("payment"));
    assertEquals(new JsonObject().put("payex.creditcard", new JsonObject().put("recurrence_token", "rt_1")),
        body.getJsonObject("session").getJsonObject("customer").getJsonObject("tokens"));
  }

  @Test
  void chargeBodyOmitsEmailAndCallbackUrlWhenAbsent() {
    JsonObject session = new JsonObject(call(connector().charge(ctx(), charge(1000))).call().body())
        .getJsonObject("session");
    assertFalse(session.containsKey("url"));
    assertFalse(session.getJsonObject("customer").containsKey("email"));
  }

  @Test
  void callbackUrlWithQueryGetsMethodPostAppendedWithAmpersand() {
    assertEquals("https://r.example/hook?x=1&method=POST", DinteroConnector.callbackUrl("https://r.example/hook?x=1"));
  }

  @Test
  void chargeAmountIsSentInMinorUnitsForEveryExponent() {
    for (String cur : List.of("JPY", "USD", "BHD", "KWD")) {
      JsonObject order = new JsonObject(call(connector().charge(ctx(), charge(1234, cur,
          Map.of("payment_product_type", "bambora.creditcard", "payment_token", "pt"), null, null))).call().body())
          .getJsonObject("session").getJsonObject("order");
      assertEquals(1234L, order.getLong("amount"), cur);
      assertEquals(cur, order.getString("currency"));
    }
  }

  @Test
  void chargeWithIncompleteTokenFieldsIsNoTokenAndMakesNoCall() {
    PspResult r = done(connector().charge(ctx(), charge(1000, "NOK", Map.of("payment_product_type", "payex.creditcard"), null, null)));
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.NO_TOKEN, r.notSentReason());
  }

  // ---------------------------------------------------------------- charge answers

  private PspResult chargeAnswer(int status, String body) {
    return answer(connector().charge(ctx(), charge(1000)), reply(status, body));
  }

  @Test
  void capturedAnswerSucceedsWithTransactionIdAsReference() {
    PspResult r = chargeAnswer(200, tx("CAPTURED").put("session_id", "s1").put("success", true).encode());
    assertEquals(PspResult.succeeded(AID + ".tx1"), r);
  }

  @Test
  void failedAnswerWithInsufficientFundsIsASoftDecline() {
    JsonObject t = tx("FAILED").put("events", new JsonArray().add(new JsonObject().put("event", "AUTHORIZE")
        .put("success", false).put("error", new JsonObject().put("code", "authorization").put("type", "INSUFFICIENT_FUNDS")
            .put("retry_policy", new JsonObject().put("retry_codes", new JsonArray().add("RETRY_AFTER_DELAY"))))));
    assertEquals(PspResult.declined(AID + ".tx1", DeclineCode.INSUFFICIENT_FUNDS, true, "INSUFFICIENT_FUNDS"),
        chargeAnswer(200, t.encode()));
  }

  @ParameterizedTest
  @ValueSource(ints = {401, 403})
  void refusedAccessTokenIsNotSent(int status) {
    PspResult r = chargeAnswer(status, "{\"error\":{\"code\":\"unauthorized\",\"message\":\"no\"}}");
    assertEquals(Outcome.NOT_SENT, r.outcome());
    assertEquals(NotSentReason.CREDENTIALS_REFUSED, r.notSentReason());
    assertEquals("unauthorized", r.providerCode());
  }

  /** sessions/pay documents neither 429 nor 503 (only the token call and transaction operations do). */
  @ParameterizedTest
  @ValueSource(ints = {429, 503})
  void throttledOrUnavailableSessionsPayIsInDoubt(int status) {
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(status, "").outcome());
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 502, 504})
  void serverErrorsAreInDoubt(int status) {
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(status, "{\"error\":{\"code\":\"server_error\"}}").outcome());
  }

  @Test
  void unparseableSuccessAnswerIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(200, "<html>oops</html>").outcome());
  }

  @Test
  void duplicateMerchantReferenceIsInDoubtSoTheInquirySettlesIt() {
    PspResult r = chargeAnswer(400, "{\"error\":{\"code\":\"DUPLICATE_MERCHANT_REFERENCE\",\"message\":\"dup\"}}");
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("DUPLICATE_MERCHANT_REFERENCE", r.providerCode());
  }

  @Test
  void invalidTokenAnswerIsAHardInvalidTokenDecline() {
    PspResult r = chargeAnswer(400, "{\"error\":{\"code\":\"INVALID_TOKEN\",\"message\":\"revoked\"}}");
    assertEquals(PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, "INVALID_TOKEN"), r);
  }

  @Test
  void otherBadRequestIsInDoubtNeverABlindFailover() {
    assertEquals(Outcome.IN_DOUBT, chargeAnswer(400, "{\"error\":{\"code\":\"validation_error\"}}").outcome());
  }

  // ---------------------------------------------------------------- inquiry

  @Test
  void inquiryWithTransactionIdGetsThatTransactionWithBearer() {
    HttpCall c = call(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK"))).call();
    assertEquals("GET", c.method());
    assertEquals("/transactions/T11223344.tx1", c.url());
    assertEquals("Bearer at_123", c.headers().get("Authorization"));
    assertFalse(c.movesMoney());
  }

  @Test
  void inquiryWithoutTransactionIdListsByMerchantReference() {
    HttpCall c = call(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK"))).call();
    assertEquals("/transactions?merchant_reference=ch_1", c.url());
  }

  @Test
  void inquiryFindsCapturedTransactionById() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(200, tx("CAPTURED")));
    assertEquals(InquiryResult.found(PspResult.succeeded(AID + ".tx1")), r);
  }

  @Test
  void inquiryByIdAnswered404IsNotFound() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(404, "{\"error\":{\"code\":\"not_found\"}}"));
    assertEquals(InquiryResult.Kind.NOT_FOUND, r.kind());
  }

  @Test
  void inquiryWithEmptyListIsNotFound() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK")), reply(200, "[]"));
    assertEquals(InquiryResult.Kind.NOT_FOUND, r.kind());
  }

  @Test
  void inquiryListPrefersTheSucceededTransaction() {
    JsonArray list = new JsonArray().add(tx("FAILED").put("id", "a")).add(tx("CAPTURED").put("id", "b"));
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK")), reply(200, list.encode()));
    assertEquals(InquiryResult.found(PspResult.succeeded("b")), r);
  }

  @Test
  void inquiryListHoldingOnlyOtherMerchantReferencesCannotSay() {
    JsonArray list = new JsonArray().add(tx("CAPTURED").put("merchant_reference", "ch_other"));
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK")), reply(200, list.encode()));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryOfALaterAttemptListsByItsOwnReference() {
    HttpCall c = call(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1-2", null, 1000, "NOK"))).call();
    assertEquals("/transactions?merchant_reference=ch_1-2", c.url());
  }

  @Test
  void inquiryListPicksOnlyTheExactMerchantReference() {
    // Attempt 1 (ch_1) captured; attempt 2 (ch_1-2) failed: asked about attempt 2, only its own counts.
    JsonArray list = new JsonArray().add(tx("CAPTURED").put("id", "a"))
        .add(tx("FAILED").put("id", "b").put("merchant_reference", "ch_1-2"));
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1-2", null, 1000, "NOK")),
        reply(200, list.encode()));
    assertEquals(InquiryResult.Kind.FOUND, r.kind());
    assertEquals(Outcome.DECLINED, r.result().outcome());
    assertEquals("b", r.result().providerReference());
  }

  @Test
  void inquiryByIdOfATransactionOfAnotherAttemptIsUnknown() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1-2", AID + ".tx1", 1000, "NOK")),
        reply(200, tx("CAPTURED")));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryByIdOfATransactionWithoutMerchantReferenceIsUnknown() {
    JsonObject t = tx("CAPTURED");
    t.remove("merchant_reference");
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(200, t));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @ParameterizedTest(name = "inquiry finds {0} -> pending")
  @ValueSource(strings = {"INITIATED", "ON_HOLD", "UNKNOWN"})
  void initiatedOnHoldAndUnknownArePendingOnInquiry(String status) {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(200, tx(status)));
    assertEquals(InquiryResult.found(PspResult.pending(AID + ".tx1", status)), r);
  }

  /** One status table: the sessions/pay answer and the inquiry say the same of each status. */
  @Test
  void chargeAnswerAndInquiryReadOneStatusTable() {
    for (DinteroMapping.Status st : DinteroMapping.Status.values()) {
      PspResult paid = chargeAnswer(200, tx(st.name()).encode());
      InquiryResult asked = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
          reply(200, tx(st.name())));
      assertEquals(InquiryResult.found(paid), asked, st.name());
    }
  }

  @Test
  void dinteroOffersNoCancelByReference() {
    assertTrue(connector().cancel(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")).isEmpty());
  }

  @Test
  void inquiryServerErrorIsUnknown() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK")), reply(500, ""));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryUnparseableAnswerIsUnknown() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", null, 1000, "NOK")), reply(200, "{oops"));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryOfTransactionWithUnknownStatusIsUnknown() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(200, tx("SOMETHING_NEW")));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  @Test
  void inquiryOfTransactionOfAnotherReferenceIsUnknown() {
    InquiryResult r = answer(connector().inquire(ctx(), new InquiryInput("ch_1", "ch_1", AID + ".tx1", 1000, "NOK")),
        reply(200, tx("CAPTURED").put("merchant_reference", "ch_2")));
    assertEquals(InquiryResult.Kind.UNKNOWN, r.kind());
  }

  // ---------------------------------------------------------------- token fields

  private List<FieldError> validate(JsonObject token) {
    return connector().validateToken(token);
  }

  @Test
  void validTokenWithPaymentTokenHasNoErrors() {
    assertEquals(List.of(), validate(new JsonObject().put("payment_product_type", "bambora.creditcard").put("payment_token", "pt")));
  }

  @Test
  void validPayexRecurrenceTokenHasNoErrors() {
    assertEquals(List.of(), validate(new JsonObject().put("payment_product_type", "payex.creditcard").put("recurrence_token", "rt")));
  }

  @Test
  void missingPaymentProductTypeIsAnError() {
    assertEquals(List.of(FieldError.required("payment_product_type")),
        validate(new JsonObject().put("payment_token", "pt")));
  }

  @Test
  void unsupportedPaymentProductTypeIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "vipps").put("payment_token", "pt"));
    assertEquals(1, e.size());
    assertEquals("payment_product_type", e.get(0).field());
  }

  @Test
  void bothTokensAtOnceIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "payex.creditcard")
        .put("payment_token", "pt").put("recurrence_token", "rt"));
    assertEquals(List.of("recurrence_token"), e.stream().map(FieldError::field).toList());
  }

  @Test
  void neitherTokenIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "payex.creditcard"));
    assertEquals(List.of("payment_token"), e.stream().map(FieldError::field).toList());
  }

  @Test
  void recurrenceTokenOutsidePayexIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "dintero_psp.creditcard").put("recurrence_token", "rt"));
    assertEquals(List.of("recurrence_token"), e.stream().map(FieldError::field).toList());
  }

  @Test
  void unknownTokenFieldIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "payex.creditcard")
        .put("payment_token", "pt").put("cvc", "123"));
    assertEquals(List.of(FieldError.unknownField("cvc")), e);
  }

  @Test
  void emptyTokenStringIsAnError() {
    List<FieldError> e = validate(new JsonObject().put("payment_product_type", "payex.creditcard").put("payment_token", ""));
    assertEquals(List.of("payment_token"), e.stream().map(FieldError::field).toList());
  }

  @Test
  void tokenDeactivationIsNotOffered() {
    assertTrue(connector().deactivateToken(ctx(), Map.of("payment_token", "pt")).isEmpty());
  }
}
