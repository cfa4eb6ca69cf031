package io.payrouter.connector.processout;

import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.Step;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import java.util.Set;

/** Shared test data for the ProcessOut connector tests. */
final class ProcessOutFixtures {
  private ProcessOutFixtures() {}

  static final String BASIC = "Basic " + Base64.getEncoder()
      .encodeToString("test-proj_x:key_sandbox_x".getBytes(StandardCharsets.UTF_8));

  static CallContext ctx() {
    return new CallContext(new ProviderConfig("processout", "processout", true, "http://127.0.0.1:1/processout",
        Map.of("project_id", "test-proj_x", "project_secret", "key_sandbox_x"), Set.of("USD"), 5000,
        BreakerConfig.DEFAULT, new JsonObject()), null);
  }

  static final Map<String, String> TOKEN = Map.of("customer_id", "cust_1", "token_id", "tok_1");

  static ChargeInput charge(long amount, String currency, String description, String callback) {
    return new ChargeInput("ch_1", "att_1", "ch_1", amount, currency, "visa", TOKEN, description, "cust-42", null, callback);
  }

  static ChargeInput charge(long amount) {
    return charge(amount, "USD", "Order 1", null);
  }

  static ProcessOutConnector connector() {
    return new ProcessOutConnector();
  }

  static HttpReply reply(int status, String body) {
    return new HttpReply(status, Map.of("content-type", "application/json"), body);
  }

  static HttpReply reply(int status, JsonObject body) {
    return reply(status, body.encode());
  }

  static JsonObject invoiceCreated(String id) {
    return new JsonObject().put("success", true).put("invoice", new JsonObject().put("id", id)
        .put("order_id", "ch_1").put("amount", "19.99").put("currency", "USD"));
  }

  static JsonObject tx(String status) {
    return new JsonObject().put("id", "tr_1").put("invoice_id", "iv_1").put("status", status)
        .put("amount", "19.99").put("currency", "USD");
  }

  static JsonObject captured(String status) {
    return new JsonObject().put("success", true).put("transaction", tx(status));
  }

  static JsonObject error(String type) {
    return new JsonObject().put("success", false).put("error_type", type).put("message", "m");
  }

  static <T> Step.Call<T> call(Step<T> s) {
    if (!(s instanceof Step.Call<T> c)) throw new AssertionError("expected a call, got " + s);
    return c;
  }

  static <T> T done(Step<T> s) {
    if (!(s instanceof Step.Done<T> d)) throw new AssertionError("expected done, got " + s);
    return d.value();
  }

  static <T> T answer(Step<T> s, HttpReply r) {
    return done(call(s).next().apply(r));
  }
}
