package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.CURRENCIES;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.rules;
import static io.payrouter.routing.Fixtures.stats;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Adaptive: moves away from a degrading PSP within seconds, returns after it recovers, explores. */
class AdaptiveStrategyTest {
  private static final String A = "revio";
  private static final String B = "paycore";
  private static final long START_MS = 1_700_000_000_000L;
  /** 20 decisions per simulated second. */
  private static final long STEP_MS = 50;

  private static final RoutingRules TWO_PROVIDERS = rules("""
      rules:
        - name: adaptive
          strategy: adaptive
          providers: [revio, paycore]
      """);

  /** Drives decisions against simulated PSPs, feeding outcomes back into ProviderStats. */
  private static final class Simulation {
    final ProviderStats stats = new ProviderStats(TWO_PROVIDERS.healthWindowSeconds());
    long now = START_MS;
    int next;
    boolean aHealthy = true;

    /** Runs {@code n} charges; returns the provider each one went to first. */
    List<String> run(int n) {
      List<String> firsts = new ArrayList<>(n);
      for (int i = 0; i < n; i++) {
        now += STEP_MS;
        HealthSnapshot health = HealthSnapshot.of(List.of(
            stats.health(A, true, false, CURRENCIES, now),
            stats.health(B, true, false, CURRENCIES, now)));
        Decision d = RoutingEngine.decide(charge("ch_" + next++, 1000, "USD", "visa"), TWO_PROVIDERS, health, false);
        firsts.add(d.candidates().get(0));
        attempt(d.candidates());
      }
      return firsts;
    }

    /** Tries candidates in order until one answers (failover on infrastructure failure). */
    private void attempt(List<String> candidates) {
      for (String provider : candidates) {
        boolean ok = !provider.equals(A) || aHealthy;
        stats.record(provider, ok, provider.equals(A) ? 40 : 60, now);
        if (ok) return;
      }
    }
  }

  private static double share(List<String> firsts, String provider, int from, int to) {
    long n = firsts.subList(from, to).stream().filter(provider::equals).count();
    return (double) n / (to - from);
  }

  @Test
  void trafficMovesAwayFromDegradingProviderWithinTwoHundredDecisionsAndReturnsAfterRecovery() {
    Simulation sim = new Simulation();
    List<String> healthy = sim.run(600); // 30 simulated seconds, both healthy
    assertTrue(share(healthy, A, 400, 600) > 0.8, "listed-first A leads while both are healthy");

    sim.aHealthy = false;
    List<String> degraded = sim.run(400); // 20 s of A failing every call
    double bShare = share(degraded, B, 50, 200);
    assertTrue(bShare > 0.8, "B should take >80% within 200 decisions of A degrading, got " + bShare);
    assertTrue(share(degraded, B, 200, 400) > 0.8);

    sim.aHealthy = true;
    List<String> recovered = sim.run(1200); // 60 s: A's failures age out of the 30 s window
    double aShare = share(recovered, A, 1000, 1200);
    assertTrue(aShare > 0.8, "A should get traffic back after it recovers, got " + aShare);
  }

  @Test
  void degradationIsNoticedWithinTwoSimulatedSeconds() {
    Simulation sim = new Simulation();
    sim.run(600);
    sim.aHealthy = false;
    List<String> degraded = sim.run(100);
    int firstSwitch = degraded.indexOf(B);
    // Exploration may send an early charge to B; require a run of 10 straight B choices.
    int runStart = -1;
    for (int i = 0; i + 10 <= degraded.size(); i++) {
      if (degraded.subList(i, i + 10).stream().allMatch(B::equals)) {
        runStart = i;
        break;
      }
    }
    assertTrue(firstSwitch >= 0);
    assertTrue(runStart >= 0 && runStart <= 40, "switch to B after " + runStart + " decisions (1 s = 20)");
  }

