package io.payrouter.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Sliding-window success rate, samples and latency percentiles per provider. */
class ProviderStatsTest {
  private static final long T0 = 1_700_000_000_000L;

  @Test
  void successRateAndSamplesCountOutcomesInTheWindow() {
    ProviderStats stats = new ProviderStats(30);
    for (int i = 0; i < 90; i++) stats.record("revio", true, 40, T0 + i);
    for (int i = 0; i < 10; i++) stats.record("revio", false, 40, T0 + 500 + i);
    assertEquals(100, stats.samples("revio", T0 + 1000));
    assertEquals(0.9, stats.successRate("revio", T0 + 1000), 1e-9);
    assertEquals(10, stats.summary("revio", T0 + 1000).failures());
  }

  @Test
  void outcomesOlderThanTheWindowAgeOut() {
    ProviderStats stats = new ProviderStats(30);
    stats.record("revio", false, 40, T0);
    stats.record("revio", true, 40, T0 + 10_000);
    assertEquals(2, stats.samples("revio", T0 + 29_999));
    assertEquals(1, stats.samples("revio", T0 + 30_000), "the failure at T0 is 30 s old");
    assertEquals(1.0, stats.successRate("revio", T0 + 30_000));
    assertEquals(0, stats.samples("revio", T0 + 40_000));
  }

  @Test
  void ringSlotsAreReusedAfterAFullLap() {
    ProviderStats stats = new ProviderStats(10);
    stats.record("revio", false, 40, T0);
    long lap = ProviderStats.MAX_WINDOW_SECONDS * 1000L;
    stats.record("revio", true, 40, T0 + lap); // same slot, one lap later
    assertEquals(1, stats.samples("revio", T0 + lap));
    assertEquals(1.0, stats.successRate("revio", T0 + lap));
  }

  @Test
  void outcomeOlderThanTheRingIsIgnored() {
    ProviderStats stats = new ProviderStats(10);
    long lap = ProviderStats.MAX_WINDOW_SECONDS * 1000L;
    stats.record("revio", true, 40, T0 + lap);
    stats.record("revio", false, 40, T0); // a very late report for the same slot
    assertEquals(1, stats.samples("revio", T0 + lap));
  }

  @Test
  void windowArgumentSelectsHowFarBackToLook() {
    ProviderStats stats = new ProviderStats(30);
    stats.record("revio", false, 40, T0);
    stats.record("revio", true, 40, T0 + 100_000);
    assertEquals(1, stats.summary("revio", T0 + 100_000, 30).samples());
    assertEquals(2, stats.summary("revio", T0 + 100_000, 300).samples());
    assertThrows(IllegalArgumentException.class, () -> stats.summary("revio", T0, 301));
  }

  @Test
  void unknownProviderHasNoSamplesAndFullSuccessRate() {
    ProviderStats stats = new ProviderStats();
    assertSame(StatsSummary.EMPTY, stats.summary("nobody", T0));
    assertEquals(1.0, stats.successRate("nobody", T0));
  }

  @Test
  void percentilesAreApproximatedFromTheHistogram() {
    ProviderStats stats = new ProviderStats(30);
    for (int i = 1; i <= 1000; i++) stats.record("revio", true, i, T0); // uniform 1..1000 ms
    double p50 = stats.p50LatencyMs("revio", T0);
    double p99 = stats.p99LatencyMs("revio", T0);
    assertEquals(500, p50, 25, "p50");
    assertEquals(990, p99, 30, "p99");
  }

  @Test
  void percentileOfIdenticalLatenciesStaysInsideTheirBucket() {
    ProviderStats stats = new ProviderStats(30);
    for (int i = 0; i < 100; i++) stats.record("revio", true, 42, T0);
    double p50 = stats.p50LatencyMs("revio", T0);
    assertTrue(p50 > 30 && p50 <= 50, "p50 " + p50 + " should be within the 30..50 ms bucket");
  }

  @Test
  void latenciesBeyondTheLastBoundReportTheLastBound() {
    ProviderStats stats = new ProviderStats(30);
    stats.record("revio", false, 120_000, T0);
    assertEquals(30_000, stats.p99LatencyMs("revio", T0));
  }

  @Test
  void healthCarriesTheWindowNumbersAndTheGivenFlags() {
    ProviderStats stats = new ProviderStats(30);
    stats.record("revio", true, 40, T0);
    stats.record("revio", false, 40, T0);
    ProviderHealth h = stats.health("revio", true, true, Set.of("USD"), T0);
    assertEquals("revio", h.name());
    assertTrue(h.circuitOpen());
    assertEquals(2, h.samples());
    assertEquals(0.5, h.successRate(), 1e-9);
    assertEquals(Set.of("USD"), h.currencies());
    assertTrue(h.p50LatencyMs() > 30 && h.p50LatencyMs() <= 50);
  }

  @Test
  void concurrentRecordsAreAllCounted() throws Exception {
    ProviderStats stats = new ProviderStats(30);
    int threads = 4;
    int perThread = 50_000;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < threads; t++) {
      boolean success = t % 2 == 0;
      pool.submit(() -> {
        start.await();
        for (int i = 0; i < perThread; i++) stats.record("revio", success, 10, T0 + (i % 1000));
        return null;
      });
    }
    start.countDown();
    pool.shutdown();
    assertTrue(pool.awaitTermination(30, TimeUnit.SECONDS));
    assertEquals(threads * perThread, stats.samples("revio", T0 + 999));
    assertEquals(0.5, stats.successRate("revio", T0 + 999), 1e-9);
  }

  @Test
  void windowOutsideLimitsIsRejected() {
    assertThrows(IllegalArgumentException.class, () -> new ProviderStats(0));
    assertThrows(IllegalArgumentException.class, () -> new ProviderStats(ProviderStats.MAX_WINDOW_SECONDS + 1));
  }

  @Test
  void anotherTrackersSecondMergesIntoTheWindowAndAgesOutWithIt() {
    ProviderStats here = new ProviderStats(10);
    ProviderStats there = new ProviderStats(10);
    for (int i = 0; i < 8; i++) there.record("revio", false, 40, T0 + 100);
    for (int i = 0; i < 2; i++) there.record("revio", true, 40, T0 + 200);
    here.record("revio", true, 5, T0 + 300);
    ProviderStats.Second s = there.second("revio", T0 / 1000).orElseThrow();
    assertEquals(10, s.total());
    here.add("revio", s);
    StatsSummary merged = here.summary("revio", T0 + 500);
    assertEquals(11, merged.samples());
    assertEquals(3.0 / 11, merged.successRate(), 1e-9);
    assertEquals(0, here.summary("revio", T0 + 11_000).samples(), "gone one window later, like local samples");
  }

  @Test
  void aSecondOlderThanTheRingOrOfTheWrongShapeIsIgnored() {
    ProviderStats here = new ProviderStats(10);
    here.record("revio", true, 5, T0);
    here.add("revio", new ProviderStats.Second(T0 / 1000 - ProviderStats.MAX_WINDOW_SECONDS, 5, 5,
        new long[ProviderStats.LATENCY_BOUNDS_MS.length + 1]));
    here.add("revio", new ProviderStats.Second(T0 / 1000, 5, 5, new long[3]));
    assertEquals(1, here.summary("revio", T0 + 10).samples());
    assertTrue(here.second("revio", T0 / 1000 - 1).isEmpty());
  }
}
