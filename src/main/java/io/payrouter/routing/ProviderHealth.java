package io.payrouter.routing;

import java.util.Set;

/**
 * What routing knows about one provider right now.
 *
 * @param name provider name
 * @param enabled false while an operator has drained it
 * @param circuitOpen true while its breaker is open
 * @param currencies currencies it supports (an empty set supports none)
 * @param successRate recent share of calls without infrastructure failure, 0..1 (ignored when
 *     {@code samples} is 0)
 * @param samples number of recent calls behind {@code successRate}
 * @param p50LatencyMs recent median latency
 * @param fees what it charges per payment (router.yaml {@code fees}); {@link FeeSchedule#NONE} when unknown
 */
public record ProviderHealth(
    String name,
    boolean enabled,
    boolean circuitOpen,
    Set<String> currencies,
    double successRate,
    long samples,
    double p50LatencyMs,
    FeeSchedule fees) {

  public ProviderHealth {
    currencies = currencies == null ? Set.of() : Set.copyOf(currencies);
    fees = fees == null ? FeeSchedule.NONE : fees;
  }

  /** A provider without a fee schedule. */
  public ProviderHealth(String name, boolean enabled, boolean circuitOpen, Set<String> currencies, double successRate,
      long samples, double p50LatencyMs) {
    this(name, enabled, circuitOpen, currencies, successRate, samples, p50LatencyMs, FeeSchedule.NONE);
  }

  /** The same with this fee schedule. */
  public ProviderHealth withFees(FeeSchedule schedule) {
    return new ProviderHealth(name, enabled, circuitOpen, currencies, successRate, samples, p50LatencyMs, schedule);
  }

  /** A healthy provider with no recent samples. */
  public static ProviderHealth fresh(String name, Set<String> currencies) {
    return new ProviderHealth(name, true, false, currencies, 1.0, 0, 0);
  }
}
