package io.payrouter.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.micrometer.MetricsDomain;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.time.Duration;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * Every meter of the router (each {@code router_*} name), next to Vert.x's and the JVM's in the
 * same Prometheus registry. This is the only class that names or builds a meter: the rest of the
 * code calls one method per event. Each meter has its HELP text, and every series whose tag
 * values are known up front (each configured provider, each write queue, each source and status)
 * is registered at start, at 0, so that a dashboard or an alert sees it before the first event
 * (a rate over a series that appears with its first event misses that event).
 */
public final class Metrics {
  /** The provider tag of a charge no PSP decided (failed before or without a PSP's word). */
  public static final String NO_PROVIDER = "none";
  /** Where a settlement came from (the {@code source} tag of settlements and lost races). */
  public static final List<String> SOURCES = List.of("request", "webhook", "reconciler");
  /** The reasons a routing file edit is not applied ({@code rules/RulesSource}). */
  public static final List<String> FILE_REJECTIONS = List.of("invalid", "refused");

  private static final String CHARGES = "router_charges_total";
  private static final String SETTLEMENTS = "router_settlements_total";
  private static final String PSP_CALLS = "router_psp_call_duration_seconds";

  private final PrometheusMeterRegistry registry;
  /** provider, then status. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> charges = new ConcurrentHashMap<>();
  /** source, then status, then provider. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>>> settlements =
      new ConcurrentHashMap<>();
  /** provider, then call, then result. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Timer>>> pspTimers =
      new ConcurrentHashMap<>();
  /** Counters with one tag, by name, then tag value. */
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> tagged = new ConcurrentHashMap<>();
  private final Timer chargeDuration;
  private final Counter shed;
  private final Counter keysPurged;
  private final Counter takeovers;
  private volatile double ready;
  private volatile long unsettled;
  private volatile double unsettledOldestSeconds;

  /** One counter family with a single tag: name, HELP text and tag key. */
  private record Family(String name, String help, String tag) {}

  private static final Family CONFLICTS = new Family("router_conflicts_total",
      "Late PSP results that disagree with a final charge (recorded, never applied): page someone", "provider");
  private static final Family CREDENTIALS_REFUSED = new Family("router_psp_credentials_refused_total",
      "Charge attempts a PSP refused because of the router's credentials (401/403, or no access token)", "provider");
  private static final Family WEBHOOK_MISMATCH = new Family("router_webhook_mismatch_total",
      "Authentic PSP callbacks refused: amount or currency differs from the charge's", "provider");
  private static final Family FENCING_REFUSALS = new Family("router_fencing_refusals_total",
      "Money calls not sent: the checkpoint proved this instance no longer owns the charge", "provider");
  private static final Family CHECKPOINTS_TOO_LATE = new Family("router_checkpoints_too_late_total",
      "Money calls not sent: the checkpoint answered after the ownership lease", "provider");
  private static final Family LOST_RACES = new Family("router_outcome_lost_races_total",
      "Outcome writes that changed nothing: the charge was settled or taken over elsewhere first", "source");
  private static final Family FILE_REJECTED = new Family("router_routing_file_rejections_total",
      "Edits of the routing file not applied: invalid (does not parse or validate) or refused (would discard"
          + " a change made through the API)", "reason");
  private static final Family WRITE_REJECTED = new Family("router_write_rejected_total",
      "Rows refused because the write queue was full (the charge gets 503 or the attempt is not sent)", "queue");
  private static final Family WRITE_REJECTED_ROWS = new Family("router_write_rejected_rows_total",
      "Single rows PostgreSQL refused (data errors), after a failed batch was split", "queue");
  private static final Family WRITE_RETRIES = new Family("router_write_retries_total",
      "Batches retried because the database was unreachable", "queue");
  private static final Family DEAD_LETTERS = new Family("router_dead_letters_total",
      "Rows the database refused, kept in the dead_letters table: page someone", "queue");

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.chargeDuration = Timer.builder("router_charge_duration_seconds")
        .description("Time from accepting POST /v1/charges to answering it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
    this.shed = Counter.builder("router_charges_shed_total")
        .description("Charge requests answered 503 at once: the limit of charges in flight was reached (nothing charged)")
        .tag("reason", "in_flight").register(registry);
    this.keysPurged = Counter.builder("router_idempotency_keys_purged_total")
        .description("Idempotency keys deleted past idempotency.retention_hours").tag("store", "postgres").register(registry);
    this.takeovers = Counter.builder("router_takeovers_total")
        .description("Unsettled charges taken over from an instance whose heartbeat stopped")
        .tag("reason", "owner_lapsed").register(registry);
    for (String s : SOURCES) counter(LOST_RACES, s);
    for (String r : FILE_REJECTIONS) counter(FILE_REJECTED, r);
    // No PSP decided: failed before or without any PSP's word, or left pending after a bug.
    charge(NO_PROVIDER, "failed");
    charge(NO_PROVIDER, "pending");
    for (String s : SOURCES) settlement(s, "failed", NO_PROVIDER);
    webhookMeters();
    // exported from the start (at 0): no rule matched and no route, on both sides
    shadowCounter("none", "none", "none", "none", false);
    for (String a : CANARY_ARMS) for (String o : CANARY_OUTCOMES) canaryChargeCounter(a, o);
    for (String e : CANARY_EVENTS) canaryEventCounter(e);
    Gauge.builder("router_ready", () -> ready)
        .description("1 when GET /health/ready answers UP (the same checks, run at each scrape), else 0")
        .register(registry);
    Gauge.builder("router_unsettled_charges", () -> unsettled)
        .description("Charges pending or processing in the database (every instance's: the same figure on each)")
        .register(registry);
    Gauge.builder("router_unsettled_oldest_age_seconds", () -> unsettledOldestSeconds)
        .description("Seconds since the oldest unsettled charge last changed status (0 when none)")
        .register(registry);
  }

