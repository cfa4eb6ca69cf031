package io.payrouter.routing;

import java.util.List;
import java.util.Map;

/**
 * Where a charge goes. An empty candidate list means no route (no rule matched, or the matched
 * rule had no usable provider left); the trace says why.
 *
 * @param rule name of the matched rule, null when none matched
 * @param strategy config name of its strategy, null when no rule matched
 * @param configVersion version of the rules used
 * @param candidates providers to try, in order
 * @param maxAttempts maximum number of PSP attempts for this charge
 * @param failoverOnSoftDecline whether a soft decline may move on to the next candidate
 * @param trace rule-by-rule and candidate-by-candidate explanation (empty when not requested)
 * @param excluded the providers left out and why, with or without a trace: those of the matched
 *     rule that were dropped (in the rule's order), then those the card has a token for that the
 *     rule does not list (empty when no rule matched)
 * @param fees the fee each candidate is expected to charge, in minor units of the charge's
 *     currency, for the candidates with a known fee (their fee schedules), in candidate order
 * @param canary null, or the routing canary this charge took part in and its arm
 */
public record Decision(
    String rule,
    String strategy,
    long configVersion,
    List<String> candidates,
    int maxAttempts,
    boolean failoverOnSoftDecline,
    List<TraceLine> trace,
    List<Exclusion> excluded,
    Map<String, Long> fees,
    Canary canary) {

  /**
   * A charge's arm in a routing canary.
   *
   * @param generation the canary
   * @param treated true: decided by the canary's proposed rules; false: by the rules in force (control)
   */
  public record Canary(long generation, boolean treated) {
    public String arm() {
      return treated ? "canary" : "control";
    }
  }

  public Decision {
    candidates = List.copyOf(candidates);
    trace = List.copyOf(trace);
    excluded = List.copyOf(excluded);
    fees = fees == null || fees.isEmpty() ? Map.of() : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(fees));
  }

  /** A decision outside any canary. */
  public Decision(String rule, String strategy, long configVersion, List<String> candidates, int maxAttempts,
      boolean failoverOnSoftDecline, List<TraceLine> trace, List<Exclusion> excluded, Map<String, Long> fees) {
    this(rule, strategy, configVersion, candidates, maxAttempts, failoverOnSoftDecline, trace, excluded, fees, null);
  }

  /** This decision as the given arm of a canary. */
  public Decision inCanary(long generation, boolean treated) {
    return new Decision(rule, strategy, configVersion, candidates, maxAttempts, failoverOnSoftDecline, trace, excluded,
        fees, new Canary(generation, treated));
  }

  /** A decision without fees. */
  public Decision(String rule, String strategy, long configVersion, List<String> candidates, int maxAttempts,
      boolean failoverOnSoftDecline, List<TraceLine> trace, List<Exclusion> excluded) {
    this(rule, strategy, configVersion, candidates, maxAttempts, failoverOnSoftDecline, trace, excluded, Map.of());
  }

  /** True when there is at least one candidate. */
  public boolean routed() {
    return !candidates.isEmpty();
  }
}
