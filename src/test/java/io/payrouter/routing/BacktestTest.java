package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.CURRENCIES;
import static io.payrouter.routing.Fixtures.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The backtest's counts, projection and fees on a data set whose answer is worked out by hand. */
class BacktestTest {

  private static final RoutingRules V1 = rules("""
      rules:
        - name: usd
          when: { currency: [USD] }
          providers: [fatora]
      """);
  private static final RoutingRules PROPOSED = rules("""
      rules:
        - name: usd-large
          when: { currency: [USD], amount: { min: 5000 } }
          providers: [revio]
        - name: usd
          when: { currency: [USD] }
          providers: [fatora]
      """);

  private static ProviderHealth priced(String name, long ppm, long fixed) {
    return new ProviderHealth(name, true, false, CURRENCIES, 1.0, 0, 0,
        new FeeSchedule(List.of(new FeeSchedule.Line(null, null, false, ppm, fixed)), "US"));
  }

  private static final HealthSnapshot HEALTH = Fixtures.healthyExcept(priced("fatora", 24_000, 25), priced("revio", 29_000, 30));

  private static ApprovalModel approvals() {
    ApprovalModel m = new ApprovalModel();
    m.observe("fatora", "USD", "visa", 80, 20);
    m.observe("revio", "USD", "visa", 45, 5);
    return m;
  }

  private static Backtest.StoredCharge charge(int i, long amount, long version) {
    return new Backtest.StoredCharge("ch_" + i, "acme", amount, "USD", "visa", "US", Set.of("fatora", "revio"), version,
        "usd", "fatora");
  }

  private static Backtest.Result run() {
    Backtest bt = new Backtest(PROPOSED, v -> v == 1 ? V1 : null, HEALTH, approvals());
    for (int i = 0; i < 6; i++) bt.add(charge(i, 1_000, 1));
    for (int i = 6; i < 10; i++) bt.add(charge(i, 9_000, 1));
    return bt.result();
  }

  @Test
  void countsTheChargesPerProviderAndRuleBeforeAndAfterAndTheirTransitions() {
    Backtest.Result r = run();
    assertEquals(10, r.charges());
    assertEquals(4, r.changed());
    assertEquals(Map.of("fatora", 10L), r.before());
    assertEquals(Map.of("fatora", 6L, "revio", 4L), r.after());
    assertEquals(Map.of("usd", 6L, "usd-large", 4L), r.afterRules());
    assertEquals(List.of(new Backtest.Transition("usd", "fatora", "usd-large", "revio", 4)), r.transitions());
  }

  @Test
  void projectsTheApprovalRateFromTheWindowsSegmentsShrunkTowardTheirProvider() {
    Backtest.Result r = run();
    // overall 125/150; fatora (80 + 20 x 0.8333) / 120 = 0.80556, its segment (80 + 20 x 0.80556) / 120 = 0.80093;
    // revio (45 + 20 x 0.8333) / 70 = 0.88095, its segment (45 + 20 x 0.88095) / 70 = 0.89456
    assertEquals(0.80093, r.approvalBefore().rate(), 1e-4);
    assertEquals((6 * 0.80093 + 4 * 0.89456) / 10, r.approvalAfter().rate(), 1e-4);
    double[] i = r.approvalAfter().interval();
    double half = 1.96 * Math.sqrt(0.36 * 0.80093 * (1 - 0.80093) / 120 + 0.16 * 0.89456 * (1 - 0.89456) / 70);
    assertEquals(r.approvalAfter().rate() - half, i[0], 1e-4);
    assertEquals(r.approvalAfter().rate() + half, i[1], 1e-4);
  }

  @Test
  void aProviderWithoutAttemptsInTheWindowGetsTheOverallRateAndAWideInterval() {
    Backtest paycore = new Backtest(rules("""
        rules:
          - name: any
            providers: [paycore]
        """), v -> V1, HEALTH, approvals());
    paycore.add(new Backtest.StoredCharge("ch_p", "acme", 1_000, "USD", "visa", "US", Set.of("fatora", "paycore"), 1,
        "usd", "fatora"));
    ApprovalModel.Projection after = paycore.result().approvalAfter();
    double[] i = after.interval();
    assertEquals(125.0 / 150, after.rate(), 1e-9, "the overall rate: paycore was not observed");
    assertEquals(125.0 / 150 - 1.96 * Math.sqrt(0.25 / 20), i[0], 1e-9, "a guess gets the widest variance");
    assertEquals(1.0, i[1], 1e-9, "clipped at 1");
  }

  @Test
  void sumsTheExpectedFeesOfTheProviderTriedFirstPerCurrency() {
    Backtest.Result r = run();
    // fatora 2.4 % + 25: 10.00 -> 49, 90.00 -> 241; revio 2.9 % + 30: 90.00 -> 291
    assertEquals(new Backtest.Fees(6 * 49 + 4 * 241, 10, 0), r.feesBefore().get("USD"));
    assertEquals(new Backtest.Fees(6 * 49 + 4 * 291, 10, 0), r.feesAfter().get("USD"));
  }

  @Test
  void aChargeOfAVersionNotAvailableCountsItsStoredDecisionAsBefore() {
    Backtest bt = new Backtest(PROPOSED, v -> v == 1 ? V1 : null, HEALTH, approvals());
    bt.add(new Backtest.StoredCharge("ch_x", "acme", 9_000, "USD", "visa", "US", Set.of("fatora", "revio"), 7,
        "old-rule", "paycore"));
    Backtest.Result r = bt.result();
    assertEquals(1, r.replayedWithStoredDecision());
    assertEquals(Map.of("paycore", 1L), r.before());
    assertEquals(Map.of("old-rule", 1L), r.beforeRules());
    assertEquals(new Backtest.Fees(0, 1, 1), r.feesBefore().get("USD"), "paycore has no schedule here: unknown");
  }
}
