package io.payrouter.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.Psps;
import io.payrouter.chaos.Verifier.Answer;
import io.payrouter.chaos.Verifier.Input;
import io.payrouter.chaos.Verifier.Kind;
import io.payrouter.chaos.Verifier.Recovery;
import io.payrouter.chaos.Verifier.Row;
import io.payrouter.chaos.Verifier.Source;
import io.payrouter.chaos.Verifier.Verdict;
import io.payrouter.chaos.Verifier.Window;
import java.util.HashMap;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Every check of the chaos suite fails on a synthetic violation and stays quiet on a clean run:
 * a check that cannot fail would make the suite's "0" worthless.
 */
class ChaosVerifierTest {
  static final long T = 1_000_000;

  /** A clean, settled world: one success at fatora, one decline, one failure, all consistent. */
  static Input clean() {
    Input in = new Input();
    in.minCharges = 3;
    ok(in, "ch_ok", "k1", "succeeded", "fatora", 201);
    in.charged.put("ch_ok", new HashMap<>(Map.of("fatora", 1)));
    ok(in, "ch_dec", "k2", "declined", "revio", 201);
    ok(in, "ch_fail", "k3", "failed", null, 201);
    in.ledgerChargedTotal.put("fatora", 1);
    in.recoveries.add(new Recovery("pg fast", T, T + 300));
    return in;
  }

  /** A charge answered once with {@code status}, the same in the database and the API. */
  static void ok(Input in, String id, String key, String status, String provider, int http) {
    in.answers.add(new Answer(key, id, T, T + 50, http, status, provider, Source.POST, false));
    String db = "pending".equals(status) ? "processing" : status;
    in.db.put(id, new Row(id, key, db, provider, T, T + 50));
    in.api.put(id, new Row(id, key, status, provider, T, T + 50));
  }

  static Verdict verify(Input in) {
    return Verifier.verify(in);
  }

  static void assertOnly(Verdict v, Kind kind, String subject) {
    assertTrue(v.violations.stream().anyMatch(x -> x.kind() == kind && x.subject().equals(subject)),
        "expected " + kind + " for " + subject + ", got " + v.violations);
    assertEquals(Map.of(kind, 1L), v.violations.stream().collect(Collectors.groupingBy(x -> x.kind(),
        Collectors.counting())), "only " + kind + ": " + v.violations);
  }

  @Test
  void aCleanRunHasNoViolation() {
    Verdict v = verify(clean());
    assertTrue(v.ok(), v.violations.toString());
    assertEquals(3, v.charges);
    assertEquals(Map.of("succeeded", 1, "declined", 1, "failed", 1), v.finalStatuses);
  }

  @Test
  void moneyAtTwoPspsIsADoubleCharge() {
    Input in = clean();
    in.charged.get("ch_ok").put("revio", 1);
    in.ledgerChargedTotal.put("revio", 1);
    Verdict v = verify(in);
    assertTrue(v.violations.stream().anyMatch(x -> x.kind() == Kind.DOUBLE_CHARGE && x.subject().equals("ch_ok")));
    assertEquals(1, v.count(Kind.DOUBLE_CHARGE));
  }

