package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
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
import java.util.List;
import java.util.UUID;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The routing canary over real HTTP, PostgreSQL and the simulators: a canary whose proposed rules
 * send its share to a PSP whose decline rate was raised through {@code /_sim} faults is rolled
 * back, one that hurts nothing is promoted when its duration ends, and every step is in the
 * version history. A router of its own (a canary is the whole fleet's, and a promotion changes the
 * rules in force).
 */
@ExtendWith(VertxExtension.class)
class RoutingCanaryTest {
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
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    // fees, so that the canary reports what each arm's charges are expected to cost
    h = RouterHarness.start(Files.createTempDirectory("router-canary"), RULES, 1000, yaml -> yaml
        .replace("  revio:\n    type: revio\n", "  revio:\n    type: revio\n    account_country: US\n"
            + "    fees: [ { percent: 2.9, fixed: 30 } ]\n")
        .replace("  fatora:\n    type: fatora\n", "  fatora:\n    type: fatora\n    account_country: US\n"
            + "    fees: [ { percent: 2.4, fixed: 25 } ]\n"));
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  @AfterEach
  void noCanaryNorFaultLeft(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    await(api.request(HttpMethod.DELETE, "/admin/routing/canary", ADMIN).send());
    await(api.clearFaults("revio"));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  /** The rules in force with USD sent to {@code provider} instead of fatora. */
  static JsonObject proposed(Api api, String provider) throws Exception {
    JsonObject rules = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getJsonObject("rules").copy();
    JsonArray list = rules.getJsonArray("rules");
    list.getJsonObject(0).put("name", "usd-" + provider).put("providers", new JsonArray().add(provider));
    return rules;
  }

  static JsonObject plan(JsonObject rules, int share, int minSample, double guardrail, int seconds) {
    return new JsonObject().put("rules", rules).put("share_percent", share).put("min_sample", minSample)
        .put("guardrail_pp", guardrail).put("duration_seconds", seconds).put("hash_by", "merchant_reference");
  }

  static HttpResponse<Buffer> start(Api api, JsonObject body) throws Exception {
    return await(api.post("/admin/routing/canary", ADMIN, body));
  }

  static JsonObject canary(Api api) throws Exception {
    return await(api.get("/admin/routing/canary", ADMIN)).bodyAsJsonObject();
  }

  /** Charges (each its own merchant reference, so each draws its arm) until the canary has ended; at most {@code max}. */
  static List<JsonObject> chargeUntilEnded(Api api, String card, int max, long maxMs) throws Exception {
    List<JsonObject> out = new java.util.ArrayList<>();
    long until = System.currentTimeMillis() + maxMs;
    for (int i = 0; i < max && System.currentTimeMillis() < until; i++) {
      String ref = "cn-" + UUID.randomUUID();
      HttpResponse<Buffer> r = await(api.charge(KEY, ref, new JsonObject().put("amount", 1_000).put("currency", "USD")
          .put("card_id", card).put("merchant_reference", ref)));
      assertEquals(201, r.statusCode(), r.bodyAsString());
      out.add(r.bodyAsJsonObject());
      if (i % 10 == 9 && !"running".equals(canary(api).getString("state"))) break;
    }
    return out;
  }

  static List<String> events(JsonObject canary) {
    return canary.getJsonArray("events").stream().map(e -> ((JsonObject) e).getString("event")).collect(Collectors.toList());
  }

  @Test
  void aCanaryToAPspWhoseDeclinesWereRaisedIsRolledBackAndTheRulesStay(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    await(api.faults("revio", new JsonObject().put("decline_rate", 0.8)));
    long before = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version");

    HttpResponse<Buffer> started = start(api, plan(proposed(api, "revio"), 50, 30, 5.0, 300));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    assertEquals("running", started.bodyAsJsonObject().getString("state"));
    long generation = started.bodyAsJsonObject().getLong("generation");

    List<JsonObject> charges = chargeUntilEnded(api, card, 600, 45_000);
    JsonObject c = canary(api);
    assertEquals("rolled_back", c.getString("state"), c.encode());
    assertEquals("approval", c.getString("reason"), c.encode());
    JsonObject f = c.getJsonObject("figures");
    assertTrue(f.getJsonObject("canary").getLong("charges") >= 30 && f.getJsonObject("control").getLong("charges") >= 30, f.encode());
    assertTrue(f.getDouble("approval_drop_pp") > 5.0, f.encode());
    assertTrue(f.getDouble("z_approval") > f.getDouble("z_critical"), f.encode());
    assertEquals(List.of("started", "rolled_back"), events(c).stream().filter(e -> !e.equals("compared")).toList(), c.encode());

    // both arms decided real charges, each marked with its arm; the canary's went to revio
    assertTrue(charges.stream().anyMatch(x -> canaryArm(x, generation, "canary") && "revio".equals(x.getString("provider"))));
    assertTrue(charges.stream().anyMatch(x -> canaryArm(x, generation, "control") && "fatora".equals(x.getString("provider"))));
    assertTrue(charges.stream().filter(x -> canaryArm(x, generation, "canary")).anyMatch(x -> "declined".equals(x.getString("status"))));

    // the rules in force did not change, and the history shows the canary's steps on that version
    JsonObject now = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    assertEquals(before, now.getLong("version"));
    JsonObject v = await(api.get("/admin/routing/versions", ADMIN)).bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertEquals(before, v.getLong("version"));
    List<String> steps = v.getJsonArray("canary_events").stream().map(e -> (JsonObject) e)
        .filter(e -> e.getLong("canary") == generation).map(e -> e.getString("event")).toList();
    assertTrue(steps.contains("started") && steps.contains("rolled_back"), v.encode());
    assertTrue(await(api.metric("router_canary_events_total", "event=\"rolled_back\"")) >= 1.0);

    // after the roll-back every charge is the rules in force' again, outside any canary
    JsonObject after = chargeUntilEnded(api, card, 1, 5_000).get(0);
    assertNull(after.getJsonObject("routing").getValue("canary"), after.encode());
    assertEquals("fatora", after.getString("provider"));
  }

  static boolean canaryArm(JsonObject charge, long generation, String arm) {
    JsonObject k = charge.getJsonObject("routing").getJsonObject("canary");
    return k != null && k.getLong("generation") == generation && arm.equals(k.getString("arm"));
  }

  @Test
  void aCanaryThatHurtsNothingIsPromotedWhenItsDurationEnds(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))
        .put("revio", Api.token("revio", ""))));
    long before = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version");
    JsonObject rules = proposed(api, "revio");

    HttpResponse<Buffer> started = start(api, plan(rules, 50, 20, 5.0, 10));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    long generation = started.bodyAsJsonObject().getLong("generation");
    chargeUntilEnded(api, card, 3_000, 40_000);

    JsonObject c = canary(api);
    assertEquals("promoted", c.getString("state"), c.encode());
    long promoted = c.getLong("promoted_version");
    assertTrue(promoted > before, c.encode());
    assertEquals(List.of("started", "compared", "promoted"), events(c), c.encode());
    JsonObject verdict = c.getJsonArray("events").getJsonObject(2).getJsonObject("figures");
    assertEquals("promote", verdict.getString("verdict"), verdict.encode());
    // 10.00 USD: fatora 2.4 % + 0.25 = 49, revio 2.9 % + 0.30 = 59 minor units, for every succeeded charge
    JsonObject fees = verdict.getJsonObject("fees");
    assertEquals(49, fees.getJsonObject("control").getJsonObject("USD").getLong("per_charge"), fees.encode());
    assertEquals(59, fees.getJsonObject("canary").getJsonObject("USD").getLong("per_charge"), fees.encode());
    assertEquals(verdict.getJsonObject("canary").getLong("succeeded"), fees.getJsonObject("canary").getJsonObject("USD").getLong("charges"));
    assertEquals(59 * fees.getJsonObject("canary").getJsonObject("USD").getLong("charges"),
        fees.getJsonObject("canary").getJsonObject("USD").getLong("total"));

    JsonObject now = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    assertEquals(promoted, now.getLong("version"), "the promoted version is in force");
    assertEquals("canary", now.getString("source"));
    assertEquals("usd-revio", now.getJsonObject("rules").getJsonArray("rules").getJsonObject(0).getString("name"));
    JsonObject v = await(api.get("/admin/routing/versions/" + promoted, ADMIN)).bodyAsJsonObject();
    assertTrue(v.getString("changed_by").startsWith("canary " + generation), v.encode());
    assertEquals(List.of("promoted"), v.getJsonArray("canary_events").stream().map(e -> ((JsonObject) e).getString("event")).toList());

    // new charges follow the promoted rules for everyone
    JsonObject after = chargeUntilEnded(api, card, 1, 5_000).get(0);
    assertEquals("revio", after.getString("provider"), after.encode());
    assertNull(after.getJsonObject("routing").getValue("canary"));
    assertTrue(await(api.metric("router_canary_events_total", "event=\"promoted\"")) >= 1.0);

    // put the original rules back for the other tests
    JsonObject original = now.getJsonObject("rules").copy();
    original.getJsonArray("rules").getJsonObject(0).put("name", "usd").put("providers", new JsonArray().add("fatora"));
    assertEquals(200, await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(original)).statusCode());
  }

  /** Several instances judge the same canary: the end is one conditional update, so one verdict is recorded. */
  @Test
  void twoInstancesEndingOneCanaryAtOnceRecordOneVerdictAndOneVersion(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    long before = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version");
    HttpResponse<Buffer> started = start(api, plan(proposed(api, "revio"), 10, 100, 2.0, 600));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    long g = started.bodyAsJsonObject().getLong("generation");
    io.payrouter.store.CanaryStore store = h.app.store.canaries();
    JsonObject figures = new JsonObject().put("verdict", "promote");
    List<java.util.Optional<io.payrouter.store.CanaryStore.Finished>> ends = await(Future.all(List.of(
        store.finish(g, "promoted", null, figures, "inst_a", "canary " + g),
        store.finish(g, "rolled_back", "approval", figures, "inst_b", "canary " + g),
        store.finish(g, "promoted", null, figures, "inst_c", "canary " + g)))).list();
    assertEquals(1, ends.stream().filter(java.util.Optional::isPresent).count(), ends.toString());
    JsonObject c = canary(api);
    List<String> last = events(c).subList(1, events(c).size());
    assertEquals(1, last.size(), c.encode());
    long versions = await(api.get("/admin/routing/versions", ADMIN)).bodyAsJsonObject().getJsonArray("data").stream()
        .filter(v -> ((JsonObject) v).getLong("version") > before).count();
    assertEquals("promoted".equals(c.getString("state")) ? 1 : 0, versions, "a version only for a promotion, and once");
    // put the original rules back for the other tests (a promotion changed them)
    if (versions == 1) {
      // this instance loads the promoted version within its database check (the ends above bypassed the judge)
      long until = System.currentTimeMillis() + 5_000;
      while (await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version") == before
          && System.currentTimeMillis() < until) {
        await(vertx.timer(100));
      }
      JsonObject original = await(api.get("/admin/routing/versions/" + before, ADMIN)).bodyAsJsonObject().getJsonObject("rules");
      assertEquals(200, await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(original)).statusCode());
    }
  }

  @Test
  void aRulesChangeWhileACanaryRunsRollsItBackAsSuperseded(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject inForce = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    HttpResponse<Buffer> started = start(api, plan(proposed(api, "revio"), 10, 100, 2.0, 600));
    assertEquals(201, started.statusCode(), started.bodyAsString());
    JsonObject changed = inForce.getJsonObject("rules").copy();
    changed.getJsonArray("rules").getJsonObject(0).put("name", "usd-renamed");
    assertEquals(200, await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(changed)).statusCode());
    long until = System.currentTimeMillis() + 10_000;
    JsonObject c = canary(api);
    while ("running".equals(c.getString("state")) && System.currentTimeMillis() < until) {
      await(vertx.timer(100));
      c = canary(api);
    }
    assertEquals("rolled_back", c.getString("state"), c.encode());
    assertEquals("superseded", c.getString("reason"));
    assertEquals(List.of("started", "rolled_back"), events(c));
    // the operator's change stands, and the original rules go back for the other tests
    assertEquals("usd-renamed", await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getJsonObject("rules")
        .getJsonArray("rules").getJsonObject(0).getString("name"));
    assertEquals(200, await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(inForce.getJsonObject("rules")))
        .statusCode());
  }

  @Test
  void oneCanaryAtATimeAndAStoppedOneIsRecorded(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    HttpResponse<Buffer> first = start(api, plan(proposed(api, "revio"), 10, 100, 2.0, 600));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    HttpResponse<Buffer> second = start(api, plan(proposed(api, "processout"), 10, 100, 2.0, 600));
    ChargeApiTest.assertProblem(second, 409);

    assertEquals(204, await(api.request(HttpMethod.DELETE, "/admin/routing/canary", ADMIN).send()).statusCode());
    JsonObject c = canary(api);
    assertEquals("stopped", c.getString("state"));
    assertTrue(c.getString("reason").startsWith("stopped by"), c.encode());
    assertEquals(List.of("started", "stopped"), events(c));
    ChargeApiTest.assertProblem(await(api.request(HttpMethod.DELETE, "/admin/routing/canary", ADMIN).send()), 404);
  }

  @Test
  void aCanaryWithABadPlanOrBadRulesStartsNothing(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject rules = proposed(api, "revio");
    HttpResponse<Buffer> share = start(api, plan(rules, 51, 100, 2.0, 600));
    ChargeApiTest.assertProblem(share, 400);
    assertTrue(share.bodyAsString().contains("share_percent"), share.bodyAsString());
    JsonObject noDuration = plan(rules, 10, 100, 2.0, 600);
    noDuration.remove("duration_seconds");
    assertTrue(start(api, noDuration).bodyAsString().contains("duration_seconds"));
    ChargeApiTest.assertProblem(start(api, plan(rules, 10, 100, 2.0, 600).put("guardrail", 2)), 400);
    JsonObject badRules = rules.copy();
    badRules.getJsonArray("rules").getJsonObject(0).put("providers", new JsonArray().add("nosuchpsp"));
    HttpResponse<Buffer> bad = start(api, plan(badRules, 10, 100, 2.0, 600));
    ChargeApiTest.assertProblem(bad, 422);
    assertTrue(bad.bodyAsString().contains("nosuchpsp"));
    HttpResponse<Buffer> latest = await(api.get("/admin/routing/canary", ADMIN));
    assertFalse(latest.statusCode() == 200 && "running".equals(latest.bodyAsJsonObject().getString("state")),
        "nothing runs: " + latest.bodyAsString());
    ChargeApiTest.assertProblem(await(api.post("/admin/routing/canary", KEY, plan(rules, 10, 100, 2.0, 600))), 403);
  }
}