  private static Map<String, Integer> firstChoices(RoutingRules rules, HealthSnapshot health, int n) {
    Map<String, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      Decision d = RoutingEngine.decide(charge("ch_" + i, 1000, "USD", "visa"), rules, health, false);
      counts.merge(d.candidates().get(0), 1, Integer::sum);
    }
    return counts;
  }

  private static HealthSnapshot threeHealthy() {
    return HealthSnapshot.of(List.of(
        stats("revio", 0.99, 1000, 50), stats("paycore", 0.99, 1000, 50), stats("fatora", 0.99, 1000, 50)));
  }

  @Test
  void defaultExplorationSendsAboutFivePercentToNonTopCandidates() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [revio, paycore, fatora]
        """);
    Map<String, Integer> counts = firstChoices(rules, threeHealthy(), 10_000);
    double explored = (10_000 - counts.get("revio")) / 100.0;
    assertEquals(5.0, explored, 1.0, "percent explored");
    // Spread over both non-top candidates.
    assertEquals(2.5, counts.get("paycore") / 100.0, 1.0);
    assertEquals(2.5, counts.get("fatora") / 100.0, 1.0);
  }

  @Test
  void configuredExplorationShareIsHonoured() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [revio, paycore, fatora]
            adaptive: { exploration: 0.2 }
        """);
    Map<String, Integer> counts = firstChoices(rules, threeHealthy(), 10_000);
    assertEquals(20.0, (10_000 - counts.get("revio")) / 100.0, 1.5, "percent explored");
  }

  @Test
  void zeroExplorationAlwaysPicksTheTop() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [revio, paycore, fatora]
            adaptive: { exploration: 0 }
        """);
    assertEquals(Map.of("revio", 2000), firstChoices(rules, threeHealthy(), 2000));
  }

  @Test
  void higherSuccessRateRanksFirstBeyondTolerance() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [revio, paycore, fatora]
            adaptive: { exploration: 0 }
        """);
    HealthSnapshot health = HealthSnapshot.of(List.of(
        stats("revio", 0.80, 500, 50), stats("paycore", 0.99, 500, 50), stats("fatora", 0.90, 500, 50)));
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), rules, health);
    assertEquals(List.of("paycore", "fatora", "revio"), d.candidates());
  }

  @Test
  void muchSlowerProviderLosesButSmallLatencyDifferencesKeepListedOrder() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [revio, paycore]
            adaptive: { exploration: 0 }
        """);
    HealthSnapshot slowRevio = HealthSnapshot.of(List.of(
        stats("revio", 0.99, 1000, 2000), stats("paycore", 0.99, 1000, 100)));
    assertEquals(List.of("paycore", "revio"),
        RoutingEngine.decide(charge(1000, "USD", "visa"), rules, slowRevio).candidates());
    HealthSnapshot slightlySlower = HealthSnapshot.of(List.of(
        stats("revio", 0.99, 1000, 120), stats("paycore", 0.99, 1000, 100)));
    assertEquals(List.of("revio", "paycore"),
        RoutingEngine.decide(charge(1000, "USD", "visa"), rules, slightlySlower).candidates());
  }

  @Test
  void providersWithoutSamplesKeepListedOrder() {
    RoutingRules rules = rules("""
        rules:
          - name: adaptive
            strategy: adaptive
            providers: [fatora, revio, paycore]
            adaptive: { exploration: 0 }
        """);
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), rules, Fixtures.allHealthy());
    assertEquals(List.of("fatora", "revio", "paycore"), d.candidates());
  }

  @Test
  void pooledPriorDampensOneFailureInTwoCallsButNotFiveFailuresInFive() {
    AdaptiveSettings s = AdaptiveSettings.DEFAULT;
    double pooled = 0.99;
    double oneOfTwo = RoutingEngine.score(stats("a", 0.5, 2, 0), pooled, s);
    double fiveOfFive = RoutingEngine.score(stats("a", 0.0, 5, 0), pooled, s);
    assertTrue(oneOfTwo > 0.9, "score " + oneOfTwo);
    assertTrue(fiveOfFive < 0.7, "score " + fiveOfFive);
  }

  @Test
  void traceShowsEveryCandidateScore() {
    HealthSnapshot health = HealthSnapshot.of(List.of(stats("revio", 0.5, 100, 50), stats("paycore", 1.0, 100, 50)));
    Decision d = RoutingEngine.decide(charge("ch_1", 1000, "USD", "visa"), TWO_PROVIDERS, health);
    assertTrue(Fixtures.traceLine(d, "score", "revio").verdict().startsWith("score 0.5"));
    assertTrue(Fixtures.traceLine(d, "score", "paycore").verdict().startsWith("score 0.9"));
    assertTrue(Fixtures.traceLine(d, "strategy", "adaptive").verdict().endsWith(d.candidates().get(0)));
  }

  @Test
  void aCandidateWithoutSamplesShowsTheSameRateTheProvidersApiShows() {
    HealthSnapshot health = HealthSnapshot.of(List.of(stats("revio", 1.0, 0, 0), stats("paycore", 1.0, 100, 50)));
    Decision d = RoutingEngine.decide(charge("ch_1", 1000, "USD", "visa"), TWO_PROVIDERS, health);
    assertTrue(Fixtures.traceLine(d, "score", "revio").reason().startsWith("success 1.0 (no samples yet) over 0 samples"),
        Fixtures.traceLine(d, "score", "revio").reason());
  }
}
