package io.payrouter.charge;

import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;

/** What the orchestrator needs from routing: a decision now, and feedback on how calls went. */
public interface RouteDecider {

  Decision decide(ChargeAttributes attributes);

  /** One real PSP call finished: success = the PSP answered sanely (approvals and declines). */
  void record(String provider, boolean success, long latencyMs);
}
