package io.payrouter.connector.dintero;

import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.Step;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.Set;

/** Shared test data for the Dintero connector tests. */
final class DinteroFixtures {
  private DinteroFixtures() {}

  static final String AID = "T11223344";
  static final String SECRET = "sig_secret_for_tests";
  static final long NOW_MS = 1_700_000_000_000L;
  static final Clock CLOCK = Clock.fixed(Instant.ofEpochMilli(NOW_MS), ZoneOffset.UTC);

  static ProviderConfig provider(JsonObject options) {
    return new ProviderConfig("dintero", "dintero", true, "http://127.0.0.1:1/dintero/v1",
        Map.of("client_id", "cid", "client_secret", "csecret", "signature_secret", SECRET),
        Set.of("NOK"), 5000, BreakerConfig.DEFAULT, options);
  }

  static ProviderConfig provider() {
    return provider(new JsonObject().put("account_id", AID));
  }

  static CallContext ctx() {
    return new CallContext(provider(), "at_123");
  }

  static DinteroConnector connector() {
    return new DinteroConnector(CLOCK);
  }

  static ChargeInput charge(long amount, String currency, Map<String, String> token, String email, String callback) {
    return new ChargeInput("ch_1", "att_1", "ch_1", amount, currency, "visa", token, "Order 1", "cust-1", email, callback);
  }

  static ChargeInput charge(long amount) {
    return charge(amount, "NOK", Map.of("payment_product_type", "dintero_psp.creditcard", "payment_token", "pt_1"),
        null, null);
  }

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, Map.of("content-type", "application/json"), body);
  }

  static HttpReply reply(int status, JsonObject body) {
    return reply(status, body.encode());
  }

  static JsonObject tx(String status) {
    return new JsonObject().put("id", AID + ".tx1").put("status", status).put("amount", 1000)
        .put("currency", "NOK").put("merchant_reference", "ch_1");
  }

  @SuppressWarnings("unchecked")
  static <T> Step.Call<T> call(Step<T> s) {
    if (!(s instanceof Step.Call<T> c)) throw new AssertionError("expected a call, got " + s);
    return c;
  }

  @SuppressWarnings("unchecked")
  static <T> T done(Step<T> s) {
    if (!(s instanceof Step.Done<T> d)) throw new AssertionError("expected done, got " + s);
    return d.value();
  }

  /** Feeds one reply to a one-call flow and returns its value. */
  static <T> T answer(Step<T> s, HttpReply r) {
    return done(call(s).next().apply(r));
  }
}
