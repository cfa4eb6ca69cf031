package io.payrouter.it;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.Application;
import io.payrouter.Psps;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * A real router for integration tests: embedded PostgreSQL in a temporary data directory, the five
 * PSP simulators on loopback, the HTTP API on a free port; started through the same
 * {@link Application#start} as production. Nothing is mocked.
 *
 * <p>Test providers: the five real ones (timeout 1 s so in-doubt cases are quick) plus, per PSP,
 * {@code <psp>_badauth} with wrong credentials. Routing: charges with metadata {@code route=<p>}
 * go to {@code [<p>, fallback]}; the fallback is processout (revio for processout itself).
 */
public final class RouterHarness implements AutoCloseable {
  public static final String MERCHANT_KEY = "sk_test_it_merchant_key";
  public static final String OTHER_KEY = "sk_test_it_other_key_00";
  public static final String ADMIN_KEY = "admin_test_it_admin_key";

  private static RouterHarness shared;

  public final Application app;
  public final Vertx vertx;
  public final Path dir;

  private RouterHarness(Application app, Vertx vertx, Path dir) {
    this.app = app;
    this.vertx = vertx;
    this.dir = dir;
  }

  /** One router shared by the test classes of this JVM (started once, closed at JVM exit). */
  public static synchronized RouterHarness shared() throws Exception {
    if (shared == null) {
      shared = start(Files.createTempDirectory("router-it"), routingYaml());
      RouterHarness s = shared;
      Runtime.getRuntime().addShutdownHook(new Thread(() -> {
        try {
          s.close();
        } catch (Exception ignored) {
          // JVM is exiting
        }
      }));
    }
    return shared;
  }

  /** A router of its own (for restart and outage tests), on a data directory that may be reused. */
  public static RouterHarness start(Path dir, String routing) throws Exception {
    return start(dir, routing, 1000);
  }

  /** With a breaker that opens after {@code breakerMaxFailures} failures (2 s reset). */
  public static RouterHarness start(Path dir, String routing, int breakerMaxFailures) throws Exception {
    return start(dir, routing, breakerMaxFailures, yaml -> yaml);
  }

  /** With the generated router.yaml edited by {@code edit} first. */
  public static RouterHarness start(Path dir, String routing, int breakerMaxFailures,
      java.util.function.UnaryOperator<String> edit) throws Exception {
    Files.createDirectories(dir);
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(cfg, edit.apply(routerYaml(dir).replace("max_failures: 1000", "max_failures: " + breakerMaxFailures)));
    Path routingFile = dir.resolve("routing.yaml");
    if (!Files.exists(routingFile)) Files.writeString(routingFile, routing);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    Application app = Application.start(cfg, Map.of(), vertx, new Metrics(registry));
    return new RouterHarness(app, vertx, dir);
  }

  /** Waits for a future from a test thread (never an event loop), at most 60 s. */
  public static <T> T await(io.vertx.core.Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, java.util.concurrent.TimeUnit.SECONDS);
  }

  public String url() {
    return app.url();
  }

  public String simulatorUrl() {
    return app.simulatorServer.baseUrl();
  }

  public static String fallback(String psp) {
    return psp.equals("processout") ? "revio" : "processout";
  }

  /** A currency every test route of this PSP and its fallback supports. */
  public static String currency(String psp) {
    return Psps.byType(psp).orElseThrow().simulator().get().sampleCurrency();
  }

  static String routingYaml() {
    StringBuilder sb = new StringBuilder("rules:\n");
    for (String p : Psps.types()) {
      sb.append("  - name: to-").append(p).append("\n    when: { metadata: { route: ").append(p).append(" } }\n")
          .append("    strategy: priority\n    providers: [").append(p).append(", ").append(fallback(p)).append("]\n");
      sb.append("  - name: bad-").append(p).append("\n    when: { metadata: { route: ").append(p).append("_badauth } }\n")
          .append("    strategy: priority\n    providers: [").append(p).append("_badauth, ").append(fallback(p)).append("]\n");
    }
    sb.append("  - name: default\n    strategy: priority\n    providers: [fatora, revio, processout]\n");
    sb.append("failover: { max_attempts: 3 }\n");
    return sb.toString();
  }

  /**
   * Every PSP of the registry pointed at its simulator (block from the simulator's own fixture),
   * and the same with wrong credentials as {@code <psp>_badauth}.
   */
  static String routerYaml(Path dir) {
    StringBuilder p = new StringBuilder();
    for (boolean bad : new boolean[] {false, true}) {
      for (Psps.Psp psp : Psps.ALL) {
        JsonObject block = new JsonObject(io.vertx.core.json.Json.encode(psp.simulator().get().providerConfig("${SIMULATOR_URL}")));
        if (bad) {
          JsonObject creds = block.getJsonObject("credentials");
          // Every credential wrong: the PSP refuses the call before any money moves.
          for (String k : creds.fieldNames()) creds.put(k, "wrong_" + creds.getString(k));
        }
        p.append("  ").append(psp.type()).append(bad ? "_badauth" : "").append(":\n    type: ").append(psp.type())
            .append("\n    base_url: \"").append(block.getString("base_url")).append("\"\n")
            .append("    credentials: ").append(block.getJsonObject("credentials").encode()).append('\n')
            .append("    options: ").append(block.getJsonObject("options").encode()).append('\n')
            .append(common(block.getJsonObject("options")));
      }
    }
    return """
        http: { host: 127.0.0.1, port: 0, instances: 2 }
        database: { data_dir: "%s", pool_size: 6 }
        security: { admin_key: %s }
        merchants:
          - { id: it-merchant, name: IT Merchant, api_key: %s }
          - { id: it-other, name: Other Merchant, api_key: %s }
        simulators: { enabled: true, port: 0 }
        recovery: { interval_ms: 500, processing_grace_ms: 3000, not_found_final_after: 6s }
        webhooks: { retry_schedule: [200ms, 400ms, 600ms], poll_interval: 50ms, timeout: 2s, lease: 10s }
        routing_file: routing.yaml
        providers:
        """.formatted(dir.resolve("data").toAbsolutePath(), ADMIN_KEY, MERCHANT_KEY, OTHER_KEY) + p;
  }

  /** A provider with a fixed account currency (Fatora) is routed in that currency alone. */
  private static String common(JsonObject options) {
    String currencies = options != null && options.getValue("account_currency") instanceof String c
        ? c : "USD, EUR, NOK, SEK, DKK, JPY, BHD";
    return "    currencies: [" + currencies + "]\n    timeout_ms: 1000\n"
        + "    breaker: { max_failures: 1000, window_ms: 10000, reset_ms: 2000 }\n";
  }

  @Override
  public void close() throws Exception {
    app.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
