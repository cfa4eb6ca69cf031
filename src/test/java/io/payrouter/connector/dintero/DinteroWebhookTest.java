package io.payrouter.connector.dintero;

import io.payrouter.domain.WebhookRejectedException;

import static io.payrouter.connector.dintero.DinteroFixtures.AID;
import static io.payrouter.connector.dintero.DinteroFixtures.NOW_MS;
import static io.payrouter.connector.dintero.DinteroFixtures.SECRET;
import static io.payrouter.connector.dintero.DinteroFixtures.call;
import static io.payrouter.connector.dintero.DinteroFixtures.connector;
import static io.payrouter.connector.dintero.DinteroFixtures.ctx;
import static io.payrouter.connector.dintero.DinteroFixtures.done;
import static io.payrouter.connector.dintero.DinteroFixtures.provider;
import static io.payrouter.connector.dintero.DinteroFixtures.reply;
import static io.payrouter.connector.dintero.DinteroFixtures.tx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.payrouter.connector.CallContext;
import io.payrouter.connector.HttpCall;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DinteroWebhookTest {

  static final String URL = "http://127.0.0.1:8080/v1/webhooks/dintero?method=POST&transaction_id=T11223344.tx1"
      + "&session_id=T11223344.s1&merchant_reference=ch_1&time=2023-11-14T22%3A13%3A20Z&event=CAPTURE";

  static Map<String, String> query() {
    Map<String, String> q = new LinkedHashMap<>();
    q.put("method", "POST");
    q.put("transaction_id", "T11223344.tx1");
    q.put("session_id", "T11223344.s1");
    q.put("merchant_reference", "ch_1");
    q.put("time", "2023-11-14T22:13:20Z");
    q.put("event", "CAPTURE");
    return q;
  }

  static WebhookInput signed(String method, String url, long tsSeconds, String secret) {
    String header = DinteroSignature.header(secret, AID, method, url, tsSeconds);
    return new WebhookInput(method, url, query(), Map.of("dintero-signature", header), "");
  }

  static WebhookInput valid() {
    return signed("POST", URL, NOW_MS / 1000, SECRET);
  }

  @Test
  void genuineCallbackFetchesTheTransactionWithBearer() {
    HttpCall c = call(connector().webhook(ctx(), valid())).call();
    assertEquals("GET", c.method());
    assertEquals("/transactions/T11223344.tx1", c.url());
    assertEquals("Bearer at_123", c.headers().get("Authorization"));
    assertFalse(c.movesMoney());
  }

  @Test
  void genuineCallbackYieldsTheFetchedTransactionsState() {
    Step<WebhookEvent> s = connector().webhook(ctx(), valid());
    WebhookEvent e = done(call(s).next().apply(reply(200, tx("CAPTURED"))));
    assertEquals("ch_1", e.chargeId());
    assertEquals(PspResult.succeeded(AID + ".tx1"), e.result());
  }

  @Test
  void eventCarriesTheFetchedTransactionsAmountAndCurrency() {
    Step<WebhookEvent> s = connector().webhook(ctx(), valid());
    WebhookEvent e = done(call(s).next().apply(reply(200, tx("CAPTURED").put("amount", 29990).put("currency", "SEK"))));
    assertEquals(29990L, e.amount());
    assertEquals("SEK", e.currency());
  }

  @Test
  void missingSignatureIsRejected() {
    WebhookInput in = new WebhookInput("POST", URL, query(), Map.of(), "");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void signatureWithAnotherSecretIsRejected() {
    WebhookInput in = signed("POST", URL, NOW_MS / 1000, "not-the-secret");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void signatureOlderThanFiveMinutesIsRejected() {
    WebhookInput in = signed("POST", URL, NOW_MS / 1000 - 301, SECRET);
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void signatureFourMinutesOldIsAccepted() {
    WebhookInput in = signed("POST", URL, NOW_MS / 1000 - 240, SECRET);
    call(connector().webhook(ctx(), in));
  }

  @Test
  void signatureFromTheFarFutureIsRejected() {
    WebhookInput in = signed("POST", URL, NOW_MS / 1000 + 301, SECRET);
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void tamperedQueryIsRejected() {
    WebhookInput good = valid();
    WebhookInput in = new WebhookInput("POST", URL.replace("ch_1", "ch_2"), good.query(), good.headers(), "");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void signatureForGetDoesNotVerifyAPost() {
    WebhookInput get = signed("GET", URL, NOW_MS / 1000, SECRET);
    WebhookInput in = new WebhookInput("POST", URL, get.query(), get.headers(), "");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(ctx(), in));
  }

  @Test
  void noConfiguredSignatureSecretRejectsEverything() {
    CallContext c = new CallContext(new io.payrouter.config.ProviderConfig("dintero", "dintero", true,
        "http://x/v1", Map.of(), java.util.Set.of(), 1000, io.payrouter.config.BreakerConfig.DEFAULT,
        new io.vertx.core.json.JsonObject().put("account_id", AID)), "at_123");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(c, valid()));
  }

  @Test
  void unknownTransactionIsRejected() {
    Step<WebhookEvent> s = connector().webhook(ctx(), valid());
    var next = call(s).next();
    assertThrows(WebhookRejectedException.class, () -> next.apply(reply(404, "{\"error\":{\"code\":\"not_found\"}}")));
  }

  @Test
  void transactionOfAnotherReferenceIsRejected() {
    var next = call(connector().webhook(ctx(), valid())).next();
    assertThrows(WebhookRejectedException.class,
        () -> next.apply(reply(200, tx("CAPTURED").put("merchant_reference", "ch_9"))));
  }

  @Test
  void transactionWithoutMerchantReferenceIsRejectedNeverTakenFromTheQuery() {
    var next = call(connector().webhook(ctx(), valid())).next();
    JsonObject t = tx("CAPTURED");
    t.remove("merchant_reference");
    assertThrows(WebhookRejectedException.class, () -> next.apply(reply(200, t)));
  }

  @Test
  void eventCarriesTheEchoedReferenceOfALaterAttempt() {
    WebhookInput in = signed("POST", URL.replace("merchant_reference=ch_1", "merchant_reference=ch_1-2"),
        NOW_MS / 1000, SECRET);
    WebhookEvent e = DinteroFixtures.<WebhookEvent>done(call(connector().webhook(ctx(), in)).next()
        .apply(reply(200, tx("CAPTURED").put("merchant_reference", "ch_1-2"))));
    assertEquals("ch_1-2", e.reference());
    assertEquals("ch_1", e.chargeId());
    assertEquals(AID + ".tx1", e.result().providerReference());
  }

  @Test
  void fetchFailureIsPspUnavailableSoDinteroRetries() {
    var next = call(connector().webhook(ctx(), valid())).next();
    assertThrows(PspUnavailableException.class, () -> next.apply(reply(503, "")));
  }

  @Test
  void callbackWithoutTransactionIdIsIgnored() {
    String url = "http://127.0.0.1:8080/v1/webhooks/dintero?merchant_reference=ch_1&error=authorization";
    String header = DinteroSignature.header(SECRET, AID, "GET", url, NOW_MS / 1000);
    WebhookInput in = new WebhookInput("GET", url, Map.of("merchant_reference", "ch_1", "error", "authorization"),
        Map.of("dintero-signature", header), "");
    assertEquals(WebhookEvent.ignored(), done(connector().webhook(ctx(), in)));
  }

  @Test
  void accountIdIsPartOfTheSignedString() {
    CallContext other = new CallContext(provider(new io.vertx.core.json.JsonObject().put("account_id", "T99999999")), "at");
    assertThrows(WebhookRejectedException.class, () -> connector().webhook(other, valid()));
  }

  @Test
  void parametersAreReadFromTheSignedUrlNotFromTheQueryMap() {
    WebhookInput good = valid();
    WebhookInput in = new WebhookInput("POST", URL, Map.of("transaction_id", "T11223344.evil"), good.headers(), "");
    assertEquals("/transactions/T11223344.tx1", call(connector().webhook(ctx(), in)).call().url());
  }
}
