package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.time.Instant;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * POST /admin/routing/backtest over real HTTP and PostgreSQL: charges made through the router are
 * replayed through proposed rules, and the answer is the one worked out from them.
 */
@ExtendWith(VertxExtension.class)
class BacktestApiTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  static final String RULES = """
      rules:
        - name: usd
          when: { currency: [USD] }
          strategy: priority
          providers: [fatora]
      failover: { max_attempts: 1 }
      """;
  static final JsonObject PROPOSED = new JsonObject()
      .put("rules", new JsonArray()
          .add(new JsonObject().put("name", "usd-large").put("when", new JsonObject().put("currency", new JsonArray().add("USD"))
              .put("amount", new JsonObject().put("min", 5000))).put("providers", new JsonArray().add("revio")))
          .add(new JsonObject().put("name", "usd").put("when", new JsonObject().put("currency", new JsonArray().add("USD")))
              .put("providers", new JsonArray().add("fatora"))))
      .put("failover", new JsonObject().put("max_attempts", 1));
  static RouterHarness h;
  static Instant start;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-backtest"), RULES);
    start = Instant.now().minusSeconds(5);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> backtest(Api api, JsonObject body) throws Exception {
    return await(api.post("/admin/routing/backtest", ADMIN, body));
  }

  @Test
  void replaysTheWindowsChargesThroughTheProposedRules(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    // 8 small charges (2 of them declined: amounts ending in 51) and 4 large ones, all at fatora
    for (long amount : new long[] {1000, 1100, 1200, 1300, 1400, 1500, 1051, 2051, 9000, 9100, 9200, 9300}) {
      HttpResponse<Buffer> r = await(api.charge(KEY, "bt-" + UUID.randomUUID(), new JsonObject().put("amount", amount)
          .put("currency", "USD").put("card_id", card)));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      // the approval figures below count answered attempts: a PSP call that timed out (1 s here,
      // on a loaded machine) would leave one out, and should fail here, by name
      assertTrue(java.util.Set.of("succeeded", "declined").contains(r.bodyAsJsonObject().getString("status")),
          "answered by the PSP within the request: " + r.bodyAsString());
    }
    answeredAttempts("it-merchant", 12);
    HttpResponse<Buffer> r = backtest(api, new JsonObject().put("rules", PROPOSED).put("from", start.toString())
        .put("to", Instant.now().plusSeconds(5).toString()).put("merchant", "it-merchant"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject b = r.bodyAsJsonObject();
    assertEquals(12, b.getLong("charges"), b.encode());
    assertEquals(4, b.getLong("changed"));
    assertEquals(new JsonObject().put("fatora", 12), b.getJsonObject("before"));
    assertEquals(new JsonObject().put("fatora", 8).put("revio", 4), b.getJsonObject("after"));
    assertEquals(new JsonObject().put("from_rule", "usd").put("from_provider", "fatora").put("to_rule", "usd-large")
        .put("to_provider", "revio").put("charges", 4), b.getJsonArray("transitions").getJsonObject(0));
    JsonObject approval = b.getJsonObject("approval");
    assertEquals(new JsonObject().put("answered_attempts", 12).put("approved", 10).put("rate", 0.8333)
        .put("pooled_rate", 0.8333), approval.getJsonObject("by_provider").getJsonObject("fatora"));
    assertEquals(new JsonArray().add("revio"), approval.getJsonArray("unobserved_providers"),
        "revio had no attempt in the window: its projection is the overall rate");
    assertEquals(0, b.getLong("replayed_with_stored_decision"));
    JsonObject before = approval.getJsonObject("before");
    assertTrue(before.getDouble("low") <= before.getDouble("rate") && before.getDouble("rate") <= before.getDouble("high"),
        before.encode());
    assertEquals(12, b.getJsonObject("fees").getJsonObject("after").getJsonObject("USD").getLong("unknown"),
        "no fee schedules in this router's config");
  }

  /**
   * Waits (at most 10 s) until PostgreSQL holds the PSP's answer for {@code want} of the merchant's
   * attempts. The router answers a charge as soon as the PSP has (its intent was durable before the
   * call) and writes the outcome, with its attempt, in the next batch of the outcome writer; a
   * backtest, which reads PostgreSQL, right after the last 201 can come before that batch.
   */
  static void answeredAttempts(String merchant, long want) throws Exception {
    long deadline = System.currentTimeMillis() + 10_000;
    while (true) {
      long n = await(h.app.pool.preparedQuery("SELECT count(*) FROM charges c, jsonb_array_elements(c.attempts) a"
          + " WHERE c.merchant_id = $1 AND a->>'outcome' <> 'sent'").execute(io.vertx.sqlclient.Tuple.of(merchant)))
          .iterator().next().getLong(0);
      if (n >= want) return;
      if (System.currentTimeMillis() > deadline) throw new AssertionError(merchant + ": " + n + " answered attempts of " + want);
      await(Future.<Void>future(p -> h.vertx.setTimer(50, t -> p.complete())));
    }
  }

  @Test
  void aChargeTheCanarysRulesDecidedIsCountedBeforeWithItsStoredDecision(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(RouterHarness.OTHER_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    String[] ids = new String[2];
    for (int i = 0; i < 2; i++) {
      HttpResponse<Buffer> r = await(api.charge(RouterHarness.OTHER_KEY, "bt-canary-" + UUID.randomUUID(),
          new JsonObject().put("amount", 1000).put("currency", "USD").put("card_id", card)));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      ids[i] = r.bodyAsJsonObject().getString("id");
    }
    answeredAttempts("it-other", 2);
    // The first as a canary's treated arm records it: the canary's rule and provider, under the
    // version in force (the canary's base); the second as its control arm.
    await(h.app.pool.preparedQuery("UPDATE charges SET routing = routing || jsonb_build_object('rule', 'canary-rule',"
        + " 'candidates', jsonb_build_array('revio'), 'canary', jsonb_build_object('generation', 1, 'arm', 'canary'))"
        + " WHERE id = $1").execute(io.vertx.sqlclient.Tuple.of(ids[0])));
    await(h.app.pool.preparedQuery("UPDATE charges SET routing = routing || jsonb_build_object('canary',"
        + " jsonb_build_object('generation', 1, 'arm', 'control')) WHERE id = $1").execute(io.vertx.sqlclient.Tuple.of(ids[1])));
    HttpResponse<Buffer> r = backtest(api, new JsonObject().put("rules", PROPOSED).put("from", start.toString())
        .put("to", Instant.now().plusSeconds(5).toString()).put("merchant", "it-other"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    JsonObject b = r.bodyAsJsonObject();
    assertEquals(2, b.getLong("charges"), b.encode());
    assertEquals(1, b.getLong("replayed_with_stored_decision"), "the treated charge, not the control one");
    assertEquals(new JsonObject().put("fatora", 1).put("revio", 1), b.getJsonObject("before"),
        "before: the canary's provider for the treated charge, the version in force for the control one");
    assertEquals(new JsonObject().put("canary-rule", 1).put("usd", 1), b.getJsonObject("before_rules"));
  }

  @Test
  void aWindowOutsideTheChargesReplaysNothing(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    HttpResponse<Buffer> r = backtest(api, PROPOSED.copy().put("from", "2020-01-01T00:00:00Z").put("to", "2020-01-02T00:00:00Z"));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(0, r.bodyAsJsonObject().getLong("charges"), "the body may be the rules document itself, with the window");
  }

  @Test
  void aBadWindowIs400AndBadRulesAre422(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    HttpResponse<Buffer> bad = backtest(api, new JsonObject().put("rules", PROPOSED).put("from", "yesterday")
        .put("to", "2020-03-01T00:00:00Z").put("max_charges", 0));
    ChargeApiTest.assertProblem(bad, 400);
    String errors = bad.bodyAsJsonObject().getJsonArray("errors").encode();
    assertTrue(errors.contains("\"from\"") && errors.contains("max_charges"), errors);
    HttpResponse<Buffer> wide = backtest(api, new JsonObject().put("rules", PROPOSED).put("from", "2020-01-01T00:00:00Z")
        .put("to", "2020-03-01T00:00:00Z"));
    ChargeApiTest.assertProblem(wide, 400);
    assertTrue(wide.bodyAsString().contains("31 days"), wide.bodyAsString());
    HttpResponse<Buffer> rules = backtest(api, new JsonObject().put("rules", new JsonObject().put("rules", new JsonArray()
        .add(new JsonObject().put("name", "x").put("providers", new JsonArray().add("nosuchpsp")))))
        .put("from", "2020-01-01T00:00:00Z").put("to", "2020-01-02T00:00:00Z"));
    ChargeApiTest.assertProblem(rules, 422);
  }
}
