package io.payrouter.routing;

import java.util.ArrayList;
import java.util.List;

/**
 * The routing decision: a pure function of the charge, the rules snapshot and the health snapshot.
 * No I/O, no clock, no shared state; safe to call from any thread.
 *
 * <ol>
 *   <li>The first rule whose conditions the charge meets wins.
 *   <li>Its providers are narrowed to those that are known, the card has a token for, support the
 *       currency, are enabled and whose circuit is not open.
 *   <li>The strategy orders the rest: priority (listed order), weighted (first drawn by weight from
 *       a stable hash of the charge id, then descending weight) or adaptive (score from recent
 *       success rate and latency, with an exploration share chosen by the charge id hash; with a
 *       cost weight, the expected value after fees) or least_cost (the cheapest expected fee first,
 *       from each provider's fee schedule).
 * </ol>
 *
 * <p>Every decision carries the fee each candidate is expected to charge (where its schedule
 * gives one): what the charge records as the fee expected at decision time.
 */
public final class RoutingEngine {

  private RoutingEngine() {}

  /** The decision with its full trace (what the explain endpoint shows). */
  public static Decision decide(ChargeAttributes attrs, RoutingRules rules, HealthSnapshot health) {
    return decide(attrs, rules, health, true);
  }

  /**
   * The decision; with {@code withTrace} false the trace is empty and no explanation text is
   * built (the charge path, which only needs rule, strategy, version and candidates).
   */
  public static Decision decide(
      ChargeAttributes attrs, RoutingRules rules, HealthSnapshot health, boolean withTrace) {
    return decide(attrs, rules, health, withTrace ? Detail.TRACE : Detail.CHARGE);
  }

  /**
   * How much of a decision to build: {@link #TRACE} everything (explain), {@link #CHARGE} what a
   * charge records (candidates, fees, the providers left out and why), {@link #CHOICE} only the
   * rule and the ordered candidates (what shadow rules are compared by, per live charge).
   */
  public enum Detail { TRACE, CHARGE, CHOICE }

  /** The decision with as much detail as asked; rule and candidates are the same at every level. */
  public static Decision decide(ChargeAttributes attrs, RoutingRules rules, HealthSnapshot health, Detail detail) {
    Trace trace = detail == Detail.TRACE ? new Trace() : Trace.OFF;
    boolean why = detail != Detail.CHOICE;
    Rule rule = firstMatch(attrs, rules, trace);
    if (rule == null) {
      trace.add(TraceLine.RESULT, "-", TraceLine.NO_ROUTE, "no rule matched");
      return new Decision(null, null, rules.version(), List.of(), rules.maxAttempts(),
          rules.failoverOnSoftDecline(), trace.lines(), List.of());
    }
    List<Exclusion> excluded = why ? new ArrayList<>(0) : null;
    List<Candidate> kept = narrow(attrs, rule, health, trace, excluded);
    if (why) notInRule(attrs, rule, health, trace, excluded);
    List<String> ordered = kept.isEmpty() ? List.of() : order(attrs, rule, kept, trace);
    if (ordered.isEmpty() && trace.on()) {
      trace.add(TraceLine.RESULT, rule.name(), TraceLine.NO_ROUTE,
          "every provider of rule " + rule.name() + " was dropped");
    }
    return new Decision(rule.name(), rule.strategy().configName(), rules.version(), ordered,
        rule.maxAttempts(), rule.failoverOnSoftDecline(), trace.lines(), why ? excluded : List.of(),
        why ? fees(ordered, kept) : java.util.Map.of());
  }

  private static Rule firstMatch(ChargeAttributes attrs, RoutingRules rules, Trace trace) {
    for (Rule rule : rules.rules()) {
      Conditions.Key failed = rule.when().firstFailure(attrs);
      if (failed == null) {
        if (trace.on()) {
          String why = rule.when().isCatchAll() ? "no conditions" : "all conditions met";
          trace.add(TraceLine.RULE, rule.name(), TraceLine.MATCHED, why);
        }
        return rule;
      }
      if (trace.on()) {
        trace.add(TraceLine.RULE, rule.name(), TraceLine.NOT_MATCHED,
            rule.when().explainFailure(failed, attrs));
      }
    }
    return null;
  }

