package io.payrouter.routing;

import java.util.List;

/**
 * An immutable, validated snapshot of the routing rules. Built by {@link RulesParser} with version
 * 0; the owner of the rules store assigns the real version with {@link #withVersion(long)}.
 *
 * @param version config version reported in decisions
 * @param rules rules in order (first match wins)
 * @param maxAttempts global {@code failover.max_attempts} (1..10)
 * @param failoverOnSoftDecline global {@code failover.on_soft_decline}
 * @param healthWindowSeconds window over which the caller should compute {@link ProviderHealth}
 *     (the adaptive rules' {@code window_seconds}, else the default)
 */
public record RoutingRules(
    long version, List<Rule> rules, int maxAttempts, boolean failoverOnSoftDecline, int healthWindowSeconds) {

  public RoutingRules {
    rules = List.copyOf(rules);
  }

  /** The same rules under another version. */
  public RoutingRules withVersion(long newVersion) {
    return new RoutingRules(newVersion, rules, maxAttempts, failoverOnSoftDecline, healthWindowSeconds);
  }

  /** The rule with that name, or null. */
  public Rule rule(String name) {
    for (Rule r : rules) {
      if (r.name().equals(name)) return r;
    }
    return null;
  }
}
