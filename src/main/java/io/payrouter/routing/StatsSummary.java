package io.payrouter.routing;

/**
 * A provider's numbers over a recent window, from {@link ProviderStats}.
 *
 * @param samples calls recorded in the window
 * @param failures infrastructure failures among them (5xx, timeouts, refusals)
 * @param successRate {@code (samples - failures) / samples}; 1.0 when there are no samples
 * @param p50LatencyMs approximate median latency (0 when no samples)
 * @param p99LatencyMs approximate 99th percentile latency (0 when no samples)
 */
public record StatsSummary(
    long samples, long failures, double successRate, double p50LatencyMs, double p99LatencyMs) {

  /** No calls in the window. */
  public static final StatsSummary EMPTY = new StatsSummary(0, 0, 1.0, 0, 0);
}
