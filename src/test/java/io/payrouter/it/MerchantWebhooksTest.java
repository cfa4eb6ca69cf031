package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.standardwebhooks.Webhook;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Merchant webhooks over real HTTP and a real PostgreSQL: endpoints and their secrets, events
 * signed the Standard Webhooks way (every one verified with the reference library, as a merchant
 * would), in order per charge, retried with back-off, a failing endpoint disabled with its reason,
 * deliveries listed and re-sent, secrets rotated with an overlap. The receiver is a plain HTTP
 * server on loopback; the router runs the harness's short retry schedule (200, 400, 600 ms).
 */
@ExtendWith(VertxExtension.class)
class MerchantWebhooksTest {
  static RouterHarness h;
  static Api api;
  static HttpServer receiver;
  static int port;
  /** What each path received, in arrival order. */
  static final Map<String, ConcurrentLinkedQueue<Received>> received = new ConcurrentHashMap<>();
  /** The status each path answers (default 200), asked per request. */
  static final Map<String, IntSupplier> answers = new ConcurrentHashMap<>();
  /** How long each path takes to answer, ms. */
  static final Map<String, Long> delays = new ConcurrentHashMap<>();

  record Received(Map<String, String> headers, String body, long atMs) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    h = RouterHarness.shared();
    api = new Api(vertx, h);
    receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      String path = req.path();
      Map<String, String> hs = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
      for (var e : req.headers()) hs.put(e.getKey(), e.getValue());
      received.computeIfAbsent(path, x -> new ConcurrentLinkedQueue<>()).add(new Received(hs, b.toString(), System.currentTimeMillis()));
      int status = answers.getOrDefault(path, () -> 200).getAsInt();
      long delay = delays.getOrDefault(path, 0L);
      if (delay > 0) {
        vertx.setTimer(delay, t -> req.response().setStatusCode(status).end());
      } else {
        req.response().setStatusCode(status).end();
      }
    })).listen(0, "127.0.0.1"));
    port = receiver.actualPort();
  }

  @AfterAll
  static void stop() throws Exception {
    await(receiver.close());
  }

  /** A merchant of its own (so no other test's charges reach its endpoints): its API key. */
  static String merchant() throws Exception {
    String id = "wh" + UUID.randomUUID().toString().substring(0, 8);
    HttpResponse<Buffer> r = await(api.post("/admin/merchants", RouterHarness.ADMIN_KEY,
        new JsonObject().put("id", id).put("name", id)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    merchantIds.put(r.bodyAsJsonObject().getString("api_key"), id);
    return r.bodyAsJsonObject().getString("api_key");
  }

  static final Map<String, String> merchantIds = new ConcurrentHashMap<>();

  static String path() {
    return "/hook/" + UUID.randomUUID();
  }

  static JsonObject endpoint(String key, String path, JsonArray types) throws Exception {
    JsonObject body = new JsonObject().put("url", "http://127.0.0.1:" + port + path);
    if (types != null) body.put("event_types", types);
    HttpResponse<Buffer> r = await(api.post("/v1/webhook_endpoints", key, body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  static JsonObject charge(String key, String psp, long amount) throws Exception {
    String fb = RouterHarness.fallback(psp);
    String card = await(api.card(key, new JsonObject().put(psp, Api.token(psp, "")).put(fb, Api.token(fb, ""))));
    HttpResponse<Buffer> r = await(api.charge(key, "wh-" + UUID.randomUUID(), new JsonObject().put("amount", amount)
        .put("currency", RouterHarness.currency(psp)).put("card_id", card)
        .put("metadata", new JsonObject().put("route", psp))));
    assertTrue(r.statusCode() == 201 || r.statusCode() == 202, r.bodyAsString());
    return r.bodyAsJsonObject();
  }

  /** Waits (bounded) until {@code path} received at least {@code n} requests; answers them. */
  static List<Received> awaitReceived(String path, int n, long withinMs) throws Exception {
    long end = System.currentTimeMillis() + withinMs;
    while (System.currentTimeMillis() < end) {
      var q = received.get(path);
      if (q != null && q.size() >= n) return new ArrayList<>(q);
      Thread.sleep(20);
    }
    var q = received.get(path);
    throw new AssertionError("expected " + n + " requests at " + path + " within " + withinMs + " ms, got "
        + (q == null ? 0 : q.size()) + ": " + q);
  }

  /** Verifies a received delivery with the Standard Webhooks reference library. */
  static void verify(String secret, Received r) throws Exception {
    Map<String, List<String>> hs = new java.util.HashMap<>();
    for (var e : r.headers().entrySet()) hs.put(e.getKey().toLowerCase(java.util.Locale.ROOT), List.of(e.getValue()));
    new Webhook(secret).verify(r.body(), hs);
  }

  static JsonArray deliveries(String key, String endpointId, String query) throws Exception {
    HttpResponse<Buffer> r = await(api.get("/v1/webhook_endpoints/" + endpointId + "/deliveries" + query, key));
    assertEquals(200, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getJsonArray("data");
  }

  // ------------------------------------------------------------------ endpoints

  @Test
  void theSecretIsShownAtCreationAndNeverAgain() throws Exception {
    String key = merchant();
    JsonObject created = endpoint(key, path(), null);
    assertTrue(created.getString("secret").startsWith("whsec_"), created.encode());
    assertEquals("enabled", created.getString("status"));
    assertEquals(7, created.getJsonArray("event_types").size(), "no event_types: every type");
    JsonObject got = await(api.get("/v1/webhook_endpoints/" + created.getString("id"), key)).bodyAsJsonObject();
    assertNull(got.getValue("secret"), got.encode());
    JsonObject list = await(api.get("/v1/webhook_endpoints", key)).bodyAsJsonObject();
    assertEquals(1, list.getJsonArray("data").size());
    assertFalse(list.encode().contains("whsec_"), list.encode());
    var row = await(h.app.pool.preparedQuery("SELECT secret_enc FROM webhook_endpoints WHERE id = $1")
        .execute(Tuple.of(created.getString("id")))).iterator().next();
    assertFalse(new String(row.getBuffer(0).getBytes(), java.nio.charset.StandardCharsets.ISO_8859_1)
        .contains(created.getString("secret").substring(6, 20)), "the secret is encrypted at rest");
  }

  @Test
  void badEndpointInputIsAProblemAndWritesNothing() throws Exception {
    String key = merchant();
    for (JsonObject bad : List.of(new JsonObject(), new JsonObject().put("url", "ftp://example.com/x"),
        new JsonObject().put("url", "not a url"), new JsonObject().put("url", "https://user:pw@example.com/x"),
        new JsonObject().put("url", "https://example.com/x").put("event_types", new JsonArray().add("charge.refunded")),
        new JsonObject().put("url", "https://example.com/x").put("event_types", new JsonArray()),
        new JsonObject().put("url", "https://example.com/x").put("colour", "red"))) {
      HttpResponse<Buffer> r = await(api.post("/v1/webhook_endpoints", key, bad));
      assertEquals(400, r.statusCode(), bad.encode() + " -> " + r.bodyAsString());
      assertEquals("application/problem+json", r.getHeader("Content-Type"), bad.encode());
      assertFalse(r.bodyAsJsonObject().getJsonArray("errors").isEmpty(), r.bodyAsString());
    }
    assertEquals(0, await(api.get("/v1/webhook_endpoints", key)).bodyAsJsonObject().getJsonArray("data").size());
  }

  @Test
  void anotherMerchantCannotSeeOrChangeAnEndpoint() throws Exception {
    String owner = merchant();
    String other = merchant();
    String id = endpoint(owner, path(), null).getString("id");
    assertEquals(404, await(api.get("/v1/webhook_endpoints/" + id, other)).statusCode());
    assertEquals(404, await(api.request(HttpMethod.DELETE, "/v1/webhook_endpoints/" + id, other).send()).statusCode());
    assertEquals(404, await(api.post("/v1/webhook_endpoints/" + id + "/rotate_secret", other, new JsonObject())).statusCode());
    assertEquals(404, await(api.get("/v1/webhook_endpoints/" + id + "/deliveries", other)).statusCode());
    assertEquals(200, await(api.get("/v1/webhook_endpoints/" + id, owner)).statusCode());
  }

  // ------------------------------------------------------------------ events

  @Test
  void aChargeOutcomeArrivesSignedWithTheChargeAsTheApiRendersIt() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    JsonObject charge = charge(key, "processout", 1200);
    Received r = awaitReceived(path, 1, 10_000).get(0);
    verify(ep.getString("secret"), r);
    JsonObject event = r.json();
    assertEquals("charge.succeeded", event.getString("type"));
    assertEquals(r.headers().get("webhook-id"), event.getString("id"), "webhook-id is the event id");
    assertTrue(event.getString("id").startsWith("evt_"));
    JsonObject now = await(api.get("/v1/charges/" + charge.getString("id"), key)).bodyAsJsonObject();
    assertEquals(now, event.getJsonObject("data"), "data is the charge as GET /v1/charges/{id} renders it");
    JsonArray ds = deliveries(key, ep.getString("id"), "");
    assertEquals(1, ds.size(), ds.encode());
    JsonObject d = ds.getJsonObject(0);
    assertEquals("delivered", d.getString("status"), d.encode());
    assertEquals(1, d.getInteger("attempts"));
    assertEquals(200, d.getInteger("last_status_code"));
    assertEquals(event.getString("id"), d.getString("event_id"));
  }

  @Test
  void theEventsOfOneChargeArriveInOrderEvenWhenTheFirstIsSlowToBeTaken() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    // the first delivery answers slowly: the second must wait for it, not overtake it
    delays.put(path, 700L);
    JsonObject charge = charge(key, "dintero", 1277); // pending, settled approved by the PSP's callback 2 s later
    assertEquals("pending", charge.getString("status"), charge.encode());
    List<Received> got = awaitReceived(path, 2, 20_000);
    assertEquals(List.of("charge.pending", "charge.succeeded"), got.stream().map(x -> x.json().getString("type")).toList());
    for (Received x : got) verify(ep.getString("secret"), x);
    assertTrue(got.get(1).atMs() >= got.get(0).atMs() + 700, "the second was sent after the first was answered");
    assertEquals("succeeded", got.get(1).json().getJsonObject("data").getString("status"));
    // settled later, not by the request: by the PSP's callback, or by the reconciler when its
    // inquiry comes first (both race for the same moment under load)
    String settledBy = got.get(1).json().getJsonObject("data").getString("settled_by");
    assertTrue(Set.of("webhook", "reconciler", "inquiry").contains(settledBy), settledBy);
  }

  @Test
  void anEndpointGetsOnlyTheTypesItSubscribedTo() throws Exception {
    String key = merchant();
    String declinedOnly = path();
    String all = path();
    endpoint(key, declinedOnly, new JsonArray().add("charge.declined"));
    endpoint(key, all, null);
    charge(key, "processout", 1300); // succeeded
    charge(key, "processout", 1351); // declined (insufficient funds)
    awaitReceived(all, 2, 10_000);
    List<Received> only = awaitReceived(declinedOnly, 1, 10_000);
    Thread.sleep(300);
    assertEquals(1, received.get(declinedOnly).size(), "only the declined charge");
    assertEquals("charge.declined", only.get(0).json().getString("type"));
  }

  @Test
  void aRefundReportsItsOutcome() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, new JsonArray().add("refund.succeeded").add("refund.failed"));
    JsonObject charge = charge(key, "processout", 5000);
    await(h.app.charges.whenDurable(charge.getString("id")));
    HttpResponse<Buffer> refund = await(api.request(HttpMethod.POST, "/v1/charges/" + charge.getString("id") + "/refunds", key)
        .putHeader("Idempotency-Key", "rk-" + UUID.randomUUID()).sendJsonObject(new JsonObject().put("amount", 1500)));
    assertEquals(201, refund.statusCode(), refund.bodyAsString());
    Received r = awaitReceived(path, 1, 10_000).get(0);
    verify(ep.getString("secret"), r);
    assertEquals("refund.succeeded", r.json().getString("type"));
    assertEquals(refund.bodyAsJsonObject(), r.json().getJsonObject("data"), "data is the refund as the API renders it");
  }

  @Test
  void anEndpointCreatedBehindThisInstancesBackStillGetsTheEventWithItsBodyRenderedLate() throws Exception {
    String key = merchant();
    String merchantId = merchantIds.get(key);
    String path = path();
    String secret = io.payrouter.webhook.StandardWebhooks.newSecret();
    // written straight to the store, as another instance would: this one's event renderer does not know of it
    java.time.Instant now = java.time.Instant.now();
    await(h.app.store.webhooks().insertEndpoint(new io.payrouter.domain.WebhookEndpoint("we_late" + UUID.randomUUID()
        .toString().substring(0, 8), merchantId, "http://127.0.0.1:" + port + path, io.payrouter.domain.EventType.WIRE,
        null, "enabled", null, null, null, null, now, now), secret));
    JsonObject charge = charge(key, "processout", 1400);
    Received r = awaitReceived(path, 1, 10_000).get(0);
    verify(secret, r);
    assertEquals("charge.succeeded", r.json().getString("type"));
    assertEquals(charge.getString("id"), r.json().getJsonObject("data").getString("id"));
  }

  // ------------------------------------------------------------------ retries, disabling, resending

  @Test
  void aFailingEndpointIsRetriedWithBackOffUntilItAnswers() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    AtomicInteger n = new AtomicInteger();
    answers.put(path, () -> n.incrementAndGet() <= 2 ? 503 : 200);
    charge(key, "processout", 1500);
    List<Received> got = awaitReceived(path, 3, 10_000);
    String id = got.get(0).headers().get("webhook-id");
    for (Received x : got) {
      assertEquals(id, x.headers().get("webhook-id"), "every attempt is the same message");
      verify(ep.getString("secret"), x);
    }
    assertTrue(got.get(1).atMs() - got.get(0).atMs() >= 200, "first retry after 200 ms");
    assertTrue(got.get(2).atMs() - got.get(1).atMs() >= 400, "second retry after 400 ms");
    long end = System.currentTimeMillis() + 5_000;
    JsonObject d;
    do {
      d = deliveries(key, ep.getString("id"), "").getJsonObject(0);
    } while (!"delivered".equals(d.getString("status")) && System.currentTimeMillis() < end);
    assertEquals("delivered", d.getString("status"), d.encode());
    assertEquals(3, d.getInteger("attempts"));
  }

  @Test
  void anEndpointThatFailsTheWholeScheduleIsDisabledAndSaysWhy() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    answers.put(path, () -> 500);
    charge(key, "processout", 1600);
    awaitReceived(path, 4, 10_000); // the first attempt and the schedule's 3 retries
    long end = System.currentTimeMillis() + 5_000;
    JsonObject got;
    do {
      got = await(api.get("/v1/webhook_endpoints/" + ep.getString("id"), key)).bodyAsJsonObject();
    } while (!"disabled".equals(got.getString("status")) && System.currentTimeMillis() < end);
    assertEquals("disabled", got.getString("status"), got.encode());
    assertTrue(got.getString("disabled_reason").contains("HTTP 500"), got.encode());
    JsonObject d = deliveries(key, ep.getString("id"), "").getJsonObject(0);
    assertEquals("failed", d.getString("status"), d.encode());
    assertEquals(4, d.getInteger("attempts"));
    // disabled: a new outcome is not sent there
    charge(key, "processout", 1700);
    Thread.sleep(500);
    assertEquals(4, received.get(path).size(), "nothing is sent to a disabled endpoint");
    // the merchant fixes it and enables it again; re-sending the failed delivery now delivers it
    answers.put(path, () -> 200);
    assertEquals(200, await(api.post("/v1/webhook_endpoints/" + ep.getString("id") + "/enable", key, new JsonObject())).statusCode());
    HttpResponse<Buffer> resent = await(api.post("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries/"
        + d.getString("id") + "/resend", key, new JsonObject()));
    assertEquals(202, resent.statusCode(), resent.bodyAsString());
    assertEquals("pending", resent.bodyAsJsonObject().getString("status"));
    awaitReceived(path, 5, 10_000);
  }

  @Test
  void aDeliveredEventCanBeResentAsTheSameMessage() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    charge(key, "processout", 1800);
    Received first = awaitReceived(path, 1, 10_000).get(0);
    long end = System.currentTimeMillis() + 5_000;
    JsonObject d;
    do {
      d = deliveries(key, ep.getString("id"), "").getJsonObject(0);
    } while (!"delivered".equals(d.getString("status")) && System.currentTimeMillis() < end);
    HttpResponse<Buffer> r = await(api.post("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries/"
        + d.getString("id") + "/resend", key, new JsonObject()));
    assertEquals(202, r.statusCode(), r.bodyAsString());
    Received again = awaitReceived(path, 2, 10_000).get(1);
    assertEquals(first.headers().get("webhook-id"), again.headers().get("webhook-id"));
    assertEquals(first.body(), again.body(), "the same event");
    verify(ep.getString("secret"), again);
    assertEquals(404, await(api.post("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries/whd_999999999/resend",
        key, new JsonObject())).statusCode());
  }

  @Test
  void deliveriesAreListedNewestFirstInPages() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    for (int i = 0; i < 3; i++) charge(key, "processout", 1900 + i);
    awaitReceived(path, 3, 10_000);
    JsonArray all = deliveries(key, ep.getString("id"), "");
    assertEquals(3, all.size());
    JsonObject page1 = await(api.get("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries?limit=2", key)).bodyAsJsonObject();
    assertEquals(2, page1.getJsonArray("data").size());
    assertTrue(page1.getBoolean("has_more"));
    String last = page1.getJsonArray("data").getJsonObject(1).getString("id");
    JsonObject page2 = await(api.get("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries?limit=2&starting_after="
        + last, key)).bodyAsJsonObject();
    assertEquals(1, page2.getJsonArray("data").size());
    assertFalse(page2.getBoolean("has_more"));
    assertEquals(all.getJsonObject(2).getString("id"), page2.getJsonArray("data").getJsonObject(0).getString("id"));
    long a = Long.parseLong(all.getJsonObject(0).getString("id").substring(4));
    long b = Long.parseLong(all.getJsonObject(1).getString("id").substring(4));
    assertTrue(a > b, "newest first");
    assertEquals(400, await(api.get("/v1/webhook_endpoints/" + ep.getString("id") + "/deliveries?status=lost", key)).statusCode());
  }

  @Test
  void aRotatedSecretSignsBesideThePreviousOneDuringTheOverlap() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    HttpResponse<Buffer> rot = await(api.post("/v1/webhook_endpoints/" + ep.getString("id") + "/rotate_secret", key,
        new JsonObject().put("expire_previous_after_seconds", 3600)));
    assertEquals(200, rot.statusCode(), rot.bodyAsString());
    String fresh = rot.bodyAsJsonObject().getString("secret");
    assertNotNull(rot.bodyAsJsonObject().getString("previous_secret_expires_at"));
    assertFalse(fresh.equals(ep.getString("secret")));
    // the deliverer re-reads signing details within 5 s; the first delivery after that carries both
    Thread.sleep(5_200);
    charge(key, "processout", 2000);
    Received r = awaitReceived(path, 1, 10_000).get(0);
    assertEquals(2, r.headers().get("webhook-signature").split(" ").length, r.headers().get("webhook-signature"));
    verify(fresh, r);
    verify(ep.getString("secret"), r);
  }

  @Test
  void aDeletedEndpointGetsNothingMore() throws Exception {
    String key = merchant();
    String path = path();
    JsonObject ep = endpoint(key, path, null);
    HttpResponse<Buffer> del = await(api.request(HttpMethod.DELETE, "/v1/webhook_endpoints/" + ep.getString("id"), key).send());
    assertEquals(200, del.statusCode(), del.bodyAsString());
    assertEquals("deleted", del.bodyAsJsonObject().getString("status"));
    charge(key, "processout", 2100);
    Thread.sleep(600);
    assertNull(received.get(path), "nothing sent to a deleted endpoint");
    assertEquals(404, await(api.get("/v1/webhook_endpoints/" + ep.getString("id"), key)).statusCode());
  }
}
