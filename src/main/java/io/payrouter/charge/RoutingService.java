package io.payrouter.charge;

import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.common.ProblemException;
import io.payrouter.config.ConfigLoader;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.Dispatcher;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.ParseResult;
import io.payrouter.routing.ProviderHealth;
import io.payrouter.routing.ProviderStats;
import io.payrouter.routing.RoutingEngine;
import io.payrouter.routing.RoutingRules;
import io.payrouter.routing.RuleProblem;
import io.payrouter.routing.RulesParser;
import io.payrouter.routing.StatsSummary;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing rules in force and the provider health they are applied with. Rules change through
 * {@code PUT /admin/routing} or by editing {@code config/routing.yaml}; both are validated fully,
 * stored in Postgres with a new version (so they survive restarts) and take effect for the next
 * charge. The decision itself is the pure {@link RoutingEngine}.
 */
public final class RoutingService implements RouteDecider {
  private static final Logger log = LoggerFactory.getLogger(RoutingService.class);
  private static final long HEALTH_TTL_MS = 200;

  /** The rules in force with where they came from. */
  public record Active(RoutingRules rules, JsonObject raw, String source) {}

  private final Vertx vertx;
  private final Store store;
  private final Dispatcher dispatcher;
  private final Map<String, ProviderConfig> providers;
  private final Path file;
  private final ProviderStats stats = new ProviderStats();
  private final Map<String, Boolean> enabled = new ConcurrentHashMap<>();
  private volatile Active active;
  private volatile Map<String, StatsSummary> summaries;
  private volatile long summariesAt;
  private volatile String fileHash;
  private long watchTimer = -1;

  public RoutingService(Vertx vertx, Store store, Dispatcher dispatcher, Map<String, ProviderConfig> providers, Path file) {
    this.vertx = vertx;
    this.store = store;
    this.dispatcher = dispatcher;
    this.providers = providers;
    this.file = file;
    providers.values().forEach(p -> enabled.put(p.name(), p.enabled()));
  }

  /**
   * Loads the rules at start: the newest stored version, unless the file changed since it was last
   * applied (edited while the router was down), in which case the file becomes a new version.
   */
  public Future<Void> start(long watchIntervalMs) {
    return store.lastRoutingSource("file:").compose(src -> {
      // The hash of the file version most recently applied is kept in its stored source name.
      lastFileHash = src.map(x -> x.substring("file:".length())).orElse(null);
      return vertx.fileSystem().readFile(file.toString());
    }).compose(buf -> {
      String text = buf.toString(StandardCharsets.UTF_8);
      String hash = sha256(text);
      return store.latestRouting().compose(latest -> {
        boolean fileIsNew = latest.isEmpty() || !fileAlreadyApplied(hash);
        if (!fileIsNew) {
          RoutingRules parsed = parseOrThrow(latest.get().rules().getMap());
          active = new Active(parsed.withVersion(latest.get().version()), latest.get().rules(), latest.get().source());
          fileHash = hash;
          log.info("routing rules version {} ({}) in force", latest.get().version(), latest.get().source());
          return Future.succeededFuture();
        }
        return applyFile(text, hash);
      });
    }).onSuccess(v -> {
      if (watchIntervalMs > 0) watchTimer = vertx.setPeriodic(watchIntervalMs, t -> checkFile());
    });
  }

  private boolean fileAlreadyApplied(String hash) {
    return lastFileHash != null && lastFileHash.equals(hash);
  }

  private volatile String lastFileHash;


  public void stop() {
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
  }

  private void checkFile() {
    vertx.fileSystem().readFile(file.toString()).onSuccess(buf -> {
      String text = buf.toString(StandardCharsets.UTF_8);
      String hash = sha256(text);
      if (hash.equals(fileHash)) return;
      fileHash = hash;
      applyFile(text, hash).onFailure(err -> log.error("routing file {} rejected, rules unchanged: {}", file,
          err instanceof ProblemException p ? p.errors() : err.toString()));
    }).onFailure(err -> log.warn("routing file {} unreadable: {}", file, err.toString()));
  }

  private Future<Void> applyFile(String text, String hash) {
    Map<String, Object> raw;
    try {
      raw = ConfigLoader.readYaml(text);
    } catch (RuntimeException e) {
      return Future.failedFuture(ProblemException.unprocessable("invalid-routing", "routing file is not valid YAML",
          List.of(new FieldError("", String.valueOf(e.getMessage())))));
    }
    fileHash = hash;
    return replace(raw, "file:" + hash).map(v -> {
      lastFileHash = hash;
      return null;
    });
  }

