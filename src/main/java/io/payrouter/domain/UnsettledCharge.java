package io.payrouter.domain;

import java.time.Instant;

/**
 * A charge still {@code processing} or {@code pending} ({@code GET /admin/unsettled}), with what the
 * reconciler knows of it.
 *
 * @param owner the instance that owns it (null: nobody yet)
 * @param checks how many times the reconciler took it
 * @param nextCheckAt when the reconciler looks at it next (null: not scheduled)
 * @param ageMs how long since it was created, by PostgreSQL's clock
 */
public record UnsettledCharge(Charge charge, String owner, int checks, Instant nextCheckAt, long ageMs) {}
