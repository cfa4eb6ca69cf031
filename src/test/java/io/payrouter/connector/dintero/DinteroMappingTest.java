package io.payrouter.connector.dintero;

import static io.payrouter.connector.dintero.DinteroFixtures.AID;
import static io.payrouter.connector.dintero.DinteroFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DinteroMappingTest {

  @ParameterizedTest(name = "{0} -> {1}")
  @CsvSource({
      "INITIATED, PENDING",
      "AUTHORIZED, SUCCEEDED",
      "AUTHORIZATION_VOIDED, DECLINED",
      "CAPTURED, SUCCEEDED",
      "PARTIALLY_CAPTURED, PENDING",
      "PARTIALLY_CAPTURED_REFUNDED, PENDING",
      "REFUNDED, SUCCEEDED",
      "PARTIALLY_REFUNDED, SUCCEEDED",
      "DECLINED, DECLINED",
      "FAILED, DECLINED",
      "UNKNOWN, PENDING",
      "ON_HOLD, PENDING"})
  void everyDocumentedStatusMapsToItsOutcome(String status, Outcome expected) {
    PspResult r = DinteroMapping.fromTransaction(tx(status));
    assertEquals(expected, r.outcome());
    assertEquals(AID + ".tx1", r.providerReference());
  }

  @Test
  void statusTableCoversExactlyTheTwelveDocumentedStatuses() {
    assertEquals(12, DinteroMapping.Status.values().length);
  }

  @Test
  void unknownStatusIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, DinteroMapping.fromTransaction(tx("SETTLED_SOMEHOW")).outcome());
  }

  @Test
  void missingStatusIsInDoubt() {
    assertEquals(Outcome.IN_DOUBT, DinteroMapping.fromTransaction(new JsonObject().put("id", "x")).outcome());
  }

  @Test
  void partiallyCapturedTransactionIsPendingNeverSucceeded() {
    assertEquals(PspResult.pending(AID + ".tx1", "PARTIALLY_CAPTURED"),
        DinteroMapping.fromTransaction(tx("PARTIALLY_CAPTURED")));
  }

  @Test
  void partiallyCapturedThenRefundedTransactionIsPendingNeverSucceeded() {
    assertEquals(PspResult.pending(AID + ".tx1", "PARTIALLY_CAPTURED_REFUNDED"),
        DinteroMapping.fromTransaction(tx("PARTIALLY_CAPTURED_REFUNDED")));
  }

  @Test
  void pendingKeepsTheStatusAsProviderCode() {
    assertEquals(PspResult.pending(AID + ".tx1", "ON_HOLD"), DinteroMapping.fromTransaction(tx("ON_HOLD")));
  }

  private static JsonObject failedWith(String type, String... retryCodes) {
    JsonArray codes = new JsonArray();
    for (String c : retryCodes) codes.add(c);
    JsonObject error = new JsonObject().put("code", "authorization").put("message", "m").put("type", type)
        .put("result_code", "x").put("retry_policy", new JsonObject().put("retry_codes", codes));
    return tx("FAILED").put("events", new JsonArray()
        .add(new JsonObject().put("event", "INITIALIZE").put("success", true))
        .add(new JsonObject().put("event", "AUTHORIZE").put("success", false).put("error", error)));
  }

  @ParameterizedTest(name = "{0} ({1}) -> {2} soft={3}")
  @CsvSource({
      "INSUFFICIENT_FUNDS, RETRY_AFTER_DELAY, INSUFFICIENT_FUNDS, true",
      "DECLINED, RETRY_AFTER_DELAY, DO_NOT_HONOR, true",
      "EXPIRED_CARD, DO_NOT_RETRY, EXPIRED_CARD, false",
      "PICK_UP_CARD, DO_NOT_RETRY, FRAUD_SUSPECTED, false",
      "ISSUER_ERROR, RETRY_IMMEDIATELY, GENERIC_DECLINE, true",
      "SOMETHING_ELSE, RETRY_AFTER_DELAY, GENERIC_DECLINE, true"})
  void declineTypesMapToCodeAndSoftness(String type, String retry, DeclineCode code, boolean soft) {
    assertEquals(PspResult.declined(AID + ".tx1", code, soft, type),
        DinteroMapping.fromTransaction(failedWith(type, retry)));
  }

  @Test
  void doNotRetryMakesAnOtherwiseSoftDeclineHard() {
    PspResult r = DinteroMapping.fromTransaction(failedWith("INSUFFICIENT_FUNDS", "DO_NOT_RETRY"));
    assertEquals(DeclineCode.INSUFFICIENT_FUNDS, r.declineCode());
    assertEquals(false, r.softDecline());
  }

  @Test
  void expiredCardIsHardEvenWhenDinteroAllowsRetry() {
    assertEquals(false, DinteroMapping.fromTransaction(failedWith("EXPIRED_CARD", "RETRY_AFTER_DELAY")).softDecline());
  }

  @Test
  void theLastEventErrorDecides() {
    JsonObject t = failedWith("INSUFFICIENT_FUNDS", "RETRY_AFTER_DELAY");
    t.getJsonArray("events").add(new JsonObject().put("event", "AUTHORIZE").put("success", false)
        .put("error", new JsonObject().put("type", "EXPIRED_CARD")));
    assertEquals(DeclineCode.EXPIRED_CARD, DinteroMapping.fromTransaction(t).declineCode());
  }

  @Test
  void declineWithoutErrorDetailsIsASoftGenericDecline() {
    assertEquals(PspResult.declined(AID + ".tx1", DeclineCode.GENERIC_DECLINE, true, "DECLINED"),
        DinteroMapping.fromTransaction(tx("DECLINED")));
  }

  @Test
  void voidedAuthorizationWithoutErrorIsAHardGenericDecline() {
    assertEquals(PspResult.declined(AID + ".tx1", DeclineCode.GENERIC_DECLINE, false, "AUTHORIZATION_VOIDED"),
        DinteroMapping.fromTransaction(tx("AUTHORIZATION_VOIDED")));
  }

  @Test
  void capturedHasNoProviderCodeButRefundedKeepsItsStatus() {
    assertNull(DinteroMapping.fromTransaction(tx("CAPTURED")).providerCode());
    assertEquals("REFUNDED", DinteroMapping.fromTransaction(tx("REFUNDED")).providerCode());
  }
}
