package io.payrouter.charge;

import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;

/** What the orchestrator needs from routing: a decision now, and feedback on how calls went. */
public interface RouteDecider {

  Decision decide(ChargeAttributes attributes);

  /**
   * A decision for a live charge, with the keys a routing canary draws its arm from (one customer,
   * one configuration): the card id (null for an inline card) and the merchant reference (may be null).
   */
  default Decision decide(ChargeAttributes attributes, String cardId, String merchantReference) {
    return decide(attributes);
  }

  /** A charge decided by {@link #decide} was answered, as it stands, after {@code nanos} (not replays). */
  default void answered(io.payrouter.domain.Charge charge, long nanos) {}

  /** One real PSP call finished: success = the PSP answered sanely (approvals and declines). */
  void record(String provider, boolean success, long latencyMs);
}
