package io.payrouter.rules;

import io.payrouter.charge.RouteDecider;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.RoutingEngine;

/**
 * Routing in operation: the pure {@link RoutingEngine} applied with the rules and health in force,
 * and, when shadow rules are installed, the same charge decided by them too (counted, never acted
 * on).
 */
public final class LiveRouter implements RouteDecider {
  private final RulesSource rules;
  private final ProviderHealthView health;
  private final ShadowRouting shadow;
  private final CanaryRouting canary;

  public LiveRouter(RulesSource rules, ProviderHealthView health, ShadowRouting shadow, CanaryRouting canary) {
    this.rules = rules;
    this.health = health;
    this.shadow = shadow;
    this.canary = canary;
  }

  /**
   * A live charge: decided by the rules in force (and observed by the shadow), then by a running
   * canary's proposed rules if the charge's customer falls in its share.
   */
  @Override
  public Decision decide(ChargeAttributes attributes, String cardId, String merchantReference) {
    HealthSnapshot h = health.snapshot();
    return canary.decide(attributes, cardId, merchantReference, h, inForce(attributes, h));
  }

  @Override
  public void answered(io.payrouter.domain.Charge charge, long nanos) {
    canary.answered(charge.routing(), charge.status(), charge.provider(), charge.currency(), nanos);
  }

  public CanaryRouting canary() {
    return canary;
  }

  /** Decided by the rules in force alone (no canary: no customer key to draw an arm from). */
  @Override
  public Decision decide(ChargeAttributes attributes) {
    return inForce(attributes, health.snapshot());
  }

  /** The decision of the rules in force, which the shadow (if any) observes. */
  private Decision inForce(ChargeAttributes attributes, HealthSnapshot h) {
    Decision d = RoutingEngine.decide(attributes, rules.active().rules(), h, false);
    shadow.observe(attributes, d, h);
    return d;
  }

  /** The decision with its full trace (explain endpoint). */
  public Decision explain(ChargeAttributes attributes) {
    return RoutingEngine.decide(attributes, rules.active().rules(), health.snapshot(), true);
  }

  public ShadowRouting shadow() {
    return shadow;
  }

  @Override
  public void record(String provider, boolean success, long latencyMs) {
    health.record(provider, success, latencyMs);
  }
}
