package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Routers of their own: one whose database goes down (new charges get 503 and no PSP is called),
 * and one restarted on the same data directory (every charge is still there).
 */
@ExtendWith(VertxExtension.class)
class OutageAndRestartTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;

  static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void databaseDownAnswers503AndCallsNoPsp(Vertx vertx) throws Exception {
    RouterHarness h = RouterHarness.start(Files.createTempDirectory("router-outage"), RouterHarness.routingYaml());
    try {
      Api api = new Api(vertx, h);
      String cachedCard = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
      // Warm the card cache and the key cache, so the outage is met at the charge's intent write.
      assertEquals(201, await(api.charge(KEY, "warm-" + System.nanoTime(),
          new JsonObject().put("amount", 100).put("currency", "USD").put("card_id", cachedCard))).statusCode());
      int before = await(api.ledgerTotal("fatora"));

      h.app.database.close(); // the embedded PostgreSQL stops

      var stored = await(api.charge(KEY, "down-1", new JsonObject().put("amount", 1999).put("currency", "USD")
          .put("card_id", cachedCard)));
      var inline = await(api.charge(KEY, "down-2", new JsonObject().put("amount", 1999).put("currency", "USD")
          .put("card", new JsonObject().put("brand", "visa").put("tokens", new JsonObject().put("fatora", Api.token("fatora", ""))))));
      var card = await(api.post("/v1/cards", KEY, new JsonObject().put("brand", "visa")
          .put("tokens", new JsonObject().put("fatora", Api.token("fatora", "")))));
      var read = await(api.get("/v1/charges/ch_unknown", KEY));
      ChargeApiTest.assertProblem(stored, 503);
      ChargeApiTest.assertProblem(inline, 503);
      ChargeApiTest.assertProblem(card, 503);
      ChargeApiTest.assertProblem(read, 503);
      assertEquals(before, await(api.ledgerTotal("fatora")), "no PSP call while the database is down");
      assertEquals(503, await(api.get("/health/ready", null)).statusCode());
    } finally {
      h.app.reconciler.stop();
      h.vertx.close();
    }
  }

  @Test
  void everyChargeIsStillThereAfterARestart(Vertx vertx) throws Exception {
    Path dir = Files.createTempDirectory("router-restart");
    RouterHarness first = RouterHarness.start(dir, RouterHarness.routingYaml());
    JsonObject charged;
    String cardId;
    try {
      Api api = new Api(vertx, first);
      cardId = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
      var r = await(api.charge(KEY, "restart-1", new JsonObject().put("amount", 1999).put("currency", "USD")
          .put("card_id", cardId).put("merchant_reference", "order-restart")));
      assertEquals(201, r.statusCode());
      charged = r.bodyAsJsonObject();
    } finally {
      first.close(); // lets the queued outcome writes land, then stops PostgreSQL
    }
    RouterHarness second = RouterHarness.start(dir, RouterHarness.routingYaml());
    try {
      Api api = new Api(vertx, second);
      var read = await(api.get("/v1/charges/" + charged.getString("id"), KEY));
      assertEquals(200, read.statusCode());
      assertEquals(charged, read.bodyAsJsonObject(), "the same charge, to the letter");
      var replay = await(api.charge(KEY, "restart-1", new JsonObject().put("amount", 1999).put("currency", "USD")
          .put("card_id", cardId).put("merchant_reference", "order-restart")));
      assertEquals("true", replay.getHeader("Idempotent-Replayed"));
      assertEquals(charged.getString("id"), replay.bodyAsJsonObject().getString("id"));
      // The card's encrypted tokens still decrypt: it can be charged again.
      var again = await(api.charge(KEY, "restart-2", new JsonObject().put("amount", 700).put("currency", "USD").put("card_id", cardId)));
      assertEquals("succeeded", again.bodyAsJsonObject().getString("status"));
    } finally {
      second.close();
    }
  }
}
