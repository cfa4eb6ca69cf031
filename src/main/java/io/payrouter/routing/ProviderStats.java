package io.payrouter.routing;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Thread-safe sliding-window outcome tracker per provider: a ring of one-second buckets (up to
 * {@link #MAX_WINDOW_SECONDS}) holding success and failure counts and a small fixed latency
 * histogram. Recording is O(1), allocation-free once a provider is known, and takes only that
 * provider's lock; reading a window sums its buckets.
 *
 * <p>Count a call as a failure only for infrastructure failures (5xx, timeouts, refused
 * connections): a decline is a success here, the PSP was healthy. Time is passed in (epoch ms), so
 * the tracker itself reads no clock.
 */
public final class ProviderStats {
  /** Default window: 30 s. */
  public static final int DEFAULT_WINDOW_SECONDS = 30;
  /** Longest window that can be read (the ring's size). */
  public static final int MAX_WINDOW_SECONDS = 300;

  /** Upper bounds (inclusive, ms) of the latency buckets; one more bucket holds the rest. */
  static final long[] LATENCY_BOUNDS_MS = {
    1, 2, 3, 5, 7, 10, 15, 20, 30, 50, 75, 100, 150, 200, 300, 500, 750, 1000, 1500, 2000, 3000,
    5000, 10000, 30000
  };
  private static final int BUCKETS = LATENCY_BOUNDS_MS.length + 1;

  private final int defaultWindowSeconds;
  private final ConcurrentHashMap<String, Ring> rings = new ConcurrentHashMap<>();

  /** A tracker whose no-window methods read the last {@link #DEFAULT_WINDOW_SECONDS} seconds. */
  public ProviderStats() {
    this(DEFAULT_WINDOW_SECONDS);
  }

  /** A tracker whose no-window methods read the last {@code defaultWindowSeconds} seconds. */
  public ProviderStats(int defaultWindowSeconds) {
    this.defaultWindowSeconds = checkWindow(defaultWindowSeconds);
  }

  /** The window the methods without a window argument read. */
  public int defaultWindowSeconds() {
    return defaultWindowSeconds;
  }

  /**
   * Records one call.
   *
   * @param provider provider name
   * @param success false only for infrastructure failures; declines are successes
   * @param latencyMs how long the call took
   * @param nowMs when it ended (epoch ms)
   */
  public void record(String provider, boolean success, long latencyMs, long nowMs) {
    Ring ring = rings.get(provider);
    if (ring == null) ring = rings.computeIfAbsent(provider, k -> new Ring());
    ring.record(success, latencyMs, nowMs);
  }

  /**
   * One second's counts of one provider, as another tracker can {@link #add} them: what a router
   * instance tells the others of its calls. {@code latency} holds the counts of the latency
   * buckets ({@link #LATENCY_BOUNDS_MS}, then one for the rest).
   */
  public record Second(long epochSecond, long successes, long failures, long[] latency) {
    public long total() {
      return successes + failures;
    }
  }

  /** The counts of one past second (empty when nothing was recorded then, or it left the ring). */
  public java.util.Optional<Second> second(String provider, long epochSecond) {
    Ring ring = rings.get(provider);
    return ring == null ? java.util.Optional.empty() : ring.second(epochSecond);
  }

  /**
   * Adds another tracker's counts for one second (merging fleets' windows: the counts age out of
   * this window like local ones, by the second they happened in). A second older than the ring,
   * or a histogram of the wrong size, is ignored.
   */
  public void add(String provider, Second s) {
    if (s.latency().length != BUCKETS || s.successes() < 0 || s.failures() < 0) return;
    Ring ring = rings.get(provider);
    if (ring == null) ring = rings.computeIfAbsent(provider, k -> new Ring());
    ring.add(s);
  }

  /** Numbers over the default window. */
  public StatsSummary summary(String provider, long nowMs) {
    return summary(provider, nowMs, defaultWindowSeconds);
  }

  /** Numbers over the last {@code windowSeconds} seconds (1..{@value #MAX_WINDOW_SECONDS}). */
  public StatsSummary summary(String provider, long nowMs, int windowSeconds) {
    checkWindow(windowSeconds);
    Ring ring = rings.get(provider);
    return ring == null ? StatsSummary.EMPTY : ring.summary(nowMs, windowSeconds);
  }

  /** Success rate over the default window; 1.0 with no samples. */
  public double successRate(String provider, long nowMs) {
    return summary(provider, nowMs).successRate();
  }

  /** Calls recorded over the default window. */
  public long samples(String provider, long nowMs) {
    return summary(provider, nowMs).samples();
  }

  /** Approximate median latency over the default window. */
  public double p50LatencyMs(String provider, long nowMs) {
    return summary(provider, nowMs).p50LatencyMs();
  }

  /** Approximate 99th percentile latency over the default window. */
  public double p99LatencyMs(String provider, long nowMs) {
    return summary(provider, nowMs).p99LatencyMs();
  }

  /** A {@link ProviderHealth} with this tracker's numbers over the default window. */
  public ProviderHealth health(
      String provider, boolean enabled, boolean circuitOpen, Set<String> currencies, long nowMs) {
    return health(provider, enabled, circuitOpen, currencies, nowMs, defaultWindowSeconds);
  }

  /** A {@link ProviderHealth} with this tracker's numbers over {@code windowSeconds}. */
  public ProviderHealth health(String provider, boolean enabled, boolean circuitOpen,
      Set<String> currencies, long nowMs, int windowSeconds) {
    StatsSummary s = summary(provider, nowMs, windowSeconds);
    return new ProviderHealth(provider, enabled, circuitOpen, currencies, s.successRate(),
        s.samples(), s.p50LatencyMs());
  }

  private static int checkWindow(int seconds) {
    if (seconds < 1 || seconds > MAX_WINDOW_SECONDS) {
      throw new IllegalArgumentException("window must be 1.." + MAX_WINDOW_SECONDS + " s");
    }
    return seconds;
  }

  static int latencyBucket(long latencyMs) {
    for (int i = 0; i < LATENCY_BOUNDS_MS.length; i++) {
      if (latencyMs <= LATENCY_BOUNDS_MS[i]) return i;
    }
    return LATENCY_BOUNDS_MS.length;
  }

  /** Approximate percentile from bucket counts, interpolating linearly inside the bucket. */
  static double percentile(long[] histogram, long total, double p) {
    if (total <= 0) return 0;
    long rank = Math.max(1, (long) Math.ceil(p * total));
    long before = 0;
    for (int b = 0; b < histogram.length; b++) {
      long count = histogram[b];
      if (count > 0 && before + count >= rank) {
        if (b >= LATENCY_BOUNDS_MS.length) return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
        double lower = b == 0 ? 0 : LATENCY_BOUNDS_MS[b - 1];
        double upper = LATENCY_BOUNDS_MS[b];
        return lower + (upper - lower) * (rank - before) / count;
      }
      before += count;
    }
    return LATENCY_BOUNDS_MS[LATENCY_BOUNDS_MS.length - 1];
  }

  /** One provider's ring of one-second buckets, guarded by its own monitor. */
  private static final class Ring {
    private final long[] seconds = new long[MAX_WINDOW_SECONDS];
    private final long[] successes = new long[MAX_WINDOW_SECONDS];
    private final long[] failures = new long[MAX_WINDOW_SECONDS];
    private final long[] latency = new long[MAX_WINDOW_SECONDS * BUCKETS];

    Ring() {
      java.util.Arrays.fill(seconds, Long.MIN_VALUE);
    }

    /** The slot of a second, cleared if it held an older one; -1 when the second is older than the ring. */
    private int slot(long second) {
      int slot = (int) Math.floorMod(second, (long) MAX_WINDOW_SECONDS);
      if (seconds[slot] != second) {
        if (seconds[slot] > second) return -1; // older than the ring: nothing to add it to
        seconds[slot] = second;
        successes[slot] = 0;
        failures[slot] = 0;
        java.util.Arrays.fill(latency, slot * BUCKETS, (slot + 1) * BUCKETS, 0L);
      }
      return slot;
    }

    synchronized java.util.Optional<Second> second(long second) {
      int slot = (int) Math.floorMod(second, (long) MAX_WINDOW_SECONDS);
      if (seconds[slot] != second || successes[slot] + failures[slot] == 0) return java.util.Optional.empty();
      return java.util.Optional.of(new Second(second, successes[slot], failures[slot],
          java.util.Arrays.copyOfRange(latency, slot * BUCKETS, (slot + 1) * BUCKETS)));
    }

    synchronized void add(Second s) {
      int slot = slot(s.epochSecond());
      if (slot < 0) return;
      successes[slot] += s.successes();
      failures[slot] += s.failures();
      for (int b = 0; b < BUCKETS; b++) latency[slot * BUCKETS + b] += Math.max(0, s.latency()[b]);
    }

    synchronized void record(boolean success, long latencyMs, long nowMs) {
      int slot = slot(Math.floorDiv(nowMs, 1000L));
      if (slot < 0) return;
      if (success) successes[slot]++;
      else failures[slot]++;
      latency[slot * BUCKETS + latencyBucket(Math.max(0, latencyMs))]++;
    }

    StatsSummary summary(long nowMs, int windowSeconds) {
      long[] histogram = new long[BUCKETS];
      long ok = 0;
      long failed = 0;
      long now = Math.floorDiv(nowMs, 1000L);
      synchronized (this) {
        for (long second = now - windowSeconds + 1; second <= now; second++) {
          int slot = (int) Math.floorMod(second, (long) MAX_WINDOW_SECONDS);
          if (seconds[slot] != second) continue;
          ok += successes[slot];
          failed += failures[slot];
          for (int b = 0; b < BUCKETS; b++) histogram[b] += latency[slot * BUCKETS + b];
        }
      }
      long total = ok + failed;
      if (total == 0) return StatsSummary.EMPTY;
      return new StatsSummary(total, failed, (double) ok / total,
          percentile(histogram, total, 0.50), percentile(histogram, total, 0.99));
    }
  }
}
