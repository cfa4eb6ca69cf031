package io.payrouter.refund;

/**
 * A validated {@code POST /v1/charges/{id}/refunds}.
 *
 * @param fingerprint SHA-256 of the charge id and the canonical body: same key + other fingerprint = 422
 * @param amount minor units, or null for everything not refunded yet
 * @param reason the merchant's reason, or null
 */
public record RefundRequest(String merchantId, String chargeId, String idempotencyKey, String fingerprint, Long amount,
    String reason) {}