  /**
   * A provider that survived narrowing, with its listed position and the fee it is expected to
   * charge ({@link FeeSchedule#UNKNOWN} when its schedule gives none).
   */
  private record Candidate(RuleProvider provider, ProviderHealth health, int position, long fee) {}

  /** The known fees of the candidates, in candidate order (an empty map when none is known: no schedules). */
  private static java.util.Map<String, Long> fees(List<String> ordered, List<Candidate> kept) {
    boolean known = false;
    for (Candidate c : kept) known |= c.fee() != FeeSchedule.UNKNOWN;
    if (!known) return java.util.Map.of();
    java.util.Map<String, Long> fees = new java.util.LinkedHashMap<>();
    for (String name : ordered) {
      for (Candidate c : kept) {
        if (c.provider().name().equals(name) && c.fee() != FeeSchedule.UNKNOWN) fees.put(name, c.fee());
      }
    }
    return fees;
  }

  /** The usable providers of the rule; the others go to {@code excluded} with their reasons (unless it is null). */
  private static List<Candidate> narrow(
      ChargeAttributes attrs, Rule rule, HealthSnapshot health, Trace trace, List<Exclusion> excluded) {
    List<RuleProvider> listed = rule.providers();
    List<Candidate> kept = new ArrayList<>(listed.size());
    for (int i = 0; i < listed.size(); i++) {
      RuleProvider p = listed.get(i);
      ProviderHealth h = health.get(p.name());
      if (usable(attrs, h)) {
        long fee = h.fees().fee(attrs.amount(), attrs.currency(), attrs.brand(), attrs.issuerCountry());
        kept.add(new Candidate(p, h, i, fee));
        if (trace.on()) {
          trace.add(TraceLine.CANDIDATE, p.name(), TraceLine.KEPT, keptReason(attrs) + "; " + feeText(fee)
              + (fee != FeeSchedule.UNKNOWN && h.fees().crossBorder(attrs.issuerCountry()) ? " (cross-border)" : ""));
        }
      } else if (excluded != null) {
        Exclusion e = exclusion(attrs, p.name(), h, null);
        excluded.add(e);
        trace.add(TraceLine.CANDIDATE, p.name(), TraceLine.DROPPED, e.detail());
      }
    }
    return kept;
  }

  /**
   * The providers the card has a token for that the matched rule does not list: never candidates,
   * named so that a charge nobody could take says why its card's PSPs were not tried. Only when
   * the card is known (its token providers), in the card's order.
   */
  private static void notInRule(
      ChargeAttributes attrs, Rule rule, HealthSnapshot health, Trace trace, List<Exclusion> excluded) {
    if (attrs.tokenProviders() == null) return;
    for (String name : attrs.tokenProviders()) {
      if (listedBy(rule, name)) continue;
      Exclusion e = exclusion(attrs, name, health.get(name), rule.name());
      excluded.add(e);
      trace.add(TraceLine.CANDIDATE, name, TraceLine.DROPPED, e.detail());
    }
  }

  private static boolean listedBy(Rule rule, String name) {
    for (RuleProvider p : rule.providers()) {
      if (p.name().equals(name)) return true;
    }
    return false;
  }

  private static boolean usable(ChargeAttributes attrs, ProviderHealth h) {
    return h != null
        && (attrs.tokenProviders() == null || attrs.tokenProviders().contains(h.name()))
        && attrs.currency() != null && h.currencies().contains(attrs.currency())
        && h.enabled()
        && !h.circuitOpen();
  }

  private static String keptReason(ChargeAttributes attrs) {
    return attrs.tokenProviders() == null
        ? "usable (no card given: token not checked)"
        : "has token, supports " + attrs.currency() + ", enabled, circuit closed";
  }

