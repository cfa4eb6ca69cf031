package io.payrouter.domain;

import java.time.Instant;
import java.util.List;

/**
 * A charge as stored and as rendered by {@code GET /v1/charges/{id}}.
 *
 * @param conflict a late result that disagreed with this charge's final status, or null
 */
public record Charge(
    String id,
    String merchantId,
    String idempotencyKey,
    String fingerprint,
    long amount,
    String currency,
    String cardId,
    String merchantReference,
    ChargeStatus status,
    String provider,
    String providerReference,
    DeclineCode declineCode,
    String providerCode,
    RoutingInfo routing,
    List<Attempt> attempts,
    Instant createdAt,
    Instant updatedAt,
    String conflict) {

  public Charge settled(ChargeStatus st, String prov, String provRef, DeclineCode decline, String provCode,
      List<Attempt> atts, Instant at) {
    return new Charge(id, merchantId, idempotencyKey, fingerprint, amount, currency, cardId,
        merchantReference, st, prov, provRef, decline, provCode, routing, atts, createdAt, at, conflict);
  }
}
