package io.payrouter.domain;

import java.time.Instant;

/**
 * A late result that disagreed with a final charge (e.g. a success reported for a charge that is
 * already failed): recorded on the charge and listed by {@code GET /admin/conflicts}.
 */
public record Conflict(long id, String chargeId, String provider, String source, String chargeStatus,
    String reportedOutcome, String providerReference, String detail, Instant at) {}
