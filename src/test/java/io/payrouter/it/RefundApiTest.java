package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Refunds over real HTTP and a real PostgreSQL: idempotency (same key + same body replays the
 * stored refund, another body or another charge is 422, a key in flight 409), bad input refused as
 * problem+json with nothing written, and concurrency: bursts of concurrent refund POSTs of one
 * charge never refund more than it was charged, in the database and at the PSP, and the CHECK on
 * {@code charges.refunded_amount} refuses any write that would.
 */
@ExtendWith(VertxExtension.class)
class RefundApiTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String PSP = "processout";
  static RouterHarness h;
  static Api api;

  @BeforeAll
  static void router(Vertx vertx) throws Exception {
    h = RouterHarness.shared();
    api = new Api(vertx, h);
  }

  static String succeededCharge(long amount) throws Exception {
    JsonObject c = await(ConnectorContractTest.charge(api, PSP, PSP, "", amount));
    assertEquals("succeeded", c.getString("status"), c.encode());
    String id = c.getString("id");
    // The answer comes before its outcome row is written (the outcome writer batches): tests that
    // write rows beside the charge (orphan) need it in PostgreSQL first.
    long end = System.currentTimeMillis() + 10_000;
    while (System.currentTimeMillis() < end && !"succeeded".equals(await(h.app.pool.preparedQuery(
        "SELECT status FROM charges WHERE id = $1").execute(Tuple.of(id))).iterator().next().getString(0))) {
      Thread.sleep(20);
    }
    return id;
  }

  static Future<HttpResponse<Buffer>> post(String chargeId, String key, JsonObject body) {
    var r = api.request(HttpMethod.POST, "/v1/charges/" + chargeId + "/refunds", KEY);
    if (key != null) r.putHeader("Idempotency-Key", key);
    return body == null ? r.send() : r.sendJsonObject(body);
  }

  static String key() {
    return "rk-" + UUID.randomUUID();
  }

  /** The charge's refunded_amount and what its non-failed refunds add up to, from PostgreSQL. */
  static long[] stored(String chargeId) throws Exception {
    Row r = await(h.app.pool.preparedQuery("SELECT c.amount, c.refunded_amount, "
            + "(SELECT coalesce(sum(amount), 0) FROM refunds WHERE charge_id = c.id AND status <> 'failed')::int8, "
            + "(SELECT count(*) FROM refunds WHERE charge_id = c.id) FROM charges c WHERE c.id = $1")
        .execute(Tuple.of(chargeId))).iterator().next();
    return new long[] {r.getLong(0), r.getLong(1), r.getLong(2), r.getLong(3)};
  }

  static JsonObject ledger(String chargeId) throws Exception {
    JsonArray l = await(api.ledger(PSP, chargeId));
    assertEquals(1, l.size(), l.encode());
    return l.getJsonObject(0);
  }

  @Test
  void sameKeyAndBodyReplaysTheStoredRefundAnotherBodyOrChargeIs422() throws Exception {
    String id = succeededCharge(5000);
    String other = succeededCharge(5000);
    String k = key();
    HttpResponse<Buffer> first = await(post(id, k, new JsonObject().put("amount", 1000)));
    assertEquals(201, first.statusCode(), first.bodyAsString());
    assertEquals(null, first.getHeader("Idempotent-Replayed"));
    HttpResponse<Buffer> again = await(post(id, k, new JsonObject().put("amount", 1000)));
    assertEquals(201, again.statusCode(), again.bodyAsString());
    assertEquals("true", again.getHeader("Idempotent-Replayed"));
    assertEquals(first.bodyAsJsonObject(), again.bodyAsJsonObject(), "the stored refund, as it was answered");

    HttpResponse<Buffer> otherBody = await(post(id, k, new JsonObject().put("amount", 2000)));
    assertEquals(422, otherBody.statusCode(), otherBody.bodyAsString());
    assertTrue(otherBody.bodyAsJsonObject().getString("type").endsWith("/idempotency-key-reused"));
    HttpResponse<Buffer> otherCharge = await(post(other, k, new JsonObject().put("amount", 1000)));
    assertEquals(422, otherCharge.statusCode(), "one key, another charge: " + otherCharge.bodyAsString());

    long[] s = stored(id);
    assertEquals(1000, s[1], "reserved once");
    assertEquals(1, s[3], "one refund row");
    assertEquals(1000L, ledger(id).getLong("refunded_amount"), "refunded once at the PSP");
    assertEquals(0, stored(other)[3]);
  }

  @Test
  void aKeyReplayedWhileInFlightIsAnsweredFromTheOneRefund() throws Exception {
    String id = succeededCharge(6000);
    String k = key();
    List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
    for (int i = 0; i < 10; i++) all.add(post(id, k, new JsonObject().put("amount", 2500)));
    await(Future.join(all));
    int fresh = 0;
    for (Future<HttpResponse<Buffer>> f : all) {
      HttpResponse<Buffer> r = f.result();
      assertTrue(r.statusCode() == 201 || r.statusCode() == 409, r.statusCode() + " " + r.bodyAsString());
      if (r.statusCode() == 201 && r.getHeader("Idempotent-Replayed") == null) fresh++;
      if (r.statusCode() == 409) {
        assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/idempotency-key-in-progress"), r.bodyAsString());
      }
    }
    assertEquals(1, fresh, "one request made the refund");
    assertEquals(1, stored(id)[3], "one refund row for the key");
    assertEquals(2500L, ledger(id).getLong("refunded_amount"));
  }

  @Test
  void concurrentRefundPostsNeverRefundMoreThanWasCharged() throws Exception {
    String id = succeededCharge(10_000);
    Map<Integer, Integer> codes = new TreeMap<>();
    long answeredSucceeded = 0;
    // Bursts of 12 concurrent refunds of 1,500 (distinct keys) until every answer says nothing fits.
    for (int round = 0; round < 30; round++) {
      List<Future<HttpResponse<Buffer>>> burst = new ArrayList<>();
      for (int i = 0; i < 12; i++) burst.add(post(id, key(), new JsonObject().put("amount", 1500)));
      await(Future.join(burst));
      boolean anyFit = false;
      for (Future<HttpResponse<Buffer>> f : burst) {
        HttpResponse<Buffer> r = f.result();
        codes.merge(r.statusCode(), 1, Integer::sum);
        assertTrue(r.statusCode() < 500, "never a 5xx: " + r.bodyAsString());
        assertEquals(r.statusCode() < 300 ? "application/json" : "application/problem+json", r.getHeader("Content-Type"));
        if (r.statusCode() == 201) {
          assertEquals("succeeded", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
          answeredSucceeded += r.bodyAsJsonObject().getLong("amount");
        }
        if (r.statusCode() != 422) anyFit = true;
      }
      if (!anyFit) break;
    }
    assertEquals(9_000, answeredSucceeded, "six refunds of 1,500 fit in 10,000, a seventh never: " + codes);
    // The rest, 1,000, by concurrent full refunds: exactly one takes it.
    List<Future<HttpResponse<Buffer>>> rest = new ArrayList<>();
    for (int i = 0; i < 8; i++) rest.add(post(id, key(), null));
    await(Future.join(rest));
    long restRefunded = 0;
    for (Future<HttpResponse<Buffer>> f : rest) {
      HttpResponse<Buffer> r = f.result();
      assertTrue(r.statusCode() == 201 || r.statusCode() == 409 || r.statusCode() == 422, r.bodyAsString());
      if (r.statusCode() == 201) restRefunded += r.bodyAsJsonObject().getLong("amount");
    }
    assertEquals(1_000, restRefunded, "one full refund of the rest");

    long[] s = stored(id);
    assertEquals(10_000, s[1], "refunded_amount is the charge");
    assertEquals(s[1], s[2], "refunded_amount is what the refunds add up to");
    JsonObject e = ledger(id);
    assertEquals(10_000L, e.getLong("refunded_amount"), "the PSP refunded exactly the charge: " + e.encode());
    assertEquals(7, e.getJsonArray("refunds").size());
    JsonArray listed = await(api.get("/v1/charges/" + id + "/refunds", KEY)).bodyAsJsonObject().getJsonArray("data");
    assertEquals(7, listed.size(), "only the refunds that were made are recorded");
  }

  @Test
  void postgresqlRefusesARefundedAmountAboveTheCharge() throws Exception {
    String id = succeededCharge(3000);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(h.app.pool.preparedQuery("UPDATE charges SET refunded_amount = amount + 1 WHERE id = $1")
            .execute(Tuple.of(id))));
    assertTrue(e.getCause() instanceof PgException pg && "23514".equals(pg.getSqlState()), e.getCause().toString());
    assertEquals(0, stored(id)[1]);
  }

  @Test
  void badInputIsProblemJsonNever5xxAndWritesNothing(Vertx vertx) throws Exception {
    String id = succeededCharge(4000);
    List<Object[]> cases = new ArrayList<>();
    // what, request, expected status
    cases.add(new Object[] {"no Idempotency-Key", post(id, null, new JsonObject().put("amount", 100)), 400});
    cases.add(new Object[] {"key too long", post(id, "k".repeat(256), new JsonObject()), 400});
    cases.add(new Object[] {"amount as a string", post(id, key(), new JsonObject().put("amount", "100")), 400});
    cases.add(new Object[] {"amount 0", post(id, key(), new JsonObject().put("amount", 0)), 400});
    cases.add(new Object[] {"negative amount", post(id, key(), new JsonObject().put("amount", -5)), 400});
    cases.add(new Object[] {"fractional amount", post(id, key(), new JsonObject().put("amount", 1.5)), 400});
    cases.add(new Object[] {"amount too large", post(id, key(), new JsonObject().put("amount", 100_000_000_000L)), 400});
    cases.add(new Object[] {"unknown field", post(id, key(), new JsonObject().put("amount", 100).put("currency", "USD")), 400});
    cases.add(new Object[] {"empty reason", post(id, key(), new JsonObject().put("reason", "")), 400});
    cases.add(new Object[] {"reason with NUL", post(id, key(), new JsonObject().put("reason", "a\u0000b")), 400});
    cases.add(new Object[] {"not JSON", api.request(HttpMethod.POST, "/v1/charges/" + id + "/refunds", KEY)
        .putHeader("Idempotency-Key", key()).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{amount")), 400});
    cases.add(new Object[] {"a JSON array", api.request(HttpMethod.POST, "/v1/charges/" + id + "/refunds", KEY)
        .putHeader("Idempotency-Key", key()).putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("[1]")), 400});
    cases.add(new Object[] {"text/plain", api.request(HttpMethod.POST, "/v1/charges/" + id + "/refunds", KEY)
        .putHeader("Idempotency-Key", key()).putHeader("Content-Type", "text/plain").sendBuffer(Buffer.buffer("amount=1")), 415});
    cases.add(new Object[] {"no such charge", post("ch_nope", key(), null), 404});
    cases.add(new Object[] {"overlong charge id", post("c".repeat(300), key(), null), 404});
    cases.add(new Object[] {"another merchant's charge", api.request(HttpMethod.POST, "/v1/charges/" + id + "/refunds",
        RouterHarness.OTHER_KEY).putHeader("Idempotency-Key", key()).send(), 404});
    cases.add(new Object[] {"no API key", api.request(HttpMethod.POST, "/v1/charges/" + id + "/refunds", null)
        .putHeader("Idempotency-Key", key()).send(), 401});
    cases.add(new Object[] {"list of no such charge", api.get("/v1/charges/ch_nope/refunds", KEY), 404});
    cases.add(new Object[] {"list of another merchant's charge", api.get("/v1/charges/" + id + "/refunds",
        RouterHarness.OTHER_KEY), 404});
    List<String> wrong = new ArrayList<>();
    for (Object[] c : cases) {
      @SuppressWarnings("unchecked")
      HttpResponse<Buffer> r = await((Future<HttpResponse<Buffer>>) c[1]);
      String problem = HostileInputTest.problemDefect(new HostileInputTest.Answer(null, r.statusCode(),
          Map.of("content-type", String.valueOf(r.getHeader("Content-Type"))), r.body() == null ? new byte[0] : r.body().getBytes()));
      if (r.statusCode() != (int) c[2] || problem != null) {
        wrong.add(c[0] + ": " + r.statusCode() + " (" + problem + ") " + r.bodyAsString());
      }
    }
    assertEquals(List.of(), wrong);
    long[] s = stored(id);
    assertEquals(0, s[1], "nothing reserved");
    assertEquals(0, s[3], "no refund row");
    assertEquals(0L, ledger(id).getLong("refunded_amount"));
    assertNotEquals(0, cases.size());
  }

  /** As a router that claimed a refund and stopped leaves it: reserved on the charge, processing, its owner gone. */
  static String orphan(String chargeId, long amount, boolean checkpointed) throws Exception {
    String refundId = "re_orphan" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    await(h.app.pool.withTransaction(c -> c.preparedQuery("UPDATE charges SET refunded_amount = refunded_amount + $2"
            + " WHERE id = $1").execute(Tuple.of(chargeId, amount))
        .compose(x -> c.preparedQuery("INSERT INTO refunds (id, charge_id, merchant_id, idempotency_key, fingerprint, amount,"
            + " currency, provider, charge_reference, charge_provider_reference, charge_amount, refunded_before, status, owner,"
            + " owner_epoch, sent_at, next_check_at, created_at, updated_at)"
            + " SELECT $2, id, merchant_id, $2, 'fp', $3, currency, provider, id, provider_reference, amount, refunded_amount - $3,"
            + " 'processing', 'inst_gone', 1, CASE WHEN $4 THEN now() END, now(), now(), now() FROM charges WHERE id = $1")
            .execute(Tuple.of(chargeId, refundId, amount, checkpointed)))));
    return refundId;
  }

  static String status(String refundId) throws Exception {
    return await(h.app.pool.preparedQuery("SELECT status FROM refunds WHERE id = $1").execute(Tuple.of(refundId)))
        .iterator().next().getString(0);
  }

  static String awaitStatus(String refundId, String want, long maxMs) throws Exception {
    long end = System.currentTimeMillis() + maxMs;
    String now = status(refundId);
    while (!want.equals(now) && System.currentTimeMillis() < end) {
      Thread.sleep(100);
      now = status(refundId);
    }
    return now;
  }

  @Test
  void theReconcilerTakesOverOrphanedRefundsFailingOnlyWhatWasProvablyNeverSent() throws Exception {
    String id = succeededCharge(2000);
    // No checkpoint: the money call was never sent. Taken over (its owner is gone) and failed at
    // once, its amount given back to the charge.
    String neverSent = orphan(id, 700, false);
    assertEquals("failed", awaitStatus(neverSent, "failed", 5_000));
    Row r = await(h.app.pool.preparedQuery("SELECT failure_reason, owner_epoch FROM refunds WHERE id = $1")
        .execute(Tuple.of(neverSent))).iterator().next();
    assertEquals("never sent to the PSP", r.getString(0));
    assertEquals(2L, r.getLong(1), "a takeover raises the epoch: the old owner can neither send nor write");
    assertEquals(0, stored(id)[1], "its amount is free again");
    // Checkpointed: it may have been sent. The PSP has no such refund: no proof before the horizon
    // (6 s here), so it waits; failed only after it.
    String maybeSent = orphan(id, 700, true);
    Thread.sleep(2_500);
    assertNotEquals("failed", status(maybeSent), "no refund at the PSP is no proof before the horizon");
    assertEquals("failed", awaitStatus(maybeSent, "failed", 15_000));
    assertEquals(0, stored(id)[1]);
    assertEquals(0L, ledger(id).getLong("refunded_amount"), "nothing was ever refunded");
  }
}
