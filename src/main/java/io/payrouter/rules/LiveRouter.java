package io.payrouter.rules;

import io.payrouter.charge.RouteDecider;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.RoutingEngine;

/** Routing in operation: the pure {@link RoutingEngine} applied with the rules and health in force. */
public final class LiveRouter implements RouteDecider {
  private final RulesSource rules;
  private final ProviderHealthView health;

  public LiveRouter(RulesSource rules, ProviderHealthView health) {
    this.rules = rules;
    this.health = health;
  }

  @Override
  public Decision decide(ChargeAttributes attributes) {
    return RoutingEngine.decide(attributes, rules.active().rules(), health.snapshot(), false);
  }

  /** The decision with its full trace (explain endpoint). */
  public Decision explain(ChargeAttributes attributes) {
    return RoutingEngine.decide(attributes, rules.active().rules(), health.snapshot(), true);
  }

  @Override
  public void record(String provider, boolean success, long latencyMs) {
    health.record(provider, success, latencyMs);
  }
}
