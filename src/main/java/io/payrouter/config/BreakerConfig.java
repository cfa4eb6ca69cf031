package io.payrouter.config;

/**
 * Circuit breaker settings of one provider.
 *
 * @param maxFailures failures (5xx, timeouts, refusals; never declines) within the rolling window
 *     that open the circuit
 * @param windowMs the rolling window for counting failures
 * @param resetMs how long the circuit stays open before one trial call (half-open)
 */
public record BreakerConfig(int maxFailures, long windowMs, long resetMs) {
  public static final BreakerConfig DEFAULT = new BreakerConfig(5, 10_000, 5_000);
}
