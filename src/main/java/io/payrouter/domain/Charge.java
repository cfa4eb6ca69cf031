package io.payrouter.domain;

import java.time.Instant;
import java.util.List;

/**
 * A charge as stored and as rendered by {@code GET /v1/charges/{id}}.
 *
 * @param conflict a late result that disagreed with this charge's final status, or null
 * @param settledBy what settled it (null while it is not settled, and for charges settled before
 *     this was recorded)
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
    String conflict,
    SettledBy settledBy) {

  /** A charge not settled by anything (yet). */
  public Charge(String id, String merchantId, String idempotencyKey, String fingerprint, long amount, String currency,
      String cardId, String merchantReference, ChargeStatus status, String provider, String providerReference,
      DeclineCode declineCode, String providerCode, RoutingInfo routing, List<Attempt> attempts, Instant createdAt,
      Instant updatedAt, String conflict) {
    this(id, merchantId, idempotencyKey, fingerprint, amount, currency, cardId, merchantReference, status, provider,
        providerReference, declineCode, providerCode, routing, attempts, createdAt, updatedAt, conflict, null);
  }

  /** This charge with a late result's conflict recorded on it. */
  public Charge withConflict(String detail) {
    return new Charge(id, merchantId, idempotencyKey, fingerprint, amount, currency, cardId, merchantReference, status,
        provider, providerReference, declineCode, providerCode, routing, attempts, createdAt, updatedAt, detail, settledBy);
  }

  /** This charge in a new state, settled by {@code by} (null: not settled, e.g. pending). */
  public Charge settled(ChargeStatus st, String prov, String provRef, DeclineCode decline, String provCode,
      List<Attempt> atts, Instant at, SettledBy by) {
    return new Charge(id, merchantId, idempotencyKey, fingerprint, amount, currency, cardId,
        merchantReference, st, prov, provRef, decline, provCode, routing, atts, createdAt, at, conflict, by);
  }
}
