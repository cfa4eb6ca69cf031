package io.payrouter.charge;

import java.util.Map;

/**
 * A validated {@code POST /v1/charges}.
 *
 * @param fingerprint SHA-256 of the canonical request body: same key + other fingerprint = 422
 * @param cardId a stored card, or null when {@code inlineCard} is given
 * @param inlineCard a card carried in the request (not stored), or null
 */
public record ChargeRequest(
    String merchantId,
    String idempotencyKey,
    String fingerprint,
    long amount,
    String currency,
    String cardId,
    io.payrouter.domain.Card inlineCard,
    String merchantReference,
    String description,
    String customerReference,
    String customerEmail,
    Map<String, String> metadata) {}
