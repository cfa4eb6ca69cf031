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
 */
public record ProviderHealth(
    String name,
    boolean enabled,
    boolean circuitOpen,
    Set<String> currencies,
    double successRate,
    long samples,
    double p50LatencyMs) {

  public ProviderHealth {
    currencies = currencies == null ? Set.of() : Set.copyOf(currencies);
  }

  /** A healthy provider with no recent samples. */
  public static ProviderHealth fresh(String name, Set<String> currencies) {
    return new ProviderHealth(name, true, false, currencies, 1.0, 0, 0);
  }
}
