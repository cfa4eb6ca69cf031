package io.payrouter.rules;

import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.Dispatcher;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.ProviderHealth;
import io.payrouter.routing.ProviderStats;
import io.payrouter.routing.StatsSummary;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.IntSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * How each provider is doing: circuit state (live from the dispatcher), the operator's enabled
 * flag, and success rate and latency over a sliding window fed by every real PSP call.
 */
public final class ProviderHealthView {
  private static final Logger log = LoggerFactory.getLogger(ProviderHealthView.class);
  private static final long SUMMARY_TTL_MS = 200;

  /** One provider as the operations API shows it. */
  public record ProviderStatus(String name, boolean enabled, String circuit, double successRate, long samples,
      double p50Ms, double p99Ms, int inFlight, List<String> currencies) {}

  private final Map<String, ProviderConfig> providers;
  private final Dispatcher dispatcher;
  private final IntSupplier windowSeconds;
  private final ProviderStats stats = new ProviderStats();
  private final Map<String, Boolean> enabled = new ConcurrentHashMap<>();
  private volatile Map<String, StatsSummary> summaries;
  private volatile long summariesAt;

  /** @param windowSeconds the health window of the rules in force */
  public ProviderHealthView(Map<String, ProviderConfig> providers, Dispatcher dispatcher, IntSupplier windowSeconds) {
    this.providers = providers;
    this.dispatcher = dispatcher;
    this.windowSeconds = windowSeconds;
    providers.values().forEach(p -> enabled.put(p.name(), p.enabled()));
  }

  public Set<String> names() {
    return providers.keySet();
  }

  /** One real PSP call finished: success = the PSP answered sanely (approvals and declines). */
  public void record(String provider, boolean success, long latencyMs) {
    stats.record(provider, success, latencyMs, System.currentTimeMillis());
  }

  /**
   * Provider health for a decision: circuit state and the enabled flag are read live (a breaker
   * that just opened drops its PSP from the very next decision); the sliding-window statistics,
   * the costly part, are summarised at most every 200 ms.
   */
  public HealthSnapshot snapshot() {
    Map<String, StatsSummary> sums = summaries();
    List<ProviderHealth> list = new ArrayList<>(providers.size());
    for (ProviderConfig p : providers.values()) {
      StatsSummary s = sums.get(p.name());
      list.add(new ProviderHealth(p.name(), enabled.getOrDefault(p.name(), false), dispatcher.circuitOpen(p.name()),
          p.currencies(), s.successRate(), s.samples(), s.p50LatencyMs()));
    }
    return HealthSnapshot.of(list);
  }

  private Map<String, StatsSummary> summaries() {
    long now = System.currentTimeMillis();
    Map<String, StatsSummary> cached = summaries;
    if (cached != null && now - summariesAt < SUMMARY_TTL_MS) return cached;
    int window = windowSeconds.getAsInt();
    Map<String, StatsSummary> fresh = new HashMap<>();
    for (String name : providers.keySet()) fresh.put(name, stats.summary(name, now, window));
    summaries = fresh;
    summariesAt = now;
    return fresh;
  }

  /** Turns a provider on or off for routing; false when there is no such provider. */
  public boolean setEnabled(String provider, boolean on) {
    if (!providers.containsKey(provider)) return false;
    enabled.put(provider, on);
    log.info("provider {} {} by an operator", provider, on ? "enabled" : "disabled");
    return true;
  }

  /** Every provider: circuit, enabled, success rate, latency, calls in flight. */
  public List<ProviderStatus> status() {
    List<ProviderStatus> out = new ArrayList<>();
    for (String name : providers.keySet()) out.add(status(name).orElseThrow());
    return out;
  }

  public Optional<ProviderStatus> status(String name) {
    ProviderConfig p = providers.get(name);
    if (p == null) return Optional.empty();
    StatsSummary s = stats.summary(name, System.currentTimeMillis());
    return Optional.of(new ProviderStatus(name, enabled.getOrDefault(name, false), dispatcher.circuit(name).name(),
        s.successRate(), s.samples(), s.p50LatencyMs(), s.p99LatencyMs(), dispatcher.inFlight(name),
        List.copyOf(p.currencies())));
  }
}
