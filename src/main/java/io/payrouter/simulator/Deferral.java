package io.payrouter.simulator;

/**
 * A late or cancel fault the edge drew for one money-moving call ({@code late_rate},
 * {@code cancel_rate}). Only the PSP can carry it out, since the pending state, the settlement and
 * the webhook are its own: the edge leaves it on the routing context and the PSP takes it with
 * {@link SimContext#deferral} where it would charge.
 *
 * @param charges true for a late payment (charged after {@code afterMs}); false for a cancelled
 *     one (closed unpaid after {@code afterMs})
 * @param afterMs how long the payment stays pending
 */
public record Deferral(boolean charges, long afterMs) {
  /** The routing-context key the edge leaves it under. */
  static final String KEY = "sim.deferral";
}
