package io.payrouter.domain;

import java.time.Instant;

/**
 * A refund of a charge, as stored and as rendered by {@code GET /v1/charges/{id}/refunds}.
 *
 * @param provider the PSP that took the charge (refunds go through it)
 * @param chargeReference the charge's successful attempt's merchant reference at that PSP
 * @param chargeProviderReference the PSP's own id for the payment (purchase, invoice, transaction)
 * @param chargeAmount the charge's amount, minor units
 * @param refundedBefore what the charge's succeeded refunds added up to when this one was claimed
 * @param providerReference the PSP's id for the refund, when it gave one
 * @param failureReason why it failed (the PSP's word, or the router's), else null
 */
public record Refund(
    String id,
    String chargeId,
    String merchantId,
    String idempotencyKey,
    String fingerprint,
    long amount,
    String currency,
    String provider,
    String chargeReference,
    String chargeProviderReference,
    long chargeAmount,
    long refundedBefore,
    String reason,
    RefundStatus status,
    String providerReference,
    String failureReason,
    Instant createdAt,
    Instant updatedAt) {

  public Refund settled(RefundStatus st, String provRef, String failure, Instant at) {
    return new Refund(id, chargeId, merchantId, idempotencyKey, fingerprint, amount, currency, provider,
        chargeReference, chargeProviderReference, chargeAmount, refundedBefore, reason, st,
        provRef != null ? provRef : providerReference, failure, createdAt, at);
  }

  /** The same intent with the amount and the refunded total the claim found. */
  public Refund claimed(long amt, long before) {
    return new Refund(id, chargeId, merchantId, idempotencyKey, fingerprint, amt, currency, provider,
        chargeReference, chargeProviderReference, chargeAmount, before, reason, status, providerReference,
        failureReason, createdAt, updatedAt);
  }
}
