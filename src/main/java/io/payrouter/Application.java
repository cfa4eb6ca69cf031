package io.payrouter;

import io.payrouter.api.Drain;
import io.payrouter.cluster.Fleet;
import io.payrouter.api.HttpApi;
import io.payrouter.console.Console;
import io.payrouter.console.ConsoleSessions;
import io.payrouter.charge.CardService;
import io.payrouter.charge.ChargeService;
import io.payrouter.charge.WebhookService;
import io.payrouter.merchant.MerchantService;
import io.payrouter.rules.LiveRouter;
import io.payrouter.rules.ProviderHealthView;
import io.payrouter.rules.RoutingAdmin;
import io.payrouter.rules.RulesSource;
import io.payrouter.config.ConfigLoader;
import io.payrouter.config.RouterConfig;
import io.payrouter.connector.Dispatcher;
import io.payrouter.metrics.Metrics;
import io.payrouter.common.Ids;
import io.payrouter.recovery.Heartbeat;
import io.payrouter.recovery.Reconciler;
import io.payrouter.simulator.SimulatorServer;
import io.payrouter.store.Database;
import io.payrouter.store.KeyRetention;
import io.payrouter.store.Store;
import io.payrouter.store.TokenCipher;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The router assembled: database, simulators (embedded default), connectors, routing, the charge
 * orchestrator, the reconciler and the HTTP API. {@link #start} blocks (PostgreSQL start-up and
 * Flyway) and must be called from a plain thread such as main, never from an event loop.
 */
