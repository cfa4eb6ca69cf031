package io.payrouter;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.cluster.Clustering;
import io.payrouter.config.ConfigException;
import io.payrouter.config.ConfigLoader;
import io.payrouter.config.RouterConfig;
import io.payrouter.metrics.Metrics;
import io.payrouter.simulator.SimCredentials;
import io.payrouter.simulator.SimulatorServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.micrometer.MicrometerMetricsFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;

/**
 * {@code java -jar payment-router.jar [--config FILE] [--port N]} runs the router (the embedded
 * default unless the config names a database); {@code java -jar payment-router.jar simulators
 * --port N [--credentials FILE]} runs only the five PSP simulators, accepting the credentials of
 * FILE (see {@link SimCredentials#parse}) instead of the built-in defaults.
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) throws Exception {
    System.setProperty("vertx.disableDnsResolver", "true");
    Map<String, String> env = new HashMap<>();
    String config = System.getenv().getOrDefault("ROUTER_CONFIG", "config/router.yaml");
    boolean simulatorsOnly = false;
    int simPort = 8099;
    String simCredentials = null;
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "simulators" -> simulatorsOnly = true;
        case "--credentials" -> simCredentials = value(args, ++i, "--credentials");
        case "--config" -> config = value(args, ++i, "--config");
        case "--cluster" -> env.put("ROUTER_CLUSTER_ENABLED", "true");
        case "--port" -> {
          String p = value(args, ++i, "--port");
          env.put("ROUTER_PORT", p);
          simPort = Integer.parseInt(p);
        }
        case "-h", "--help" -> {
          System.out.println("usage: payment-router [--config FILE] [--port N] [--cluster] | simulators [--port N] [--credentials FILE]");
          return;
        }
        default -> fail("unknown argument: " + args[i]);
      }
    }
    if (simCredentials != null && !simulatorsOnly) fail("--credentials is an option of the simulators subcommand");
    // Before the first logger exists: logback reads its configuration once.
    if (!simulatorsOnly && "json".equals(ConfigLoader.logFormat(Path.of(config),
        n -> env.containsKey(n) ? env.get(n) : System.getenv(n)))) {
      System.setProperty("logback.configurationFile", "logback-json.xml");
    }
    if (simulatorsOnly) {
      // Read before Vert.x serves: a bad file stops here with one line and exit code 2.
      SimCredentials credentials = SimCredentials.DEFAULTS;
      if (simCredentials != null) {
        try {
          credentials = SimCredentials.load(Path.of(simCredentials));
        } catch (java.nio.file.NoSuchFileException e) {
          fail("credentials file not found: " + Path.of(simCredentials).toAbsolutePath());
        } catch (java.io.IOException e) {
          fail("cannot read credentials file " + simCredentials + ": " + e);
        } catch (IllegalArgumentException e) {
          fail(e.getMessage());
        }
      }
      Vertx vertx = Vertx.vertx();
      SimulatorServer sims = new SimulatorServer(vertx, Psps.simulators(), credentials);
      sims.start(simPort).toCompletionStage().toCompletableFuture().get();
      System.out.println("PSP simulators listening on " + sims.baseUrl() + " (/" + String.join(", /", Psps.types())
          + "; control API under /_sim)" + (simCredentials == null ? "" : "; credentials from " + simCredentials));
      long heapMb = Runtime.getRuntime().maxMemory() >> 20;
      System.out.println("each PSP keeps its last " + io.payrouter.simulator.Ledger.DEFAULT_CAPACITY
          + " payments (-Dsim.ledgerCapacity); heap limit " + heapMb + " MB");
      if (heapMb > 1024) {
        // Under a load test the JVM grows its heap towards this limit (5 GB seen with the default
        // of a quarter of RAM) although what the simulators keep fits in about 200 MB.
        System.out.println("hint: run the simulators with -Xmx256m (java -Xmx256m -jar ... simulators):"
            + " without it this process may grow to " + heapMb + " MB under load");
      }
      return;
    }
    Path configFile = Path.of(config);
    if (!Files.exists(configFile)) fail("config file not found: " + configFile.toAbsolutePath());
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    VertxOptions options = new VertxOptions().setMetricsOptions(Metrics.vertxMetricsOptions())
        .setEventLoopPoolSize(ConfigLoader.eventLoops(configFile))
        // Linux epoll when its native library loads (it ships in the jar); NIO otherwise, or
        // with -Drouter.nativeTransport=false.
        .setPreferNativeTransport(!"false".equals(System.getProperty("router.nativeTransport")));
    java.util.function.Function<String, String> envFn = n -> env.containsKey(n) ? env.get(n) : System.getenv(n);
    RouterConfig.Cluster cluster = ConfigLoader.cluster(configFile, envFn);
    if (cluster.enabled() && !ConfigLoader.isProduction(configFile, envFn)) {
      fail("cluster.enabled: clustered mode needs an external PostgreSQL (database.url or ROUTER_DATABASE_URL);"
          + " the embedded database belongs to one process");
    }
    Vertx vertx;
    if (cluster.enabled()) {
      // Joins the members before anything else starts: readiness stays DOWN (nothing listens)
      // until this instance is in the cluster and has loaded the shared state.
      try {
        vertx = Clustering.start(Vertx.builder().withMetrics(new MicrometerMetricsFactory(registry)), options, cluster)
            .toCompletionStage().toCompletableFuture().get(120, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        fail("could not join the cluster " + cluster.members() + " on " + cluster.host() + ":" + cluster.port()
            + ": " + (e.getCause() != null ? e.getCause() : e));
        return;
      }
    } else {
      vertx = Vertx.builder().with(options).withMetrics(new MicrometerMetricsFactory(registry)).build();
    }
    long t0 = System.nanoTime();
    Application app;
    try {
      app = Application.start(configFile, env, vertx, new Metrics(registry));
    } catch (ConfigException e) {
      vertx.close();
      fail(e.getMessage());
      return;
    } catch (Throwable e) {
      // A router that cannot start must say so and exit non-zero at once, so a supervisor restarts
      // it; Vert.x's threads would otherwise keep a half-started process alive. One line that
      // names what failed; the stack trace only when asked (ROUTER_DEBUG=true).
      Throwable shown = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      System.err.println("payment-router: could not start: " + (shown instanceof StartFailure ? shown.getMessage()
          : shown.getClass().getSimpleName() + ": " + shown.getMessage()));
      if ("true".equals(envFn.apply("ROUTER_DEBUG"))) {
        shown.printStackTrace(System.err);
      } else {
        System.err.println("payment-router: (ROUTER_DEBUG=true prints the stack trace)");
      }
      Runtime.getRuntime().halt(1);
      return;
    }
    // SIGTERM drains (Application#close): readiness DOWN and new charges refused at once, charges
    // in flight answered and durable within http.drain_timeout_ms, then everything stops.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        app.close();
      } catch (Exception e) {
        System.err.println("shutdown: " + e);
      }
    }, "shutdown"));
    RouterConfig c = app.config;
    StringBuilder banner = new StringBuilder()
        .append("\nPayment router ready on http://").append("0.0.0.0".equals(c.http().host()) ? "127.0.0.1" : c.http().host())
        .append(':').append(app.port()).append(" in ").append((System.nanoTime() - t0) / 1_000_000).append(" ms")
        .append(c.production() ? " (production mode: external PostgreSQL)" : " (embedded PostgreSQL, data in " + c.database().dataDir() + ")")
        .append('\n');
    for (String w : c.rehearsalWarnings()) banner.append("  REHEARSAL:          ").append(w).append('\n');
    if (app.simulatorServer != null) banner.append("  PSP simulators:     ").append(app.simulatorServer.baseUrl()).append('\n');
    if (!c.production()) {
      for (RouterConfig.MerchantSeed m : c.merchants()) {
        if (RouterConfig.DEMO_MERCHANT_KEY.equals(m.apiKey())) {
          banner.append("  demo merchant key:  ").append(m.apiKey()).append("   (merchant '").append(m.id()).append("')\n");
        }
      }
      if (RouterConfig.DEMO_ADMIN_KEY.equals(c.adminKey())) banner.append("  admin key:          ").append(c.adminKey()).append('\n');
    }
    banner.append("  API contract:       http://127.0.0.1:").append(app.port()).append("/openapi.yaml\n");
    if (c.console().enabled()) banner.append("  SRE console:        http://127.0.0.1:").append(app.port()).append("/console (admin key)\n");
    banner.append("  network transport:  ").append(vertx.isNativeTransportEnabled() ? "native (epoll)" : "NIO").append('\n');
    System.out.println(banner);
  }

  private static String value(String[] args, int i, String flag) {
    if (i >= args.length) fail(flag + " needs a value");
    return args[i];
  }

  private static void fail(String message) {
    System.err.println("payment-router: " + message);
    System.exit(2);
  }
}
