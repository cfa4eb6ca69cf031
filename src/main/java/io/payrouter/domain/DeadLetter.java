package io.payrouter.domain;

import java.time.Instant;

/**
 * A row a batching writer could not write because PostgreSQL refused it (not a transient error),
 * kept with the reason ({@code GET /admin/dead-letters}).
 *
 * @param payloadJson what the row held, as JSON text (an outcome carries no token)
 */
public record DeadLetter(long id, String queue, String sqlState, String error, String payloadJson, Instant at) {}