  /**
   * Vert.x's own meters as the router runs them (set when Vert.x is built): the JVM's, and every
   * category but the HTTP client and the event bus.
   *
   * <p>Every PSP call is measured by router_psp_call_duration_seconds (provider, call, result);
   * Vert.x's HTTP client meters repeated it and looked up or registered a gauge per request (4% of
   * the router's CPU per charge in the profile).
   *
   * <p>Vert.x's event bus meters register their {@code vertx_eventbus_handlers} and
   * {@code vertx_eventbus_pending} gauges again for every handler and every message received, so
   * the fleet's second consumer made Micrometer warn at each start ("This Gauge has been already
   * registered") and every beacon paid a registry look-up. The event bus only carries the fleet's
   * beacons and hints here, which router_cluster_members and router_cluster_members_disagreeing
   * already show.
   */
  public static MicrometerMetricsOptions vertxMetricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true)
        .setJvmMetricsEnabled(true)
        .addDisabledMetricsCategory(MetricsDomain.HTTP_CLIENT)
        .addDisabledMetricsCategory(MetricsDomain.EVENT_BUS);
  }

  public static Metrics standalone() {
    return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  /**
   * Registers, at 0, every per-provider series of the configured providers, so each exists from
   * start. Called once with the provider names of the configuration; a provider named later (an
   * unknown name in a callback) still gets its series on first use.
   */
  public void providers(Collection<String> names) {
    for (String p : names) {
      for (String status : List.of("succeeded", "declined", "pending")) charge(p, status);
      for (String s : SOURCES) {
        settlement(s, "succeeded", p);
        settlement(s, "declined", p);
      }
      // The first step of every charge flow: the series each provider has once it is called.
      pspTimer(p, "charge.1", "2xx");
      for (Family f : List.of(CONFLICTS, CREDENTIALS_REFUSED, WEBHOOK_MISMATCH, FENCING_REFUSALS, CHECKPOINTS_TOO_LATE)) {
        counter(f, p);
      }
    }
  }

  /**
   * A provider's breaker and enabled flag, read at each scrape.
   *
   * @param circuit the breaker's state: {@code CLOSED} (0), {@code HALF_OPEN} (1) or {@code OPEN} (2)
   * @param enabled whether routing may choose the provider (an operator's choice)
   */
  public void provider(String name, Supplier<CircuitBreakerState> circuit, BooleanSupplier enabled) {
    Gauge.builder("router_circuit_state", () -> circuitCode(circuit.get()))
        .description("Circuit breaker of a provider: 0 closed, 1 half-open (one trial call), 2 open (not called)")
        .tag("provider", name).register(registry);
    Gauge.builder("router_provider_enabled", () -> enabled.getAsBoolean() ? 1 : 0)
        .description("1 when routing may choose the provider, 0 when an operator disabled it")
        .tag("provider", name).register(registry);
  }

  static int circuitCode(CircuitBreakerState state) {
    return switch (state) {
      case CLOSED -> 0;
      case HALF_OPEN -> 1;
      case OPEN -> 2;
    };
  }

  /** The fleet as this instance sees it, read at each scrape. */
  public void cluster(Supplier<Number> members, Supplier<Number> disagreeing) {
    Gauge.builder("router_cluster_members", members)
        .description("Members this instance heard from in the last 3 s (itself included)").register(registry);
    Gauge.builder("router_cluster_members_disagreeing", disagreeing)
        .description("Members that have run older routing rules than another member for more than 5 s").register(registry);
  }

  /** What the readiness checks found last (router_ready). */
  public void ready(boolean up) {
    ready = up ? 1 : 0;
  }

  /** The unsettled charges last counted in the database, and the age of the oldest. */
  public void unsettled(long charges, double oldestAgeSeconds) {
    unsettled = charges;
    unsettledOldestSeconds = oldestAgeSeconds;
  }

  // ------------------------------------------------------------------ charges

  public void chargeFinished(String provider, String status, long nanos) {
    charge(provider == null ? NO_PROVIDER : provider, status).increment();
    chargeDuration.record(nanos, TimeUnit.NANOSECONDS);
  }

  private Counter charge(String provider, String status) {
    // Looked up without building a key: this runs once per charge.
    return charges.computeIfAbsent(provider, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, st -> Counter.builder(CHARGES)
            .description("Charge requests answered with a charge (replays excluded), by the status of the answer"
                + " (pending for a 202) and its provider")
            .tag("provider", provider).tag("status", st).register(registry));
  }

  /**
   * A charge became final ({@code succeeded}, {@code declined}, {@code failed}), once per charge,
   * by whoever made it so: the request path ({@code request}) once its outcome is durable, a
   * webhook or the reconciler.
   *
   * @param provider the charge's provider, null when none (a failed charge)
   */
  public void settled(String source, String status, String provider) {
    settlement(source, status, provider == null ? NO_PROVIDER : provider).increment();
  }

  private Counter settlement(String source, String status, String provider) {
    return settlements.computeIfAbsent(source, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(provider, p -> Counter.builder(SETTLEMENTS)
            .description("Charges that became final, by who settled them (request, webhook, reconciler), final"
                + " status and provider")
            .tag("source", source).tag("status", status).tag("provider", p).register(registry));
  }

  public void chargeShed() {
    shed.increment();
  }

  public void conflict(String provider) {
    counter(CONFLICTS, provider).increment();
  }

  public void lostRace(String source) {
    counter(LOST_RACES, source).increment();
  }

  public void fencingRefusal(String provider) {
    counter(FENCING_REFUSALS, provider).increment();
  }

  public void checkpointTooLate(String provider) {
    counter(CHECKPOINTS_TOO_LATE, provider).increment();
  }

  public void takeover() {
    takeovers.increment();
  }

  public void keysPurged(long n) {
    keysPurged.increment(n);
  }

  // ------------------------------------------------------------------ PSPs

  public void pspCall(String provider, String call, String result, long nanos) {
    pspTimer(provider, call, result).record(nanos, TimeUnit.NANOSECONDS);
  }

  private Timer pspTimer(String provider, String call, String result) {
    return pspTimers.computeIfAbsent(provider, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(call, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(result, r -> Timer.builder(PSP_CALLS)
            .description("Latency of HTTP calls to PSPs, by provider, call (flow.step) and result (status class,"
                + " refused, timeout, error)")
            .tag("provider", provider).tag("call", call).tag("result", r)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry));
  }

  // ------------------------------------------------------------------ merchant webhooks

  private final Map<String, Timer> webhookAttempts = new ConcurrentHashMap<>();
  private Counter webhooksExhausted;
  private Counter webhookEndpointsDisabled;

  /** Results a webhook attempt can have (all registered at 0). */
  public static final List<String> WEBHOOK_RESULTS = List.of("delivered", "http_3xx", "http_4xx", "http_5xx",
      "http_1xx", "timeout", "error");

  private void webhookMeters() {
    for (String r : WEBHOOK_RESULTS) webhookTimer(r);
    webhooksExhausted = Counter.builder("router_webhook_deliveries_exhausted_total")
        .description("Webhook deliveries that failed every attempt of the retry schedule (marked failed)")
        .register(registry);
    webhookEndpointsDisabled = Counter.builder("router_webhook_endpoints_disabled_total")
        .description("Merchant webhook endpoints disabled after a delivery exhausted its retries with nothing delivered since")
        .register(registry);
  }

  private Timer webhookTimer(String result) {
    return webhookAttempts.computeIfAbsent(result, r -> Timer.builder("router_webhook_attempt_duration_seconds")
        .description("Webhook delivery attempts to merchants' endpoints, by result (delivered = a 2xx answer)")
        .tag("result", r).publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry));
  }

  public void webhookAttempt(String result, long nanos) {
    webhookTimer(result).record(nanos, TimeUnit.NANOSECONDS);
  }

  public void webhookExhausted() {
    webhooksExhausted.increment();
  }

  public void webhookEndpointDisabled() {
    webhookEndpointsDisabled.increment();
  }

  public void credentialsRefused(String provider) {
    counter(CREDENTIALS_REFUSED, provider).increment();
  }

  /** An authentic callback refused because its amount or currency differs from the charge's. */
  public void webhookMismatch(String provider) {
    counter(WEBHOOK_MISMATCH, provider).increment();
  }

  // ------------------------------------------------------------------ routing

  /**
   * The counter of live charges decided by shadow rules with this outcome: the rule and first
   * provider in force and in the shadow, and whether they diverge (the first providers differ).
   * The caller keeps the counter (one look-up per pair, not per charge).
   */
  public Runnable shadowDecisions(String rule, String shadowRule, String provider, String shadowProvider, boolean diverged) {
    return shadowCounter(rule, shadowRule, provider, shadowProvider, diverged)::increment;
  }

  private Counter shadowCounter(String rule, String shadowRule, String provider, String shadowProvider, boolean diverged) {
    return Counter.builder("router_shadow_decisions_total")
        .description("Live charges also decided by the shadow routing rules (nothing is sent because of them), by the"
            + " rule and first provider in force and in the shadow; diverged = the first providers differ")
        .tag("rule", rule).tag("shadow_rule", shadowRule).tag("provider", provider).tag("shadow_provider", shadowProvider)
        .tag("diverged", String.valueOf(diverged)).register(registry);
  }

  /** Canary arms, charge outcomes and steps the routing canary reports (all exported from the start, at 0). */
  public static final List<String> CANARY_ARMS = List.of("control", "canary");
  public static final List<String> CANARY_OUTCOMES = List.of("succeeded", "declined", "failed", "pending");
  public static final List<String> CANARY_EVENTS = List.of("started", "compared", "promoted", "rolled_back", "stopped");

  /** A charge of a routing canary's arm was answered with this outcome (this instance's). */
  public Runnable canaryCharge(String arm, String outcome) {
    return canaryChargeCounter(arm, outcome)::increment;
  }

  private Counter canaryChargeCounter(String arm, String outcome) {
    return Counter.builder("router_canary_charges_total")
        .description("Live charges of the running routing canary answered on this instance, by arm (canary = the"
            + " proposed rules, control = the rules in force) and outcome")
        .tag("arm", arm).tag("outcome", outcome).register(registry);
  }

  /** A routing canary step recorded by this instance: started, compared, promoted, rolled_back, stopped. */
  public void canaryEvent(String event) {
    canaryEventCounter(event).increment();
  }

  private Counter canaryEventCounter(String event) {
    return Counter.builder("router_canary_events_total")
        .description("Routing canary steps this instance recorded in the version history (one instance records each)")
        .tag("event", event).register(registry);
  }

  /** A routing file edit was not applied; {@code reason} is one of {@link #FILE_REJECTIONS}. */
  public void routingFileRejected(String reason) {
    counter(FILE_REJECTED, reason).increment();
  }

  // ------------------------------------------------------------------ write queues

  /** The meters of one batching writer, each registered at 0 when the writer is built. */
  public final class WriteQueue {
    private final DistributionSummary batches;
    private final Counter rejected;
    private final Counter rejectedRows;
    private final Counter retries;
    private final Counter deadLetters;

    private WriteQueue(String queue, Supplier<Number> depth) {
      Gauge.builder("router_write_queue_depth", depth).description("Rows waiting in a batching writer")
          .tag("queue", queue).register(registry);
      batches = DistributionSummary.builder("router_write_batch_size")
          .description("Rows per database round trip of a batching writer").tag("queue", queue)
          .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(5000.0)
          .register(registry);
      rejected = counter(WRITE_REJECTED, queue);
      rejectedRows = counter(WRITE_REJECTED_ROWS, queue);
      retries = counter(WRITE_RETRIES, queue);
      deadLetters = counter(DEAD_LETTERS, queue);
    }

    public void batch(int rows) {
      batches.record(rows);
    }

    public void rejected() {
      rejected.increment();
    }

    public void rejectedRow() {
      rejectedRows.increment();
    }

    public void retry() {
      retries.increment();
    }

    public void deadLetter() {
      deadLetters.increment();
    }
  }

  /** The meters of the batching writer {@code queue}, its depth read at each scrape. */
  public WriteQueue writeQueue(String queue, Supplier<Number> depth) {
    return new WriteQueue(queue, depth);
  }

  private Counter counter(Family f, String value) {
    return tagged.computeIfAbsent(f.name(), x -> new ConcurrentHashMap<>())
        .computeIfAbsent(value, v -> Counter.builder(f.name()).description(f.help()).tag(f.tag(), v).register(registry));
  }
}
