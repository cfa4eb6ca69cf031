package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.simulator.SimCredentials;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.UUID;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Webhooks over real HTTP, router and Fatora simulator: a genuine callback is applied only when the
 * money the PSP confirms is the charge's. Fatora does not de-duplicate {@code order_id}, so a second
 * collect-payment for the same order with another amount makes {@code verify} answer about other
 * money than the charge: exactly the case the amount check exists for.
 */
@ExtendWith(VertxExtension.class)
class WebhookSafetyTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  /** The Fatora simulator fixture's relay secret (its providerConfig). */
  static final String FATORA_WEBHOOK_SECRET = "fatora_sim_webhook_secret";
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  /** A Fatora card charged 19.99 USD; answers the charge id and the card token. */
  static Future<String[]> fatoraCharge(Api api) {
    JsonObject token = Api.token("fatora", "");
    return api.card(KEY, new JsonObject().put("fatora", token))
        .compose(cardId -> api.charge(KEY, "wh-" + UUID.randomUUID(), new JsonObject().put("amount", 1999)
            .put("currency", "USD").put("card_id", cardId).put("metadata", new JsonObject().put("route", "fatora"))))
        .map(r -> {
          JsonObject c = r.bodyAsJsonObject();
          if (!"succeeded".equals(c.getString("status")) || !"fatora".equals(c.getString("provider"))) {
            throw new AssertionError("charge not taken by fatora: " + c.encode());
          }
          return new String[] {c.getString("id"), token.getString("card_token")};
        });
  }

  static Future<HttpResponse<Buffer>> relayedCallback(Api api, String chargeId) {
    String body = new JsonObject().put("order_id", chargeId).encode();
    return api.request(HttpMethod.POST, "/v1/webhooks/fatora", null)
        .putHeader("Content-Type", "application/json")
        .putHeader("X-Signature", hmacHex(FATORA_WEBHOOK_SECRET, body))
        .sendBuffer(Buffer.buffer(body));
  }

  static String hmacHex(String secret, String body) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(body.getBytes(StandardCharsets.UTF_8)));
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void callbackWhoseVerifiedAmountIsTheChargesIsApplied(Vertx vertx, VertxTestContext tc) {
    Api api = new Api(vertx, h);
    fatoraCharge(api).compose(c -> relayedCallback(api, c[0])).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(200, r.statusCode(), r.bodyAsString());
      assertEquals(new JsonObject().put("received", true).put("applied", true), r.bodyAsJsonObject());
      tc.completeNow();
    })));
  }

  @Test
  void callbackWhoseVerifiedAmountDiffersIsRefusedWith200AndFlagged(Vertx vertx, VertxTestContext tc) {
    Api api = new Api(vertx, h);
    fatoraCharge(api).compose(c ->
            // The same order collected again for 5.00: verify now answers about that payment.
            api.client.postAbs(h.simulatorUrl() + "/fatora/v1/payments/collect-payment")
                .putHeader("api_key", SimCredentials.FATORA_API_KEY)
                .sendJsonObject(new JsonObject().put("card_token", c[1]).put("order_id", c[0])
                    .put("amount", new java.math.BigDecimal("5.00")))
                .compose(x -> relayedCallback(api, c[0]))
                .compose(r -> api.get("/v1/charges/" + c[0], KEY).compose(after -> api.get("/metrics", null)
                    .map(m -> new Object[] {r, after.bodyAsJsonObject(), m.bodyAsString()}))))
        .onComplete(tc.succeeding(o -> tc.verify(() -> {
          @SuppressWarnings("unchecked")
          HttpResponse<Buffer> r = (HttpResponse<Buffer>) o[0];
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertEquals(new JsonObject().put("received", true).put("applied", false).put("refused", "amount_mismatch"),
              r.bodyAsJsonObject());
          assertEquals("succeeded", ((JsonObject) o[1]).getString("status"), "the charge is unchanged");
          assertTrue(((String) o[2]).contains("router_webhook_mismatch_total{provider=\"fatora\"}"), "metric missing");
          tc.completeNow();
        })));
  }
}
