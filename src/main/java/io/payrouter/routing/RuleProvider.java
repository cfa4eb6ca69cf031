package io.payrouter.routing;

/**
 * One provider listed in a rule.
 *
 * @param name provider name
 * @param weight share for strategy weighted (0 = failover only); 1 for other strategies
 */
public record RuleProvider(String name, int weight) {}
