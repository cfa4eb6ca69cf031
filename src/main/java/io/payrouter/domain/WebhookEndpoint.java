package io.payrouter.domain;

import java.time.Instant;
import java.util.List;

/**
 * A merchant's webhook endpoint, as stored and rendered (never its secrets).
 *
 * @param status {@code enabled}, {@code disabled} (by the router after a delivery exhausted its
 *     retries with nothing delivered since, or never) or {@code deleted}
 * @param disabledReason why the router disabled it, for the merchant to read
 * @param previousSecretExpiresAt after a rotation: until when the previous secret still signs
 */
public record WebhookEndpoint(String id, String merchantId, String url, List<String> eventTypes, String description,
    String status, String disabledReason, Instant disabledAt, Instant previousSecretExpiresAt, Instant lastSuccessAt,
    Instant createdAt, Instant updatedAt) {

  public WebhookEndpoint {
    eventTypes = List.copyOf(eventTypes);
  }

  public boolean enabled() {
    return "enabled".equals(status);
  }
}
