package io.payrouter.routing;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Approval rates observed in a window of stored attempts, for projecting what rules would have
 * approved (the backtest). Pure.
 *
 * <p>A <em>segment</em> is a provider, a currency and a card brand. An attempt counts when the PSP
 * answered it: approved ({@code succeeded}) or declined; infrastructure failures say nothing about
 * approval. Sparse segments are pooled by shrinkage: a segment's rate is its approvals plus
 * {@link #PRIOR} attempts at its provider's rate, over its attempts plus {@link #PRIOR}; the
 * provider's rate is shrunk the same way toward the window's overall rate. A provider with no
 * attempts in the window gets the overall rate ({@link Estimate#observed()} false):
 * its projection is a guess, not a measurement.
 */
public final class ApprovalModel {

  /** Pseudo-attempts at the parent's rate that every rate is shrunk with. */
  public static final double PRIOR = 20;

  /** A segment's counts: approved and declined attempts. */
  private static final class Counts {
    long approved;
    long declined;

    long answered() {
      return approved + declined;
    }
  }

  private record Segment(String provider, String currency, String brand) {}

  private final Map<Segment, Counts> segments = new HashMap<>();
  private final Map<String, Counts> providers = new HashMap<>();
  private final Counts overall = new Counts();

  /** Adds observed attempts of one segment (brand may be null: unknown). */
  public void observe(String provider, String currency, String brand, long approved, long declined) {
    if (approved < 0 || declined < 0) throw new IllegalArgumentException("negative counts");
    Counts s = segments.computeIfAbsent(new Segment(provider, currency, brand), k -> new Counts());
    s.approved += approved;
    s.declined += declined;
    Counts p = providers.computeIfAbsent(provider, k -> new Counts());
    p.approved += approved;
    p.declined += declined;
    overall.approved += approved;
    overall.declined += declined;
  }

  /** The window's overall approval rate (0.5 when nothing was answered: no information). */
  public double overallRate() {
    return overall.answered() == 0 ? 0.5 : (double) overall.approved / overall.answered();
  }

  /** The provider's rate shrunk toward the overall rate. */
  public double providerRate(String provider) {
    Counts p = providers.get(provider);
    double prior = overallRate();
    if (p == null) return prior;
    return (p.approved + PRIOR * prior) / (p.answered() + PRIOR);
  }

  /**
   * The projected approval probability of a charge of this currency and brand at this provider,
   * and the effective number of attempts behind it (for the interval).
   */
  public Estimate estimate(String provider, String currency, String brand) {
    Counts s = segments.get(new Segment(provider, currency, brand));
    double parent = providerRate(provider);
    String key = provider + "/" + currency + "/" + brand;
    boolean observed = providers.containsKey(provider);
    if (s == null) return new Estimate(key, parent, PRIOR, observed);
    return new Estimate(key, (s.approved + PRIOR * parent) / (s.answered() + PRIOR), s.answered() + PRIOR, observed);
  }

  /** Answered attempts (approved + declined) and approvals at a provider in the window. */
  public long[] providerCounts(String provider) {
    Counts p = providers.get(provider);
    return p == null ? new long[] {0, 0} : new long[] {p.answered(), p.approved};
  }

  /** Every provider with answered attempts in the window. */
  public Set<String> observedProviders() {
    return new TreeSet<>(providers.keySet());
  }

  /**
   * @param segment which segment (provider/currency/brand) it is of
   * @param rate the shrunk approval probability
   * @param weight the attempts behind it (its own plus the prior's)
   * @param observed false when its provider had no answered attempt in the window (the rate is
   *     then the overall one, a guess: the interval counts it with the widest variance, 1/4)
   */
  public record Estimate(String segment, double rate, double weight, boolean observed) {}

  /**
   * The projected approval rate of a set of charges and its 95 % interval: the mean of the
   * charges' estimates; the variance adds, per segment used, its share of the charges squared
   * times {@code p(1-p)/weight} (the uncertainty of the measured rates, not of which charges
   * come).
   */
  public static final class Projection {
    private final Map<String, long[]> used = new HashMap<>();
    private final Map<String, Estimate> estimates = new HashMap<>();
    private long charges;
    private double sum;

    public void add(Estimate e) {
      charges++;
      sum += e.rate();
      used.computeIfAbsent(e.segment(), k -> new long[1])[0]++;
      estimates.putIfAbsent(e.segment(), e);
    }

    public long charges() {
      return charges;
    }

    public double rate() {
      return charges == 0 ? 0 : sum / charges;
    }

    /** {low, high} of the 95 % normal interval, within [0, 1]. */
    public double[] interval() {
      if (charges == 0) return new double[] {0, 0};
      double var = 0;
      for (Map.Entry<String, long[]> e : used.entrySet()) {
        Estimate est = estimates.get(e.getKey());
        double share = (double) e.getValue()[0] / charges;
        double p = est.rate();
        var += share * share * (est.observed() ? p * (1 - p) : 0.25) / est.weight();
      }
      double half = 1.96 * Math.sqrt(var);
      return new double[] {Math.max(0, rate() - half), Math.min(1, rate() + half)};
    }
  }
}
