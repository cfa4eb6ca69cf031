package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.charge.ChargeService;
import io.payrouter.charge.SettlementPolicy;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.PspResult;
import io.payrouter.recovery.Heartbeat;
import io.payrouter.store.Store;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Ownership, not clocks: unsettled charges belong to the instance that claimed them; a
 * reconciler takes over only from an instance whose heartbeat stopped; a write that lost a race
 * is detected; stuck charges never starve newer ones; two reconcilers never take the same charge.
 * Rows are written straight into the real database of a real router.
 */
class OwnershipAndReconcilerTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }


  static void sql(String statement, Object... args) throws Exception {
    await(h.app.pool.preparedQuery(statement).execute(Tuple.from(args)));
  }

  static Row row(String chargeId) throws Exception {
    return await(h.app.pool.preparedQuery("SELECT status, owner FROM charges WHERE id = $1").execute(Tuple.of(chargeId)))
        .iterator().next();
  }

  static void instance(String id, boolean alive) throws Exception {
    sql("INSERT INTO instances (id, heartbeat_at) VALUES ($1, now() - make_interval(secs => $2)) "
        + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = EXCLUDED.heartbeat_at", id, alive ? 0.0 : 3600.0);
  }

  /** An unsettled charge claimed an hour ago (past any grace period) that only fatora could have charged. */
  static String orphan(String status, String owner, String nextCheck) throws Exception {
    String id = "ch_own_" + System.nanoTime();
    sql("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status, routing, "
        + "created_at, updated_at, owner, next_check_at, provider) VALUES ($1, 'it-merchant', $1, 'fp', 1000, 'USD', $2, "
        + "'{\"rule\":\"t\",\"strategy\":\"priority\",\"config_version\":1,\"candidates\":[\"fatora\"]}'::jsonb, "
        + "now() - interval '1 hour', now() - interval '1 hour', $3, now() - ($4::text)::interval, $5)",
        id, status, owner, nextCheck, "pending".equals(status) ? "fatora" : null);
    if ("pending".equals(status)) {
      // a pending charge waits on an attempt: the money call was sent, the answer was in doubt
      sql("UPDATE charges SET attempts = jsonb_build_array(jsonb_build_object('id', $1::text, 'seq', 1, "
          + "'provider', 'fatora', 'outcome', 'in_doubt')) WHERE id = $2", "att_" + id, id);
    }
    return id;
  }

  /** Seconds from now to the charge's next check. */
  static double nextCheckIn(String chargeId) throws Exception {
    return await(h.app.pool.preparedQuery("SELECT extract(epoch FROM next_check_at - now())::float8 FROM charges WHERE id = $1")
        .execute(Tuple.of(chargeId))).iterator().next().getDouble(0);
  }

  @Test
  void aChargeJustPastTwiceItsGraceIsAskedAgainWithinAQuarterOfItsAgeNotSixtyFourIntervals() throws Exception {
    // taken every round of its grace period (checks = 12), then one answer was missed: it must not
    // wait 64 intervals for the next question (what counting takes did)
    String id = "ch_backoff_" + System.nanoTime();
    String owner = h.app.charges.instanceId();
    long interval = h.app.config.recovery().intervalMs();
    long grace = h.app.config.recovery().processingGraceMs();
    long ageMs = 2 * grace + 4 * interval;
    sql("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status, routing, "
        + "created_at, updated_at, owner, next_check_at, provider, checks) VALUES ($1, 'it-merchant', $1, 'fp', 1000, 'USD', "
        + "'pending', '{\"rule\":\"t\",\"strategy\":\"priority\",\"config_version\":1,\"candidates\":[\"fatora\"]}'::jsonb, "
        + "now() - make_interval(secs => $2), now() - make_interval(secs => $2), $3, now() - interval '1 second', 'fatora', 12)",
        id, ageMs / 1000.0, owner);
    var taken = await(h.app.store.takeUnsettled(owner, 3_000, interval, grace, 10_000, false));
    assertTrue(taken.stream().anyMatch(t -> t.charge().id().equals(id)), "due, so taken");
    double in = nextCheckIn(id);
    double quarter = ageMs / 4.0 / 1000.0;
    assertTrue(in <= quarter + interval / 1000.0 && in >= interval / 1000.0 * 0.9,
        "next check in " + in + " s: about a quarter of its " + ageMs / 1000.0 + " s age, not " + 64 * interval / 1000.0 + " s");
    sql("DELETE FROM charges WHERE id = $1", id);
  }

  @Test
  void aChargeUndecidedForAnHourIsAskedAtMostEverySixtyFourIntervals() throws Exception {
    String id = orphan("pending", h.app.charges.instanceId(), "1 second");
    long interval = h.app.config.recovery().intervalMs();
    await(h.app.store.takeUnsettled(h.app.charges.instanceId(), 3_000, interval, h.app.config.recovery().processingGraceMs(),
        10_000, false));
    double in = nextCheckIn(id);
    assertTrue(Math.abs(in - 64 * interval / 1000.0) < 1.0, "next check in " + in + " s, the 64-interval ceiling");
    sql("DELETE FROM charges WHERE id = $1", id);
  }

  @Test
  void aChargeOfALiveInstanceIsNeverSettledByAnotherWhateverItsAge() throws Exception {
    instance("inst_live_a", true);
    String id = orphan("processing", "inst_live_a", "1 hour");
    for (int i = 0; i < 8; i++) {
      instance("inst_live_a", true); // it keeps beating, as a live instance does
      await(h.app.reconciler.runOnce());
      Thread.sleep(250); // and the periodic rounds
    }
    Row r = row(id);
    assertEquals("processing", r.getString(0));
    assertEquals("inst_live_a", r.getString(1));
  }

  @Test
  void aChargeOfAStoppedInstanceIsTakenOverAndSettled() throws Exception {
    instance("inst_dead_a", false);
    String id = orphan("processing", "inst_dead_a", "1 minute");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && "processing".equals(row(id).getString(0))) {
      await(h.app.reconciler.runOnce());
      Thread.sleep(100);
    }
    Row r = row(id);
    assertEquals("failed", r.getString(0), "fatora has no payment and the charge is past its grace period");
    assertEquals(h.app.charges.instanceId(), r.getString(1), "taken over by this instance");
  }

  @Test
  void aChargeWhoseOwnerIsUnknownIsTakenOver() throws Exception {
    String id = orphan("processing", "inst_never_registered", "1 minute");
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (System.nanoTime() < deadline && "processing".equals(row(id).getString(0))) {
      await(h.app.reconciler.runOnce());
      Thread.sleep(100);
    }
    assertEquals("failed", row(id).getString(0));
  }

  @Test
  void anOutcomeWriteForAChargeOwnedElsewhereChangesNothingAndSaysSo() throws Exception {
    instance("inst_live_b", true);
    String id = orphan("processing", "inst_live_b", "-1 hour");
    boolean changed = await(h.app.store.recordOutcome(new Store.Outcome(id, ChargeStatus.SUCCEEDED, "fatora", "ref",
        null, null, List.of(), Instant.now(), "inst_somebody_else", 1L, null)));
    assertFalse(changed, "a lost race is reported");
    assertEquals("processing", row(id).getString(0));
  }

  @Test
  void aReconcilerSettlementThatLosesTheRaceIsCountedAndNotApplied() throws Exception {
    instance("inst_live_c", true);
    String id = orphan("pending", "inst_live_c", "-1 hour");
    double before = counter("router_outcome_lost_races_total");
    ChargeService.SettleResult r = await(h.app.charges.settleResult(id, "fatora", id, PspResult.succeeded("ref_x"),
        SettlementPolicy.Source.RECONCILER, 1L));
    assertEquals(ChargeService.Settlement.LOST_RACE, r.kind());
    assertFalse(r.applied());
    assertEquals(before + 1, counter("router_outcome_lost_races_total"));
    assertEquals("pending", row(id).getString(0));
  }

  @Test
  void stuckChargesNeverStarveNewerOrphans() throws Exception {
    String me = "inst_starve_" + System.nanoTime();
    instance(me, true);
    for (int i = 0; i < 150; i++) orphan("pending", me, (600 + i) + " seconds");
    String fresh = orphan("pending", me, "1 second");
    Set<String> seen = new HashSet<>();
    int rounds = 0;
    while (!seen.contains(fresh) && rounds < 3) {
      for (Store.Taken t : await(h.app.store.takeUnsettled(me, Heartbeat.OWNER_TIMEOUT_MS, 60_000, 3_000, 100, true))) seen.add(t.charge().id());
      rounds++;
    }
    assertTrue(seen.contains(fresh), "the newer orphan is taken within 3 rounds of 100 despite 150 stuck ones");
  }

  @Test
  void twoReconcilersNeverTakeTheSameCharge() throws Exception {
    instance("inst_dead_b", false);
    instance("inst_rec_a", true);
    instance("inst_rec_b", true);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 60; i++) ids.add(orphan("pending", "inst_dead_b", "1 minute"));
    var a = h.app.store.takeUnsettled("inst_rec_a", Heartbeat.OWNER_TIMEOUT_MS, 60_000, 3_000, 100, true);
    var b = h.app.store.takeUnsettled("inst_rec_b", Heartbeat.OWNER_TIMEOUT_MS, 60_000, 3_000, 100, true);
    Set<String> byA = new HashSet<>();
    for (Store.Taken t : await(a)) if (ids.contains(t.charge().id())) byA.add(t.charge().id());
    Set<String> byB = new HashSet<>();
    for (Store.Taken t : await(b)) if (ids.contains(t.charge().id())) byB.add(t.charge().id());
    Set<String> both = new HashSet<>(byA);
    both.retainAll(byB);
    assertEquals(Set.of(), both, "no charge taken by both");
    assertNotEquals(0, byA.size() + byB.size());
    for (String id : byA) assertEquals("inst_rec_a", row(id).getString(1));
    for (String id : byB) assertEquals("inst_rec_b", row(id).getString(1));
  }

  static double counter(String name) throws Exception {
    var c = RouterHarness.shared().app.metrics.registry().find(name).counters();
    return c.stream().mapToDouble(x -> x.count()).sum();
  }
}
