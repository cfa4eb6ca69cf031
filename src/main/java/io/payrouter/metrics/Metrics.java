package io.payrouter.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * The router's own meters, next to Vert.x's HTTP/pool meters in the same Prometheus registry.
 * Names: router_charges_total{provider,status}, router_charge_duration_seconds (histogram),
 * router_psp_call_duration_seconds{provider,call,result}, router_write_queue_depth{queue},
 * router_write_batch_size{queue}, router_write_retries_total{queue},
 * router_webhook_mismatch_total{provider}.
 */
public final class Metrics {
  private final PrometheusMeterRegistry registry;
  private final ConcurrentHashMap<String, Counter> counters = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, Counter>> chargesByProvider = new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, ConcurrentHashMap<String, ConcurrentHashMap<String, Timer>>> pspTimers =
      new ConcurrentHashMap<>();
  private final ConcurrentHashMap<String, DistributionSummary> summaries = new ConcurrentHashMap<>();
  private final Timer chargeDuration;

  public Metrics(PrometheusMeterRegistry registry) {
    this.registry = registry;
    this.chargeDuration = Timer.builder("router_charge_duration_seconds")
        .description("Time from accepting POST /v1/charges to answering it")
        .publishPercentileHistogram()
        .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
        .register(registry);
  }

  public static Metrics standalone() {
    return new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT));
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public void chargeFinished(String provider, String status, long nanos) {
    String p = provider == null ? "none" : provider;
    // Looked up without building a key: this runs once per charge.
    chargesByProvider.computeIfAbsent(p, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(status, st -> Counter.builder("router_charges_total")
            .description("Charges answered, by final provider and status")
            .tag("provider", p).tag("status", st).register(registry)).increment();
    chargeDuration.record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  public void pspCall(String provider, String call, String result, long nanos) {
    pspTimers.computeIfAbsent(provider, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(call, x -> new ConcurrentHashMap<>())
        .computeIfAbsent(result, r -> Timer.builder("router_psp_call_duration_seconds")
            .description("Latency of HTTP calls to PSPs")
            .tag("provider", provider).tag("call", call).tag("result", r)
            .publishPercentileHistogram()
            .minimumExpectedValue(Duration.ofMillis(1)).maximumExpectedValue(Duration.ofSeconds(30))
            .register(registry)).record(nanos, java.util.concurrent.TimeUnit.NANOSECONDS);
  }

  /** A gauge read at every scrape (registered at start, so it shows 0 before anything happens). */
  public void gauge(String name, String description, Supplier<Number> value) {
    Gauge.builder(name, value).description(description).register(registry);
  }

  public void queueGauge(String queue, Supplier<Number> depth) {
    Gauge.builder("router_write_queue_depth", depth).description("Items waiting in a write queue")
        .tag("queue", queue).register(registry);
  }

  public void batch(String queue, int size) {
    summaries.computeIfAbsent(queue, q -> DistributionSummary.builder("router_write_batch_size")
        .description("Rows per database round trip of a batching writer").tag("queue", q)
        .publishPercentileHistogram().minimumExpectedValue(1.0).maximumExpectedValue(5000.0)
        .register(registry)).record(size);
  }

  /** An authentic callback refused because its amount or currency differs from the charge's. */
  public void webhookMismatch(String provider) {
    counters.computeIfAbsent("router_webhook_mismatch_total|provider|" + provider,
        k -> Counter.builder("router_webhook_mismatch_total")
            .description("Authentic PSP callbacks refused: amount or currency differs from the charge's")
            .tag("provider", provider).register(registry)).increment();
  }

  /** The counter itself, looked up once: for hot paths that count often. */
  public Runnable counter(String name, String tagKey, String tagValue) {
    Counter c = counters.computeIfAbsent(name + "|" + tagKey + "|" + tagValue,
        k -> Counter.builder(name).tag(tagKey, tagValue).register(registry));
    return c::increment;
  }

  public void count(String name, String tagKey, String tagValue, double amount) {
    counters.computeIfAbsent(name + "|" + tagKey + "|" + tagValue,
        k -> Counter.builder(name).tag(tagKey, tagValue).register(registry)).increment(amount);
  }

  public void count(String name, String tagKey, String tagValue) {
    counters.computeIfAbsent(name + "|" + tagKey + "|" + tagValue,
        k -> Counter.builder(name).tag(tagKey, tagValue).register(registry)).increment();
  }

}
