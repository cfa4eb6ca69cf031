package io.payrouter.routing;

import java.util.List;

/**
 * One validated routing rule with its effective failover settings (rule override or global).
 *
 * @param name unique rule name
 * @param when conditions ({@link Conditions#ANY} for a catch-all)
 * @param strategy how candidates are ordered
 * @param providers the listed providers, in listed order
 * @param maxAttempts effective maximum number of PSP attempts
 * @param failoverOnSoftDecline effective: whether a soft decline may fail over
 * @param adaptive tuning (defaults unless the rule is adaptive and sets some)
 */
public record Rule(
    String name,
    Conditions when,
    Strategy strategy,
    List<RuleProvider> providers,
    int maxAttempts,
    boolean failoverOnSoftDecline,
    AdaptiveSettings adaptive) {

  public Rule {
    providers = List.copyOf(providers);
    adaptive = adaptive == null ? AdaptiveSettings.DEFAULT : adaptive;
  }
}