  /** Validates and installs new rules; fails with 422 listing every problem, changing nothing. */
  public Future<Active> replace(Map<String, Object> raw, String source) {
    RoutingRules parsed;
    try {
      parsed = parseOrThrow(raw);
    } catch (ProblemException e) {
      return Future.failedFuture(e);
    }
    JsonObject json = new JsonObject(raw);
    return store.insertRouting(source, json).map(version -> {
      Active a = new Active(parsed.withVersion(version), json, source);
      active = a;
      log.info("routing rules version {} in force (from {})", version, source.startsWith("file:") ? "file" : source);
      return a;
    });
  }

  private RoutingRules parseOrThrow(Map<String, Object> raw) {
    ParseResult r = RulesParser.parse(raw, providers.keySet(), Currencies.known());
    if (!r.ok()) {
      List<FieldError> errors = new ArrayList<>();
      for (RuleProblem p : r.problems()) errors.add(new FieldError(p.path(), p.message()));
      throw ProblemException.unprocessable("invalid-routing", errors.size() + " problem(s) in the routing rules; nothing changed", errors);
    }
    return r.rules();
  }

  public Active active() {
    return active;
  }

  // ------------------------------------------------------------------ decisions

  @Override
  public Decision decide(ChargeAttributes attributes) {
    return RoutingEngine.decide(attributes, active.rules(), health(), false);
  }

  /** The decision with its full trace (explain endpoint). */
  public Decision explain(ChargeAttributes attributes) {
    return RoutingEngine.decide(attributes, active.rules(), health(), true);
  }

  @Override
  public void record(String provider, boolean success, long latencyMs) {
    stats.record(provider, success, latencyMs, System.currentTimeMillis());
  }

  /**
   * Provider health for a decision: circuit state and the enabled flag are read live (a breaker
   * that just opened drops its PSP from the very next decision); the sliding-window statistics,
   * the costly part, are summarised at most every 200 ms.
   */
  public HealthSnapshot health() {
    Map<String, StatsSummary> summaries = statsSummaries();
    List<ProviderHealth> list = new ArrayList<>(providers.size());
    for (ProviderConfig p : providers.values()) {
      StatsSummary s = summaries.get(p.name());
      list.add(new ProviderHealth(p.name(), enabled.getOrDefault(p.name(), false), dispatcher.circuitOpen(p.name()),
          p.currencies(), s.successRate(), s.samples(), s.p50LatencyMs()));
    }
    return HealthSnapshot.of(list);
  }

  private Map<String, StatsSummary> statsSummaries() {
    long now = System.currentTimeMillis();
    Map<String, StatsSummary> cached = summaries;
    if (cached != null && now - summariesAt < HEALTH_TTL_MS) return cached;
    int window = active == null ? ProviderStats.DEFAULT_WINDOW_SECONDS : active.rules().healthWindowSeconds();
    Map<String, StatsSummary> fresh = new java.util.HashMap<>();
    for (String name : providers.keySet()) fresh.put(name, stats.summary(name, now, window));
    summaries = fresh;
    summariesAt = now;
    return fresh;
  }

  public boolean setEnabled(String provider, boolean on) {
    if (!providers.containsKey(provider)) return false;
    enabled.put(provider, on);
    log.info("provider {} {} by an operator", provider, on ? "enabled" : "disabled");
    return true;
  }

  /** Per provider: circuit, enabled, success rate, latency, in-flight (GET /admin/providers). */
  public List<JsonObject> providerStatus() {
    long now = System.currentTimeMillis();
    List<JsonObject> out = new ArrayList<>();
    for (ProviderConfig p : providers.values()) {
      StatsSummary s = stats.summary(p.name(), now);
      out.add(new JsonObject().put("name", p.name()).put("enabled", enabled.getOrDefault(p.name(), false))
          .put("circuit", dispatcher.circuit(p.name()).name()).put("success_rate", s.successRate())
          .put("samples", s.samples()).put("p50_ms", s.p50LatencyMs()).put("p99_ms", s.p99LatencyMs())
          .put("in_flight", dispatcher.inFlight(p.name()))
          .put("currencies", new io.vertx.core.json.JsonArray(new ArrayList<>(p.currencies()))));
    }
    return out;
  }

  public Set<String> providerNames() {
    return providers.keySet();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