  @Test
  void moneyTwiceAtOnePspIsADoubleCharge() {
    Input in = clean();
    in.charged.get("ch_ok").put("fatora", 2);
    in.ledgerChargedTotal.put("fatora", 2);
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.DOUBLE_CHARGE), v.violations.toString());
  }

  @Test
  void aSuccessThatIsNowFailedIsLost() {
    Input in = clean();
    in.db.put("ch_ok", new Row("ch_ok", "k1", "failed", null, T, T + 9000));
    in.api.put("ch_ok", new Row("ch_ok", "k1", "failed", null, T, T + 9000));
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.LOST_SUCCESS), v.violations.toString());
    // and the money that moved for it is money without a success
    assertEquals(1, v.count(Kind.CHARGED_WITHOUT_SUCCESS), v.violations.toString());
  }

  @Test
  void aSuccessTheLedgerNeverChargedIsLost() {
    Input in = clean();
    in.charged.remove("ch_ok");
    in.ledgerChargedTotal.put("fatora", 0);
    assertOnly(verify(in), Kind.LOST_SUCCESS, "ch_ok");
  }

  @Test
  void aSuccessSeenOnlyByTheWatcherCountsToo() {
    Input in = clean();
    ok(in, "ch_p", "k4", "pending", null, 202);
    in.answers.add(new Answer("k4", "ch_p", T + 100, T + 120, 200, "succeeded", "paycore", Source.GET));
    in.db.put("ch_p", new Row("ch_p", "k4", "declined", "paycore", T, T + 120));
    in.api.put("ch_p", new Row("ch_p", "k4", "declined", "paycore", T, T + 120));
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.LOST_SUCCESS), v.violations.toString());
  }

  @Test
  void aSuccessNowAtAnotherPspIsLost() {
    Input in = clean();
    in.db.put("ch_ok", new Row("ch_ok", "k1", "succeeded", "revio", T, T + 50));
    in.api.put("ch_ok", new Row("ch_ok", "k1", "succeeded", "revio", T, T + 50));
    in.charged.put("ch_ok", new HashMap<>(Map.of("revio", 1)));
    in.ledgerChargedTotal.put("fatora", 0);
    in.ledgerChargedTotal.put("revio", 1);
    assertOnly(verify(in), Kind.LOST_SUCCESS, "ch_ok");
  }

  @Test
  void aSucceededChargeNobodyChargedIsFlagged() {
    Input in = clean();
    ok(in, "ch_s", "k5", "pending", null, 202);
    in.db.put("ch_s", new Row("ch_s", "k5", "succeeded", "processout", T, T + 2000));
    in.api.put("ch_s", new Row("ch_s", "k5", "succeeded", "processout", T, T + 2000));
    assertOnly(verify(in), Kind.SUCCEEDED_NOT_CHARGED_ONCE, "ch_s");
  }

  @Test
  void moneyForADeclinedChargeIsFlagged() {
    Input in = clean();
    in.charged.put("ch_dec", new HashMap<>(Map.of("revio", 1)));
    in.ledgerChargedTotal.put("revio", 1);
    assertOnly(verify(in), Kind.CHARGED_WITHOUT_SUCCESS, "ch_dec");
  }

  @Test
  void moneyForAFailedChargeIsFlagged() {
    Input in = clean();
    in.charged.put("ch_fail", new HashMap<>(Map.of("processout", 1)));
    in.ledgerChargedTotal.put("processout", 1);
    assertOnly(verify(in), Kind.CHARGED_WITHOUT_SUCCESS, "ch_fail");
  }

  @Test
  void moneyNoChargeAccountsForIsFlagged() {
    Input in = clean();
    in.ledgerChargedTotal.put("dintero", 2);
    assertOnly(verify(in), Kind.UNACCOUNTED_MONEY, "dintero");
  }

  @Test
  void processingInTheDatabaseIsUnsettled() {
    Input in = clean();
    in.db.put("ch_dec", new Row("ch_dec", "k2", "processing", null, T, T));
    in.api.put("ch_dec", new Row("ch_dec", "k2", "pending", null, T, T));
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.UNSETTLED), v.violations.toString());
    assertEquals(1, v.count(Kind.ANSWER_CHANGED), "answered declined, now pending: " + v.violations);
  }

  @Test
  void pendingInTheApiIsUnsettled() {
    Input in = clean();
    ok(in, "ch_p", "k4", "pending", null, 202);
    assertOnly(verify(in), Kind.UNSETTLED, "ch_p");
  }

  @Test
  void aPendingChargeSettledAfterTheBoundIsLate() {
    Input in = clean();
    in.settleBoundMs = 9_000;
    in.answers.add(new Answer("k4", "ch_p", T, T + 100, 202, "pending", null, Source.POST));
    in.db.put("ch_p", new Row("ch_p", "k4", "succeeded", "paycore", T, T + 100 + 9_500));
    in.api.put("ch_p", new Row("ch_p", "k4", "succeeded", "paycore", T, T + 100 + 9_500));
    in.charged.put("ch_p", new HashMap<>(Map.of("paycore", 1)));
    in.ledgerChargedTotal.put("paycore", 1);
    assertOnly(verify(in), Kind.LATE_SETTLEMENT, "ch_p");

    // ... but router or database downtime in between is not held against it
    in.excused.add(new Window("router restart", T + 1_000, T + 2_000));
    assertTrue(verify(in).ok(), verify(in).violations.toString());
  }

  @Test
  void aPspBeingDownExcusesOnlyTheChargesPendingAtThatPsp() {
    Input in = clean();
    in.settleBoundMs = 9_000;
    in.answers.add(new Answer("k5", "ch_d", T, T + 100, 202, "pending", "revio", Source.POST));
    in.db.put("ch_d", new Row("ch_d", "k5", "failed", null, T, T + 100 + 12_000));
    in.api.put("ch_d", new Row("ch_d", "k5", "failed", null, T, T + 100 + 12_000));
    in.excused.add(new Window(Verifier.pspDown("fatora"), T + 1_000, T + 6_000));
    assertOnly(verify(in), Kind.LATE_SETTLEMENT, "ch_d"); // another PSP's outage excuses nothing

    in.excused.add(new Window(Verifier.pspDown("revio"), T + 1_000, T + 6_000));
    assertTrue(verify(in).ok(), verify(in).violations.toString());
  }

  @Test
  void aConflictToARetryCountsAsPending() {
    Input in = clean();
    in.settleBoundMs = 9_000;
    in.answers.add(new Answer("k6", null, T, T + 10, 409, null, null, Source.POST));
    in.answers.add(new Answer("k6", "ch_c", T + 20_000, T + 20_010, 201, "succeeded", "fatora", Source.POST));
    in.db.put("ch_c", new Row("ch_c", "k6", "succeeded", "fatora", T, T + 19_000));
    in.api.put("ch_c", new Row("ch_c", "k6", "succeeded", "fatora", T, T + 19_000));
    in.charged.put("ch_c", new HashMap<>(Map.of("fatora", 1)));
    in.ledgerChargedTotal.put("fatora", 2);
    assertOnly(verify(in), Kind.LATE_SETTLEMENT, "ch_c");
  }

  @Test
  void aFailedChargeRunAgainStartsANewPendingEpisode() {
    Input in = clean();
    in.settleBoundMs = 9_000;
    // 409s for 3 s, the charge fails unseen, a retry runs it again (fresh 202), settled 5 s later
    in.answers.add(new Answer("k7", null, T, T + 10, 409, null, null, Source.POST));
    in.answers.add(new Answer("k7", null, T + 3_000, T + 3_010, 409, null, null, Source.POST));
    in.answers.add(new Answer("k7", "ch_r", T + 12_000, T + 12_100, 202, "pending", "revio", Source.POST, false));
    in.db.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 17_000));
    in.api.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 17_000));
    assertTrue(verify(in).ok(), "3 s, then 5 s: " + verify(in).violations);

    // ... the second episode taking 10 s is late
    in.db.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 22_200));
    in.api.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 22_200));
    assertOnly(verify(in), Kind.LATE_SETTLEMENT, "ch_r");

    // ... and so is a first episode seen pending for 10 s before the re-run
    in.db.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 17_000));
    in.api.put("ch_r", new Row("ch_r", "k7", "failed", null, T, T + 17_000));
    in.answers.add(new Answer("k7", null, T + 10_500, T + 10_510, 409, null, null, Source.POST));
    assertOnly(verify(in), Kind.LATE_SETTLEMENT, "ch_r");
  }

  @Test
  void theApiAndTheDatabaseMustAgree() {
    Input in = clean();
    in.db.put("ch_dec", new Row("ch_dec", "k2", "failed", null, T, T + 50));
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.NOT_DURABLE), v.violations.toString());
  }

  @Test
  void aChargeTheRouterForgotIsNotDurable() {
    Input in = clean();
    in.db.remove("ch_dec");
    in.api.put("ch_dec", null); // 404
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.NOT_DURABLE), v.violations.toString());
  }

  @Test
  void aFailedAnswerMayChangeOnlyAfterARetry() {
    Input in = clean();
    in.db.put("ch_fail", new Row("ch_fail", "k3", "succeeded", "fatora", T, T + 5000));
    in.api.put("ch_fail", new Row("ch_fail", "k3", "succeeded", "fatora", T, T + 5000));
    in.charged.put("ch_fail", new HashMap<>(Map.of("fatora", 1)));
    in.ledgerChargedTotal.put("fatora", 2);
    assertOnly(verify(in), Kind.ANSWER_CHANGED, "ch_fail");

    in.answers.add(new Answer("k3", "ch_fail", T + 4000, T + 5000, 201, "succeeded", "fatora", Source.POST));
    assertTrue(verify(in).ok(), verify(in).violations.toString());
  }

  @Test
  void a422ToASameBodyRetryIsUnexpected() {
    Input in = clean();
    in.answers.add(new Answer("k1", null, T + 60, T + 70, 422, null, null, Source.POST));
    assertOnly(verify(in), Kind.UNEXPECTED_ANSWER, "k1");
  }

  @Test
  void a201WithoutAChargeIsUnexpected() {
    Input in = clean();
    in.answers.add(new Answer("k9", null, T, T + 1, 201, null, null, Source.POST));
    assertOnly(verify(in), Kind.UNEXPECTED_ANSWER, "k9");
  }

  @Test
  void slowOrNoRecoveryIsFlagged() {
    Input in = clean();
    in.recoveries.add(new Recovery("pg immediate", T, T + 2_500));
    assertOnly(verify(in), Kind.SLOW_RECOVERY, "pg immediate");
    Input none = clean();
    none.recoveries.add(new Recovery("pg immediate", T, -1));
    assertOnly(verify(none), Kind.SLOW_RECOVERY, "pg immediate");
  }

  @Test
  void aRouterThatDoesNotComeBackIsFlagged() {
    Input in = clean();
    in.routerRestartFailures.add("not ready after 60 s");
    assertOnly(verify(in), Kind.ROUTER_RESTART_FAILED, "router");
  }

  @Test
  void chaosThatDidNotHappenAndTooFewChargesAreFlagged() {
    Input in = clean();
    in.chaosProblems.add("pg restart failed");
    assertOnly(verify(in), Kind.CHAOS_NOT_APPLIED, "plan");
    Input few = clean();
    few.minCharges = 300;
    assertOnly(verify(few), Kind.RUN_INCOMPLETE, "charges");
    Input stopped = clean();
    stopped.runProblems.add("the merchants had not finished");
    assertOnly(verify(stopped), Kind.RUN_INCOMPLETE, "run");
  }

  @Test
  void anUnknownLedgerStatusIsFlagged() {
    Input in = clean();
    in.unknownLedgerStatuses.put("revio:refunded", 1);
    assertOnly(verify(in), Kind.UNKNOWN_LEDGER_STATUS, "revio:refunded");
  }

  @Test
  void withTheRouterDownTheDatabaseStillJudges() {
    Input in = clean();
    in.api.clear();
    in.apiAvailable = false;
    in.charged.put("ch_dec", new HashMap<>(Map.of("revio", 1)));
    in.ledgerChargedTotal.put("revio", 1);
    assertOnly(verify(in), Kind.CHARGED_WITHOUT_SUCCESS, "ch_dec");
  }

  @Test
  void withNeitherApiNorDatabaseOnlyTheLedgersJudge() {
    Input in = clean();
    in.api.clear();
    in.db.clear();
    in.apiAvailable = false;
    in.dbAvailable = false;
    in.charged.put("ch_dec", new HashMap<>(Map.of("revio", 1, "fatora", 1)));
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.UNVERIFIED), v.violations.toString());
    assertEquals(1, v.count(Kind.DOUBLE_CHARGE), v.violations.toString());
    assertEquals(0, v.count(Kind.LOST_SUCCESS), "no verdict on the router's state when it cannot be read");
  }

  @Test
  void theLedgersAreReadOncePerChargeAndOnlyMoneyCounts() {
    io.payrouter.simulator.Ledger revio = new io.payrouter.simulator.Ledger();
    io.payrouter.simulator.Ledger paycore = new io.payrouter.simulator.Ledger();
    revio.add(new io.payrouter.simulator.Ledger.Entry("p1", "ch_a", 100, "USD", "t", "paid", null));
    revio.add(new io.payrouter.simulator.Ledger.Entry("p2", "ch_b", 100, "USD", "t", "created", null));
    paycore.add(new io.payrouter.simulator.Ledger.Entry("cpi_1", "ch_a", 100, "USD", "t", "process_pending",
        new io.vertx.core.json.JsonObject().put("sale_started", false)));
    paycore.add(new io.payrouter.simulator.Ledger.Entry("cpi_2", "ch_b", 100, "USD", "t", "processed",
        new io.vertx.core.json.JsonObject().put("sale_started", true)));
    paycore.add(new io.payrouter.simulator.Ledger.Entry("cpi_3", "ch_x", 100, "USD", "t", "processed",
        new io.vertx.core.json.JsonObject().put("sale_started", true)));
    Input in = new Input();
    Map<String, java.util.List<io.vertx.core.json.JsonObject>> detail = new HashMap<>();
    int inFlight = Money.read(new java.util.LinkedHashMap<>(Map.of("revio", revio, "paycore", paycore)),
        java.util.List.of("ch_a", "ch_a", "ch_b", "ch_a"), in, detail);
    assertEquals(0, inFlight);
    assertEquals(Map.of("revio", 1), in.charged.get("ch_a"), "the invoice is no money; ch_a is counted once");
    assertEquals(Map.of("paycore", 1), in.charged.get("ch_b"), "a purchase never charged is no money");
    assertEquals(Map.of("revio", 1, "paycore", 2), in.ledgerChargedTotal);
    assertEquals(2, detail.get("ch_a").size());
    in.db.put("ch_a", new Row("ch_a", "k1", "succeeded", "revio", T, T));
    in.db.put("ch_b", new Row("ch_b", "k2", "succeeded", "paycore", T, T));
    in.apiAvailable = false;
    assertOnly(verify(in), Kind.UNACCOUNTED_MONEY, "paycore");
  }

  @Test
  void aChargeTheApiWillNotShowIsUnverifiedButStillJudgedByTheDatabase() {
    Input in = clean();
    in.api.remove("ch_dec");
    in.apiErrors.put("ch_dec", "HTTP 503");
    in.charged.put("ch_dec", new HashMap<>(Map.of("revio", 1)));
    in.ledgerChargedTotal.put("revio", 1);
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.UNVERIFIED), v.violations.toString());
    assertEquals(1, v.count(Kind.CHARGED_WITHOUT_SUCCESS), v.violations.toString());
    assertEquals(2, v.violations.size(), v.violations.toString());
  }

  @Test
  void everyPspOfTheRegistryHasAMoneyTable() {
    for (String p : Psps.types()) {
      assertTrue(Money.psps().contains(p), p + " has no entry in Money: its ledger would be read as UNKNOWN");
    }
    assertEquals(Money.State.CHARGED, Money.of("revio", "paid", false));
    assertEquals(Money.State.NONE, Money.of("revio", "created", false));
    assertEquals(Money.State.IN_FLIGHT, Money.of("revio", "pending_charge", false));
    assertEquals(Money.State.NONE, Money.of("paycore", "process_pending", false), "an invoice is not a payment");
    assertEquals(Money.State.IN_FLIGHT, Money.of("paycore", "process_pending", true), "a sale in progress is");
    assertEquals(Money.State.CHARGED, Money.of("paycore", "processed", false));
    assertEquals(Money.State.CHARGED, Money.of("fatora", "SUCCESS", false));
    assertEquals(Money.State.NONE, Money.of("fatora", "FAILURE", false));
    assertEquals(Money.State.CHARGED, Money.of("dintero", "AUTHORIZED", false));
    assertEquals(Money.State.CHARGED, Money.of("dintero", "CAPTURED", false));
    assertEquals(Money.State.IN_FLIGHT, Money.of("dintero", "ON_HOLD", false));
    assertEquals(Money.State.CHARGED, Money.of("processout", "completed", false));
    assertEquals(Money.State.NONE, Money.of("processout", "failed", false));
    assertEquals(Money.State.UNKNOWN, Money.of("processout", "refunded", false));
  }

  // ---------------------------------------------------------------- refunds

  /** The clean world with ch_ok (4200 at fatora) refunded 1000 then 3200, all consistent. */
  static Input refunded() {
    Input in = clean();
    in.chargeAmounts.put("ch_ok", 4200L);
    in.ledgerRefunds.put("ch_ok", new HashMap<>(Map.of("fatora", new long[] {4200, 4200})));
    in.refundAnswers.add(new Verifier.RefundAnswer("ch_ok", "re_1", 201, "succeeded", 1000));
    in.refundAnswers.add(new Verifier.RefundAnswer("ch_ok", "re_2", 201, "succeeded", 3200));
    in.refundAnswers.add(new Verifier.RefundAnswer("ch_ok", null, 409, null, 0));
    in.dbRefunds.put("ch_ok", new java.util.ArrayList<>(java.util.List.of(
        new Verifier.RefundRow("re_1", "ch_ok", "succeeded", 1000), new Verifier.RefundRow("re_2", "ch_ok", "succeeded", 3200),
        new Verifier.RefundRow("re_3", "ch_ok", "failed", 500))));
    return in;
  }

  @Test
  void consistentRefundsHaveNoViolation() {
    Verdict v = verify(refunded());
    assertTrue(v.ok(), v.violations.toString());
  }

  @Test
  void aPspRefundingMoreThanItTookIsAnOverRefund() {
    Input in = refunded();
    in.ledgerRefunds.get("ch_ok").put("fatora", new long[] {4200, 5200});
    in.dbRefunds.get("ch_ok").add(new Verifier.RefundRow("re_4", "ch_ok", "pending", 1000));
    Verdict v = verify(in);
    assertTrue(v.violations.stream().anyMatch(x -> x.kind() == Kind.OVER_REFUND && x.subject().equals("ch_ok")
        && x.detail().contains("fatora refunded 5200")), v.violations.toString());
  }

  @Test
  void routerRefundsAboveTheChargeAreAnOverRefund() {
    Input in = refunded();
    in.dbRefunds.get("ch_ok").add(new Verifier.RefundRow("re_4", "ch_ok", "pending", 100));
    Verdict v = verify(in);
    assertOnly(v, Kind.OVER_REFUND, "ch_ok");
  }

  @Test
  void aRefundAnsweredSucceededButNotInTheLedgerIsLost() {
    Input in = refunded();
    in.ledgerRefunds.get("ch_ok").put("fatora", new long[] {4200, 1000});
    Verdict v = verify(in);
    assertOnly(v, Kind.LOST_REFUND, "ch_ok");
  }

  @Test
  void aRefundStoredSucceededButNotInTheLedgerIsLostEvenWithoutAnAnswer() {
    Input in = refunded();
    in.refundAnswers.clear();
    in.ledgerRefunds.get("ch_ok").put("fatora", new long[] {4200, 3200});
    Verdict v = verify(in);
    assertOnly(v, Kind.LOST_REFUND, "ch_ok");
  }

  @Test
  void aRefundTheRouterFailedButThePspMadeIsRefundedWithoutSuccess() {
    Input in = refunded();
    in.dbRefunds.get("ch_ok").set(1, new Verifier.RefundRow("re_2", "ch_ok", "failed", 3200));
    in.refundAnswers.remove(1);
    Verdict v = verify(in);
    assertOnly(v, Kind.REFUNDED_WITHOUT_SUCCESS, "ch_ok");
  }

  @Test
  void refundChecksOnTheRouterSideNeedTheRefundsTable() {
    Input in = refunded();
    in.dbRefundsRead = false;
    in.dbRefunds.clear();
    Verdict v = verify(in);
    assertTrue(v.ok(), "answers and ledgers agree; nothing is claimed about the unread table: " + v.violations);
  }

  // ---------------------------------------------------------------- merchant webhooks

  static final String SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[32]);
  static final String OTHER_SECRET = "whsec_" + java.util.Base64.getEncoder().encodeToString(new byte[] {1, 2, 3, 4, 5, 6, 7, 8,
      9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31, 32});
  /** Now, in epoch microseconds: the reference library checks the timestamp against its clock. */
  static final long NOW_US = System.currentTimeMillis() * 1_000;

  /** The clean world with an endpoint: each final charge's event in the outbox, delivered and received once. */
  static Input hooked() throws Exception {
    Input in = clean();
    in.webhookSecret = SECRET;
    in.webhookSince = T - 1_000;
    row(in, "evt_ok", "charge.succeeded", "ch_ok", null, 1, "delivered");
    row(in, "evt_dec", "charge.declined", "ch_dec", null, 1, "delivered");
    row(in, "evt_fail", "charge.failed", "ch_fail", null, 1, "delivered");
    hook(in, "evt_ok", "charge.succeeded", "ch_ok", NOW_US, 200);
    hook(in, "evt_dec", "charge.declined", "ch_dec", NOW_US + 1_000, 200);
    hook(in, "evt_fail", "charge.failed", "ch_fail", NOW_US + 2_000, 200);
    return in;
  }

  static void row(Input in, String event, String type, String charge, String refund, int seq, String status) {
    in.deliveries.add(new Verifier.DeliveryRow(event, type, charge, refund, seq, status, 1, T));
  }

  static String body(String event, String type, String subject) {
    return new io.vertx.core.json.JsonObject().put("id", event).put("type", type).put("timestamp", "2026-01-01T00:00:00Z")
        .put("data", new io.vertx.core.json.JsonObject().put("id", subject).put("status", type.substring(type.indexOf('.') + 1)))
        .encode();
  }

  /** A request as the receiver records it, signed with {@code secret} at {@code tsSec}, answered after 20 ms. */
  static Verifier.Hook hook(String secret, long seq, String event, String body, long tsSec, long startUs, int answered)
      throws Exception {
    Map<String, String> h = new java.util.TreeMap<>();
    h.put("content-type", "application/json");
    h.put("webhook-id", event);
    h.put("webhook-timestamp", Long.toString(tsSec));
    h.put("webhook-signature", new com.standardwebhooks.Webhook(secret).sign(event, tsSec, body));
    return new Verifier.Hook(seq, event, h, body, startUs, startUs + 20_000, answered);
  }

  static void hook(Input in, String event, String type, String subject, long startUs, int answered) throws Exception {
    in.hooks.add(hook(SECRET, in.hooks.size() + 1, event, body(event, type, subject), startUs / 1_000_000, startUs, answered));
  }

  @Test
  void aCleanWebhookRunHasNoViolationAndCountsItsEvents() throws Exception {
    Verdict v = verify(hooked());
    assertTrue(v.ok(), v.violations.toString());
    assertEquals(3, v.hookEvents);
    assertEquals(3, v.hookRequests);
    assertEquals(0, v.hookDuplicates + v.hookRetries + v.hookRefused);
    assertEquals(Map.of("delivered", 3), v.deliveryStatuses);
  }

  @Test
  void aFinalChargeWithoutItsEventInTheOutboxIsALostWebhook() throws Exception {
    Input in = hooked();
    in.deliveries.removeIf(r -> r.chargeId().equals("ch_dec"));
    in.hooks.removeIf(h -> h.webhookId().equals("evt_dec"));
    assertOnly(verify(in), Kind.WEBHOOK_LOST, "ch_dec");
  }

  @Test
  void anEventOfAnotherTypeDoesNotCountForTheFinalState() throws Exception {
    Input in = hooked();
    in.deliveries.removeIf(r -> r.chargeId().equals("ch_ok"));
    in.hooks.removeIf(h -> h.webhookId().equals("evt_ok"));
    row(in, "evt_ok_p", "charge.pending", "ch_ok", null, 1, "delivered");
    hook(in, "evt_ok_p", "charge.pending", "ch_ok", NOW_US + 3_000, 200);
    assertOnly(verify(in), Kind.WEBHOOK_LOST, "ch_ok");
  }

  @Test
  void aChargeMadeBeforeTheEndpointNeedsNoEvent() throws Exception {
    Input in = hooked();
    in.webhookSince = T + 1;
    in.deliveries.removeIf(r -> r.chargeId().equals("ch_dec"));
    in.hooks.removeIf(h -> h.webhookId().equals("evt_dec"));
    Verdict v = verify(in);
    assertTrue(v.ok(), v.violations.toString());
  }

  @Test
  void aDeliveredRowTheReceiverNeverAnswered200IsLost() throws Exception {
    Input in = hooked();
    in.hooks.removeIf(h -> h.webhookId().equals("evt_ok"));
    hook(in, "evt_ok", "charge.succeeded", "ch_ok", NOW_US + 5_000, 500);
    assertOnly(verify(in), Kind.WEBHOOK_LOST, "evt_ok");
  }

  @Test
  void aPendingOrFailedDeliveryIsNotDelivered() throws Exception {
    Input in = hooked();
    in.deliveries.replaceAll(r -> r.eventId().equals("evt_fail") ? new Verifier.DeliveryRow(r.eventId(), r.eventType(),
        r.chargeId(), null, r.eventSeq(), "failed", 6, r.createdAt()) : r);
    assertOnly(verify(in), Kind.WEBHOOK_NOT_DELIVERED, "evt_fail");
    in.deliveries.replaceAll(r -> r.eventId().equals("evt_fail") ? new Verifier.DeliveryRow(r.eventId(), r.eventType(),
        r.chargeId(), null, r.eventSeq(), "pending", 2, r.createdAt()) : r);
    assertOnly(verify(in), Kind.WEBHOOK_NOT_DELIVERED, "evt_fail");
  }

  @Test
  void aFinalRefundNeedsItsEvent() throws Exception {
    Input in = hooked();
    in.dbRefunds.put("ch_ok", new java.util.ArrayList<>(java.util.List.of(
        new Verifier.RefundRow("re_1", "ch_ok", "succeeded", 100), new Verifier.RefundRow("re_2", "ch_ok", "failed", 50),
        new Verifier.RefundRow("re_3", "ch_ok", "pending", 10))));
    in.ledgerRefunds.put("ch_ok", new HashMap<>(Map.of("fatora", new long[] {4200, 100})));
    row(in, "evt_re1", "refund.succeeded", "ch_ok", "re_1", 2, "delivered");
    hook(in, "evt_re1", "refund.succeeded", "re_1", NOW_US + 4_000, 200);
    assertOnly(verify(in), Kind.WEBHOOK_LOST, "re_2");
    row(in, "evt_re2", "refund.failed", "ch_ok", "re_2", 3, "delivered");
    hook(in, "evt_re2", "refund.failed", "re_2", NOW_US + 5_000, 200);
    Verdict v = verify(in);
    assertTrue(v.ok(), "a refund still pending needs no event yet: " + v.violations);
  }

  @Test
  void aRequestSignedWithAnotherSecretIsABadEvent() throws Exception {
    Input in = hooked();
    in.hooks.add(hook(OTHER_SECRET, 9, "evt_ok", body("evt_ok", "charge.succeeded", "ch_ok"), NOW_US / 1_000_000,
        NOW_US + 9_000_000, 200));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
  }

  @Test
  void aBodyAlteredAfterSigningIsABadEvent() throws Exception {
    Input in = hooked();
    Verifier.Hook h = in.hooks.remove(0);
    in.hooks.add(0, new Verifier.Hook(h.seq(), h.webhookId(), h.headers(), h.body().replace("succeeded\"}", "declined\"}"),
        h.startUs(), h.endUs(), h.answered()));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
  }

  @Test
  void aBodyOfAnotherEventOrTypeIsABadEvent() throws Exception {
    Input in = hooked();
    in.hooks.set(0, hook(SECRET, 1, "evt_ok", body("evt_dec", "charge.declined", "ch_dec"), NOW_US / 1_000_000,
        NOW_US, 200));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
    in.hooks.set(0, hook(SECRET, 1, "evt_ok", body("evt_ok", "charge.declined", "ch_ok"), NOW_US / 1_000_000,
        NOW_US, 200));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
  }

  @Test
  void anEventNoDeliveryHasIsABadEvent() throws Exception {
    Input in = hooked();
    hook(in, "evt_nobody", "charge.succeeded", "ch_ok", NOW_US + 9_000, 200);
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_nobody");
  }

  @Test
  void theTimestampToleranceAppliesAtArrivalNotAtTheEnd() throws Exception {
    Input in = hooked();
    long old = NOW_US / 1_000_000 - 3_600;
    // an hour old now, but fresh when it arrived: verifies (the run's end is later than its requests)
    in.hooks.set(0, hook(SECRET, 1, "evt_ok", body("evt_ok", "charge.succeeded", "ch_ok"), old, (old + 2) * 1_000_000, 200));
    Verdict v = verify(in);
    assertTrue(v.ok(), v.violations.toString());
    // ten minutes old when it arrived: refused, as a merchant would
    in.hooks.set(0, hook(SECRET, 1, "evt_ok", body("evt_ok", "charge.succeeded", "ch_ok"), old, (old + 600) * 1_000_000, 200));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
    // and a wrong signature on an old request is still wrong
    in.hooks.set(0, hook(OTHER_SECRET, 1, "evt_ok", body("evt_ok", "charge.succeeded", "ch_ok"), old, (old + 2) * 1_000_000, 200));
    assertOnly(verify(in), Kind.WEBHOOK_BAD_EVENT, "evt_ok");
  }

  @Test
  void aChargesEventsFirstReceivedOutOfOrderAreFlagged() throws Exception {
    Input in = hooked();
    in.deliveries.replaceAll(r -> r.eventId().equals("evt_ok") ? new Verifier.DeliveryRow("evt_ok", "charge.succeeded",
        "ch_ok", null, 2, "delivered", 1, T) : r);
    row(in, "evt_ok_p", "charge.pending", "ch_ok", null, 1, "delivered");
    hook(in, "evt_ok_p", "charge.pending", "ch_ok", NOW_US + 5_000, 200);
    assertOnly(verify(in), Kind.WEBHOOK_OUT_OF_ORDER, "ch_ok");
    // the same events with the pending one first are in order; a later duplicate of it changes nothing
    Input ordered = hooked();
    ordered.deliveries.replaceAll(r -> r.eventId().equals("evt_ok") ? new Verifier.DeliveryRow("evt_ok",
        "charge.succeeded", "ch_ok", null, 2, "delivered", 1, T) : r);
    row(ordered, "evt_ok_p", "charge.pending", "ch_ok", null, 1, "delivered");
    ordered.hooks.add(0, hook(SECRET, 0, "evt_ok_p", body("evt_ok_p", "charge.pending", "ch_ok"), NOW_US / 1_000_000,
        NOW_US - 5_000_000, 200));
    hook(ordered, "evt_ok_p", "charge.pending", "ch_ok", NOW_US + 5_000_000, 200);
    Verdict v = verify(ordered);
    assertTrue(v.ok(), v.violations.toString());
    assertEquals(1, v.hookDuplicates);
  }

  @Test
  void retriesAndDuplicatesAreFiguresNotViolations() throws Exception {
    Input in = hooked();
    in.hooks.removeIf(h -> h.webhookId().equals("evt_ok"));
    hook(in, "evt_ok", "charge.succeeded", "ch_ok", NOW_US + 100_000, 500);
    hook(in, "evt_ok", "charge.succeeded", "ch_ok", NOW_US + 400_000, 200);
    hook(in, "evt_ok", "charge.succeeded", "ch_ok", NOW_US + 11_000_000, 200);
    Verdict v = verify(in);
    assertTrue(v.ok(), v.violations.toString());
    assertEquals(3, v.hookEvents);
    assertEquals(5, v.hookRequests);
    assertEquals(1, v.hookRetries);
    assertEquals(1, v.hookDuplicates);
    assertEquals(1, v.hookRefused);
  }

  @Test
  void oneEventAtTheReceiverTwiceAtOnceIsConcurrent() throws Exception {
    Input in = hooked();
    // a second request for evt_dec 5 ms after the first arrived (each is answered after 20 ms)
    hook(in, "evt_dec", "charge.declined", "ch_dec", NOW_US + 1_000 + 5_000, 200);
    assertOnly(verify(in), Kind.WEBHOOK_CONCURRENT, "evt_dec");
  }

  @Test
  void anUnreadOutboxLeavesTheWebhooksUnverifiedButStillChecksTheRequests() throws Exception {
    Input in = hooked();
    in.deliveriesRead = false;
    in.deliveries.clear();
    assertOnly(verify(in), Kind.UNVERIFIED, "webhooks");
    hook(in, "evt_dec", "charge.declined", "ch_dec", NOW_US + 1_000 + 5_000, 200);
    Verdict v = verify(in);
    assertEquals(1, v.count(Kind.WEBHOOK_CONCURRENT), v.violations.toString());
  }

  @Test
  void withoutAnEndpointThereAreNoWebhookChecks() throws Exception {
    Input in = hooked();
    in.webhookSecret = null;
    in.deliveries.clear();
    Verdict v = verify(in);
    assertTrue(v.ok(), v.violations.toString());
  }
}
