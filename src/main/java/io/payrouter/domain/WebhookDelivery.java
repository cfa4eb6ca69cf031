package io.payrouter.domain;

import java.time.Instant;

/**
 * One event for one endpoint: what was (or will be) sent, and how its attempts went.
 *
 * @param status {@code pending} (due at {@code nextAttemptAt}), {@code delivered} (a 2xx answer)
 *     or {@code failed} (the retry schedule ran out)
 * @param lastStatus the HTTP status of the last attempt (null: no answer, see {@code lastError})
 */
public record WebhookDelivery(long id, String endpointId, String eventId, String eventType, String chargeId,
    int eventSeq, String status, int attempts, Instant nextAttemptAt, Instant lastAttemptAt, Integer lastStatus,
    String lastError, Instant deliveredAt, Instant createdAt) {

  /** The id merchants see: {@code whd_} and the number. */
  public String wireId() {
    return "whd_" + id;
  }

  /** The number of a wire id, or -1 when it is not one. */
  public static long parseWireId(String s) {
    if (s == null || !s.startsWith("whd_") || s.length() > 24) return -1;
    try {
      long n = Long.parseLong(s.substring(4));
      return n > 0 ? n : -1;
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
