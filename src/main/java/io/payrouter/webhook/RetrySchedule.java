package io.payrouter.webhook;

import java.util.List;
import java.util.OptionalLong;

/**
 * How long to wait before each retry of a failed delivery. The default is Hyperswitch's published
 * schedule (docs.hyperswitch.io, "Webhook Delivery Behavior"): 1 minute, 5 minutes twice,
 * 10 minutes five times, 1 hour five times, 6 hours three times: 16 retries over 24 h 1 min after
 * the first attempt.
 *
 * @param delaysMs the wait before retry 1, 2, ... (each counted from the attempt before it)
 */
public record RetrySchedule(List<Long> delaysMs) {
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;

  public static final RetrySchedule HYPERSWITCH = new RetrySchedule(List.of(
      MIN, 5 * MIN, 5 * MIN, 10 * MIN, 10 * MIN, 10 * MIN, 10 * MIN, 10 * MIN,
      HOUR, HOUR, HOUR, HOUR, HOUR, 6 * HOUR, 6 * HOUR, 6 * HOUR));

  public RetrySchedule {
    delaysMs = List.copyOf(delaysMs);
    if (delaysMs.isEmpty()) throw new IllegalArgumentException("a retry schedule needs at least one delay");
    for (long d : delaysMs) if (d <= 0) throw new IllegalArgumentException("retry delays must be positive");
  }

  /**
   * The wait after the {@code failedAttempts}-th failed attempt (1 = the first attempt failed),
   * or empty when that was the last one the schedule allows.
   */
  public OptionalLong delayAfter(int failedAttempts) {
    if (failedAttempts < 1 || failedAttempts > delaysMs.size()) return OptionalLong.empty();
    return OptionalLong.of(delaysMs.get(failedAttempts - 1));
  }

  /** From the first attempt to the last retry. */
  public long spanMs() {
    long s = 0;
    for (long d : delaysMs) s += d;
    return s;
  }
}
