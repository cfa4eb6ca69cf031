package io.payrouter.routing;

/**
 * The routing canary's decisions, pure: which charges the proposed rules take (a stable hash of
 * the charge's affinity key, so one customer sees one configuration for the whole canary), and
 * what the figures of the two arms say: wait, go on, promote or roll back.
 *
 * <p>The comparison, once both arms have the minimum sample of final charges:
 *
 * <ul>
 *   <li>approval (succeeded / final charges): a one-sided two-proportion z-test of "the canary's
 *       approval rate is more than {@code guardrail} percentage points below the control's",
 *       z = (p_control − p_canary − g) / √(p_c(1−p_c)/n_c + p_k(1−p_k)/n_k) (unpooled: the null
 *       hypothesis is a difference of g, not equal rates); a breach when z exceeds the normal
 *       quantile of the confidence;
 *   <li>errors (failed / final charges: no PSP took the charge): the same test the other way
 *       round, with the same guardrail;
 *   <li>latency (mean answer time): a one-sided Welch z-test against {@code latencyGuardrailMs}
 *       when one is set.
 * </ul>
 *
 * A breach rolls back at once. When the duration ends without one the canary is promoted, if
 * both arms reached the minimum sample; a canary that never gathered the evidence is rolled back
 * ({@code insufficient_sample}), never promoted on no data.
 */
public final class CanaryPolicy {
  private CanaryPolicy() {}

  /**
   * What an operator asked for.
   *
   * @param sharePercent share of charges the proposed rules take, 1–50
   * @param minSample final charges each arm needs before the arms are compared
   * @param guardrailPp largest drop in approval rate (and rise in error rate) tolerated, in
   *     percentage points
   * @param confidence the test's confidence, e.g. 0.95 (one-sided)
   * @param durationMs how long the canary runs before it is promoted
   * @param latencyGuardrailMs largest rise in mean latency tolerated, or a negative value: not tested
   */
  public record Plan(int sharePercent, long minSample, double guardrailPp, double confidence, long durationMs,
      double latencyGuardrailMs) {}

  /**
   * One arm's figures: final charges by status, charges answered pending, and the answer time of
   * the final ones (count, sum, sum of squares, in milliseconds).
   */
  public record Arm(long succeeded, long declined, long failed, long pending, double latencySumMs,
      double latencySumSqMs) {
    public static final Arm EMPTY = new Arm(0, 0, 0, 0, 0, 0);

    /** Final charges: succeeded, declined or failed. */
    public long sample() {
      return succeeded + declined + failed;
    }

    public double approval() {
      return sample() == 0 ? 0 : (double) succeeded / sample();
    }

    public double errors() {
      return sample() == 0 ? 0 : (double) failed / sample();
    }

    public double meanLatencyMs() {
      return sample() == 0 ? 0 : latencySumMs / sample();
    }

    double latencyVariance() {
      long n = sample();
      if (n < 2) return 0;
      double mean = latencySumMs / n;
      return Math.max(0, (latencySumSqMs - n * mean * mean) / (n - 1));
    }

    public Arm plus(Arm o) {
      return new Arm(succeeded + o.succeeded, declined + o.declined, failed + o.failed, pending + o.pending,
          latencySumMs + o.latencySumMs, latencySumSqMs + o.latencySumSqMs);
    }
  }

  public enum Verdict {
    /** An arm is below the minimum sample: nothing compared yet. */
    WAIT,
    /** Compared, no breach, the duration is not over. */
    CONTINUE,
    PROMOTE,
    ROLL_BACK
  }

  /**
   * A verdict with the figures behind it.
   *
   * @param reason for a roll-back: {@code approval}, {@code errors}, {@code latency} or
   *     {@code insufficient_sample}; null otherwise
   * @param approvalDropPp control's approval rate minus the canary's, percentage points
   * @param errorRisePp canary's error rate minus the control's, percentage points
   * @param latencyRiseMs canary's mean latency minus the control's
   * @param zApproval, zErrors, zLatency the test statistics (NaN before both arms have the sample)
   * @param zCritical the one-sided normal quantile of the confidence
   */
  public record Finding(Verdict verdict, String reason, double approvalDropPp, double errorRisePp,
      double latencyRiseMs, double zApproval, double zErrors, double zLatency, double zCritical) {}

