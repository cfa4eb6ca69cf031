package io.payrouter.domain;

/**
 * One call of one charge at one PSP.
 *
 * @param outcome wire name: succeeded, declined, pending, unavailable, in_doubt, or sent (in progress)
 */
public record Attempt(
    String id,
    String chargeId,
    int seq,
    String provider,
    String outcome,
    long latencyMs,
    String error,
    String providerReference,
    String declineCode,
    String providerCode) {}
