package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
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
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * SREs change the rules while charges flow (API and file), invalid changes change nothing, and
 * adaptive routing plus the breaker move traffic off a failing PSP and back. A router of its own,
 * so the shared one's rules are untouched.
 */
@ExtendWith(VertxExtension.class)
class RoutingLiveTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  static final String RULES = """
      rules:
        - name: eur-burst
          when: { currency: [EUR], metadata: { phase: burst } }
          strategy: priority
          providers: [revio, processout]
        - name: eur-adaptive
          when: { currency: [EUR] }
          strategy: adaptive
          providers: [revio, processout]
        - name: usd
          when: { currency: [USD] }
          strategy: priority
          providers: [fatora, revio]
        - name: default
          strategy: priority
          providers: [processout]
      failover: { max_attempts: 3 }
      """;
  static RouterHarness h;
  static Path dir;

  @BeforeAll
  static void router() throws Exception {
    dir = Files.createTempDirectory("router-routing");
    h = RouterHarness.start(dir, RULES, 5);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  static JsonObject charge(Api api, String cardId, String currency, long amount) throws Exception {
    return charge(api, cardId, currency, amount, new JsonObject());
  }

  static JsonObject charge(Api api, String cardId, String currency, long amount, JsonObject metadata) throws Exception {
    HttpResponse<Buffer> r = await(api.charge(KEY, "rt-" + UUID.randomUUID(), new JsonObject().put("amount", amount)
        .put("currency", currency).put("card_id", cardId).put("metadata", metadata)));
    return r.bodyAsJsonObject();
  }

  static HttpResponse<Buffer> put(Api api, String yaml) throws Exception {
    return await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).putHeader("Content-Type", "application/yaml")
        .sendBuffer(Buffer.buffer(yaml)));
  }

  static long version(Api api) throws Exception {
    return await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version");
  }

  @Test
  void apiChangeTakesEffectForTheNextChargeAndInvalidChangeAltersNothing(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", "")).put("revio", Api.token("revio", ""))));
    JsonObject before = charge(api, card, "USD", 1000);
    assertEquals("fatora", before.getString("provider"));
    long v0 = version(api);

    HttpResponse<Buffer> ok = put(api, RULES.replace("providers: [fatora, revio]", "providers: [revio, fatora]"));
    assertEquals(200, ok.statusCode(), ok.bodyAsString());
    long v1 = ok.bodyAsJsonObject().getLong("version");
    assertTrue(v1 > v0);
    JsonObject after = charge(api, card, "USD", 1000);
    assertEquals("revio", after.getString("provider"));
    assertEquals(v1, after.getJsonObject("routing").getLong("config_version"));
    assertEquals("usd", after.getJsonObject("routing").getString("rule"));

    HttpResponse<Buffer> bad = put(api, """
        rules:
          - name: usd
            when: { currency: [USD, XXQ], brnd: [visa] }
            providers: [nosuchpsp]
          - name: usd
            strategy: weighted
            providers: [revio]
        failover: { max_attempts: 0 }
        """);
    ChargeApiTest.assertProblem(bad, 422);
    JsonArray errors = bad.bodyAsJsonObject().getJsonArray("errors");
    assertTrue(errors.size() >= 5, "every problem listed: " + errors.encode());
    assertEquals(v1, version(api), "nothing changed");
    assertEquals("revio", charge(api, card, "USD", 1000).getString("provider"));
  }

  @Test
  void editingTheFileReloadsTheRulesLive(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", "")).put("revio", Api.token("revio", ""))));
    // The file in charge, whatever the other tests did through the API: the API sets the file's
    // own rules, so the edit below discards no API change.
    assertEquals(200, put(api, Files.readString(dir.resolve("routing.yaml"))).statusCode());
    long v0 = version(api);
    Files.writeString(dir.resolve("routing.yaml"), RULES.replace("providers: [processout]", "providers: [processout, revio]")
        .replace("providers: [fatora, revio]", "providers: [revio, fatora]"));
    long v = v0;
    for (int i = 0; i < 40 && v == v0; i++) {
      await(vertx.timer(100));
      v = version(api);
    }
    assertTrue(v > v0, "the file change became a new version");
    JsonObject c = charge(api, card, "USD", 1000);
    assertEquals("revio", c.getString("provider"));
    assertEquals(v, c.getJsonObject("routing").getLong("config_version"));

    double invalidBefore = await(api.metric("router_routing_file_rejections_total", "reason=\"invalid\""));
    Files.writeString(dir.resolve("routing.yaml"), "rules: [ { name: broken, providers: [nope] } ]\n");
    await(vertx.timer(2500));
    assertEquals(v, version(api), "an invalid file changes nothing");
    assertEquals(invalidBefore + 1, await(api.metric("router_routing_file_rejections_total", "reason=\"invalid\"")),
        "the rejected edit is counted once");
    JsonObject file = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getJsonObject("file");
    assertEquals("invalid", file.getString("status"));
    assertTrue(file.getJsonArray("problems").encode().contains("nope"), "the problems are shown: " + file.encode());
    assertTrue(file.getString("detail").contains("rules[0].providers[0]: "), "readable: " + file.getString("detail"));
  }

  @Test
  void aFileEditAfterAnApiChangeIsRefusedAndShownUntilTheFileHoldsTheRulesInForce(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String viaApi = RULES.replace("providers: [processout]", "providers: [processout, fatora]");
    HttpResponse<Buffer> changed = put(api, viaApi);
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    long apiVersion = changed.bodyAsJsonObject().getLong("version");
    double refusedBefore = await(api.metric("router_routing_file_rejections_total", "reason=\"refused\""));

    Files.writeString(dir.resolve("routing.yaml"), RULES.replace("providers: [processout]", "providers: [revio]"));
    JsonObject shown = null;
    for (int i = 0; i < 40; i++) {
      await(vertx.timer(100));
      shown = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
      if ("refused".equals(shown.getJsonObject("file").getString("status"))) break;
    }
    assertEquals("refused", shown.getJsonObject("file").getString("status"), shown.encode());
    assertEquals(apiVersion, shown.getLong("version"), "the API change is still in force");
    assertEquals("api", shown.getString("source"));
    assertEquals(refusedBefore + 1, await(api.metric("router_routing_file_rejections_total", "reason=\"refused\"")),
        "the refused edit is counted once");

    // Writing the rules in force into the file puts the file back in charge (a version from the file).
    Files.writeString(dir.resolve("routing.yaml"), viaApi);
    for (int i = 0; i < 40; i++) {
      await(vertx.timer(100));
      shown = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
      if (shown.getLong("version") > apiVersion) break;
    }
    assertEquals("file", shown.getString("source"), shown.encode());
    assertEquals("in_force", shown.getJsonObject("file").getString("status"));
  }

  @Test
  void adaptiveMovesTrafficOffAFailingPspAndTheBreakerDropsItThenBringsItBack(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("revio", Api.token("revio", "")).put("processout", Api.token("processout", ""))));
    await(api.faults("revio", new JsonObject().put("down", true)));
    List<String> firstCandidates = new ArrayList<>();
    try {
      // A burst through a priority rule: revio is tried first until its breaker opens.
      for (int i = 0; i < 8; i++) {
        JsonObject c = charge(api, card, "EUR", 1000, new JsonObject().put("phase", "burst"));
        assertEquals("succeeded", c.getString("status"), "failover keeps charges succeeding: " + c.encode());
      }
      JsonObject revio = provider(api, "revio");
      assertEquals("OPEN", revio.getString("circuit"), revio.encode());
      assertEquals(2.0, await(api.metric("router_circuit_state", "provider=\"revio\"")), "open reads 2");
      JsonObject explain = await(api.post("/admin/routing/explain", ADMIN, new JsonObject().put("amount", 1000)
          .put("currency", "EUR").put("brand", "visa"))).bodyAsJsonObject();
      assertFalse(explain.getJsonArray("candidates").contains("revio"), "breaker-open PSP drops out: " + explain.encode());
      assertTrue(explain.getJsonArray("trace").encode().contains("circuit"), explain.encode());
      // Then the adaptive rule, paced across several 200 ms health snapshots.
      for (int i = 0; i < 30; i++) {
        await(vertx.timer(25));
        JsonObject c = charge(api, card, "EUR", 1000);
        assertEquals("succeeded", c.getString("status"), "failover keeps charges succeeding: " + c.encode());
        firstCandidates.add(c.getJsonObject("routing").getJsonArray("candidates").getString(0));
      }
    } finally {
      await(api.clearFaults("revio"));
    }
    long tail = firstCandidates.subList(20, 30).stream().filter("processout"::equals).count();
    assertTrue(tail >= 8, "traffic moved to the healthy PSP: " + firstCandidates);

    // Recovery: after reset_ms the breaker lets a trial through; revio is a candidate again.
    boolean back = false;
    for (int i = 0; i < 40 && !back; i++) {
      await(vertx.timer(250));
      JsonObject c = charge(api, card, "EUR", 1000);
      back = c.getJsonObject("routing").getJsonArray("candidates").contains("revio");
    }
    assertTrue(back, "revio came back into the candidates");
  }

  @Test
  void operatorsCanDisableAndEnableAProvider(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("processout", Api.token("processout", ""))));
    assertEquals(200, await(api.request(HttpMethod.POST, "/admin/providers/processout/disable", ADMIN).send()).statusCode());
    try {
      JsonObject c = charge(api, card, "JPY", 1000);
      assertEquals("failed", c.getString("status"), "the card's only PSP is disabled: " + c.encode());
      assertTrue(c.getJsonObject("routing").getJsonArray("candidates").isEmpty() || !c.getJsonObject("routing")
          .getJsonArray("candidates").contains("processout"), c.encode());
      assertEquals(false, provider(api, "processout").getBoolean("enabled"));
      assertEquals(0.0, await(api.metric("router_provider_enabled", "provider=\"processout\"")));
    } finally {
      assertEquals(200, await(api.request(HttpMethod.POST, "/admin/providers/processout/enable", ADMIN).send()).statusCode());
    }
    assertEquals("succeeded", charge(api, card, "JPY", 1000).getString("status"));
    assertEquals(1.0, await(api.metric("router_provider_enabled", "provider=\"processout\"")));
    assertEquals(404, await(api.request(HttpMethod.POST, "/admin/providers/nope/disable", ADMIN).send()).statusCode());
  }

  static JsonObject provider(Api api, String name) throws Exception {
    JsonArray data = await(api.get("/admin/providers", ADMIN)).bodyAsJsonObject().getJsonArray("data");
    for (int i = 0; i < data.size(); i++) {
      if (name.equals(data.getJsonObject(i).getString("name"))) return data.getJsonObject(i);
    }
    throw new AssertionError("no provider " + name);
  }
}