  /** Does the charge with this affinity key go to the proposed rules of canary {@code generation}? */
  public static boolean treated(String affinityKey, long generation, int sharePercent) {
    long h = StableHash.hash64(affinityKey + '#' + generation);
    return StableHash.below(h, 100) < sharePercent;
  }

  public static Finding decide(Plan plan, Arm control, Arm canary, long elapsedMs) {
    double zc = normalQuantile(plan.confidence());
    double drop = (control.approval() - canary.approval()) * 100;
    double rise = (canary.errors() - control.errors()) * 100;
    double latencyRise = canary.meanLatencyMs() - control.meanLatencyMs();
    boolean sampled = control.sample() >= plan.minSample() && canary.sample() >= plan.minSample()
        && control.sample() > 0 && canary.sample() > 0;
    if (!sampled) {
      boolean over = elapsedMs >= plan.durationMs();
      return new Finding(over ? Verdict.ROLL_BACK : Verdict.WAIT, over ? "insufficient_sample" : null, drop, rise,
          latencyRise, Double.NaN, Double.NaN, Double.NaN, zc);
    }
    double g = plan.guardrailPp() / 100;
    double zApproval = proportionZ(control.approval(), control.sample(), canary.approval(), canary.sample(), g);
    double zErrors = proportionZ(canary.errors(), canary.sample(), control.errors(), control.sample(), g);
    double zLatency = Double.NaN;
    if (plan.latencyGuardrailMs() >= 0) {
      double se = Math.sqrt(control.latencyVariance() / control.sample() + canary.latencyVariance() / canary.sample());
      double excess = latencyRise - plan.latencyGuardrailMs();
      zLatency = se == 0 ? (excess > 0 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY) : excess / se;
    }
    String reason = zApproval > zc ? "approval" : zErrors > zc ? "errors" : zLatency > zc ? "latency" : null;
    Verdict v = reason != null ? Verdict.ROLL_BACK : elapsedMs >= plan.durationMs() ? Verdict.PROMOTE : Verdict.CONTINUE;
    return new Finding(v, reason, drop, rise, latencyRise, zApproval, zErrors, zLatency, zc);
  }

  /**
   * z of "p1 exceeds p2 by more than g" (one-sided, unpooled standard error); ±infinity when both
   * rates are 0 or 1 (no variance): then the point difference decides.
   */
  static double proportionZ(double p1, long n1, double p2, long n2, double g) {
    double se = Math.sqrt(p1 * (1 - p1) / n1 + p2 * (1 - p2) / n2);
    double excess = p1 - p2 - g;
    if (se == 0) return excess > 1e-12 ? Double.POSITIVE_INFINITY : Double.NEGATIVE_INFINITY;
    return excess / se;
  }

  /**
   * The standard normal quantile (inverse CDF) of p in (0, 1): Acklam's rational approximation,
   * relative error below 1.2e-9, enough for a confidence level.
   */
  public static double normalQuantile(double p) {
    if (!(p > 0 && p < 1)) throw new IllegalArgumentException("p must be in (0, 1): " + p);
    final double[] a = {-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02,
        1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00};
    final double[] b = {-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02,
        6.680131188771972e+01, -1.328068155288572e+01};
    final double[] c = {-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00,
        -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00};
    final double[] d = {7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00,
        3.754408661907416e+00};
    double low = 0.02425;
    if (p < low) {
      double q = Math.sqrt(-2 * Math.log(p));
      return (((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    if (p > 1 - low) {
      double q = Math.sqrt(-2 * Math.log(1 - p));
      return -(((((c[0] * q + c[1]) * q + c[2]) * q + c[3]) * q + c[4]) * q + c[5])
          / ((((d[0] * q + d[1]) * q + d[2]) * q + d[3]) * q + 1);
    }
    double q = p - 0.5;
    double r = q * q;
    return (((((a[0] * r + a[1]) * r + a[2]) * r + a[3]) * r + a[4]) * r + a[5]) * q
        / (((((b[0] * r + b[1]) * r + b[2]) * r + b[3]) * r + b[4]) * r + 1);
  }
}
