package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Fee schedules from router.yaml over real HTTP and PostgreSQL: strategy least_cost sends a charge
 * to the cheapest provider, the charge records the fees expected when it was routed (also after a
 * read from the database), and explain shows each candidate's fee.
 */
@ExtendWith(VertxExtension.class)
class LeastCostRoutingTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String RULES = """
      rules:
        - name: usd-cheapest
          when: { currency: [USD] }
          strategy: least_cost
          providers: [revio, fatora]
      failover: { max_attempts: 2 }
      """;
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-fees"), RULES, 1000, yaml -> yaml
        .replace("  revio:\n    type: revio\n", "  revio:\n    type: revio\n    account_country: US\n"
            + "    fees: [ { percent: 2.9, fixed: 30 }, { cross_border: true, percent: 1.0 } ]\n")
        .replace("  fatora:\n    type: fatora\n", "  fatora:\n    type: fatora\n    account_country: US\n"
            + "    fees: [ { percent: 2.4, fixed: 25 }, { cross_border: true, percent: 1.5 } ]\n"));
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void leastCostSendsTheChargeToTheCheapestProviderAndTheChargeRecordsTheExpectedFees(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    HttpResponse<Buffer> r = await(api.charge(KEY, "fee-" + UUID.randomUUID(), new JsonObject().put("amount", 10_000)
        .put("currency", "USD").put("card_id", card)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject c = r.bodyAsJsonObject();
    assertEquals("fatora", c.getString("provider"), "2.4 % + 0.25 beats 2.9 % + 0.30: " + c.encode());
    JsonObject expected = new JsonObject().put("fatora", 265).put("revio", 320);
    assertEquals(expected, c.getJsonObject("routing").getJsonObject("expected_fees"));
    JsonObject stored = await(api.get("/v1/charges/" + c.getString("id"), KEY)).bodyAsJsonObject();
    assertEquals(expected, stored.getJsonObject("routing").getJsonObject("expected_fees"), "as stored: " + stored.encode());
  }

  @Test
  void explainShowsEachCandidatesFeeWithTheCrossBorderPart(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    HttpResponse<Buffer> r = await(api.post("/admin/routing/explain", RouterHarness.ADMIN_KEY, new JsonObject()
        .put("amount", 10_000).put("currency", "USD").put("brand", "visa").put("issuer_country", "DE")
        .put("providers", new io.vertx.core.json.JsonArray().add("revio").add("fatora"))));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject d = r.bodyAsJsonObject();
    // cross-border (DE card, US accounts): revio 2.9 % + 1 % + 0.30 = 4.20, fatora 2.4 % + 1.5 % + 0.25 = 4.15
    assertEquals(new JsonObject().put("fatora", 415).put("revio", 420), d.getJsonObject("expected_fees"), d.encode());
    assertTrue(d.getJsonArray("trace").encode().contains("fee 415 (cross-border)"), d.encode());
  }
}
