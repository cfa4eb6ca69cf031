package io.payrouter.connector;

import java.util.Map;

/**
 * Everything a connector needs to build a charge at its PSP.
 *
 * @param chargeId the router's charge id ({@code ch_...})
 * @param attemptId unique per attempt ({@code att_...}): idempotency key where the PSP takes one
 * @param reference this attempt's merchant reference ({@link io.payrouter.domain.AttemptReference}):
 *     what the PSP is sent as its order id / merchant reference, and what inquiries and webhooks
 *     name the attempt by
 * @param amount integer minor units
 * @param currency ISO 4217 code
 * @param brand card brand (visa, mastercard, ...)
 * @param token this PSP's token fields of the card, as given in {@code POST /v1/cards}
 * @param description merchant's description, or null
 * @param customerReference merchant's customer reference, or null
 * @param customerEmail customer email, or null
 * @param callbackUrl where the PSP should send webhooks for this charge (the router's
 *     {@code /v1/webhooks/{provider}}), or null
 */
public record ChargeInput(
    String chargeId,
    String attemptId,
    String reference,
    long amount,
    String currency,
    String brand,
    Map<String, String> token,
    String description,
    String customerReference,
    String customerEmail,
    String callbackUrl) {}
