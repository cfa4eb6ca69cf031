package io.payrouter.routing;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongFunction;

/**
 * What proposed rules would have done with stored charges (issue 19, "backtest"): each charge is
 * decided by the rules that were in force for it (by the version its stored decision names) and
 * by the proposed rules, with the same replay health, and the two are counted. Pure and
 * single-threaded: the caller feeds it charges one after another (from a database cursor) and
 * reads the result at the end; nothing is kept per charge.
 *
 * <p>Where the version a charge was routed by is not available (not stored, or not valid with
 * today's providers), the stored decision itself is used as "before" (its rule and first
 * candidate).
 */
public final class Backtest {

  /** Transitions kept in the answer (the most frequent). */
  public static final int TOP_TRANSITIONS = 20;

  /**
   * A stored charge as the backtest reads it.
   *
   * @param tokenProviders the card's token providers; null when the card is not known
   * @param configVersion the version its stored decision names (0: none)
   * @param storedRule the rule of the stored decision (null: none)
   * @param storedProvider the first candidate of the stored decision, else the provider that took it (null: none)
   */
  public record StoredCharge(String id, String merchantId, long amount, String currency, String brand,
      String issuerCountry, Set<String> tokenProviders, long configVersion, String storedRule, String storedProvider) {}

  /** One (rule, provider) before and after. */
  public record Transition(String fromRule, String fromProvider, String toRule, String toProvider, long charges) {}

  /** Fee totals of one currency: the sum of the known fees, and how many charges had none known. */
  public record Fees(long total, long charges, long unknown) {}

  /** The answer. */
  public record Result(long charges, long changed, Map<String, Long> before, Map<String, Long> after,
      Map<String, Long> beforeRules, Map<String, Long> afterRules, List<Transition> transitions,
      ApprovalModel.Projection approvalBefore, ApprovalModel.Projection approvalAfter,
      Map<String, Fees> feesBefore, Map<String, Fees> feesAfter, long replayedWithStoredDecision) {}

  private final RoutingRules proposed;
  private final LongFunction<RoutingRules> inForce;
  private final HealthSnapshot health;
  private final ApprovalModel approvals;

  private long charges;
  private long changed;
  private long storedDecision;
  private final Map<String, Long> before = new TreeMap<>();
  private final Map<String, Long> after = new TreeMap<>();
  private final Map<String, Long> beforeRules = new TreeMap<>();
  private final Map<String, Long> afterRules = new TreeMap<>();
  private final Map<List<String>, long[]> transitions = new HashMap<>();
  private final ApprovalModel.Projection approvalBefore = new ApprovalModel.Projection();
  private final ApprovalModel.Projection approvalAfter = new ApprovalModel.Projection();
  private final Map<String, long[]> feesBefore = new TreeMap<>();
  private final Map<String, long[]> feesAfter = new TreeMap<>();

  /**
   * @param proposed the rules to test
   * @param inForce the rules of a stored version, or null when it is not available
   * @param health the replay's provider health (every provider enabled, circuits closed, the
   *     window's success rates)
   * @param approvals the window's approval rates
   */
  public Backtest(RoutingRules proposed, LongFunction<RoutingRules> inForce, HealthSnapshot health,
      ApprovalModel approvals) {
    this.proposed = proposed;
    this.inForce = inForce;
    this.health = health;
    this.approvals = approvals;
  }

  public void add(StoredCharge c) {
    ChargeAttributes attrs = new ChargeAttributes(c.id(), c.merchantId(), c.amount(), c.currency(), c.brand(),
        c.issuerCountry(), Map.of(), c.tokenProviders());
    RoutingRules old = c.configVersion() > 0 ? inForce.apply(c.configVersion()) : null;
    String ruleBefore;
    String providerBefore;
    Map<String, Long> oldFees;
    if (old != null) {
      Decision d = RoutingEngine.decide(attrs, old, health, false);
      ruleBefore = name(d.rule());
      providerBefore = first(d);
      oldFees = d.fees();
    } else {
      storedDecision++;
      ruleBefore = name(c.storedRule());
      providerBefore = name(c.storedProvider());
      oldFees = null;
    }
    Decision d = RoutingEngine.decide(attrs, proposed, health, false);
    String ruleAfter = name(d.rule());
    String providerAfter = first(d);

    charges++;
    before.merge(providerBefore, 1L, Long::sum);
    after.merge(providerAfter, 1L, Long::sum);
    beforeRules.merge(ruleBefore, 1L, Long::sum);
    afterRules.merge(ruleAfter, 1L, Long::sum);
    if (!providerBefore.equals(providerAfter)) changed++;
    if (!providerBefore.equals(providerAfter) || !ruleBefore.equals(ruleAfter)) {
      transitions.computeIfAbsent(List.of(ruleBefore, providerBefore, ruleAfter, providerAfter), k -> new long[1])[0]++;
    }
    if (!providerBefore.equals(ShadowComparison.NONE)) {
      approvalBefore.add(approvals.estimate(providerBefore, c.currency(), c.brand()));
    }
    if (!providerAfter.equals(ShadowComparison.NONE)) {
      approvalAfter.add(approvals.estimate(providerAfter, c.currency(), c.brand()));
    }
    fee(feesBefore, c, providerBefore, oldFees);
    fee(feesAfter, c, providerAfter, d.fees());
  }

  /** The fee of the provider tried first, from the decision or, for a stored decision, its schedule now. */
  private void fee(Map<String, long[]> into, StoredCharge c, String provider, Map<String, Long> decided) {
    if (provider.equals(ShadowComparison.NONE)) return;
    long[] t = into.computeIfAbsent(c.currency(), k -> new long[3]);
    long fee;
    if (decided != null) {
      Long f = decided.get(provider);
      fee = f == null ? FeeSchedule.UNKNOWN : f;
    } else {
      ProviderHealth h = health.get(provider);
      fee = h == null ? FeeSchedule.UNKNOWN : h.fees().fee(c.amount(), c.currency(), c.brand(), c.issuerCountry());
    }
    t[1]++;
    if (fee == FeeSchedule.UNKNOWN) t[2]++;
    else t[0] = Math.addExact(t[0], fee);
  }

  public Result result() {
    List<Map.Entry<List<String>, long[]>> sorted = new ArrayList<>(transitions.entrySet());
    sorted.sort((a, b) -> {
      int byCount = Long.compare(b.getValue()[0], a.getValue()[0]);
      return byCount != 0 ? byCount : String.join("\u0000", a.getKey()).compareTo(String.join("\u0000", b.getKey()));
    });
    List<Transition> top = new ArrayList<>();
    for (Map.Entry<List<String>, long[]> e : sorted) {
      if (top.size() == TOP_TRANSITIONS) break;
      List<String> k = e.getKey();
      top.add(new Transition(k.get(0), k.get(1), k.get(2), k.get(3), e.getValue()[0]));
    }
    return new Result(charges, changed, new LinkedHashMap<>(before), new LinkedHashMap<>(after),
        new LinkedHashMap<>(beforeRules), new LinkedHashMap<>(afterRules), top, approvalBefore, approvalAfter,
        fees(feesBefore), fees(feesAfter), storedDecision);
  }

  private static Map<String, Fees> fees(Map<String, long[]> m) {
    Map<String, Fees> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, new Fees(v[0], v[1], v[2])));
    return out;
  }

  private static String first(Decision d) {
    return d.candidates().isEmpty() ? ShadowComparison.NONE : d.candidates().get(0);
  }

  private static String name(String s) {
    return s == null ? ShadowComparison.NONE : s;
  }
}
