package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Shadow routing over real HTTP and PostgreSQL: live charges are decided by the shadow rules too
 * and counted by pair, nothing is sent because of them, invalid ones install nothing, and a new
 * installation starts its counts again. A router of its own (the shadow is the whole fleet's).
 */
@ExtendWith(VertxExtension.class)
class ShadowRoutingTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  static final String RULES = """
      rules:
        - name: usd
          when: { currency: [USD] }
          strategy: priority
          providers: [fatora]
        - name: default
          strategy: priority
          providers: [processout]
      failover: { max_attempts: 1 }
      """;
  /** USD over 50.00 to revio instead; the rest as in force. */
  static final String SHADOW = """
      rules:
        - name: usd-large-revio
          when: { currency: [USD], amount: { min: 5000 } }
          strategy: priority
          providers: [revio]
        - name: usd
          when: { currency: [USD] }
          strategy: priority
          providers: [fatora]
        - name: default
          strategy: priority
          providers: [processout]
      failover: { max_attempts: 1 }
      """;
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    Path dir = Files.createTempDirectory("router-shadow");
    h = RouterHarness.start(dir, RULES);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @AfterEach
  void noShadowLeft(Vertx vertx) throws Exception {
    await(new Api(vertx, h).request(HttpMethod.DELETE, "/admin/routing/shadow", ADMIN).send());
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  static HttpResponse<Buffer> putShadow(Api api, String yaml) throws Exception {
    return await(api.request(HttpMethod.PUT, "/admin/routing/shadow", ADMIN).putHeader("Content-Type", "application/yaml")
        .sendBuffer(Buffer.buffer(yaml)));
  }

  static JsonObject charge(Api api, String card, long amount) throws Exception {
    HttpResponse<Buffer> r = await(api.charge(KEY, "sh-" + UUID.randomUUID(), new JsonObject().put("amount", amount)
        .put("currency", "USD").put("card_id", card)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  @Test
  void everyLiveChargeIsDecidedByTheShadowTooAndNothingIsSentBecauseOfIt(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    HttpResponse<Buffer> put = putShadow(api, SHADOW);
    assertEquals(200, put.statusCode(), put.bodyAsString());
    assertEquals(0, put.bodyAsJsonObject().getLong("decisions"));
    int revioBefore = await(api.ledgerTotal("revio"));

    Set<String> large = new HashSet<>();
    for (int i = 0; i < 4; i++) large.add(charge(api, card, 9_900).getString("id"));
    for (int i = 0; i < 2; i++) charge(api, card, 1_000);

    JsonObject s = await(api.get("/admin/routing/shadow", ADMIN)).bodyAsJsonObject();
    assertEquals(6, s.getLong("decisions"), s.encode());
    assertEquals(4, s.getLong("diverged"), s.encode());
    JsonObject top = s.getJsonArray("pairs").getJsonObject(0);
    assertEquals(new JsonObject().put("rule", "usd").put("shadow_rule", "usd-large-revio").put("provider", "fatora")
        .put("shadow_provider", "revio").put("decisions", 4).put("diverged", true), top);
    JsonArray samples = s.getJsonArray("samples");
    assertEquals(4, samples.size(), samples.encode());
    for (Object o : samples) assertTrue(large.contains(((JsonObject) o).getString("charge_id")), samples.encode());
    assertEquals(revioBefore, await(api.ledgerTotal("revio")), "the shadow's provider was never called");
    assertEquals(4.0, await(api.metric("router_shadow_decisions_total", "shadow_provider=\"revio\"", "diverged=\"true\"")));
  }

  @Test
  void invalidShadowRulesAnswer422AndInstallNothing(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    HttpResponse<Buffer> bad = putShadow(api, """
        rules:
          - name: usd
            when: { currency: [USD] }
            providers: [nosuchpsp]
        """);
    ChargeApiTest.assertProblem(bad, 422);
    assertTrue(bad.bodyAsJsonObject().getJsonArray("errors").encode().contains("nosuchpsp"), bad.bodyAsString());
    ChargeApiTest.assertProblem(await(api.get("/admin/routing/shadow", ADMIN)), 404);
  }

  @Test
  void aNewInstallationStartsItsCountsAgainAndDeleteRemovesIt(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    long g1 = putShadow(api, SHADOW).bodyAsJsonObject().getLong("generation");
    charge(api, card, 1_000);
    assertEquals(1, await(api.get("/admin/routing/shadow", ADMIN)).bodyAsJsonObject().getLong("decisions"));
    JsonObject again = putShadow(api, SHADOW).bodyAsJsonObject();
    assertTrue(again.getLong("generation") > g1, again.encode());
    assertEquals(0, again.getLong("decisions"), "counts start at zero with a new generation");

    HttpResponse<Buffer> del = await(api.request(HttpMethod.DELETE, "/admin/routing/shadow", ADMIN).send());
    assertEquals(204, del.statusCode(), del.bodyAsString());
    ChargeApiTest.assertProblem(await(api.get("/admin/routing/shadow", ADMIN)), 404);
    ChargeApiTest.assertProblem(await(api.request(HttpMethod.DELETE, "/admin/routing/shadow", ADMIN).send()), 404);
    charge(api, card, 1_000); // routing goes on as before
  }
}
