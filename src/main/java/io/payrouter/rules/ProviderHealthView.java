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
 *
 * <p>In a fleet the window routing reads is the fleet's: this instance's calls plus the
 * per-second counts the other instances publish ({@link #merge}), each added to the second it
 * happened in, so they age out of the window exactly like local samples (a member that goes
 * silent stops adding, and its counts are gone one window later). {@code local_*} in the
 * operations API are this instance's own.
 */
public final class ProviderHealthView {
  private static final Logger log = LoggerFactory.getLogger(ProviderHealthView.class);
  private static final long SUMMARY_TTL_MS = 200;

  /** One provider as the operations API shows it. */
  public record ProviderStatus(String name, boolean enabled, String circuit, double successRate, long samples,
      double p50Ms, double p99Ms, int inFlight, List<String> currencies, double localSuccessRate,
      long localSamples, List<String> openOn, String credentials) {}

  private final Map<String, ProviderConfig> providers;
  private final Dispatcher dispatcher;
  private final IntSupplier windowSeconds;
  /** This instance's calls only. */
  private final ProviderStats stats = new ProviderStats();
  /** This instance's calls and the other members' published seconds: what routing reads. */
  private final ProviderStats fleet = new ProviderStats();
  private final Map<String, Boolean> enabled = new ConcurrentHashMap<>();
  private volatile java.util.function.Function<String, List<String>> openElsewhere = p -> List.of();
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
    long now = System.currentTimeMillis();
    stats.record(provider, success, latencyMs, now);
    fleet.record(provider, success, latencyMs, now);
  }

  /** This instance's own counts for one past second of one provider (what it publishes to the fleet). */
  public Optional<ProviderStats.Second> localSecond(String provider, long epochSecond) {
    return stats.second(provider, epochSecond);
  }

  /** Another member's counts for one second: added to the window routing reads. */
  public void merge(String provider, ProviderStats.Second s) {
    if (providers.containsKey(provider)) fleet.add(provider, s);
  }

  /** Where (which other members) each provider's breaker is open, for the operations API. */
  public void openElsewhere(java.util.function.Function<String, List<String>> f) {
    this.openElsewhere = f;
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
          p.currencies(), s.successRate(), s.samples(), s.p50LatencyMs(), p.fees()));
    }
    return HealthSnapshot.of(list);
  }

  private Map<String, StatsSummary> summaries() {
    long now = System.currentTimeMillis();
    Map<String, StatsSummary> cached = summaries;
    if (cached != null && now - summariesAt < SUMMARY_TTL_MS) return cached;
    int window = windowSeconds.getAsInt();
    Map<String, StatsSummary> fresh = new HashMap<>();
    for (String name : providers.keySet()) fresh.put(name, fleet.summary(name, now, window));
    summaries = fresh;
    summariesAt = now;
    return fresh;
  }

  public boolean has(String provider) {
    return providers.containsKey(provider);
  }

  /**
   * Puts a stored operator choice in force on this instance (made here or on another member);
   * false when there is no such provider. Logged only when it changes something.
   */
  public boolean apply(String provider, boolean on) {
    if (!providers.containsKey(provider)) return false;
    Boolean before = enabled.put(provider, on);
    if (before == null || before != on) log.info("provider {} {} (an operator's choice, shared by the fleet)", provider, on ? "enabled" : "disabled");
    return true;
  }

  /** The stored operator choices (they win over router.yaml's {@code enabled}); unknown names are ignored. */
  public void applyAll(Map<String, Boolean> flags) {
    flags.forEach(this::apply);
  }

  /** Whether routing may choose the provider here (false for an unknown name). */
  public boolean enabled(String provider) {
    return enabled.getOrDefault(provider, false);
  }

  /** Every provider's enabled flag in force here. */
  public Map<String, Boolean> flags() {
    return new java.util.TreeMap<>(enabled);
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
    long now = System.currentTimeMillis();
    int window = windowSeconds.getAsInt();
    StatsSummary s = fleet.summary(name, now, window);
    StatsSummary mine = stats.summary(name, now, window);
    return Optional.of(new ProviderStatus(name, enabled.getOrDefault(name, false), dispatcher.circuit(name).name(),
        s.successRate(), s.samples(), s.p50LatencyMs(), s.p99LatencyMs(), dispatcher.inFlight(name),
        List.copyOf(p.currencies()), mine.successRate(), mine.samples(), List.copyOf(openElsewhere.apply(name)),
        dispatcher.credentials(name)));
  }
}