public final class Application implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  public final RouterConfig config;
  public final Vertx vertx;
  public final Metrics metrics;
  public final SimulatorServer simulatorServer;
  public final Database database;
  public final Pool pool;
  public final Store store;
  public final Dispatcher dispatcher;
  public final RulesSource rules;
  public final ChargeService charges;
  public final Reconciler reconciler;
  public final io.payrouter.refund.RefundService refunds;
  public final io.payrouter.recovery.RefundReconciler refundReconciler;
  /** Delivers merchant webhooks from the outbox. */
  public final io.payrouter.webhook.Deliverer deliverer;
  public final io.payrouter.webhook.WebhookEndpoints webhookEndpoints;
  public final Heartbeat heartbeat;
  public final KeyRetention keyRetention;
  private final String deploymentId;
  private final int port;
  /** The SIGTERM gate in front of POST /v1/charges (see {@link #close}). */
  public final Drain drain;
  /** What this instance tells the other members, and hears from them. */
  public final Fleet fleet;

  private Application(RouterConfig config, Vertx vertx, Metrics metrics, SimulatorServer sims, Database database,
      Pool pool, Store store, Dispatcher dispatcher, RulesSource rules, ChargeService charges,
      Reconciler reconciler, Heartbeat heartbeat, KeyRetention keyRetention, String deploymentId, int port, Drain drain,
      Fleet fleet, io.payrouter.refund.RefundService refunds, io.payrouter.recovery.RefundReconciler refundReconciler,
      io.payrouter.webhook.Deliverer deliverer, io.payrouter.webhook.WebhookEndpoints webhookEndpoints) {
    this.deliverer = deliverer;
    this.webhookEndpoints = webhookEndpoints;
    this.fleet = fleet;
    this.refunds = refunds;
    this.refundReconciler = refundReconciler;
    this.config = config;
    this.vertx = vertx;
    this.metrics = metrics;
    this.simulatorServer = sims;
    this.database = database;
    this.pool = pool;
    this.store = store;
    this.dispatcher = dispatcher;
    this.rules = rules;
    this.charges = charges;
    this.reconciler = reconciler;
    this.heartbeat = heartbeat;
    this.keyRetention = keyRetention;
    this.deploymentId = deploymentId;
    this.port = port;
    this.drain = drain;
  }

  public int port() {
    return port;
  }

  public String url() {
    return "http://127.0.0.1:" + port;
  }

  /**
   * Starts everything from a config file. {@code env} overrides the process environment (tests pass
   * ports, data directories and keys this way).
   */
  public static Application start(Path configFile, Map<String, String> env, Vertx vertx, Metrics metrics)
      throws Exception {
    Function<String, String> envFn = name -> env.containsKey(name) ? env.get(name) : System.getenv(name);
    SimulatorServer sims = null;
    Map<String, String> resolved = new HashMap<>(env);
    if (ConfigLoader.simulatorsWanted(configFile, envFn)) {
      sims = new SimulatorServer(vertx, Psps.simulators());
      await(sims.start(ConfigLoader.simulatorsPort(configFile)));
      resolved.put("SIMULATOR_URL", sims.baseUrl());
      log.info("PSP simulators on {}", sims.baseUrl());
    }
    Function<String, String> withSims = name -> resolved.containsKey(name) ? resolved.get(name) : System.getenv(name);
    RouterConfig cfg = ConfigLoader.load(configFile, withSims, Psps.types());
    if (cfg.http().port() == 0) cfg = cfg.withHttpPort(freePort());
    for (String w : cfg.rehearsalWarnings()) log.warn("REHEARSAL: {}", w);

    // First: a provider its connector cannot use (ConfigException) stops the start before anything runs.
    metrics.providers(cfg.providers().keySet());
    Dispatcher dispatcher = new Dispatcher(vertx, cfg.providers().values(), Psps.connectors(), metrics);
    Database db = Database.start(cfg.database());
    try {
      try {
        db.migrate();
      } catch (RuntimeException e) {
        var c = db.connectOptions();
        throw StartFailure.database(c.getHost() + ":" + c.getPort() + "/" + c.getDatabase(), e);
      }
      TokenCipher cipher = TokenCipher.fromBase64(cfg.tokenKey() != null ? cfg.tokenKey() : embeddedTokenKey(cfg));
      Pool pool = db.pool(vertx, cfg.database().poolSize());
      Store store = new Store(vertx, pool, cipher, cfg.writer(), metrics);
      try {
        await(store.checkTokenKey());
      } catch (java.util.concurrent.ExecutionException e) {
        if (e.getCause() instanceof Store.TokenKeyMismatchException m) {
          throw new io.payrouter.config.ConfigException(List.of(m.getMessage()));
        }
        throw e;
      }
      String instanceId = Ids.next("inst_");
      RulesSource rules = new RulesSource(vertx, store, cfg.providers().keySet(), cfg.routingFile(), instanceId);
      rules.onFileRejected(metrics::routingFileRejected);
      await(rules.start(1_000));
      ProviderHealthView health = new ProviderHealthView(cfg.providers(), dispatcher,
          () -> rules.active().rules().healthWindowSeconds());
      health.applyAll(await(store.providerFlags()));
      for (String p : cfg.providers().keySet()) metrics.provider(p, () -> dispatcher.circuit(p), () -> health.enabled(p));
      io.payrouter.rules.ShadowRouting shadow = new io.payrouter.rules.ShadowRouting(metrics);
      io.payrouter.rules.CanaryRouting canary = new io.payrouter.rules.CanaryRouting(metrics);
      LiveRouter router = new LiveRouter(rules, health, shadow, canary);
      Heartbeat heartbeat = new Heartbeat(vertx, store, instanceId);
      await(heartbeat.start());
      if (db.embedded()) await(retirePrevious(store, cfg.database().dataDir(), instanceId));
      io.payrouter.webhook.Events events = new io.payrouter.webhook.Events(io.payrouter.api.Json::chargeJson,
          io.payrouter.api.Json::refund);
      events.subscribed(await(store.webhooks().subscribedMerchants()));
      ChargeService charges = new ChargeService(store, dispatcher, router, metrics, cfg.http().publicUrl(),
          cfg.http().maxChargesInFlight(), instanceId,
          cfg.recovery().processingGraceMs(), Math.min(cfg.recovery().intervalMs(), 2_000), events);
      MerchantService merchants = new MerchantService(store, cfg.adminKey(), cfg.production());
      for (RouterConfig.MerchantSeed m : cfg.merchants()) await(merchants.seed(m.id(), m.name(), m.apiKey()));
      Fleet fleet = fleet(vertx, cfg, instanceId, store, rules, health, dispatcher, merchants, charges, events, shadow, canary);
      CardService cards = new CardService(store, dispatcher, cardId -> {
        charges.forgetCard(cardId);
        fleet.cardDeleted(cardId);
      });
      RoutingAdmin routingAdmin = new RoutingAdmin(rules, health, router, cards, store, instanceId, fleet,
          new io.payrouter.rules.Backtests(vertx, store, rules, health));
      io.payrouter.rules.CanaryJudge judge = new io.payrouter.rules.CanaryJudge(store.canaries(), canary, rules,
          fleet::canaryCounts, metrics, instanceId, v -> {
            rules.catchUp(v);
            fleet.rulesInForce(v);
          });
      routingAdmin.canaryJudge(judge);
      vertx.setPeriodic(io.payrouter.rules.CanaryJudge.INTERVAL_MS, t -> judge.tick());
      rules.onInForce(fleet::rulesInForce);
      routingAdmin.onFlagChanged(fleet::providerChanged);
      merchants.onRevoked(fleet::keyRevoked);
      health.openElsewhere(fleet::openElsewhere);
      fleet.start();
      metrics.cluster(() -> fleet.view().members().stream().filter(m -> !m.silent()).count(), fleet::disagreeing);
      String openApiText = resource("/openapi.yaml");
      @SuppressWarnings("unchecked")
      JsonObject openApi = new JsonObject((Map<String, Object>) new Yaml(new SafeConstructor(new LoaderOptions())).load(openApiText));
      Reconciler reconciler = new Reconciler(vertx, store, dispatcher, charges, cfg.recovery(), heartbeat, metrics);
      io.payrouter.refund.RefundService refunds = new io.payrouter.refund.RefundService(vertx, store, dispatcher, charges,
          instanceId, cfg.recovery().processingGraceMs(), Math.min(cfg.recovery().intervalMs(), 2_000), events);
      io.payrouter.webhook.Deliverer deliverer = new io.payrouter.webhook.Deliverer(vertx, store, events, metrics,
          instanceId, cfg.webhooks());
      io.payrouter.webhook.WebhookEndpoints webhookEndpoints = new io.payrouter.webhook.WebhookEndpoints(
          store.webhooks(), events, fleet::webhookSubscribed);
      io.payrouter.recovery.RefundReconciler refundReconciler = new io.payrouter.recovery.RefundReconciler(vertx,
          store.refunds(), dispatcher, refunds, cfg.recovery(), heartbeat);
      Drain drain = new Drain();
      List<HttpApi.OperationsSurface> surfaces = new java.util.ArrayList<>();
      if (cfg.console().enabled()) {
        ConsoleSessions sessions = new ConsoleSessions(cfg.console().idleTimeoutMs(), cfg.console().absoluteTimeoutMs());
        vertx.setPeriodic(60_000, t -> sessions.purge());
        surfaces.add(new Console(sessions, merchants::isAdminKey));
      }
      HttpApi.Services services = new HttpApi.Services(charges, cards, new WebhookService(dispatcher, charges, store, metrics), merchants,
          routingAdmin, openApi, openApiText, metrics,
          () -> readiness(store, rules, drain, fleet), drain, cfg.rehearsalWarnings(), fleet, surfaces, refunds,
          webhookEndpoints, cfg.webhooks().allowHttp());
      RouterConfig fcfg = cfg;
      String deploymentId;
      try {
        deploymentId = await(vertx.deployVerticle(() -> new HttpApi(services, fcfg.http().host(), fcfg.http().port()),
            new DeploymentOptions().setInstances(cfg.http().instances())));
      } catch (java.util.concurrent.ExecutionException e) {
        throw StartFailure.http(cfg.http().host(), cfg.http().port(), e.getCause());
      }
      reconciler.start();
      refundReconciler.start();
      deliverer.start();
      KeyRetention keyRetention = new KeyRetention(vertx, store, cfg.idempotency(), metrics);
      keyRetention.start();
      return new Application(cfg, vertx, metrics, sims, db, pool, store, dispatcher, rules, charges, reconciler,
          heartbeat, keyRetention, deploymentId, cfg.http().port(), drain, fleet, refunds, refundReconciler, deliverer,
          webhookEndpoints);
    } catch (Exception | Error e) {
      // Leave nothing running behind a failed start (the embedded PostgreSQL above all).
      try {
        db.close();
      } catch (Exception closeFailure) {
        e.addSuppressed(closeFailure);
      }
      throw e;
    }
  }

  /**
   * The fleet and what this instance does with what it hears: load a newer rules version, re-read
   * the provider flags, evict a revoked key or a deleted card, merge another member's PSP counts.
   */
  private static Fleet fleet(Vertx vertx, RouterConfig cfg, String instanceId, Store store, RulesSource rules,
      ProviderHealthView health, Dispatcher dispatcher, MerchantService merchants, ChargeService charges,
      io.payrouter.webhook.Events events, io.payrouter.rules.ShadowRouting shadow, io.payrouter.rules.CanaryRouting canary) {
    java.util.concurrent.atomic.AtomicBoolean reading = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicLong lastRead = new java.util.concurrent.atomic.AtomicLong();
    Fleet.Local local = new Fleet.Local() {
      @Override
      public long rulesVersion() {
        RulesSource.Active a = rules.active();
        return a == null ? 0 : a.rules().version();
      }

      @Override
      public Map<String, Boolean> providerFlags() {
        return health.flags();
      }

      @Override
      public List<String> openCircuits() {
        return health.names().stream().filter(dispatcher::circuitOpen).sorted().toList();
      }

      @Override
      public Map<String, io.payrouter.routing.ProviderStats.Second> healthSecond(long epochSecond) {
        Map<String, io.payrouter.routing.ProviderStats.Second> m = new HashMap<>();
        for (String p : health.names()) health.localSecond(p, epochSecond).ifPresent(s -> m.put(p, s));
        return m;
      }

      @Override
      public io.vertx.core.json.JsonObject shadowCounts() {
        return shadow.counts();
      }

      @Override
      public io.vertx.core.json.JsonObject canaryCounts() {
        return canary.counts();
      }
    };
    Fleet.Listener listener = new Fleet.Listener() {
      @Override
      public void rulesInForce(long version) {
        rules.catchUp(version);
      }

      @Override
      public void providerFlagsDiffer() {
        long now = System.currentTimeMillis();
        // at most one read in flight and one a second: the beacons repeat every half second
        if (now - lastRead.get() < 1_000 || !reading.compareAndSet(false, true)) return;
        lastRead.set(now);
        store.providerFlags().onComplete(ar -> {
          reading.set(false);
          if (ar.succeeded()) health.applyAll(ar.result());
        });
      }

      @Override
      public void providerChanged(String provider, boolean enabled) {
        health.apply(provider, enabled);
      }

      @Override
      public void keyRevoked(String keyHashHex) {
        merchants.evict(keyHashHex);
      }

      @Override
      public void cardDeleted(String cardId) {
        charges.forgetCard(cardId);
      }

      @Override
      public void webhookSubscribed(String merchantId) {
        events.subscribe(merchantId);
      }

      @Override
      public void health(String provider, io.payrouter.routing.ProviderStats.Second second) {
        health.merge(provider, second);
      }
    };
    Fleet fleet = new Fleet(vertx, instanceId, cfg.http().publicUrl(), local, listener);
    // PostgreSQL is the truth, the event bus only the fast path: a member cut off from the others
    // (paused past Hazelcast's heartbeat timeout, so split from the cluster until it merges back),
    // or one that lost a message, still picks up the newest rules and provider flags from the
    // database within this period.
    // Revoked keys too: each check asks for the keys revoked since the previous one (by the
    // database's clock) and drops them from the key cache.
    java.util.concurrent.atomic.AtomicBoolean checking = new java.util.concurrent.atomic.AtomicBoolean();
    java.util.concurrent.atomic.AtomicReference<java.time.OffsetDateTime> revokedSince =
        new java.util.concurrent.atomic.AtomicReference<>();
    vertx.setPeriodic(DATABASE_CHECK_MS, DATABASE_CHECK_MS, t -> {
      if (!checking.compareAndSet(false, true)) return;
      store.latestRoutingVersion().onSuccess(rules::catchUp)
          .compose(v -> store.providerFlags()).onSuccess(health::applyAll)
          .compose(v -> store.keysRevokedSince(revokedSince.get())).onSuccess(r -> {
            r.keyHashesHex().forEach(merchants::evict);
            revokedSince.set(r.until());
          })
          .compose(v -> store.webhooks().subscribedMerchants()).onSuccess(events::subscribed)
          .compose(v -> store.shadowIfNot(shadow.generation())).onSuccess(row -> shadowCheck(rules, shadow, row))
          .compose(v -> store.canaries().running()).onSuccess(row -> canaryCheck(rules, canary, row))
          .onComplete(ar -> checking.set(false));
    });
    return fleet;
  }

  /**
   * Shadow routing rules as stored, against the ones here: a newer generation is validated with
   * this instance's providers and installed (rules this instance cannot run are logged once and
   * left out: its counts then show the older generation, or none), a removed one is removed.
   */
  private static void shadowCheck(RulesSource rules, io.payrouter.rules.ShadowRouting shadow,
      java.util.Optional<Store.ShadowRow> row) {
    if (row.isEmpty()) {
      shadow.remove(0);
      return;
    }
    Store.ShadowRow r = row.get();
    if (r.generation() == shadow.generation() || r.rules() == null || r.generation() == shadow.refused()) return;
    try {
      RulesSource.Proposed p = rules.validate(r.rules().getMap());
      shadow.install(new io.payrouter.rules.ShadowRouting.Installed(r.generation(), p.rules(), p.document(),
          r.installedAt(), r.installedBy()));
      log.info("shadow routing rules generation {} in force (installed by {})", r.generation(), r.installedBy());
    } catch (io.payrouter.domain.InvalidRoutingRulesException e) {
      shadow.refuse(r.generation());
      log.error("shadow routing rules generation {} do not validate on this instance: {}", r.generation(), e.getMessage());
    }
  }

  /**
   * The routing canary as stored, against the one running here: a new one is validated with this
   * instance's providers and run (one it cannot run is logged once and left out: its charges all
   * stay on the rules in force), an ended one is stopped here.
   */
  private static void canaryCheck(RulesSource rules, io.payrouter.rules.CanaryRouting canary,
      java.util.Optional<io.payrouter.store.CanaryStore.Canary> row) {
    if (row.isEmpty()) {
      canary.remove(0);
      return;
    }
    io.payrouter.store.CanaryStore.Canary c = row.get();
    if (c.generation() == canary.generation() || c.generation() == canary.refused()) return;
    try {
      RulesSource.Proposed p = rules.validate(c.rules().getMap());
      canary.install(new io.payrouter.rules.CanaryRouting.Running(c.generation(), p.rules().withVersion(c.baseVersion()),
          p.document(), io.payrouter.rules.RoutingAdmin.plan(c.plan()), c.hashBy(), c.baseVersion(), c.startedAt(),
          c.endsAt(), c.startedBy()));
      log.info("routing canary {} running here (started by {})", c.generation(), c.startedBy());
    } catch (io.payrouter.domain.InvalidRoutingRulesException e) {
      canary.refuse(c.generation());
      log.error("routing canary {}: its rules do not validate on this instance: {}", c.generation(), e.getMessage());
    }
  }

  /**
   * How often an instance checks the database for rules, provider flags and key revocations it may
   * have missed (three small queries each time).
   */
  static final long DATABASE_CHECK_MS = 500;

  /**
   * The embedded default runs one router per data directory: the instance that ran here before
   * has stopped (its PostgreSQL was this one), so its unsettled charges are taken over at once
   * instead of after its heartbeat times out. Blocking file access: called from start, off the
   * event loop.
   */
  private static Future<Void> retirePrevious(Store store, Path dataDir, String instanceId) throws IOException {
    Path f = dataDir.resolve("instance.id");
    String previous = Files.exists(f) ? Files.readString(f, StandardCharsets.US_ASCII).trim() : "";
    Files.writeString(f, instanceId, StandardCharsets.US_ASCII);
    if (previous.isEmpty() || previous.equals(instanceId)) return Future.succeededFuture();
    log.info("taking over the unsettled charges of {}, the router that ran on this data directory before", previous);
    return store.retire(previous);
  }

  /**
   * Ready means able to take charges now: not shutting down, routing rules loaded, in a fleet not
   * stuck on older rules than another member, no write queue over capacity, and the database
   * answers (a ping within 1 s, and no transient failure seen since). Each check says what it saw.
   */
  private static Future<io.payrouter.api.Readiness> readiness(Store store, RulesSource rules, Drain drain, Fleet fleet) {
    List<io.payrouter.api.Readiness.Check> checks = new java.util.ArrayList<>();
    checks.add(drain.draining()
        ? new io.payrouter.api.Readiness.Check("shutdown", false, "shutting down: draining the charges in flight")
        : new io.payrouter.api.Readiness.Check("shutdown", true, "not shutting down"));
    RulesSource.Active a = rules.active();
    checks.add(a == null ? new io.payrouter.api.Readiness.Check("routing_rules", false, "routing rules not loaded")
        : new io.payrouter.api.Readiness.Check("routing_rules", true, "version " + a.rules().version() + " in force ("
            + (RulesSource.isFile(a.source()) ? "file" : a.source()) + ")"));
    java.util.Optional<String> member = fleet.readinessProblem();
    checks.add(member.map(m -> new io.payrouter.api.Readiness.Check("cluster", false, m))
        .orElseGet(() -> new io.payrouter.api.Readiness.Check("cluster", true, fleet.clustered()
            ? "in the cluster; rules version in line with every member heard" : "not clustered (one instance)")));
    int backlog = store.writeBacklog();
    boolean accepting = store.acceptingCharges();
    boolean dbUp = store.health().isUp();
    checks.add(new io.payrouter.api.Readiness.Check("write_queues", accepting || !dbUp,
        accepting ? backlog + " row(s) waiting to be written" : dbUp ? "write backlog over capacity (" + backlog + " rows)"
            : backlog + " row(s) waiting for the database"));
    long t0 = System.nanoTime();
    return store.ping().timeout(1, TimeUnit.SECONDS).transform(ar -> {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (ar.succeeded() && store.health().isUp()) {
        checks.add(new io.payrouter.api.Readiness.Check("database", true, "answered in " + ms + " ms"));
      } else {
        checks.add(new io.payrouter.api.Readiness.Check("database", false, "database unavailable"
            + (ar.failed() ? ": " + (ar.cause() instanceof java.util.concurrent.TimeoutException ? "no answer within 1 s"
                : ar.cause().getMessage()) : ": a transient failure was seen since the last success")));
      }
      return Future.succeededFuture(new io.payrouter.api.Readiness(checks));
    });
  }


  /** The embedded default keeps a generated AES key beside its data, so restarts can decrypt. */
  private static String embeddedTokenKey(RouterConfig cfg) throws IOException {
    Path f = cfg.database().dataDir().resolve("token.key");
    if (Files.exists(f)) return Files.readString(f, StandardCharsets.US_ASCII).trim();
    Files.createDirectories(f.getParent());
    String k = TokenCipher.newKeyBase64();
    Files.writeString(f, k, StandardCharsets.US_ASCII);
    try {
      Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    } catch (UnsupportedOperationException ignored) {
      // not a POSIX file system
    }
    return k;
  }

  private static String resource(String name) throws IOException {
    try (InputStream in = Application.class.getResourceAsStream(name)) {
      if (in == null) throw new IOException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /**
   * The drain (what SIGTERM runs, through Main's shutdown hook): readiness turns DOWN and new
   * charge requests get 503 at once (nothing charged); the charge requests already in flight get
   * up to {@code http.drain_timeout_ms} to be answered; then the reconciler and the HTTP API stop,
   * the batching writers flush (outcomes become durable), this instance retires its heartbeat (so
   * another instance takes over anything it leaves unsettled at once, not after the owner
   * timeout), and the pool, the simulators and the database stop. Every step is bounded. Blocking:
   * never call it on an event loop.
   */
  @Override
  public void close() throws Exception {
    long t0 = System.nanoTime();
    drain.begin();
    long limit = config.http().drainTimeoutMs();
    int waiting = drain.inFlight();
    if (waiting > 0) log.info("draining: {} charge request(s) in flight, waiting up to {} ms", waiting, limit);
    long end = System.nanoTime() + limit * 1_000_000;
    while (drain.inFlight() > 0 && System.nanoTime() < end) Thread.sleep(20);
    int left = drain.inFlight();
    if (left > 0) {
      log.warn("drain timeout ({} ms): {} charge request(s) still unanswered; stopping anyway (their charges are"
          + " processing and owned here: another instance takes them over once this one retires)", limit, left);
    }
    reconciler.stop();
    refundReconciler.stop();
    step("finish the webhook attempts in flight", deliverer::close, config.webhooks().timeoutMs() + 2_000);
    keyRetention.stop();
    fleet.stop();
    rules.stop();
    step("undeploy the HTTP API", () -> vertx.undeploy(deploymentId), 10_000);
    step("flush the write queues", store::closeWriters, 15_000);
    int unwritten = store.writeBacklog();
    if (unwritten > 0) log.error("{} row(s) still in the write queues at shutdown (the database did not take them)", unwritten);
    step("release the webhook deliveries held here", deliverer::releaseLeases, 5_000);
    step("retire this instance", heartbeat::stop, 5_000);
    step("close the pool", pool::close, 5_000);
    if (simulatorServer != null) step("stop the simulators", simulatorServer::close, 5_000);
    database.close();
    log.info("stopped in {} ms (drained {} request(s), {} left unanswered)", (System.nanoTime() - t0) / 1_000_000,
        waiting - left, left);
  }

  /** One bounded shutdown step: a failure or a timeout is logged and the shutdown goes on. */
  private static void step(String what, java.util.function.Supplier<Future<?>> action, long timeoutMs) {
    try {
      action.get().toCompletionStage().toCompletableFuture().get(timeoutMs, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.TimeoutException e) {
      log.warn("shutdown: {}: not done within {} ms; going on", what, timeoutMs);
    } catch (Exception e) {
      log.warn("shutdown: {}: {}", what, e.toString());
    }
  }
}
