package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The operations API's reads behind the console (issue 16): charges across merchants (recent, by id,
 * by merchant reference), unsettled charges with their age, dead letters, the routing version
 * history with who stored each version, and {@code PUT /admin/routing?dry_run=true} with problems
 * placed on the lines of a YAML body. Real router, real PostgreSQL, real HTTP.
 */
@ExtendWith(VertxExtension.class)
class OperationsReadsTest {
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static RouterHarness h;

  @BeforeAll
  static void start() throws Exception {
    h = RouterHarness.shared();
  }

  static JsonObject chargeBody(String card, long amount, String reference) {
    return new JsonObject().put("amount", amount).put("currency", RouterHarness.currency("processout"))
        .put("card_id", card).put("merchant_reference", reference)
        .put("metadata", new JsonObject().put("route", "processout"));
  }

  static JsonArray data(HttpResponse<Buffer> r) {
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("data");
  }

  @Test
  void chargesOfAnyMerchantRecentByIdAndByReference(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("processout", Api.token("processout", ""))));
    String ref = "ops-ref-" + System.nanoTime();
    JsonObject created = await(api.charge(KEY, ref, chargeBody(card, 1500, ref))).bodyAsJsonObject();
    String id = created.getString("id");
    assertEquals("succeeded", created.getString("status"), created.encode());

    JsonArray recent = data(await(api.get("/admin/charges?limit=20", ADMIN)));
    assertTrue(recent.stream().anyMatch(c -> ((JsonObject) c).getString("id").equals(id)), "newest charges hold it: " + recent.encode());
    for (int i = 1; i < recent.size(); i++) {
      // compared as instants: Instant.toString drops trailing zero groups, so "…01.120Z" sorts after
      // "…01.120450Z" as a string although it is earlier
      Instant newer = Instant.parse(recent.getJsonObject(i - 1).getString("created_at"));
      Instant older = Instant.parse(recent.getJsonObject(i).getString("created_at"));
      assertFalse(newer.isBefore(older), "newest first: " + newer + " then " + older);
    }

    JsonArray byId = data(await(api.get("/admin/charges?id=" + id, ADMIN)));
    assertEquals(1, byId.size());
    JsonObject c = byId.getJsonObject(0);
    assertEquals("it-merchant", c.getString("merchant_id"));
    assertEquals(ref, c.getString("merchant_reference"));
    JsonObject attempt = c.getJsonArray("attempts").getJsonObject(0);
    assertEquals(1, attempt.getInteger("seq"));
    assertEquals("processout", attempt.getString("provider"));
    assertNotNull(attempt.getString("provider_reference"), "the PSP's reference: " + c.encode());
    assertEquals("to-processout", c.getJsonObject("routing").getString("rule"));
    assertFalse(c.encode().contains("tok_"), "no token is ever rendered");

    assertEquals(1, data(await(api.get("/admin/charges?merchant_reference=" + ref, ADMIN))).size());
    assertEquals(1, data(await(api.get("/admin/charges?merchant_reference=" + ref + "&merchant=it-merchant", ADMIN))).size());
    assertEquals(0, data(await(api.get("/admin/charges?merchant_reference=" + ref + "&merchant=it-other", ADMIN))).size());
    assertEquals(0, data(await(api.get("/admin/charges?id=" + id + "&merchant=it-other", ADMIN))).size());
    assertEquals(0, data(await(api.get("/admin/charges?id=ch_nosuchcharge", ADMIN))).size());
    assertEquals(1, data(await(api.get("/admin/charges?merchant=it-merchant&limit=1", ADMIN))).size());

    HttpResponse<Buffer> both = await(api.get("/admin/charges?id=" + id + "&merchant_reference=" + ref, ADMIN));
    assertEquals(400, both.statusCode());
    assertEquals("application/problem+json", both.getHeader("Content-Type"));
    assertEquals(400, await(api.get("/admin/charges?limit=0", ADMIN)).statusCode());
    assertEquals(400, await(api.get("/admin/charges?limit=1001", ADMIN)).statusCode());
    assertEquals(401, await(api.get("/admin/charges", null)).statusCode());
    assertEquals(403, await(api.get("/admin/charges", KEY)).statusCode(), "a merchant key may not list every merchant's charges");
  }

  @Test
  void anUnsettledChargeIsListedWithItsAge(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("processout", Api.token("processout", ""))));
    String ref = "ops-pending-" + System.nanoTime();
    // ...77: the simulator answers pending and approves 2 s later
    HttpResponse<Buffer> r = await(api.charge(KEY, ref, chargeBody(card, 1077, ref)));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    String id = r.bodyAsJsonObject().getString("id");

    JsonObject page = await(api.get("/admin/unsettled", ADMIN)).bodyAsJsonObject();
    JsonObject u = page.getJsonArray("data").stream().map(JsonObject.class::cast)
        .filter(x -> x.getString("id").equals(id)).findFirst().orElseThrow(() -> new AssertionError(page.encode()));
    // processing until the pending outcome is written (the answer does not wait for that write)
    assertTrue(List.of("pending", "processing").contains(u.getString("internal_status")), u.encode());
    assertTrue(u.getLong("age_seconds") >= 0 && u.getLong("age_seconds") < 60, u.encode());
    assertTrue(u.getInteger("checks") >= 0);
    assertTrue(page.getLong("total") >= 1);
    assertTrue(u.getJsonArray("attempts").size() <= 1, u.encode());

    await(api.awaitStatus(vertx, KEY, id, "succeeded"));
    JsonArray after = await(api.get("/admin/unsettled", ADMIN)).bodyAsJsonObject().getJsonArray("data");
    assertTrue(after.stream().noneMatch(x -> ((JsonObject) x).getString("id").equals(id)), "settled: no longer listed");
  }

  @Test
  void deadLettersNewestFirst(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String marker = "ch_dead_" + System.nanoTime();
    await(h.app.pool.preparedQuery("INSERT INTO dead_letters (queue, sqlstate, error, payload) VALUES ('outcome', '22P05', "
        + "'unsupported Unicode escape sequence', $1::jsonb)").execute(Tuple.of(new JsonObject().put("charge_id", marker))));
    JsonObject page = await(api.get("/admin/dead-letters?limit=5", ADMIN)).bodyAsJsonObject();
    JsonObject d = page.getJsonArray("data").getJsonObject(0);
    assertEquals("outcome", d.getString("queue"));
    assertEquals("22P05", d.getString("sqlstate"));
    assertEquals(marker, d.getJsonObject("payload").getString("charge_id"));
    assertTrue(page.getLong("total") >= 1);
    assertEquals(401, await(api.get("/admin/dead-letters", null)).statusCode());
  }

  @Test
  void dryRunValidatesLikeAPutAndPlacesEveryProblemOnItsLine(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject inForce = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();

    HttpResponse<Buffer> same = await(api.request(HttpMethod.PUT, "/admin/routing?dry_run=true", ADMIN).sendJsonObject(inForce));
    assertEquals(200, same.statusCode(), same.bodyAsString());
    assertFalse(same.bodyAsJsonObject().getBoolean("changes"));
    assertEquals(inForce.getLong("version"), same.bodyAsJsonObject().getLong("version_in_force"));

    String yaml = """
        rules:
          - name: first
            strategy: priority
            providers: [processout, nosuchpsp]
          - name: default
            strategy: sometimes
            providers: [revio]
        """;
    HttpResponse<Buffer> bad = await(api.request(HttpMethod.PUT, "/admin/routing?dry_run=true", ADMIN)
        .putHeader("Content-Type", "application/yaml").sendBuffer(Buffer.buffer(yaml)));
    assertEquals(422, bad.statusCode(), bad.bodyAsString());
    JsonArray errors = bad.bodyAsJsonObject().getJsonArray("errors");
    JsonObject provider = find(errors, "rules[0].providers");
    assertEquals(4, provider.getInteger("line"), errors.encode());
    assertEquals(6, find(errors, "rules[1].strategy").getInteger("line"), errors.encode());

    HttpResponse<Buffer> broken = await(api.request(HttpMethod.PUT, "/admin/routing?dry_run=true", ADMIN)
        .putHeader("Content-Type", "application/yaml").sendBuffer(Buffer.buffer("rules:\n  - name: x\n    providers: [a, b\n")));
    assertEquals(400, broken.statusCode(), broken.bodyAsString());
    assertNotNull(broken.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getInteger("line"), broken.bodyAsString());

    assertEquals(400, await(api.request(HttpMethod.PUT, "/admin/routing?dry_run=maybe", ADMIN).sendJsonObject(inForce)).statusCode());
    assertEquals(inForce.getLong("version"), await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version"),
        "a dry run stores nothing");
  }

  static JsonObject find(JsonArray errors, String fieldPrefix) {
    return errors.stream().map(JsonObject.class::cast).filter(e -> e.getString("field").startsWith(fieldPrefix)).findFirst()
        .orElseThrow(() -> new AssertionError("no problem at " + fieldPrefix + ": " + errors.encode()));
  }

  @Test
  void theVersionHistorySaysWhoStoredEachVersionAndWhen(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject inForce = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    JsonObject rules = inForce.getJsonObject("rules");
    JsonObject changed = rules.copy();
    JsonArray list = changed.getJsonArray("rules");
    list.getJsonObject(list.size() - 1).put("description", "history test " + System.nanoTime());
    try {
      HttpResponse<Buffer> put = await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(changed));
      assertEquals(200, put.statusCode(), put.bodyAsString());
      long version = put.bodyAsJsonObject().getLong("version");

      JsonArray versions = data(await(api.get("/admin/routing/versions?limit=3", ADMIN)));
      JsonObject newest = versions.getJsonObject(0);
      assertEquals(version, newest.getLong("version"));
      assertEquals("api", newest.getString("source"));
      assertEquals("admin_api from 127.0.0.1", newest.getString("changed_by"));
      assertEquals(h.app.charges.instanceId(), newest.getString("instance"));
      assertTrue(newest.getBoolean("in_force"));
      assertEquals(list.size(), newest.getInteger("rule_count"));
      assertFalse(newest.containsKey("rules"), "a listing carries no documents");
      assertFalse(versions.getJsonObject(1).getBoolean("in_force"));

      JsonObject one = await(api.get("/admin/routing/versions/" + version, ADMIN)).bodyAsJsonObject();
      assertEquals(changed.getJsonArray("rules").getJsonObject(list.size() - 1).getString("description"),
          one.getJsonObject("rules").getJsonArray("rules").getJsonObject(list.size() - 1).getString("description"));
      assertNotNull(one.getString("created_at"));
      assertEquals(404, await(api.get("/admin/routing/versions/999999999", ADMIN)).statusCode());
      assertEquals(400, await(api.get("/admin/routing/versions/abc", ADMIN)).statusCode());
    } finally {
      await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(rules));
    }
    List<String> sources = data(await(api.get("/admin/routing/versions", ADMIN))).stream()
        .map(v -> ((JsonObject) v).getString("source")).toList();
    assertTrue(sources.contains("file"), "the routing file's first version is listed too: " + sources);
  }
}
