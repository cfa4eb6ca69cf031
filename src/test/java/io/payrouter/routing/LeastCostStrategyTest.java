package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.CURRENCIES;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.healthyExcept;
import static io.payrouter.routing.Fixtures.rules;
import static io.payrouter.routing.Fixtures.traceLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Strategy least_cost, adaptive's cost weight, and the fees a decision carries. */
class LeastCostStrategyTest {

  private static ProviderHealth priced(String name, long ppm, long fixed, double successRate, long samples) {
    return new ProviderHealth(name, true, false, CURRENCIES, successRate, samples, 0,
        new FeeSchedule(List.of(new FeeSchedule.Line(null, null, false, ppm, fixed)), "US"));
  }

  private static final HealthSnapshot PRICED = healthyExcept(
      priced("revio", 29_000, 30, 0.97, 1_000),     // 100.00 -> 3.20
      priced("paycore", 25_000, 20, 0.80, 1_000),   // 100.00 -> 2.70
      priced("fatora", 24_000, 25, 0.95, 1_000));   // 100.00 -> 2.65

  @Test
  void leastCostTriesTheCheapestExpectedFeeFirst() {
    RoutingRules r = rules("""
        rules:
          - name: cheap
            strategy: least_cost
            providers: [revio, paycore, fatora]
        """);
    Decision d = RoutingEngine.decide(charge(10_000, "USD", "visa"), r, PRICED, true);
    assertEquals(List.of("fatora", "paycore", "revio"), d.candidates());
    assertEquals(Map.of("fatora", 265L, "paycore", 270L, "revio", 320L), d.fees());
    assertTrue(traceLine(d, TraceLine.STRATEGY, "least_cost").reason().contains("fatora fee 265"), d.trace().toString());
  }

  @Test
  void aProviderWithoutAKnownFeeComesAfterThoseWithOne() {
    RoutingRules r = rules("""
        rules:
          - name: cheap
            strategy: least_cost
            providers: [processout, revio]
        """);
    Decision d = RoutingEngine.decide(charge(10_000, "USD", "visa"), r, PRICED, false);
    assertEquals(List.of("revio", "processout"), d.candidates(), "processout has no fee schedule here");
    assertEquals(Map.of("revio", 320L), d.fees());
  }

  @Test
  void adaptiveWithCostWeightRanksByProbabilityTimesWhatIsKept() {
    // revio 0.97 x (100.00 - 3.20) beats fatora 0.95 x (100.00 - 2.65) only when fees count little;
    // with a high-fee revio the expected value after fees goes to fatora.
    HealthSnapshot h = healthyExcept(priced("revio", 60_000, 30, 0.97, 5_000), priced("fatora", 24_000, 25, 0.95, 5_000));
    RoutingRules plain = rules("""
        rules:
          - name: a
            strategy: adaptive
            adaptive: { exploration: 0, tolerance: 0, latency_penalty: 0 }
            providers: [revio, fatora]
        """);
    RoutingRules costed = rules("""
        rules:
          - name: a
            strategy: adaptive
            adaptive: { exploration: 0, tolerance: 0, latency_penalty: 0, cost_weight: 1 }
            providers: [revio, fatora]
        """);
    assertEquals("revio", RoutingEngine.decide(charge(10_000, "USD", "visa"), plain, h, false).candidates().get(0),
        "without a cost weight the better success rate wins");
    Decision d = RoutingEngine.decide(charge(10_000, "USD", "visa"), costed, h, true);
    assertEquals("fatora", d.candidates().get(0), "0.95 x 97.35 > 0.97 x 93.70: " + d.trace());
    String why = traceLine(d, TraceLine.SCORE, "fatora").reason();
    assertTrue(why.contains("fee 265") && why.contains("probability") && why.contains("expected value"), why);
  }
}
