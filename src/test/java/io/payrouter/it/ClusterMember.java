package io.payrouter.it;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.Application;
import io.payrouter.Psps;
import io.payrouter.chaos.ChaosRun;
import io.payrouter.cluster.Clustering;
import io.payrouter.config.RouterConfig;
import io.payrouter.metrics.Metrics;
import io.payrouter.simulator.SimCredentials;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * One router of a test fleet, in this JVM: its own clustered Vert.x (real Hazelcast on loopback),
 * production mode on the fleet's PostgreSQL (rehearsal setting on), the fleet's simulators with
 * non-default credentials, and a routing file shared with the other members. Started through the
 * same {@link Application#start} as production.
 */
final class ClusterMember implements AutoCloseable {
  static final String ADMIN_KEY = "admin_cluster_it_admin_key";
  static final String MERCHANT_KEY = "sk_test_cluster_it_merchant";

  final String name;
  final Vertx vertx;
  final Application app;
  final PrometheusMeterRegistry registry;

  private ClusterMember(String name, Vertx vertx, Application app, PrometheusMeterRegistry registry) {
    this.name = name;
    this.vertx = vertx;
    this.app = app;
    this.registry = registry;
  }

  /**
   * @param hazelcastPort this member's Hazelcast port
   * @param members every member's {@code 127.0.0.1:port}
   * @param without providers this member does not have (a misconfigured member)
   */
  static ClusterMember start(String name, Path dir, int hazelcastPort, List<String> members, int pgPort,
      String simUrl, SimCredentials creds, String tokenKey, Path routingFile, Set<String> without) throws Exception {
    Files.createDirectories(dir);
    int httpPort = freePort();
    StringBuilder yaml = new StringBuilder("""
        http: { host: 127.0.0.1, port: %d, instances: 1, public_url: "http://127.0.0.1:%d", allow_loopback_public_url: true }
        database: { url: "postgresql://postgres@127.0.0.1:%d/postgres", pool_size: 4 }
        security: { admin_key: %s, token_encryption_key: "%s" }
        merchants:
          - { id: cluster-it, name: Cluster IT, api_key: %s }
        simulators: { enabled: false }
        recovery: { interval_ms: 500, processing_grace_ms: 1000, not_found_final_after: 2s }
        webhooks: { retry_schedule: [200ms, 400ms], poll_interval: 50ms, timeout: 2s, lease: 10s, allow_http: true }
        routing_file: "%s"
        cluster: { enabled: true, host: 127.0.0.1, port: %d, members: [%s] }
        providers:
        """.formatted(httpPort, httpPort, pgPort, ADMIN_KEY, tokenKey, MERCHANT_KEY, routingFile.toAbsolutePath(),
        hazelcastPort, String.join(", ", members)));
    for (Psps.Psp psp : Psps.ALL) {
      if (without.contains(psp.type())) continue;
      JsonObject block = new JsonObject(Json.encode(psp.simulator().get().providerConfig(simUrl)));
      JsonObject options = block.getJsonObject("options");
      if (psp.type().equals("paycore")) options = options.copy().put("test_mode", false);
      yaml.append("  ").append(psp.type()).append(":\n    type: ").append(psp.type())
          .append("\n    base_url: \"").append(block.getString("base_url")).append("\"\n")
          .append("    credentials: ")
          .append(new JsonObject(new LinkedHashMap<String, Object>(ChaosRun.routerCredentials(creds, psp.type()))).encode())
          .append("\n    options: ").append(options.encode()).append('\n')
          .append("    currencies: [").append(options != null && options.getValue("account_currency") instanceof String c ? c : "USD, EUR")
          .append("]\n    timeout_ms: 1000\n")
          .append("    breaker: { max_failures: 1000, window_ms: 10000, reset_ms: 2000 }\n");
    }
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(cfg, yaml.toString());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    RouterConfig.Cluster cluster = new RouterConfig.Cluster(true, "127.0.0.1", hazelcastPort, members);
    Vertx vertx = Clustering.start(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)),
            new VertxOptions().setMetricsOptions(new MicrometerMetricsOptions().setEnabled(true)), cluster)
        .toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    try {
      Application app = Application.start(cfg, Map.of(), vertx, new Metrics(registry));
      return new ClusterMember(name, vertx, app, registry);
    } catch (Exception e) {
      vertx.close();
      throw e;
    }
  }

  String url() {
    return app.url();
  }

  String instance() {
    return app.fleet.instanceId();
  }

  double gauge(String name) {
    var g = registry.find(name).gauge();
    return g == null ? Double.NaN : g.value();
  }

  /** A clean stop: drain, retire (its charges are taken over at once), leave the cluster. */
  @Override
  public void close() throws Exception {
    try {
      app.close();
    } finally {
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  static int freePort() throws java.io.IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