  /**
   * Every reason a provider cannot take the charge, with their words (the trace's and the
   * charge's {@code failure_reason}'s). {@code notInRule}: the name of the matched rule when it
   * does not list the provider, else null.
   */
  private static Exclusion exclusion(ChargeAttributes attrs, String name, ProviderHealth h, String notInRule) {
    List<Exclusion.Reason> reasons = new ArrayList<>(4);
    List<String> words = new ArrayList<>(4);
    if (notInRule != null) {
      reasons.add(Exclusion.Reason.NOT_IN_RULE);
      words.add("not listed by rule " + notInRule);
    }
    if (h == null) {
      reasons.add(Exclusion.Reason.UNKNOWN_PROVIDER);
      words.add("unknown provider");
      return new Exclusion(name, reasons, String.join("; ", words));
    }
    if (attrs.tokenProviders() != null && !attrs.tokenProviders().contains(h.name())) {
      reasons.add(Exclusion.Reason.NO_TOKEN);
      words.add("no token");
    }
    if (attrs.currency() == null || !h.currencies().contains(attrs.currency())) {
      reasons.add(Exclusion.Reason.CURRENCY_NOT_SUPPORTED);
      words.add("currency " + attrs.currency() + " not supported");
    }
    if (!h.enabled()) {
      reasons.add(Exclusion.Reason.DISABLED);
      words.add("disabled");
    }
    if (h.circuitOpen()) {
      reasons.add(Exclusion.Reason.CIRCUIT_OPEN);
      words.add("circuit open");
    }
    return new Exclusion(name, reasons, String.join("; ", words));
  }

  private static List<String> order(
      ChargeAttributes attrs, Rule rule, List<Candidate> kept, Trace trace) {
    return switch (rule.strategy()) {
      case PRIORITY -> priority(kept, trace);
      case WEIGHTED -> weighted(attrs, kept, trace);
      case ADAPTIVE -> adaptive(attrs, rule.adaptive(), kept, trace);
      case LEAST_COST -> leastCost(attrs, kept, trace);
    };
  }

  // ---- least cost --------------------------------------------------------------------------

  /** Cheapest known fee first; equal fees keep the listed order; candidates without a known fee last, listed order. */
  private static List<String> leastCost(ChargeAttributes attrs, List<Candidate> kept, Trace trace) {
    List<Candidate> sorted = new ArrayList<>(kept);
    sorted.sort((a, b) -> {
      boolean ak = a.fee() != FeeSchedule.UNKNOWN;
      boolean bk = b.fee() != FeeSchedule.UNKNOWN;
      if (ak != bk) return ak ? -1 : 1;
      int byFee = ak ? Long.compare(a.fee(), b.fee()) : 0;
      return byFee != 0 ? byFee : Integer.compare(a.position(), b.position());
    });
    List<String> names = names(sorted);
    if (trace.on()) {
      double pooled = pooledSuccessRate(kept);
      List<String> parts = new ArrayList<>();
      for (Candidate c : sorted) {
        double p = probability(c.health(), pooled, AdaptiveSettings.DEFAULT);
        parts.add(c.provider().name() + " " + feeText(c.fee()) + " (probability " + round4(p)
            + (c.fee() == FeeSchedule.UNKNOWN ? "" : ", expected value " + round4(p * (attrs.amount() - c.fee()))) + ")");
      }
      trace.add(TraceLine.STRATEGY, "least_cost", "first " + names.get(0), "cheapest expected fee first: " + String.join(", ", parts));
    }
    return names;
  }

  private static String feeText(long fee) {
    return fee == FeeSchedule.UNKNOWN ? "fee unknown" : "fee " + fee;
  }

  private static List<String> priority(List<Candidate> kept, Trace trace) {
    List<String> names = names(kept);
    if (trace.on()) trace.add(TraceLine.STRATEGY, "priority", "listed order", String.join(", ", names));
    return names;
  }

  // ---- weighted ----------------------------------------------------------------------------

