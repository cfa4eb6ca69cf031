package io.payrouter.connector.processout;

import io.payrouter.domain.WebhookRejectedException;

import static io.payrouter.connector.processout.ProcessOutFixtures.BASIC;
import static io.payrouter.connector.processout.ProcessOutFixtures.call;
import static io.payrouter.connector.processout.ProcessOutFixtures.connector;
import static io.payrouter.connector.processout.ProcessOutFixtures.ctx;
import static io.payrouter.connector.processout.ProcessOutFixtures.done;
import static io.payrouter.connector.processout.ProcessOutFixtures.reply;
import static io.payrouter.connector.processout.ProcessOutFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.payrouter.connector.HttpCall;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

class ProcessOutWebhookTest {

  static WebhookInput input(String body) {
    return new WebhookInput("POST", "http://127.0.0.1:1/v1/webhooks/processout", Map.of(),
        Map.of("content-type", "application/json"), body);
  }

  static JsonObject event(String id, String name, JsonObject data) {
    return new JsonObject().put("success", true).put("event", new JsonObject().put("id", id).put("name", name)
        .put("sandbox", true).put("data", data));
  }

  static JsonObject capturedData() {
    return new JsonObject().put("transaction", tx("completed"))
        .put("invoice", new JsonObject().put("id", "iv_1").put("order_id", "ch_1"));
  }

  private static Function<io.payrouter.connector.HttpReply, Step<WebhookEvent>> fetch() {
    return call(connector().webhook(ctx(), input("{\"event_id\":\"ev_1\"}"))).next();
  }

  @Test
  void callbackFetchesTheEventWithBasicAuthAndApiVersion() {
    HttpCall c = call(connector().webhook(ctx(), input("{\"event_id\":\"ev_1\"}"))).call();
    assertEquals("GET", c.method());
    assertEquals("/events/ev_1", c.url());
    assertEquals(BASIC, c.headers().get("Authorization"));
    assertEquals("1.4.0.0", c.headers().get("API-Version"));
  }

  @Test
  void capturedTransactionEventSettlesTheChargeOfTheInvoiceOrderId() {
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "transaction.captured", capturedData()))));
    assertEquals("ch_1", e.chargeId());
    assertEquals(PspResult.succeeded("iv_1"), e.result());
  }

  @Test
  void eventCarriesTheOrderIdProcessOutEchoesForALaterAttempt() {
    JsonObject data = new JsonObject().put("transaction", tx("completed"))
        .put("invoice", new JsonObject().put("id", "iv_1").put("order_id", "ch_1-2"));
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "transaction.captured", data))));
    assertEquals("ch_1-2", e.reference());
    assertEquals("ch_1", e.chargeId());
    assertEquals("iv_1", e.result().providerReference());
    assertEquals(1999L, e.amount());
    assertEquals("USD", e.currency());
  }

  @Test
  void voidedTransactionEventIsProvenNotCharged() {
    JsonObject data = new JsonObject().put("transaction", tx("voided"))
        .put("invoice", new JsonObject().put("id", "iv_1").put("order_id", "ch_1"));
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "transaction.voided", data))));
    assertEquals(io.payrouter.domain.NotSentReason.PROVEN_NOT_CHARGED, e.result().notSentReason());
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "transaction amount \"{0}\" {1} -> event amount {2} minor units")
  @org.junit.jupiter.params.provider.CsvSource({"19.99, USD, 1999", "1000, JPY, 1000", "1.234, BHD, 1234",
      "0.500, KWD, 500"})
  void eventCarriesTheTransactionsAmountInMinorUnitsAndCurrency(String major, String currency, long minor) {
    JsonObject data = capturedData().put("transaction", tx("completed").put("amount", major).put("currency", currency));
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "transaction.captured", data))));
    assertEquals(minor, e.amount());
    assertEquals(currency, e.currency());
  }

  @Test
  void failedTransactionEventIsADecline() {
    JsonObject data = capturedData().put("transaction", tx("failed").put("error_code", "card.no-money"));
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "transaction.failed", data))));
    assertEquals(io.payrouter.domain.Outcome.DECLINED, e.result().outcome());
  }

  @Test
  void nonTransactionEventIsIgnored() {
    WebhookEvent e = done(fetch().apply(reply(200, event("ev_1", "customer.token.created", new JsonObject()))));
    assertEquals(WebhookEvent.ignored(), e);
  }

  @Test
  void unknownEventIsRejected() {
    var next = fetch();
    assertThrows(WebhookRejectedException.class,
        () -> next.apply(reply(404, "{\"success\":false,\"error_type\":\"resource.event.not-found\"}")));
  }

  @Test
  void eventFetchRefusedForCredentialsIsRejected() {
    var next = fetch();
    assertThrows(WebhookRejectedException.class, () -> next.apply(reply(401, "")));
  }

  @Test
  void eventFetchServerErrorIsPspUnavailableSoProcessOutRetries() {
    var next = fetch();
    assertThrows(PspUnavailableException.class, () -> next.apply(reply(500, "")));
  }

  @Test
  void eventWithAnotherIdIsRejected() {
    var next = fetch();
    assertThrows(WebhookRejectedException.class,
        () -> next.apply(reply(200, event("ev_other", "transaction.captured", capturedData()))));
  }

  @Test
  void bodyWithoutEventIdIsRejected() {
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), input("{\"transaction\":{}}")));
  }

  @Test
  void bodyThatIsNotJsonIsRejected() {
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), input("event_id=ev_1")));
  }

  @Test
  void eventIdWithPathCharactersIsRejected() {
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), input("{\"event_id\":\"../invoices/iv_1\"}")));
  }

  @Test
  void bodyFieldsOtherThanEventIdAreNeverTrusted() {
    String forged = "{\"event_id\":\"ev_1\",\"data\":{\"transaction\":{\"status\":\"completed\"}}}";
    Step<WebhookEvent> s = connector().webhook(ctx(), input(forged));
    WebhookEvent e = done(call(s).next().apply(reply(200, event("ev_1", "transaction.failed",
        capturedData().put("transaction", tx("failed"))))));
    assertEquals(io.payrouter.domain.Outcome.DECLINED, e.result().outcome());
  }

  @Test
  void orderIdMissingFromTheEventIsReadFromTheInvoice() {
    JsonObject data = new JsonObject().put("transaction", tx("completed"));
    Step.Call<WebhookEvent> invoiceFetch = call(fetch().apply(reply(200, event("ev_1", "transaction.captured", data))));
    assertEquals("/invoices/iv_1", invoiceFetch.call().url());
    WebhookEvent e = done(invoiceFetch.next().apply(reply(200, ProcessOutFixtures.invoiceCreated("iv_1"))));
    assertEquals("ch_1", e.chargeId());
    assertEquals(PspResult.succeeded("iv_1"), e.result());
    assertEquals(1999L, e.amount());
  }
}
