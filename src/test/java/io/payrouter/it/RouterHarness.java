package io.payrouter.it;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.Application;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
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
  public static final String[] PSPS = {"revio", "paycore", "fatora", "dintero", "processout"};

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
    Files.createDirectories(dir);
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(cfg, routerYaml(dir).replace("max_failures: 1000", "max_failures: " + breakerMaxFailures));
    Path routingFile = dir.resolve("routing.yaml");
    if (!Files.exists(routingFile)) Files.writeString(routingFile, routing);
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Vertx vertx = Vertx.builder()
        .with(new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    Application app = Application.start(cfg, Map.of(), vertx, new Metrics(registry));
    return new RouterHarness(app, vertx, dir);
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
    return switch (psp) {
      case "dintero" -> "NOK";
      default -> "USD";
    };
  }

  static String routingYaml() {
    StringBuilder sb = new StringBuilder("rules:\n");
    for (String p : PSPS) {
      sb.append("  - name: to-").append(p).append("\n    when: { metadata: { route: ").append(p).append(" } }\n")
          .append("    strategy: priority\n    providers: [").append(p).append(", ").append(fallback(p)).append("]\n");
      sb.append("  - name: bad-").append(p).append("\n    when: { metadata: { route: ").append(p).append("_badauth } }\n")
          .append("    strategy: priority\n    providers: [").append(p).append("_badauth, ").append(fallback(p)).append("]\n");
    }
    sb.append("  - name: default\n    strategy: priority\n    providers: [fatora, revio, processout]\n");
    sb.append("failover: { max_attempts: 3 }\n");
    return sb.toString();
  }

  static String routerYaml(Path dir) {
    String sim = "${SIMULATOR_URL}";
    StringBuilder p = new StringBuilder();
    for (boolean bad : new boolean[] {false, true}) {
      String sfx = bad ? "_badauth" : "";
      String wrong = bad ? "wrong_" : "";
      p.append("  revio").append(sfx).append(":\n    type: revio\n    base_url: ").append(sim).append("/revio/api/v1\n")
          .append("    credentials: { secret_key: ").append(wrong).append("revio_sim_secret_key }\n")
          .append("    options: { brand_id: 5c523a6d-cad0-462e-b9bb-79b16495f3b9 }\n");
      p.append(common());
      p.append("  paycore").append(sfx).append(":\n    type: paycore\n    base_url: ").append(sim).append("/paycore/api\n")
          .append("    credentials: { account_id: paycore_sim_account, api_key: ").append(wrong)
          .append("paycore_sim_api_key, callback_secret: paycore_sim_callback_secret }\n")
          .append("    options: { cardgate_url: \"").append(sim).append("/paycore/cardgate\", services: { USD: payment_card_usd_hpp, EUR: payment_card_eur_hpp } }\n");
      p.append(common());
      p.append("  fatora").append(sfx).append(":\n    type: fatora\n    base_url: ").append(sim).append("/fatora\n")
          .append("    credentials: { api_key: ").append(wrong).append("fatora_sim_api_key, webhook_secret: fatora_it_webhook_secret }\n")
          .append("    options: { account_currency: USD }\n");
      p.append(common());
      p.append("  dintero").append(sfx).append(":\n    type: dintero\n    base_url: ").append(sim).append("/dintero/v1\n")
          .append("    credentials: { client_id: dintero_sim_client_id, client_secret: ").append(wrong)
          .append("dintero_sim_client_secret, signature_secret: dintero_sim_signature_secret }\n")
          .append("    options: { account_id: T11223344, auth_url: \"").append(sim).append("/dintero/v1\" }\n");
      p.append(common());
      p.append("  processout").append(sfx).append(":\n    type: processout\n    base_url: ").append(sim).append("/processout\n")
          .append("    credentials: { project_id: test-proj_sim, project_secret: ").append(wrong).append("key_sandbox_sim_secret }\n");
      p.append(common());
    }
    return """
        http: { host: 127.0.0.1, port: 0, instances: 2 }
        database: { data_dir: "%s", pool_size: 6 }
        security: { admin_key: %s }
        merchants:
          - { id: it-merchant, name: IT Merchant, api_key: %s }
          - { id: it-other, name: Other Merchant, api_key: %s }
        simulators: { enabled: true, port: 0 }
        recovery: { interval_ms: 500, processing_grace_ms: 5000 }
        routing_file: routing.yaml
        providers:
        """.formatted(dir.resolve("data").toAbsolutePath(), ADMIN_KEY, MERCHANT_KEY, OTHER_KEY) + p;
  }

  private static String common() {
    return "    currencies: [USD, EUR, NOK, SEK, DKK, JPY, BHD]\n    timeout_ms: 1000\n"
        + "    breaker: { max_failures: 1000, window_ms: 10000, reset_ms: 2000 }\n";
  }

  @Override
  public void close() throws Exception {
    app.close();
    vertx.close().toCompletionStage().toCompletableFuture().get();
  }
}