  private static List<String> weighted(ChargeAttributes attrs, List<Candidate> kept, Trace trace) {
    long total = 0;
    for (Candidate c : kept) total += c.provider().weight();
    int first = 0;
    long draw = -1;
    if (total > 0) {
      draw = StableHash.below(StableHash.hash64(attrs.chargeId()), total);
      first = pickByWeight(kept, draw);
    }
    List<Candidate> rest = new ArrayList<>(kept);
    Candidate head = rest.remove(first);
    // Stable sort: equal weights keep the listed order.
    rest.sort((a, b) -> Integer.compare(b.provider().weight(), a.provider().weight()));
    List<String> names = new ArrayList<>(kept.size());
    names.add(head.provider().name());
    for (Candidate c : rest) names.add(c.provider().name());
    if (trace.on()) {
      String why = total > 0
          ? "draw " + draw + " of total weight " + total + " from the charge id hash; then by weight: " + names
          : "every remaining weight is 0: listed order " + names;
      trace.add(TraceLine.STRATEGY, "weighted", "first " + head.provider().name(), why);
    }
    return names;
  }

  private static int pickByWeight(List<Candidate> kept, long draw) {
    long cumulative = 0;
    for (int i = 0; i < kept.size(); i++) {
      cumulative += kept.get(i).provider().weight();
      if (draw < cumulative) return i;
    }
    return kept.size() - 1;
  }

  // ---- adaptive ----------------------------------------------------------------------------

  /** A candidate with its adaptive score. */
  private record Scored(Candidate candidate, double score) {}

  private static List<String> adaptive(
      ChargeAttributes attrs, AdaptiveSettings s, List<Candidate> kept, Trace trace) {
    double pooled = pooledSuccessRate(kept);
    List<Scored> scored = new ArrayList<>(kept.size());
    double best = Double.NEGATIVE_INFINITY;
    for (Candidate c : kept) {
      double score = score(c.health(), pooled, s, attrs.amount(), c.fee());
      scored.add(new Scored(c, score));
      best = Math.max(best, score);
    }
    double bandFloor = best - s.tolerance();
    scored.sort((a, b) -> compareAdaptive(a, b, bandFloor));
    if (trace.on()) traceScores(scored, pooled, bandFloor, s, attrs.amount(), trace);

    List<String> names = new ArrayList<>(scored.size());
    for (Scored sc : scored) names.add(sc.candidate().provider().name());
    int explored = explorationIndex(attrs, s, names.size());
    if (explored > 0) names.add(0, names.remove(explored));
    if (trace.on()) {
      String verdict = (explored > 0 ? "explore " : "top ") + names.get(0);
      String why = explored > 0
          ? "charge id falls in the " + percent(s.exploration()) + " exploration share: " + names
          : "best score first (ties within " + s.tolerance() + " keep the listed order): " + names;
      trace.add(TraceLine.STRATEGY, "adaptive", verdict, why);
    }
    return names;
  }

  /** Scores at or above the band floor are ties and keep listed order; below it, higher first. */
  private static int compareAdaptive(Scored a, Scored b, double bandFloor) {
    boolean aTop = a.score() >= bandFloor;
    boolean bTop = b.score() >= bandFloor;
    if (aTop != bTop) return aTop ? -1 : 1;
    if (!aTop) {
      int byScore = Double.compare(b.score(), a.score());
      if (byScore != 0) return byScore;
    }
    return Integer.compare(a.candidate().position(), b.candidate().position());
  }

  private static double pooledSuccessRate(List<Candidate> kept) {
    double successes = 0;
    long samples = 0;
    for (Candidate c : kept) {
      successes += successes(c.health());
      samples += Math.max(0, c.health().samples());
    }
    return (successes + 1) / (samples + 2);
  }

  private static double successes(ProviderHealth h) {
    if (h.samples() <= 0) return 0;
    double rate = Math.min(1, Math.max(0, h.successRate()));
    return rate * h.samples();
  }

  /** Posterior success rate around the pooled prior, minus the latency penalty. */
  static double score(ProviderHealth h, double pooled, AdaptiveSettings s) {
    return score(h, pooled, s, 0, FeeSchedule.UNKNOWN);
  }

