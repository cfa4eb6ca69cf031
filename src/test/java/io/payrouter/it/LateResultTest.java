package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.charge.ChargeService;
import io.payrouter.charge.SettlementPolicy;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.PspResult;
import io.payrouter.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A late success is never dropped, and a row the database refuses is never lost: conflicts are
 * recorded on the charge, listed by GET /admin/conflicts and counted; refused outcome rows are
 * kept as dead letters.
 */
@ExtendWith(VertxExtension.class)
class LateResultTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }


  /**
   * A charge that failed: both of its PSPs were down. Revio and ProcessOut create a purchase or an
   * invoice before the money call, so a 503 there proves nothing was charged.
   */
  static JsonObject failedCharge(Api api) throws Exception {
    await(api.faults("revio", new JsonObject().put("down", true)));
    await(api.faults("processout", new JsonObject().put("down", true)));
    try {
      String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("revio", Api.token("revio", ""))
          .put("processout", Api.token("processout", ""))));
      var r = await(api.charge(RouterHarness.MERCHANT_KEY, "late-" + System.nanoTime(), new JsonObject()
          .put("amount", 4242).put("currency", RouterHarness.currency("revio")).put("card_id", card)
          .put("metadata", new JsonObject().put("route", "revio"))));
      JsonObject c = r.bodyAsJsonObject();
      assertEquals("failed", c.getString("status"), c.encode());
      // until the outcome is durable, reads are served from memory: wait for the database
      for (int i = 0; i < 100; i++) {
        String st = await(RouterHarness.shared().app.pool.preparedQuery("SELECT status FROM charges WHERE id = $1")
            .execute(Tuple.of(c.getString("id")))).iterator().next().getString(0);
        if ("failed".equals(st)) break;
        Thread.sleep(20); // a test thread, polling the database
      }
      return c;
    } finally {
      await(api.clearFaults("revio"));
      await(api.clearFaults("processout"));
    }
  }

  @Test
  void aLateSuccessForAFailedChargeIsRecordedListedAndCountedNeverApplied(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String id = failedCharge(api).getString("id");
    double before = OwnershipAndReconcilerTest.counter("router_conflicts_total");

    ChargeService.SettleResult r = await(h.app.charges.settleResult(id, "revio", id, PspResult.succeeded("fat_late_1"),
        SettlementPolicy.Source.WEBHOOK, null));

    assertEquals(ChargeService.Settlement.CONFLICT, r.kind());
    assertFalse(r.applied(), "never acknowledged as applied");
    assertEquals(before + 1, OwnershipAndReconcilerTest.counter("router_conflicts_total"));
    JsonObject after = await(api.get("/v1/charges/" + id, RouterHarness.MERCHANT_KEY)).bodyAsJsonObject();
    assertEquals("failed", after.getString("status"), "a final charge never changes");
    assertTrue(after.getString("conflict", "").contains("fat_late_1"), after.encode());
    JsonArray listed = await(api.get("/admin/conflicts", RouterHarness.ADMIN_KEY)).bodyAsJsonObject().getJsonArray("data");
    JsonObject mine = listed.stream().map(o -> (JsonObject) o).filter(o -> id.equals(o.getString("charge_id")))
        .findFirst().orElseThrow(() -> new AssertionError("not listed: " + listed.encode()));
    assertEquals("revio", mine.getString("provider"));
    assertEquals("failed", mine.getString("charge_status"));
    assertEquals("succeeded", mine.getString("reported_outcome"));
    assertEquals("fat_late_1", mine.getString("provider_reference"));
  }

  @Test
  void theWebhookViewOfAConflictIsNotApplied(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String id = failedCharge(api).getString("id");
    assertTrue(await(h.app.charges.settle(id, "revio", id, PspResult.succeeded("fat_late_2")))
        .isEmpty(), "the webhook answers applied=false for a conflict");
  }

  @Test
  void theSameSuccessReportedTwiceIsNotAConflict(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    JsonObject c = await(api.charge(RouterHarness.MERCHANT_KEY, "dup-" + System.nanoTime(), new JsonObject()
        .put("amount", 4243).put("currency", "USD").put("card_id", card)
        .put("metadata", new JsonObject().put("route", "fatora")))).bodyAsJsonObject();
    assertEquals("succeeded", c.getString("status"), c.encode());
    Thread.sleep(300); // the outcome write lands
    ChargeService.SettleResult r = await(h.app.charges.settleResult(c.getString("id"), "fatora", c.getString("id"),
        PspResult.succeeded(c.getString("provider_reference")), SettlementPolicy.Source.WEBHOOK, null));
    assertEquals(ChargeService.Settlement.ALREADY, r.kind());
  }

  @Test
  void anOutcomeRowTheDatabaseRefusesIsKeptAsADeadLetterAndTheRestOfItsBatchLands() throws Exception {
    String prefix = "ch_dl_" + System.nanoTime() + "_";
    for (int i = 0; i < 5; i++) {
      await(h.app.pool.preparedQuery("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, "
          + "currency, status, created_at, updated_at, next_check_at) VALUES ($1, 'it-merchant', $1, 'fp', 100, 'USD', "
          + "'processing', now(), now(), now() + interval '1 hour')").execute(Tuple.of(prefix + i)));
    }
    double before = OwnershipAndReconcilerTest.counter("router_dead_letters_total");
    List<io.vertx.core.Future<Boolean>> writes = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      // PostgreSQL refuses a NUL character in text. PSP text is cleaned before it is stored, the
      // router's own names are not: the middle row can never be written as is.
      String provider = i == 2 ? "fat\u0000ora" : "fatora";
      Attempt a = new Attempt("att_" + prefix + i, prefix + i, 1, provider, AttemptOutcome.SUCCEEDED, 5, null, "ref", null, null);
      writes.add(h.app.store.recordOutcome(new Store.Outcome(prefix + i, ChargeStatus.SUCCEEDED, "fatora", "ref", null,
          null, List.of(a), Instant.now(), null, null, null)));
    }
    for (int i = 0; i < 5; i++) {
      var f = writes.get(i);
      try {
        await(f);
        assertTrue(i != 2, "the refused row fails its future");
      } catch (java.util.concurrent.ExecutionException e) {
        assertEquals(2, i, "only the refused row fails: " + e.getCause());
      }
    }
    var rows = await(h.app.pool.preparedQuery("SELECT count(*) FROM charges WHERE id LIKE $1 AND status = 'succeeded'")
        .execute(Tuple.of(prefix + "%")));
    assertEquals(4L, rows.iterator().next().getLong(0), "the other rows of the batch landed");
    var dead = await(h.app.pool.preparedQuery("SELECT queue, sqlstate FROM dead_letters WHERE payload->>'charge_id' = $1")
        .execute(Tuple.of(prefix + 2)));
    assertEquals(1, dead.rowCount(), "kept as a dead letter");
    assertEquals("outcome", dead.iterator().next().getString(0));
    assertEquals(before + 1, OwnershipAndReconcilerTest.counter("router_dead_letters_total"));
  }
}
