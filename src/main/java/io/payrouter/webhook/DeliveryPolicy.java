package io.payrouter.webhook;

import java.time.Instant;

/**
 * The delivery decisions, pure: what an attempt's answer means for its delivery, and when a
 * failing endpoint is disabled.
 */
public final class DeliveryPolicy {
  private DeliveryPolicy() {}

  public enum Kind { DELIVERED, RETRY, EXHAUSTED }

  /** What becomes of a delivery after an attempt: delivered, retried at {@code nextAttemptAt}, or given up. */
  public record Verdict(Kind kind, Instant nextAttemptAt) {}

  /**
   * Only a 2xx answer delivers (as in Standard Webhooks' guidance and every sender modelled here):
   * a redirect, a 4xx, a 5xx, a timeout or a refused connection is a failed attempt.
   *
   * @param status the HTTP status, or null when there was no answer
   * @param step the delivery's failed attempts before this one since it was created or re-sent
   */
  public static Verdict after(Integer status, int step, Instant now, RetrySchedule schedule) {
    if (status != null && status >= 200 && status < 300) return new Verdict(Kind.DELIVERED, null);
    var delay = schedule.delayAfter(step + 1);
    return delay.isPresent() ? new Verdict(Kind.RETRY, now.plusMillis(delay.getAsLong()))
        : new Verdict(Kind.EXHAUSTED, null);
  }

  /**
   * An endpoint is disabled when a delivery to it exhausted its schedule and nothing was
   * delivered to it since that delivery first failed: it has been failing for the whole schedule
   * (at least 24 h by default). An endpoint that refuses one event but takes the others stays on.
   */
  public static boolean disable(Instant lastSuccessAt, Instant firstFailedAt) {
    return lastSuccessAt == null || firstFailedAt == null || !lastSuccessAt.isAfter(firstFailedAt);
  }

  /** Why it was disabled, in words for the merchant (no secret, no body). */
  public static String disabledReason(Instant firstFailedAt, int attempts, Integer lastStatus, String lastError) {
    String last = lastStatus != null ? "HTTP " + lastStatus : lastError != null ? lastError : "no answer";
    return "every delivery since " + firstFailedAt + " failed; a delivery exhausted its " + attempts
        + " attempts (last: " + last + "). Fix the endpoint, then POST /v1/webhook_endpoints/{id}/enable";
  }
}