  /**
   * The adaptive score: the posterior success rate, times the share of the amount kept after
   * {@code costWeight} of the fee (the expected value per unit of amount; 1 without a cost weight
   * or a known fee), minus the latency penalty.
   */
  static double score(ProviderHealth h, double pooled, AdaptiveSettings s, long amount, long fee) {
    double rate = probability(h, pooled, s);
    double p50Seconds = Math.min(Math.max(0, h.p50LatencyMs()), 60_000) / 1000.0;
    return rate * kept(s, amount, fee) - s.latencyPenalty() * p50Seconds;
  }

  /** Posterior success rate around the pooled prior. */
  static double probability(ProviderHealth h, double pooled, AdaptiveSettings s) {
    long n = Math.max(0, h.samples());
    return (successes(h) + s.priorWeight() * pooled) / (n + s.priorWeight());
  }

  /** The share of the amount that counts as kept: {@code (amount - costWeight * fee) / amount}, 1 when fees do not count. */
  private static double kept(AdaptiveSettings s, long amount, long fee) {
    if (s.costWeight() <= 0 || fee == FeeSchedule.UNKNOWN || amount <= 0) return 1;
    return (amount - s.costWeight() * fee) / amount;
  }

  /** 0 when the charge is not explored, else the index (1..size-1) of the candidate to try first. */
  static int explorationIndex(ChargeAttributes attrs, AdaptiveSettings s, int size) {
    if (size < 2 || s.exploration() <= 0) return 0;
    long h = StableHash.rehash(StableHash.hash64(attrs.chargeId()));
    if (StableHash.unit(h) >= s.exploration()) return 0;
    return 1 + (int) StableHash.below(StableHash.rehash(h), size - 1);
  }

  private static void traceScores(List<Scored> scored, double pooled, double bandFloor, AdaptiveSettings s,
      long amount, Trace trace) {
    for (Scored sc : scored) {
      ProviderHealth h = sc.candidate().health();
      // with no samples, the same 1.0 GET /admin/providers shows (the pooled prior scores it)
      String rate = h.samples() > 0 ? String.valueOf(round4(h.successRate())) : "1.0 (no samples yet)";
      long fee = sc.candidate().fee();
      double p = probability(h, pooled, s);
      String value = fee == FeeSchedule.UNKNOWN ? "" : "; " + feeText(fee) + ", probability " + round4(p)
          + ", expected value " + round4(p * (amount - fee)) + " = probability x (amount - fee)"
          + (s.costWeight() > 0 ? " (cost weight " + s.costWeight() + ")" : " (cost weight 0: fees not in the score)");
      String why = "success " + rate + " over " + h.samples() + " samples (pooled prior "
          + round4(pooled) + "), p50 " + Math.round(h.p50LatencyMs()) + " ms" + value
          + (sc.score() >= bandFloor ? "; within tolerance of the best" : "");
      trace.add(TraceLine.SCORE, sc.candidate().provider().name(), "score " + round4(sc.score()), why);
    }
  }

  private static double round4(double value) {
    return Math.round(value * 10_000) / 10_000.0;
  }

  private static String percent(double share) {
    return round4(share * 100) + "%";
  }

  private static List<String> names(List<Candidate> kept) {
    List<String> names = new ArrayList<>(kept.size());
    for (Candidate c : kept) names.add(c.provider().name());
    return names;
  }

  /** Collects trace lines, or nothing when tracing is off. */
  private static final class Trace {
    static final Trace OFF = new Trace(false);
    private final List<TraceLine> lines;

    Trace() {
      this(true);
    }

    private Trace(boolean on) {
      this.lines = on ? new ArrayList<>() : null;
    }

    boolean on() {
      return lines != null;
    }

    void add(String kind, String subject, String verdict, String reason) {
      if (lines != null) lines.add(new TraceLine(kind, subject, verdict, reason));
    }

    List<TraceLine> lines() {
      return lines == null ? List.of() : lines;
    }
  }
}
