package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.charge.ChargeService;
import io.payrouter.charge.SettlementPolicy;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.FencedException;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.RoutingInfo;
import io.payrouter.store.Store;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ExecutionException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The charge path's money rules where several instances, pauses and retries meet, over the real
 * database of a real router (and real HTTP to the simulators): fencing before every money call,
 * a retry after failed that never charges twice, per-attempt references, lost writes that never
 * contradict the charge, PSP text PostgreSQL cannot store, and a key purge that cannot race a
 * retry.
 */
@ExtendWith(VertxExtension.class)
class MoneySafetyTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  static void sql(String statement, Object... args) throws Exception {
    await(h.app.pool.preparedQuery(statement).execute(Tuple.from(args)));
  }

  static Row one(String statement, Object... args) throws Exception {
    return await(h.app.pool.preparedQuery(statement).execute(Tuple.from(args))).iterator().next();
  }

  /** A processing charge owned by {@code owner} under {@code epoch}, and the owner's heartbeat {@code beatAgoS} ago. */
  static String owned(String owner, long epoch, double beatAgoS) throws Exception {
    String id = "ch_fence_" + System.nanoTime();
    sql("INSERT INTO instances (id, heartbeat_at) VALUES ($1, now() - make_interval(secs => $2)) "
        + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at", owner, beatAgoS);
    sql("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status, created_at, "
        + "updated_at, owner, owner_epoch, next_check_at) VALUES ($1, 'it-merchant', $1, 'fp', 100, 'USD', 'processing', "
        + "now(), now(), $2, $3, now() + interval '1 hour')", id, owner, epoch);
    return id;
  }

  static Attempt sent(String chargeId, int seq) {
    return Attempt.sent("att_" + chargeId + "_" + seq, chargeId, seq, "fatora", null);
  }

  static long attempts(String chargeId) throws Exception {
    return one("SELECT coalesce((SELECT jsonb_array_length(attempts) FROM charges WHERE id = $1), 0)::int8", chargeId).getLong(0);
  }

  // ---------------------------------------------------------------- fencing (issue 14, 1e)

  @Test
  void theOwnerUnderItsEpochWithAValidLeaseMayCheckpoint() throws Exception {
    String id = owned("inst_fence_a", 1, 0);
    await(h.app.store.checkpoint(sent(id, 1), "inst_fence_a", 1));
    assertEquals(1, attempts(id));
  }

  // ---------------------------------------------------------------- the claim arms the first attempt

  /** A new processing charge, not yet in the database, and its owner's heartbeat {@code beatAgoS} ago. */
  static io.payrouter.domain.Charge fresh(String owner, double beatAgoS) throws Exception {
    sql("INSERT INTO instances (id, heartbeat_at) VALUES ($1, now() - make_interval(secs => $2)) "
        + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at", owner, beatAgoS);
    String id = "ch_arm_" + System.nanoTime();
    Instant now = Instant.now();
    return new io.payrouter.domain.Charge(id, "it-merchant", "arm-" + id, "fp", 100, "USD", null, null,
        ChargeStatus.PROCESSING, null, null, null, null, null, List.of(), now, now, null);
  }

  @Test
  void aFreshClaimUnderAValidLeaseRecordsItsFirstAttemptAsSent() throws Exception {
    var c = fresh("inst_arm_a", 0);
    Store.Claim claim = await(h.app.store.claim(c, "inst_arm_a", Instant.now().plusSeconds(60), sent(c.id(), 1)));
    assertEquals(Store.Claim.ARMED, claim);
    Row a = one("SELECT a->>'outcome', a->>'provider', (a->>'seq')::int4 FROM charges, jsonb_array_elements(attempts) a WHERE id = $1", c.id());
    assertEquals("sent", a.getString(0));
    assertEquals("fatora", a.getString(1));
    assertEquals(1, a.getInteger(2));
  }

  @Test
  void aClaimPastItsLeaseRecordsTheIntentButNoAttempt() throws Exception {
    // Paused past the lease while its claim waited: the intent is recorded (the merchant's key is
    // claimed), but not the attempt, so the first money call must go through a checkpoint, which fences.
    var c = fresh("inst_arm_b", 10);
    Store.Claim claim = await(h.app.store.claim(c, "inst_arm_b", Instant.now().plusSeconds(60), sent(c.id(), 1)));
    assertEquals(Store.Claim.CLAIMED, claim);
    assertEquals("processing", one("SELECT status FROM charges WHERE id = $1", c.id()).getString(0));
    assertEquals(0, attempts(c.id()));
  }

  @Test
  void aClaimOfATakenKeyRecordsNoAttempt() throws Exception {
    var first = fresh("inst_arm_c", 0);
    await(h.app.store.claim(first, "inst_arm_c", Instant.now().plusSeconds(60), sent(first.id(), 1)));
    var again = new io.payrouter.domain.Charge("ch_arm_again_" + System.nanoTime(), first.merchantId(),
        first.idempotencyKey(), "fp", 100, "USD", null, null, ChargeStatus.PROCESSING, null, null, null, null, null,
        List.of(), Instant.now(), Instant.now(), null);
    Store.Claim claim = await(h.app.store.claim(again, "inst_arm_c", Instant.now().plusSeconds(60), sent(again.id(), 1)));
    assertEquals(Store.Claim.TAKEN, claim);
    assertEquals(0, attempts(again.id()));
  }

  @Test
  void aSingleCallChargeNeedsNoCheckpointWriteOfItsOwn(Vertx vertx) throws Exception {
    // One write before the money call: the claim carried the attempt, so the checkpoint writer
    // sends nothing for it, and the attempt row is the one the outcome then settles.
    Api api = new Api(vertx, h);
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    double before = checkpointRows();
    JsonObject c = await(api.charge(RouterHarness.MERCHANT_KEY, "armed-" + System.nanoTime(), new JsonObject()
        .put("amount", 4243).put("currency", "USD").put("card_id", card)
        .put("metadata", new JsonObject().put("route", "fatora")))).bodyAsJsonObject();
    assertEquals("succeeded", c.getString("status"), c.encode());
    assertEquals(before, checkpointRows(), "no checkpoint row was written for the charge");
    assertEquals(1, await(api.ledger("fatora", c.getString("id"))).size(), "charged once");
    // the answer comes before its outcome batch is written: wait for it (at most 10 s)
    long deadline = System.currentTimeMillis() + 10_000;
    String outcome;
    while ("sent".equals(outcome = one("SELECT a->>'outcome' FROM charges, jsonb_array_elements(attempts) a WHERE id = $1", c.getString("id")).getString(0))
        && System.currentTimeMillis() < deadline) {
      await(io.vertx.core.Future.<Void>future(p -> h.vertx.setTimer(50, t -> p.complete())));
    }
    assertEquals("succeeded", outcome, "the claim's attempt row, settled by the outcome");
    assertEquals(1, attempts(c.getString("id")));
  }

  @Test
  void aClaimAnsweredAfterTheLeaseStillChargesThroughAFreshCheckpoint(Vertx vertx) throws Exception {
    // The claim (intent and armed attempt) takes 3.5 s, longer than the 3 s lease but within the
    // 5 s claim bound: its proof is stale, so the call proves ownership again through a checkpoint
    // on the same attempt row (fast), and is sent. Refusing it would leave a charge pending for
    // no reason but a slow write.
    Api api = new Api(vertx, h);
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    await(h.app.pool.query("""
        CREATE OR REPLACE FUNCTION test_slow_claim() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.idempotency_key LIKE 'slow-claim-%' THEN PERFORM pg_sleep(3.5); END IF; RETURN NEW; END $$""").execute());
    await(h.app.pool.query("CREATE TRIGGER test_slow_claim BEFORE INSERT ON charges FOR EACH ROW "
        + "EXECUTE FUNCTION test_slow_claim()").execute());
    double before = checkpointRows();
    JsonObject c;
    try {
      c = await(api.charge(RouterHarness.MERCHANT_KEY, "slow-claim-" + System.nanoTime(), new JsonObject()
          .put("amount", 4244).put("currency", "USD").put("card_id", card)
          .put("metadata", new JsonObject().put("route", "fatora")))).bodyAsJsonObject();
    } finally {
      await(h.app.pool.query("DROP TRIGGER test_slow_claim ON charges").execute());
    }
    assertEquals("succeeded", c.getString("status"), c.encode());
    assertEquals(1, await(api.ledger("fatora", c.getString("id"))).size(), "charged once");
    assertEquals(before + 1, checkpointRows(), "one checkpoint, for the stale claim's attempt");
    assertEquals(1, attempts(c.getString("id")), "the checkpoint proved the claim's own attempt row again");
  }

  static double checkpointRows() {
    var s = h.app.metrics.registry().find("router_write_batch_size").tag("queue", "checkpoint").summary();
    return s == null ? 0 : s.totalAmount();
  }

  @Test
  void aChargeTakenOverByAnotherInstanceRefusesTheFormerOwnersCheckpoint() throws Exception {
    String id = owned("inst_fence_b", 1, 0);
    sql("UPDATE charges SET owner = 'inst_fence_other', owner_epoch = 2 WHERE id = $1", id);
    ExecutionException e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(h.app.store.checkpoint(sent(id, 1), "inst_fence_b", 1)));
    assertInstanceOf(FencedException.class, e.getCause());
    assertEquals(0, attempts(id), "nothing recorded, so nothing may be sent");
  }

  @Test
  void aChargeTakenBackUnderANewEpochRefusesTheStaleEpoch() throws Exception {
    // A -> B -> A again: the paused request path of the first A still holds epoch 1.
    String id = owned("inst_fence_c", 3, 0);
    assertInstanceOf(FencedException.class, org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(h.app.store.checkpoint(sent(id, 1), "inst_fence_c", 1))).getCause());
  }

  @Test
  void anOwnerPastItsLeaseMayNotCheckpoint() throws Exception {
    // Paused (SIGSTOP, a long GC) longer than the owner timeout: its heartbeat is stale by PostgreSQL's clock.
    String id = owned("inst_fence_d", 1, 10);
    assertInstanceOf(FencedException.class, org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(h.app.store.checkpoint(sent(id, 1), "inst_fence_d", 1))).getCause());
  }

  @Test
  void aSettledChargeRefusesAnyFurtherCheckpoint() throws Exception {
    String id = owned("inst_fence_e", 1, 0);
    sql("UPDATE charges SET status = 'pending' WHERE id = $1", id);
    assertInstanceOf(FencedException.class, org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(h.app.store.checkpoint(sent(id, 2), "inst_fence_e", 1))).getCause());
  }

  @Test
  void aTakeoverRaisesTheEpochAndIsCounted() throws Exception {
    String id = owned("inst_fence_gone", 1, 3600);
    sql("UPDATE charges SET next_check_at = now() - interval '1 second' WHERE id = $1", id);
    double before = OwnershipAndReconcilerTest.counter("router_takeovers_total");
    List<Store.Taken> taken = await(h.app.store.takeUnsettled(h.app.charges.instanceId(), 3_000, 60_000, 3_000, 1_000, true));
    Store.Taken mine = taken.stream().filter(t -> t.charge().id().equals(id)).findFirst().orElseThrow();
    assertEquals(2, mine.epoch());
    assertTrue(mine.tookOver());
    assertEquals(2L, one("SELECT owner_epoch FROM charges WHERE id = $1", id).getLong(0));
    assertTrue(before >= 0);
  }

  @Test
  void aCheckpointThatAnswersAfterTheLeaseSendsNothing(Vertx vertx) throws Exception {
    // The database (or this process) stalls longer than the lease between the fenced checkpoint
    // and the money call: the proof of ownership is stale, so the call is not sent.
    Api api = new Api(vertx, h);
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    await(h.app.pool.query("""
        CREATE OR REPLACE FUNCTION test_slow_checkpoint() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          -- a write of a processing charge with a sent attempt (the claim carrying its armed
          -- attempt, or a checkpoint, even one that writes the attempt as it stood) takes 3.5 s
          IF NEW.status = 'processing' AND NEW.attempts @> '[{"outcome": "sent"}]' THEN
            PERFORM pg_sleep(3.5);
          END IF;
          RETURN NEW;
        END $$""").execute());
    await(h.app.pool.query("CREATE TRIGGER test_slow_checkpoint BEFORE INSERT OR UPDATE ON charges FOR EACH ROW "
        + "EXECUTE FUNCTION test_slow_checkpoint()").execute());
    JsonObject c;
    try {
      c = await(api.charge(RouterHarness.MERCHANT_KEY, "slow-cp-" + System.nanoTime(), new JsonObject()
          .put("amount", 4242).put("currency", "USD").put("card_id", card)
          .put("metadata", new JsonObject().put("route", "fatora")))).bodyAsJsonObject();
    } finally {
      await(h.app.pool.query("DROP TRIGGER test_slow_checkpoint ON charges").execute());
    }
    assertEquals("pending", c.getString("status"), c.encode());
    assertEquals(0, await(api.ledger("fatora", c.getString("id"))).size(), "nothing was sent to the PSP");
    assertEquals("sent", one("SELECT a->>'outcome' FROM charges, jsonb_array_elements(attempts) a WHERE id = $1", c.getString("id")).getString(0),
        "the attempt stays durable as sent, for the reconciler");
  }

  // ---------------------------------------------------------------- lost writes (1d)

  @Test
  void theAttemptsOfALostOutcomeWriteAreNotWritten() throws Exception {
    String id = owned("inst_lost_owner", 1, 0);
    Attempt a = new Attempt("att_lost_" + id, id, 1, "fatora", AttemptOutcome.SUCCEEDED, 5, null, "ref", null, null);
    boolean changed = await(h.app.store.recordOutcome(new Store.Outcome(id, ChargeStatus.SUCCEEDED, "fatora", "ref", null,
        null, List.of(a), Instant.now(), "inst_lost_somebody_else", 1L, null)));
    assertFalse(changed);
    assertEquals(0, attempts(id), "an attempt row saying succeeded would contradict the processing charge");
  }

  @Test
  void aSuccessWhoseWriteLostTheRaceToAFailureBecomesAConflict(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject failed = LateResultTest.failedCharge(api);
    String id = failed.getString("id");
    ChargeService.SettleResult r = await(h.app.charges.settleResult(id, "revio", id, PspResult.succeeded("fat_lost"),
        SettlementPolicy.Source.REQUEST, null));
    assertEquals(ChargeService.Settlement.CONFLICT, r.kind());
    JsonObject after = await(api.get("/v1/charges/" + id, RouterHarness.MERCHANT_KEY)).bodyAsJsonObject();
    assertTrue(after.getString("conflict", "").contains("fat_lost"), after.encode());
  }

  // ---------------------------------------------------------------- retry after failed (1b, 1g)

  /** A Revio charge, its key and body, that failed while Revio was down (its create call moves no money). */
  record FailedAtRevio(String id, String key, JsonObject body) {}

  static FailedAtRevio failedAtRevio(Api api, String keyPrefix) throws Exception {
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("revio", Api.token("revio", ""))));
    String key = keyPrefix + System.nanoTime();
    JsonObject body = new JsonObject().put("amount", 4242).put("currency", RouterHarness.currency("revio"))
        .put("card_id", card).put("metadata", new JsonObject().put("route", "revio"));
    await(api.faults("revio", new JsonObject().put("down", true)));
    JsonObject first;
    try {
      first = await(api.charge(RouterHarness.MERCHANT_KEY, key, body)).bodyAsJsonObject();
    } finally {
      await(api.clearFaults("revio"));
    }
    assertEquals("failed", first.getString("status"), first.encode());
    Thread.sleep(300); // the outcome lands
    return new FailedAtRevio(first.getString("id"), key, body);
  }

  @Test
  void aFailedChargeOnWhichMoneyMovedIsNeverChargedAgain(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    FailedAtRevio f = failedAtRevio(api, "retry-conflict-");
    String id = f.id();
    // The PSP reports, late, that money moved after all.
    await(h.app.charges.settleResult(id, "revio", id, PspResult.succeeded("rev_moved"), SettlementPolicy.Source.WEBHOOK, null));

    var retry = await(api.charge(RouterHarness.MERCHANT_KEY, f.key(), f.body()));
    assertEquals("failed", retry.bodyAsJsonObject().getString("status"), "the retry gets the charge as it stands");
    assertEquals("true", retry.getHeader("Idempotent-Replayed"));
    for (String ref : List.of(id, id + "-2")) {
      JsonArray ledger = await(api.ledger("revio", ref));
      assertEquals(0, ConnectorContractTest.charged(ledger), "no second charge: " + ledger.encode());
    }
  }

  @Test
  void aRetryAfterFailedSendsTheNextAttemptUnderItsOwnReference(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    FailedAtRevio f = failedAtRevio(api, "retry-ref-");
    String id = f.id();
    JsonObject retried = await(api.charge(RouterHarness.MERCHANT_KEY, f.key(), f.body())).bodyAsJsonObject();
    assertEquals("succeeded", retried.getString("status"), retried.encode());
    assertEquals(id, retried.getString("id"), "the same charge");
    assertEquals(1, await(api.ledger("revio", id + "-2")).size(), "the retry's attempt went out as " + id + "-2");
  }

  // ---------------------------------------------------------------- PSP text and refused rows (1g)

  @Test
  void aPspStringWithANulIsCleanedAndTheOutcomeLands() throws Exception {
    String id = owned("inst_nul_owner", 1, 0);
    Attempt a = new Attempt("att_nul_" + id, id, 1, "fatora", AttemptOutcome.DECLINED, 5, "bad\u0000text",
        "ref\u0000", null, "code\u0000x");
    boolean changed = await(h.app.store.recordOutcome(new Store.Outcome(id, ChargeStatus.DECLINED, "fatora", "ref\u0000",
        null, "code\u0000x", List.of(a), Instant.now(), "inst_nul_owner", 1L, null)));
    assertTrue(changed, "written, not refused");
    Row r = one("SELECT c.status, c.provider_code, a->>'error' FROM charges c, jsonb_array_elements(c.attempts) a WHERE c.id = $1", id);
    assertEquals("declined", r.getString(0));
    assertEquals("codex", r.getString(1));
    assertEquals("badtext", r.getString(2));
  }

  // ---------------------------------------------------------------- key purge against reclaim (1g)

  static String failedWithKey(int keyAgeHours) throws Exception {
    String id = "ch_purge_" + System.nanoTime();
    sql("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status, created_at, "
        + "updated_at) VALUES ($1, 'it-merchant', $1, 'fp', 100, 'USD', 'failed', now(), now())", id);
    sql("INSERT INTO idempotency_keys (merchant_id, key, fingerprint, charge_id, created_at) VALUES ('it-merchant', $1, "
        + "'fp', $1, now() - make_interval(hours => $2))", id, keyAgeHours);
    return id;
  }

  static final RoutingInfo ROUTING = new RoutingInfo("t", "priority", 1, List.of("fatora"));

  @Test
  void aRetryOfAChargeWhoseKeyWasPurgedIsRefused() throws Exception {
    String id = failedWithKey(48);
    await(h.app.store.purgeIdempotencyKeys(24, 100_000));
    var epoch = await(h.app.store.reclaimFailed(id, "it-merchant", id, ROUTING, h.app.charges.instanceId(), Instant.now()));
    assertTrue(epoch.isEmpty(), "no key, no reclaim: a new request with that key is a new charge");
    assertEquals("failed", one("SELECT status FROM charges WHERE id = $1", id).getString(0));
  }

  @Test
  void aReclaimRefreshesTheKeySoAPurgeKeepsIt() throws Exception {
    String id = failedWithKey(48);
    var epoch = await(h.app.store.reclaimFailed(id, "it-merchant", id, ROUTING, h.app.charges.instanceId(), Instant.now()));
    assertEquals(2L, epoch.orElseThrow(), "owned under a new epoch");
    await(h.app.store.purgeIdempotencyKeys(24, 100_000));
    assertEquals(1L, one("SELECT count(*) FROM idempotency_keys WHERE merchant_id = 'it-merchant' AND key = $1", id).getLong(0),
        "the key of a charge being retried is never purged");
  }

  @Test
  void aFailedChargeWithAConflictIsNotReclaimed() throws Exception {
    String id = failedWithKey(1);
    sql("UPDATE charges SET conflict = 'late succeeded' WHERE id = $1", id);
    assertTrue(await(h.app.store.reclaimFailed(id, "it-merchant", id, ROUTING, h.app.charges.instanceId(), Instant.now()))
        .isEmpty());
  }
}
