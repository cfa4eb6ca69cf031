package io.payrouter.domain;

import java.util.List;

/**
 * How a charge was routed (stored with the charge, rendered as {@code routing}).
 *
 * @param excluded the providers routing left out and why (see {@link Excluded}); what a charge no
 *     PSP could take explains itself with ({@code failure_reason})
 */
public record RoutingInfo(String rule, String strategy, long configVersion, List<String> candidates,
    List<Excluded> excluded, java.util.Map<String, Long> expectedFees, Canary canary) {

  /**
   * The routing canary the charge took part in.
   *
   * @param arm {@code canary} (decided by the proposed rules) or {@code control} (the rules in force)
   */
  public record Canary(long generation, String arm) {
    public boolean treated() {
      return "canary".equals(arm);
    }
  }

  /** A decision outside any canary. */
  public RoutingInfo(String rule, String strategy, long configVersion, List<String> candidates,
      List<Excluded> excluded, java.util.Map<String, Long> expectedFees) {
    this(rule, strategy, configVersion, candidates, excluded, expectedFees, null);
  }

  /**
   * One provider routing left out of the candidates.
   *
   * @param reason the most fundamental reason, as a wire code: {@code not_in_rule},
   *     {@code unknown_provider}, {@code no_token}, {@code currency_not_supported},
   *     {@code disabled}, {@code circuit_open}
   * @param detail every reason in words (the explain trace's)
   */
  public record Excluded(String provider, String reason, String detail) {}

  public RoutingInfo {
    candidates = List.copyOf(candidates);
    excluded = excluded == null ? List.of() : List.copyOf(excluded);
    expectedFees = expectedFees == null || expectedFees.isEmpty() ? java.util.Map.of()
        : java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(expectedFees));
  }

  /** A decision without expected fees (no fee schedule, or stored before they were recorded). */
  public RoutingInfo(String rule, String strategy, long configVersion, List<String> candidates, List<Excluded> excluded) {
    this(rule, strategy, configVersion, candidates, excluded, null);
  }

  /** A decision without exclusions (as stored before they were recorded). */
  public RoutingInfo(String rule, String strategy, long configVersion, List<String> candidates) {
    this(rule, strategy, configVersion, candidates, List.of());
  }
}
