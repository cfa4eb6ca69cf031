package io.payrouter.load;

import java.util.Arrays;

/**
 * Response times kept in full (milliseconds, as Gatling measured them), so that percentiles are
 * exact rather than read off a histogram. Virtual users add to it from Gatling's threads.
 */
final class ResponseTimes {
  private int[] times = new int[1024];
  private int n;

  synchronized void add(int ms) {
    if (n == times.length) times = Arrays.copyOf(times, n * 2);
    times[n++] = ms;
  }

  /** A sorted copy of the times so far. */
  synchronized int[] sorted() {
    int[] s = Arrays.copyOf(times, n);
    Arrays.sort(s);
    return s;
  }

  /** Nearest-rank percentile of sorted values (p in (0, 100]); -1 when empty. */
  static int percentile(int[] sorted, double p) {
    if (sorted.length == 0) return -1;
    int rank = (int) Math.ceil(p / 100.0 * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length, rank) - 1)];
  }
}
