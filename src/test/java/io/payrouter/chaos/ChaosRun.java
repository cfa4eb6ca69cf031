package io.payrouter.chaos;

import io.payrouter.Psps;
import io.payrouter.chaos.ChaosPlan.Event;
import io.payrouter.chaos.Verifier.Kind;
import io.payrouter.chaos.Verifier.Row;
import io.payrouter.chaos.Verifier.Verdict;
import io.payrouter.chaos.Verifier.Violation;
import io.payrouter.simulator.InjectedFaults;
import io.payrouter.simulator.Ledger;
import io.payrouter.simulator.SimulatorServer;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The money-safety chaos suite's engine. One run:
 *
 * <ol>
 *   <li>starts the five PSP simulators in this JVM (their ledgers outlive the router), and the
 *       router as a child process on its embedded PostgreSQL under {@code target/chaos-<ts>/};</li>
 *   <li>turns on every fault mode at every PSP, and lets {@code clients} merchants make
 *       {@code charges} charges, retrying like real merchants (same Idempotency-Key);</li>
 *   <li>meanwhile follows the plan's timeline: a PSP {@code down}, PostgreSQL restarts
 *       ({@code pg_ctl stop -m fast|immediate}, then start on the same port), a SIGKILL of the
 *       router and its restart; after each PostgreSQL restart it measures how long the router takes
 *       to accept a fresh charge once PostgreSQL answers again;</li>
 *   <li>waits until nothing is pending (bounded), then checks every charge against the PSP
 *       ledgers, the router's API and its database ({@link Verifier});</li>
 *   <li>throughout, a merchant webhook endpoint (all event types) points at a receiver in this JVM
 *       ({@link WebhookReceiver}, loopback, a 500 to the first attempt of every
 *       {@link #WEBHOOK_FAIL_EVERY}th event); at the end the suite waits (bounded) for the outbox to
 *       empty and checks that every final charge and refund was delivered and received at least
 *       once, signed, in order per charge, and never by two senders at once;</li>
 *   <li>prints the figures, writes them to {@code summary.txt}, and fails on any violation.</li>
 * </ol>
 * Loopback only; every wait is bounded and the whole run stops by itself within the plan's deadline.
 * {@code main} runs the full plan ({@code load-tests/chaos.sh}); {@code ChaosSuiteTest} the CI plan.
 */
public final class ChaosRun {
  static final String MERCHANT_KEY = "sk_test_chaos_merchant_key";
  static final String ADMIN_KEY = "admin_test_chaos_admin_key";
  /** Kept free at the end of the deadline for reading back, verifying and stopping everything. */
  private static final long RESERVE_MS = 45_000;

  /**
   * The fleet's routers share two cores with each other, the simulators and PostgreSQL: smaller
   * heaps, the serial collector and C1 only (start-up and restarts cost a third of the CPU; the
   * chaos load is far below what either compiler limits).
   */
  static final List<String> FLEET_JVM = List.of("-Xms64m", "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1");
  /** Added to every PSP call in the fleet plans (the single plans: 3 ms). */
  static final long FLEET_PSP_LATENCY_MS = 60;
  /** The fleet's http.drain_timeout_ms (the SIGTERM bound is this + 20 s). */
  static final long DRAIN_TIMEOUT_MS = 10_000;

  private ChaosPlan plan;
  private final Path out;
  private final PrintStream console;
  /** The command that ran this (printed in the summary). */
  private String command = "(not given)";
  // The topology: one router on its embedded PostgreSQL, or a fleet behind HAProxy on one PostgreSQL.
  private final List<RouterProcess> routers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private final List<Thread> resumers = new java.util.concurrent.CopyOnWriteArrayList<>();
  private volatile PgControl pg;
  private volatile Haproxy lb;
  /** The fleet's non-default simulator credentials (the routers' provider blocks use the same); null: the defaults. */
  private io.payrouter.simulator.SimCredentials fleetCredentials;
  private SimulatorServer sims;
  /** The merchant's webhook receiver (in this JVM, loopback). */
  private WebhookReceiver receiver;
  /** Where merchants and webhooks go: the router, or HAProxy. */
  private String url;
  private JsonObject activeFaults;
  /** The fleet's PostgreSQL as started (closed at the end, so its own exit hook has nothing left to stop). */
  private io.zonky.test.db.postgres.embedded.EmbeddedPostgres externalPg;
  private final Map<String, List<JsonObject>> ledgerDetail = new HashMap<>();
  private final List<String> timeline = java.util.Collections.synchronizedList(new ArrayList<>());
  private long t0;
  /** {@code --ha}: the fleet's PostgreSQL is the Patroni tier (two nodes, synchronous replication) behind HAProxy. */
  private boolean haTier;
  private volatile PatroniTier tier;
  /** The Patroni node the last {@code PG_NODE_KILL} took away (started again by {@code PG_REJOIN}). */
  private volatile PatroniTier.Node lostNode;
  /** {@code --cluster}: the routers form a Vert.x cluster on Hazelcast (cluster.enabled). */
  private boolean clustered;
  private final List<Integer> hazelcastPorts = new ArrayList<>();
  private final List<SharedChanges.Propagation> propagations = java.util.Collections.synchronizedList(new ArrayList<>());
  /** {@code --throughput}: after the verdict, wrk through one instance and through all, side by side. */
  private boolean throughput;
  /** The propagation bound of the issue: a shared change is in force on every member within this. */
  static final long SHARED_BOUND_MS = 1_000;
  /** The throughput phase's bound (added to the watchdog's). */
  private static final long THROUGHPUT_BUDGET_MS = 200_000;

  public ChaosRun(ChaosPlan plan, Path out, PrintStream console) {
    this.plan = plan;
    this.out = out;
    this.console = console;
  }

  ChaosRun ha(boolean on) {
    this.haTier = on;
    return this;
  }

  ChaosRun clustered(boolean on) {
    this.clustered = on;
    return this;
  }

  ChaosRun throughput(boolean on) {
    this.throughput = on;
    return this;
  }

  /** The command line to print in the summary (so a run can be repeated). */
  ChaosRun command(String c) {
    this.command = c;
    return this;
  }

  /** The verdict, the printed summary and where the run's files are. */
  record Result(Verdict verdict, String summary, Path out) {
    boolean ok() {
      return verdict.ok();
    }
  }

  static Path defaultOut(String plan) {
    return Path.of("target", "chaos-" + LocalDateTime.now().format(DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"))
        + "-" + plan).toAbsolutePath();
  }

  public static void main(String[] args) throws Exception {
    boolean fleet = false;
    boolean shortRun = false;
    boolean ha = false;
    boolean cluster = false;
    boolean throughput = false;
    for (String a : args) {
      fleet |= a.equals("--fleet");
      shortRun |= a.equals("--ci") || a.equals("--short");
      ha |= a.equals("--ha");
      cluster |= a.equals("--cluster");
      throughput |= a.equals("--throughput");
    }
    fleet |= cluster;
    ChaosPlan plan = fleet ? (shortRun ? ChaosPlan.fleetCi() : ChaosPlan.fleet()) : ha ? ChaosPlan.ha()
        : shortRun ? ChaosPlan.ci() : ChaosPlan.full();
    if (fleet && ha) plan = plan.onHaTier();
    if (cluster) plan = plan.withSharedChanges(1);
    if ((fleet || ha) && Haproxy.binary() == null) {
      System.err.println("chaos --fleet, --cluster and --ha need haproxy (apt-get install -y haproxy)");
      System.exit(2);
    }
    if (ha && !PatroniTier.installed()) {
      System.err.println("--ha needs Patroni, etcd and PostgreSQL 15: " + PatroniTier.missing());
      System.exit(2);
    }
    if (throughput && FleetThroughput.wrk() == null) {
      System.err.println("--throughput needs wrk (apt-get install -y wrk)");
      System.exit(2);
    }
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--ci", "--short", "--fleet", "--ha", "--cluster", "--throughput" -> { }
        case "--instances" -> plan = plan.withInstances(Integer.parseInt(args[++i]));
        case "--charges" -> plan = plan.withCharges(Integer.parseInt(args[++i]), plan.clients());
        case "--clients" -> plan = plan.withCharges(plan.charges(), Integer.parseInt(args[++i]));
        case "--without" -> {
          String what = args[++i].toLowerCase(Locale.ROOT);
          plan = what.equals("late") ? plan.withoutLate() : plan.without(Event.Type.valueOf(what.toUpperCase(Locale.ROOT)));
        }
        default -> {
          System.err.println("usage: chaos.sh [--fleet] [--cluster] [--ha] [--throughput] [--instances N] [--short]"
              + " [--charges N] [--clients N]"
              + " [--without psp_down|pg_restart|router_kill|router_stop|router_term|late]"
              + "\n  --without is for diagnosis only: a run without part of the chaos does not prove the issue's claims");
          System.exit(2);
        }
      }
    }
    Result r;
    try {
      r = new ChaosRun(plan, defaultOut(plan.name()), System.out).ha(ha).clustered(cluster).throughput(throughput && fleet)
          .command("load-tests/chaos.sh" + (args.length == 0 ? "" : " " + String.join(" ", args))).run(true);
    } catch (Exception e) {
      System.err.println("chaos run could not be carried out: " + e);
      e.printStackTrace();
      System.exit(2);
      return;
    }
    System.exit(r.ok() ? 0 : 1);
  }

  private void say(String s) {
    console.println("[chaos " + (t0 == 0 ? "setup" : String.format(Locale.ROOT, "%6.1fs", (now() - t0) / 1000.0))
        + "] " + s);
    console.flush();
  }

  private void event(String s) {
    timeline.add(String.format(Locale.ROOT, "%7.1f s  %s", (now() - t0) / 1000.0, s));
    say(s);
  }

  private static long now() {
    return System.currentTimeMillis();
  }

  static <T> T await(Future<T> f, long ms) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(Math.max(1, ms), TimeUnit.MILLISECONDS);
  }

  /** Runs the plan. {@code haltOnDeadline}: a watchdog halts this JVM if the run overstays (main only). */
  Result run(boolean haltOnDeadline) throws Exception {
    long startedAt = now();
    long deadline = startedAt + plan.deadlineMs();
    Files.createDirectories(out);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2)
        .setBlockedThreadCheckInterval(2_000));
    // A PayCore invoice whose sale never arrived (lost to a fault) stays process_pending until it
    // expires: the router rightly waits for that. Its lifetime is a PayCore account setting; it is
    // set below the grace period here, so such charges can settle within the suite's bound.
    List<io.payrouter.simulator.SimulatedPsp> simulators = new java.util.ArrayList<>();
    for (io.payrouter.simulator.SimulatedPsp p : Psps.simulators()) {
      simulators.add(p.name().equals("paycore")
          ? new io.payrouter.simulator.paycore.PayCoreSimulator(Math.max(1_000, plan.graceMs() - 2 * plan.intervalMs())) : p);
    }
    boolean fleet = plan.isFleet();
    // The fleet runs in production mode, which refuses the simulators' built-in credentials: the
    // simulators accept only this run's random ones, and the routers' provider blocks carry them.
    fleetCredentials = fleet ? randomCredentials() : null;
    if (fleetCredentials != null) {
      Files.writeString(out.resolve("simulator-credentials.yaml"), credentialsYaml(fleetCredentials));
      sims = new SimulatorServer(vertx, simulators, fleetCredentials);
    } else {
      sims = new SimulatorServer(vertx, simulators);
    }
    await(sims.start(0), 10_000);
    receiver = await(new WebhookReceiver(vertx, WEBHOOK_FAIL_EVERY).start(), 5_000);
    Path dataDir = out.resolve("data");
    Files.writeString(out.resolve("routing.yaml"), routingYaml());
    int lbPort = fleet ? freePort() : -1;
    if (!fleet) {
      int port = freePort();
      url = "http://127.0.0.1:" + port;
      Path config = out.resolve("router.yaml");
      Files.writeString(config, routerYaml(dataDir, port, sims.baseUrl(), plan));
      routers.add(new RouterProcess(config, out, url));
      pg = new PgControl(dataDir.resolve("pg"), out.resolve("postgres.log"));
    } else {
      url = "http://127.0.0.1:" + lbPort;
      pg = new PgControl(out.resolve("pg"), out.resolve("postgres.log"));
      if (haTier) {
        tier = PatroniTier.start(out.resolve("ha"), this::say, 120_000);
        pgPortValue = tier.port();
      }
      String tokenKey = io.payrouter.store.TokenCipher.newKeyBase64();
      for (int i = 0; i < plan.instances(); i++) hazelcastPorts.add(freePort());
      for (int i = 0; i < plan.instances(); i++) {
        int port = freePort();
        String name = "r" + (i + 1);
        Path config = out.resolve(name + ".yaml");
        // The last instance takes the rehearsal setting from the environment, the others from the file.
        boolean viaEnv = i == plan.instances() - 1;
        Files.writeString(config, fleetRouterYaml(port, url, pgPort(), tokenKey, sims.baseUrl(), plan, !viaEnv)
            + clusterYaml(i));
        routers.add(new RouterProcess(config, out, "http://127.0.0.1:" + port, name,
            viaEnv ? Map.of(io.payrouter.config.ConfigLoader.ALLOW_LOOPBACK_ENV, "true") : Map.of(), FLEET_JVM));
      }
    }
    String runId = Long.toString(startedAt, 36);
    Traffic traffic = new Traffic(vertx, url, MERCHANT_KEY, plan, runId);
    Verifier.Input in = new Verifier.Input();
    in.settleBoundMs = plan.settleBoundMs();
    in.recoveryBoundMs = plan.recoveryBoundMs();
    in.minCharges = plan.charges();
    Map<String, Object> figures = java.util.Collections.synchronizedMap(new LinkedHashMap<>());
    List<String> warnings = new ArrayList<>();
    Thread watchdog = watchdog(deadline + 10_000 + (throughput ? THROUGHPUT_BUDGET_MS : 0), haltOnDeadline);
    // Interrupted (Ctrl-C, timeout, a killed test JVM): leave no router, balancer or PostgreSQL behind.
    Thread cleanup = new Thread(this::killEverything, "chaos-cleanup");
    Runtime.getRuntime().addShutdownHook(cleanup);
    say("plan " + plan.name() + ": " + plan.charges() + " charges, " + plan.clients() + " clients over "
        + plan.loadMs() / 1000 + " s" + (fleet ? ", " + plan.instances() + (clustered ? " clustered" : "")
        + " routers behind HAProxy on " + (haTier ? "the Patroni tier" : "one PostgreSQL") : "")
        + "; out " + out);
    try {
      if (!fleet) {
        RouterProcess router = routers.get(0);
        router.start();
        if (!router.awaitReady(Math.min(90_000, deadline - now()))) {
          throw new IllegalStateException("the router did not become ready; its log:\n" + router.tail(30));
        }
        pg.learn();
        say("router ready on " + url + " (pid " + router.pid() + "), PostgreSQL pid " + pg.pid() + " port " + pg.port()
            + ", simulators " + sims.baseUrl());
      } else {
        startFleet(vertx, lbPort, deadline, in, figures);
      }
      activeFaults = plan.faults();
      if (fleet) activeFaults = fleetFaults();
      // The merchant's webhook endpoint, for every event type, before any charge is made.
      in.webhookSince = now();
      await(receiver.subscribe(url, MERCHANT_KEY, 10), 30_000);
      in.webhookSecret = receiver.secret();
      say("webhook endpoint " + receiver.endpointId() + " -> " + receiver.url() + " (the receiver answers 500 to the"
          + " first attempt of every " + WEBHOOK_FAIL_EVERY + "th event)");
      await(traffic.createCards(Math.max(4, plan.clients())), 60_000);
      for (String p : Psps.types()) await(traffic.faults(sims.baseUrl(), p, activeFaults), 5_000);

      // ---------------------------------------------------------------- load + timeline
      t0 = now();
      event("load starts; faults on at every PSP: " + activeFaults.encode());
      Future<Void> load = traffic.start(t0);
      List<Object[]> probes = new ArrayList<>(); // {label, pgUpAt (AtomicLong), Probe}
      boolean routerDown = false;
      for (Event e : plan.events()) {
        long wait = t0 + e.atMs() - now();
        if (wait > 0) Thread.sleep(Math.min(wait, Math.max(0, deadline - RESERVE_MS - now())));
        if (now() > deadline - RESERVE_MS) {
          in.chaosProblems.add("not applied, out of time: " + e.label());
          continue;
        }
        if (routerDown) {
          in.chaosProblems.add("not applied, the router was not running: " + e.label());
          continue;
        }
        switch (e.type()) {
          case PSP_DOWN -> {
            await(traffic.faults(sims.baseUrl(), plan.downPsp(), new JsonObject().put("down", true)), 5_000);
            event(plan.downPsp() + " down for " + e.holdMs() + " ms");
            // While a PSP is down nobody can learn what it did: a charge pending there cannot settle.
            long downFrom = now();
            in.excused.add(new Verifier.Window(Verifier.pspDown(plan.downPsp()), downFrom, downFrom + e.holdMs()));
            JsonObject restore = activeFaults;
            vertx.setTimer(e.holdMs(), t -> traffic.faults(sims.baseUrl(), plan.downPsp(), restore)
                .onComplete(ar -> event(plan.downPsp() + " up again" + (ar.failed() ? " FAILED: " + ar.cause() : ""))));
          }
          case PG_RESTART -> probes.add(restartPostgres(e, pg, traffic, in));
          case ROUTER_KILL -> {
            if (fleet) killInstance(e, traffic, in, figures, deadline);
            else routerDown = !killRouter(routers.get(0), pg, traffic, in, figures, deadline);
          }
          case ROUTER_STOP -> pauseInstance(e, in);
          case ROUTER_TERM -> terminateInstance(e, traffic, in, figures, deadline);
          case PG_PRIMARY_KILL -> probes.add(killLeaderPostmaster(traffic, in, figures));
          case PG_NODE_KILL -> probes.add(loseLeaderNode(traffic, in, figures));
          case PG_REJOIN -> rejoin(in, figures);
          case ROUTING_CHANGE, PROVIDER_DISABLE, PROVIDER_ENABLE, KEY_REVOKE -> sharedChange(e, in);
        }
        if (fleet) routerDown = routers.stream().noneMatch(RouterProcess::alive);
      }

      // ---------------------------------------------------------------- end of load
      long loadWait = Math.min(deadline - RESERVE_MS, t0 + plan.loadMs() + plan.retryForMs() + 15_000) - now();
      try {
        await(load, loadWait);
      } catch (java.util.concurrent.TimeoutException e) {
        traffic.abort();
        in.runProblems.add("the merchants had not finished " + (now() - t0) / 1000 + " s after the start;"
            + " stopped (" + traffic.started() + " charges started)");
        try {
          await(load, 6_000);
        } catch (java.util.concurrent.TimeoutException again) {
          // in-flight requests are bounded by the client timeout; the verdict reads what was recorded
        }
      }
      long loadEnd = now();
      event("load done: " + traffic.started() + " charges started, " + traffic.posts.sum() + " POSTs, "
          + traffic.retries.sum() + " retries (" + traffic.failedRetries.sum() + " of a failed answer), "
          + traffic.gaveUp.size() + " given up");
      for (String p : Psps.types()) {
        try {
          await(traffic.faults(sims.baseUrl(), p, new JsonObject()), 5_000);
        } catch (Exception ex) {
          warnings.add("could not clear faults at " + p + ": " + ex);
        }
      }
      event("faults off");
      awaitResumed(deadline);
      for (Object[] p : probes) {
        Traffic.Probe probe = (Traffic.Probe) p[2];
        long up = ((AtomicLong) p[1]).get();
        long until = (up > 0 ? up : now()) + plan.recoveryWaitMs();
        while (probe.acceptedAt() < 0 && now() < until && now() < deadline - RESERVE_MS) Thread.sleep(50);
        probe.stop();
        in.recoveries.add(new Verifier.Recovery((String) p[0], up, probe.acceptedAt()));
        figures.put("probe charges sent (" + p[0] + ")", probe.sent());
      }

      // ---------------------------------------------------------------- settle
      long settleUntil = Math.min(deadline - RESERVE_MS + 15_000, loadEnd + plan.settleBoundMs() + plan.settleMarginMs());
      int unsettled = -1;
      while (!routerDown && now() < settleUntil) {
        unsettled = countUnsettled(pg);
        if (unsettled == 0 && traffic.watching() == 0) break;
        Thread.sleep(250);
      }
      event((routerDown ? "no settle wait (the router is down): " : "settle wait over: ") + (unsettled < 0 ? "database unreachable" : unsettled + " unsettled in the database")
          + ", " + traffic.watching() + " still pending to the watcher");
      traffic.stopWatcher();

      // ---------------------------------------------------------------- read back
      readDatabase(pg, in, figures);
      // Every charge id once: the database's and any the merchants were told (an id answered many times
      // is still one charge; counting it twice would invent double charges).
      TreeSet<String> idSet = new TreeSet<>(in.db.keySet());
      for (Verifier.Answer a : traffic.answers) if (a.chargeId() != null) idSet.add(a.chargeId());
      List<String> ids = new ArrayList<>(idSet);
      if (routers.stream().anyMatch(RouterProcess::alive) && !routerDown) {
        try {
          Traffic.ReadBack back = await(traffic.readAll(ids), Math.max(5_000, deadline - now() - 20_000));
          back.charges().forEach((id, c) -> in.api.put(id, c == null ? null : new Row(id,
              c.getString("merchant_reference"), c.getString("status"), c.getString("provider"),
              millis(c.getString("created_at")), millis(c.getString("updated_at")))));
          in.apiErrors.putAll(back.errors());
          settleSnapshots(pg, traffic, in, deadline);
          refundPhase(vertx, sims, traffic, back.charges(), runId, pg, in, figures, warnings, deadline);
        } catch (Exception e) {
          in.apiAvailable = false;
          warnings.add("could not read the charges back through the API: " + e);
        }
        if (!fleet) {
          try {
            Files.writeString(out.resolve("metrics.txt"), await(traffic.metrics(), 5_000));
          } catch (Exception e) {
            warnings.add("no /metrics: " + e);
          }
        } else {
          for (RouterProcess r : routers) scrape(r, traffic, "end", warnings);
          fleetFigures(figures);
        }
      } else {
        in.apiAvailable = false;
      }
      webhookEnd(in, figures, deadline);
      in.answers.addAll(traffic.answers);
      readLedgers(sims, ids, in, figures);
      Map<String, Map<String, Long>> injected = new TreeMap<>();
      for (String p : Psps.types()) {
        Map<String, Long> m = new LinkedHashMap<>();
        for (InjectedFaults.Kind k : InjectedFaults.Kind.values()) m.put(k.name().toLowerCase(Locale.ROOT),
            sims.context(p).injected().get(k));
        injected.put(p, m);
      }
      for (InjectedFaults.Kind k : InjectedFaults.Kind.values()) {
        // late and cancel are faults of the plans that set lateMs (the fleet's); the single-router
        // plans keep the grace + 2 intervals bound and do not inject them, so they are not missing there.
        if (plan.lateMs() <= 0 && (k == InjectedFaults.Kind.LATE || k == InjectedFaults.Kind.CANCEL)) continue;
        long n = injected.values().stream().mapToLong(m -> m.get(k.name().toLowerCase(Locale.ROOT))).sum();
        if (n == 0) {
          String msg = "fault mode " + k.name().toLowerCase(Locale.ROOT) + " was never injected";
          if (plan.requireEveryFaultKind()) in.chaosProblems.add(msg);
          else warnings.add(msg);
        }
      }
      if (fleet) readTakeovers(in);
      if (clustered) clusterEnd(in, figures);
      if (tier != null) figures.put("HA tier at the end", tier.describe());
      Verdict verdict = Verifier.verify(in);
      String measured = throughput ? measureThroughput(traffic, warnings) : null;
      warnings.addAll(warningsLater);
      figures.put("merchant keys", traffic.keys.size());
      figures.put("merchant POSTs", traffic.posts.sum());
      figures.put("merchant retries", traffic.retries.sum() + (plan.retryFailed()
          ? " (" + traffic.failedRetries.sum() + " of them after a failed answer, same key)" : ""));
      figures.put("merchants gave up", traffic.gaveUp.size());
      figures.put("watcher reads", traffic.reads.sum());
      String summary = summary(verdict, in, figures, injected, warnings, now() - startedAt)
          + (measured == null ? "" : measured);
      console.println(summary);
      Files.writeString(out.resolve("summary.txt"), summary);
      writeDetails(verdict, in);
      return new Result(verdict, summary, out);
    } finally {
      traffic.close();
      try {
        await(receiver.close(), 5_000);
      } catch (Exception ignored) {
        // closing
      }
      for (RouterProcess r : routers) {
        try {
          r.stop();
        } catch (InterruptedException e) {
          r.kill();
        }
      }
      if (lb != null) lb.stop();
      if (tier != null) tier.close();
      if (externalPg != null && pg.running()) {
        try {
          externalPg.close();
        } catch (IOException | RuntimeException e) {
          console.println("[chaos] stopping the external PostgreSQL: " + e);
        }
      }
      pg.stopLeftover();
      if (pg.running()) console.println("[chaos] WARNING: PostgreSQL pid " + pg.pid() + " still running on " + pg.dir());
      try {
        await(sims.close(), 5_000);
        await(vertx.close(), 10_000);
      } catch (Exception ignored) {
        // closing: nothing left to protect
      }
      watchdog.interrupt();
      try {
        Runtime.getRuntime().removeShutdownHook(cleanup);
      } catch (IllegalStateException exiting) {
        // the JVM is already shutting down: the hook runs
      }
    }
  }

  // ---------------------------------------------------------------- the fleet

  private int pgPortValue = -1;

  /** The fleet's PostgreSQL port (chosen once). */
  private int pgPort() throws IOException {
    if (pgPortValue < 0) pgPortValue = freePort();
    return pgPortValue;
  }

  /**
   * One external PostgreSQL (the zonky binaries the project already depends on, started
   * standalone in the run's {@code pg/}, then driven by {@link PgControl} like any postmaster),
   * HAProxy, and the routers: the first alone (it migrates the
   * schema), then the others together. Each must be ready and show the rehearsal flag.
   */
  private void startFleet(Vertx vertx, int lbPort, long deadline, Verifier.Input in, Map<String, Object> figures)
      throws Exception {
    long t = now();
    if (tier == null) {
      startExternalPostgres(pg.dir(), pgPort());
      pg.learn();
      say("external PostgreSQL pid " + pg.pid() + " on 127.0.0.1:" + pg.port() + " (" + (now() - t) + " ms)");
    } else {
      say("the routers' database: HAProxy 127.0.0.1:" + tier.port() + " -> Patroni leader (" + tier.describe() + ")");
    }
    List<Integer> ports = new ArrayList<>();
    for (RouterProcess r : routers) ports.add(Integer.parseInt(r.url().substring(r.url().lastIndexOf(':') + 1)));
    lb = Haproxy.start(out, lbPort, ports);
    say("HAProxy pid " + lb.pid() + " on " + url + " -> " + ports + " (config " + lb.configFile() + ")");
    t = now();
    routers.get(0).start();
    if (!routers.get(0).awaitReady(Math.min(90_000, deadline - now()))) {
      throw new IllegalStateException(routers.get(0).name() + " did not become ready; its log:\n" + routers.get(0).tail(30));
    }
    for (int i = 1; i < routers.size(); i++) routers.get(i).start();
    for (RouterProcess r : routers.subList(1, routers.size())) {
      if (!r.awaitReady(Math.min(90_000, deadline - now()))) {
        throw new IllegalStateException(r.name() + " did not become ready; its log:\n" + r.tail(30));
      }
    }
    figures.put("fleet start (ms)", now() - t);
    // Every instance must say it runs a rehearsal (task A): in its readiness body.
    Traffic probe = new Traffic(vertx, url, MERCHANT_KEY, plan, "ready");
    int flagged = 0;
    for (RouterProcess r : routers) {
      var resp = await(probe.getAbs(r.url() + "/health/ready"), 5_000);
      JsonObject b = resp.bodyAsJsonObject();
      if (resp.statusCode() == 200 && Boolean.TRUE.equals(b.getBoolean("rehearsal"))) flagged++;
      else in.chaosProblems.add(r.name() + " GET /health/ready does not show the rehearsal setting: " + resp.bodyAsString());
    }
    probe.close();
    figures.put("rehearsal flag in /health/ready", flagged + "/" + routers.size() + " instances (r" + routers.size()
        + " took it from " + io.payrouter.config.ConfigLoader.ALLOW_LOOPBACK_ENV + ")");
    long lbUp = now() + 5_000;
    while (now() < lbUp && !answersThroughBalancer(vertx)) Thread.sleep(100);
    say(routers.size() + " routers ready: " + routers.stream().map(r -> r.name() + " pid " + r.pid() + " " + r.url())
        .toList() + "; simulators " + sims.baseUrl());
  }

  private boolean answersThroughBalancer(Vertx vertx) {
    Traffic t = new Traffic(vertx, url, MERCHANT_KEY, plan, "lb");
    try {
      return await(t.getAbs(url + "/health/ready"), 2_000).statusCode() == 200;
    } catch (Exception e) {
      return false;
    } finally {
      t.close();
    }
  }

  /** The external PostgreSQL: fresh data directory, loopback, fsync on (blocking). */
  private void startExternalPostgres(Path dir, int port) throws IOException {
    Files.createDirectories(dir.getParent());
    externalPg = io.zonky.test.db.postgres.embedded.EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setPort(port)
        .setServerConfig("max_connections", "100")
        .setServerConfig("synchronous_commit", "on")
        .setServerConfig("fsync", "on")
        .start();
  }

  /**
   * The fleet's faults: the usual ones, accepted-then-late and cancelled payments
   * ({@link ChaosPlan#lateFaults()}), and {@code webhook_url} = the balancer's origin, so every PSP
   * callback comes through HAProxy (round robin, no stickiness: usually to an instance that is not
   * working the charge). The routers' {@code http.public_url} is the balancer too, so the callback
   * URLs they give already point there; {@code webhook_url} makes it so whatever URL a PSP keeps.
   */
  private JsonObject fleetFaults() {
    // PSP calls take a little longer than in the single plan, so that charges are in flight at an
    // instance when it is paused, killed or terminated (what the fleet is about).
    JsonObject f = plan.faults().put("latency_ms", FLEET_PSP_LATENCY_MS);
    if (plan.lateMs() > 0) f.mergeIn(plan.lateFaults());
    return f.put("webhook_url", url);
  }

  private static final java.util.regex.Pattern TAKEN_OVER =
      java.util.regex.Pattern.compile("charge (ch_[A-Za-z0-9]+) taken over from its previous owner");

  /**
   * The charges an instance took over (its log says so), for the settle bound: those may take one
   * lease ({@link ChaosPlan#OWNER_TIMEOUT_MS}) longer, the time nobody may touch a charge whose
   * owner was paused or killed. Only those: a charge settled by its own owner keeps the plain bound.
   */
  private void readTakeovers(Verifier.Input in) throws IOException {
    in.takeoverAllowanceMs = ChaosPlan.OWNER_TIMEOUT_MS;
    try (var files = Files.list(out)) {
      for (Path f : files.filter(p -> p.getFileName().toString().matches("r\\d+-\\d+\\.log")).toList()) {
        try (var lines = Files.lines(f, java.nio.charset.StandardCharsets.UTF_8)) {
          lines.forEach(l -> {
            var m = TAKEN_OVER.matcher(l);
            if (m.find()) in.takenOver.add(m.group(1));
          });
        }
      }
    }
  }

  /** SIGSTOP one instance; SIGCONT after the hold on a thread of its own (the timeline goes on). */
  private void pauseInstance(Event e, Verifier.Input in) {
    RouterProcess r = routers.get(e.instance());
    try {
      r.pause();
    } catch (Exception ex) {
      in.chaosProblems.add(e.label() + ": " + ex.getMessage());
      return;
    }
    event(r.name() + " pid " + r.pid() + " SIGSTOPped for " + e.holdMs() + " ms (its lease is "
        + ChaosPlan.OWNER_TIMEOUT_MS + " ms)");
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(e.holdMs());
        if (r.paused()) {
          r.resume();
          event(r.name() + " SIGCONTed");
        }
      } catch (Exception ex) {
        in.chaosProblems.add(e.label() + ": SIGCONT failed: " + ex.getMessage());
      }
    }, "chaos-sigcont-" + r.name());
    t.setDaemon(true);
    t.start();
    resumers.add(t);
  }

  /** Waits for every pending SIGCONT and restart (bounded), so nothing is left frozen or half-started before the settle wait. */
  private void awaitResumed(long deadline) throws InterruptedException {
    for (Thread t : resumers) t.join(Math.max(1, Math.min(65_000, deadline - RESERVE_MS + 15_000 - now())));
  }

  /** SIGKILL one instance and start it again (same config, a new instance id); the others take over meanwhile. */
  private void killInstance(Event e, Traffic traffic, Verifier.Input in, Map<String, Object> figures, long deadline)
      throws Exception {
    RouterProcess r = routers.get(e.instance());
    scrape(r, traffic, "before SIGKILL", null);
    long k = now();
    long pid = r.pid();
    r.kill();
    event(r.name() + " pid " + pid + " SIGKILLed");
    restart(r, k, "SIGKILL", in, figures, deadline);
  }

  /** SIGTERM one instance (it drains), checks it exits within the bound, starts it again. */
  private void terminateInstance(Event e, Traffic traffic, Verifier.Input in, Map<String, Object> figures,
      long deadline) throws Exception {
    RouterProcess r = routers.get(e.instance());
    scrape(r, traffic, "before SIGTERM", null);
    long bound = DRAIN_TIMEOUT_MS + 20_000;
    long pid = r.pid();
    long k = now();
    event(r.name() + " pid " + pid + " SIGTERMed (drains: readiness down, new charges 503, in-flight finish)");
    long took = r.terminate(bound);
    if (took < 0) {
      in.routerRestartFailures.add(r.name() + " did not exit within " + bound + " ms of SIGTERM (drain timeout "
          + DRAIN_TIMEOUT_MS + " ms + 20 s); killed");
      r.kill();
      figures.put(r.name() + " exit after SIGTERM (ms)", "NOT within " + bound);
    } else {
      figures.put(r.name() + " exit after SIGTERM (ms)", took + " (exit status " + r.exitValue() + ", bound " + bound + ")");
      event(r.name() + " exited " + took + " ms after SIGTERM (status " + r.exitValue() + ")");
    }
    restart(r, k, "SIGTERM", in, figures, deadline);
  }

  /**
   * Starts an instance again on a thread of its own (the timeline goes on meanwhile, as the rest of
   * the fleet does). Like a supervisor, it starts it again when it exits during start-up (a router
   * that cannot reach its database at start exits at once, by design), with back-off, up to 8 times
   * in 60 s.
   */
  private void restart(RouterProcess r, long since, String why, Verifier.Input in, Map<String, Object> figures,
      long deadline) {
    Thread t = new Thread(() -> {
      try {
        long until = Math.min(now() + 60_000, Math.max(now() + 5_000, deadline - RESERVE_MS));
        int starts = 0;
        boolean ready = false;
        while (!ready && starts < 8 && now() < until) {
          // like a supervisor with back-off (1, 2, 4, 4 ... s between starts): an instance started
          // while the database fails over exits at once, by design, and is started again
          if (starts > 0) Thread.sleep(Math.min(4_000, 1_000L << Math.min(starts - 1, 2)));
          starts++;
          r.start();
          ready = r.awaitReady(until - now());
          if (!ready && r.alive()) break; // hung, not exited: no second start
        }
        long at = now();
        String attempts = starts > 1 ? ", " + starts + " starts" : "";
        if (ready) {
          figures.put(r.name() + " ready again after " + why + " (ms)", (at - since) + attempts);
          event(r.name() + " ready again after " + (at - since) + " ms (pid " + r.pid() + attempts + ")");
        } else {
          synchronized (in) {
            in.routerRestartFailures.add(r.name() + " not ready " + (at - since) + " ms after " + why + " + start ("
                + (r.alive() ? "process hung" : "process exited") + attempts + "). Log tail:\n      "
                + r.tail(12).replace("\n", "\n      "));
          }
          figures.put(r.name() + " ready again after " + why + " (ms)", "FAILED");
          event(r.name() + " did NOT come back after " + why);
          r.kill();
        }
      } catch (Exception e) {
        synchronized (in) {
          in.routerRestartFailures.add(r.name() + " could not be started again after " + why + ": " + e);
        }
      }
    }, "chaos-restart-" + r.name());
    t.setDaemon(true);
    t.start();
    resumers.add(t);
  }

  /** The fleet's counters per instance, summed over its processes (a restart starts them at 0). */
  private final Map<String, Map<String, Double>> counters = new LinkedHashMap<>();
  private final Map<String, List<String>> scrapes = new LinkedHashMap<>();
  static final List<String> FLEET_COUNTERS = List.of("router_charges_total", "router_takeovers_total", "router_fencing_refusals_total",
      "router_outcome_lost_races_total", "router_charges_shed_total");

  /** Reads one instance's /metrics, adds its fleet counters to the instance's totals, keeps the text. */
  private void scrape(RouterProcess r, Traffic traffic, String when, List<String> warnings) {
    if (!r.alive() || r.paused()) return;
    try {
      String text = await(traffic.getAbs(r.url() + "/metrics"), 5_000).bodyAsString();
      Files.writeString(out.resolve("metrics-" + r.name() + "-" + r.starts() + ".txt"), text);
      Map<String, Double> m = counters.computeIfAbsent(r.name(), k -> new LinkedHashMap<>());
      for (String name : FLEET_COUNTERS) {
        Double v = counterSum(text, name);
        if (v != null) m.merge(name, v, Double::sum);
      }
      scrapes.computeIfAbsent(r.name(), k -> new ArrayList<>()).add(when);
    } catch (Exception e) {
      if (warnings != null) warnings.add("no /metrics from " + r.name() + ": " + e);
    }
  }

  /** The sum of every sample of a counter in Prometheus text, or null when it is not there at all. */
  static Double counterSum(String text, String name) {
    Double sum = null;
    for (String line : text.split("\n")) {
      if (!line.startsWith(name) || line.length() <= name.length()) continue;
      char c = line.charAt(name.length());
      if (c != '{' && c != ' ') continue;
      try {
        double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
        sum = sum == null ? v : sum + v;
      } catch (NumberFormatException ignored) {
        // not a sample
      }
    }
    return sum;
  }

  private void fleetFigures(Map<String, Object> figures) {
    for (RouterProcess r : routers) {
      Map<String, Double> m = counters.getOrDefault(r.name(), Map.of());
      StringBuilder b = new StringBuilder();
      for (String name : FLEET_COUNTERS) {
        Double v = m.get(name);
        b.append(name.replace("router_", "").replace("_total", "")).append(' ')
            .append(v == null ? "n/a" : Long.toString(Math.round(v))).append(", ");
      }
      b.setLength(b.length() - 2);
      b.append("  (scraped ").append(scrapes.getOrDefault(r.name(), List.of())).append(')');
      figures.put(r.name() + " counters", b.toString());
    }
  }

  /** Kills every router (a paused one too), HAProxy and PostgreSQL: the watchdog's and the exit hook's last resort. */
  private void killEverything() {
    for (RouterProcess r : routers) {
      try {
        r.kill();
      } catch (InterruptedException ignored) {
        // exiting
      }
    }
    if (lb != null) {
      try {
        lb.stop();
      } catch (InterruptedException ignored) {
        // exiting
      }
    }
    if (pg != null) pg.stopLeftover();
    if (tier != null) tier.close();
  }

  // ---------------------------------------------------------------- the Patroni tier (--ha)

  /** SIGKILL of the leader's postmaster alone; Patroni restarts it in place. Timed to the first write through HAProxy. */
  private Object[] killLeaderPostmaster(Traffic traffic, Verifier.Input in, Map<String, Object> figures) throws Exception {
    String label = "pg leader postmaster SIGKILL";
    AtomicLong upAt = new AtomicLong(-1);
    PatroniTier.Node leader = tier == null ? null : tier.leader();
    if (leader == null) {
      in.chaosProblems.add(label + ": " + (tier == null ? "not on the Patroni tier (--ha)" : "no leader"));
      return new Object[] {label, upAt, traffic.probe("failed", 1)};
    }
    long k = now();
    long pid = tier.killPostmaster(leader);
    event(leader.name + "'s postmaster pid " + pid + " SIGKILLed (its Patroni keeps running)");
    tier.snapshotOrphans(out.resolve("ps-after-postmaster-kill.txt"), 2_000);
    Traffic.Probe probe = traffic.probe("pg-postmaster-kill", 90_000);
    long w = tier.awaitWrites(40_000);
    upAt.set(w);
    PatroniTier.Node after = tier.leader();
    in.excused.add(new Verifier.Window("postgres leader postmaster SIGKILL", k, w > 0 ? w : now()));
    String what = (after == leader ? "no failover, " + leader.name + " still the leader (restarted in place)"
        : "leader now " + (after == null ? "none" : after.name)) + "; writes through HAProxy again "
        + (w > 0 ? (w - k) + " ms after the kill" : "NOT within 40 s");
    figures.put("HA: leader's postmaster SIGKILL", what);
    event("PostgreSQL: " + what);
    return new Object[] {label, upAt, probe};
  }

  /** SIGKILL of the leader's Patroni and postmaster (a lost machine): the sync standby must be promoted. */
  private Object[] loseLeaderNode(Traffic traffic, Verifier.Input in, Map<String, Object> figures) throws Exception {
    String label = "pg leader node lost";
    AtomicLong upAt = new AtomicLong(-1);
    PatroniTier.Node leader = tier == null ? null : tier.leader();
    if (leader == null) {
      in.chaosProblems.add(label + ": " + (tier == null ? "not on the Patroni tier (--ha)" : "no leader"));
      return new Object[] {label, upAt, traffic.probe("failed", 1)};
    }
    PatroniTier.Node standby = tier.other(leader);
    long waited = tier.awaitSyncStandby(standby, 20_000);
    if (waited < 0) {
      // Losing the leader with no standby is an outage by design, not what this event tests: make
      // the standby healthy first, as an operator would, and say so.
      int orphans = tier.killOrphanedBackends();
      String was = tier.describe();
      waited = tier.awaitSyncStandby(standby, 60_000);
      String what = standby.name + " was not a streaming sync standby (" + was + "); " + orphans
          + " backend(s) left by the killed postmaster SIGKILLed; " + (waited >= 0 ? "sync standby " + waited
          + " ms later" : "still not a sync standby 60 s later: " + tier.describe());
      warningsLater.add(what);
      figures.put("HA: standby before the node loss", what);
      event("PostgreSQL: " + what);
      leader = tier.leader();
      if (leader == null) {
        in.chaosProblems.add(label + ": no leader after healing the standby");
        return new Object[] {label, upAt, traffic.probe("failed", 1)};
      }
      standby = tier.other(leader);
    }
    long k = now();
    tier.killNode(leader);
    lostNode = leader;
    event(leader.name + " lost: its Patroni and postmaster SIGKILLed (" + standby.name + " was the sync standby"
        + (waited > 0 ? ", caught up after " + waited + " ms of waiting" : "") + ")");
    Traffic.Probe probe = traffic.probe("pg-node-loss", 120_000);
    long promoted = -1;
    while (now() - k < 40_000) {
      if (tier.isPrimary(standby)) {
        promoted = now();
        break;
      }
      Thread.sleep(50);
    }
    long w = tier.awaitWrites(Math.max(1_000, 45_000 - (now() - k)));
    upAt.set(w);
    in.excused.add(new Verifier.Window("postgres leader node lost", k, w > 0 ? w : now()));
    String what = standby.name + (promoted > 0 ? " promoted " + (promoted - k) + " ms after the loss" : " NOT promoted within 40 s")
        + "; writes through HAProxy again " + (w > 0 ? (w - k) + " ms after the loss" : "NOT within 45 s");
    figures.put("HA: leader node lost", what);
    event("PostgreSQL: " + what);
    return new Object[] {label, upAt, probe};
  }

  /** Starts the lost node's Patroni again (on a thread of its own) and times its return as a replica. */
  private void rejoin(Verifier.Input in, Map<String, Object> figures) throws Exception {
    PatroniTier.Node n = lostNode;
    if (tier == null || n == null) {
      in.chaosProblems.add("pg rejoin: no node was lost");
      return;
    }
    long s = now();
    tier.startPatroni(n);
    event(n.name + "'s Patroni started again (it must rejoin as a replica of " + tier.other(n).name + ")");
    Thread t = new Thread(() -> {
      try {
        String role = null;
        String state = null;
        while (now() - s < 90_000) {
          JsonObject m = tier.member(n);
          role = m == null ? null : m.getString("role");
          state = m == null ? null : m.getString("state");
          if (("sync_standby".equals(role) || "replica".equals(role)) && ("streaming".equals(state) || "running".equals(state))) break;
          Thread.sleep(200);
        }
        boolean back = "sync_standby".equals(role) || "replica".equals(role);
        String what = back ? n.name + " back as " + role + " (" + state + ") " + (now() - s) + " ms after its start"
            : n.name + " NOT back as a replica within 90 s (role " + role + ", state " + state + ")";
        figures.put("HA: lost node rejoined", what);
        event("PostgreSQL: " + what + "; " + tier.describe());
        if (!back) {
          synchronized (in) {
            in.chaosProblems.add("pg rejoin: " + what + "\n      " + tier.tail(n).replace("\n", "\n      "));
          }
        } else if (tier.other(n) != tier.leader()) {
          synchronized (in) {
            in.chaosProblems.add("pg rejoin: the rejoined node took the leadership back; " + tier.describe());
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "chaos-pg-rejoin");
    t.setDaemon(true);
    t.start();
    resumers.add(t);
  }

  /** Warnings found while the timeline runs (added to the summary's). */
  private final List<String> warningsLater = java.util.Collections.synchronizedList(new ArrayList<>());

  // ---------------------------------------------------------------- the cluster (--cluster)

  /** The {@code cluster} block of instance {@code i} (empty when the fleet is not clustered). */
  String clusterYaml(int i) {
    if (!clustered) return "";
    return "cluster: { enabled: true, host: 127.0.0.1, port: " + hazelcastPorts.get(i) + ", members: ["
        + String.join(", ", hazelcastPorts.stream().map(p -> "\"127.0.0.1:" + p + "\"").toList()) + "] }\n";
  }

  /** The instances answering now (alive, not paused, ready), by name. */
  private Map<String, String> liveMembers() {
    Map<String, String> m = new LinkedHashMap<>();
    java.net.http.HttpClient c = java.net.http.HttpClient.newBuilder().connectTimeout(java.time.Duration.ofMillis(500)).build();
    for (RouterProcess r : routers) {
      if (!r.alive() || r.paused()) continue;
      try {
        var resp = c.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(r.url() + "/health/ready"))
            .timeout(java.time.Duration.ofSeconds(1)).build(), java.net.http.HttpResponse.BodyHandlers.discarding());
        if (resp.statusCode() == 200) m.put(r.name(), r.url());
      } catch (java.io.IOException e) {
        // not answering: not a member to time
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    return m;
  }

  /** One shared change through the event's instance, timed on every live member. */
  private void sharedChange(Event e, Verifier.Input in) {
    if (!clustered) {
      in.chaosProblems.add(e.label() + ": the fleet is not clustered (--cluster)");
      return;
    }
    RouterProcess via = routers.get(e.instance());
    Map<String, String> members = liveMembers();
    if (!members.containsKey(via.name())) {
      in.chaosProblems.add("not applied, " + via.name() + " was not answering: " + e.label());
      return;
    }
    SharedChanges c = new SharedChanges(FLEET_ADMIN_KEY, "chaos");
    SharedChanges.Propagation p = switch (e.type()) {
      case ROUTING_CHANGE -> c.routingChange(via.name(), via.url(), members);
      case PROVIDER_DISABLE -> c.providerToggle(via.name(), via.url(), e.mode(), false, members);
      case PROVIDER_ENABLE -> c.providerToggle(via.name(), via.url(), e.mode(), true, members);
      case KEY_REVOKE -> c.keyRevocation(via.name(), via.url(), members);
      default -> throw new IllegalArgumentException(e.type().name());
    };
    propagations.add(p);
    event("shared change: " + p);
    if (!p.complete() || p.slowest() > SHARED_BOUND_MS) {
      in.chaosProblems.add("shared change not in force everywhere within " + SHARED_BOUND_MS + " ms: " + p);
    }
  }

  /**
   * At the end: every instance (all restarted ones included) has the same rules version and the same
   * enabled providers, and {@code GET /admin/cluster} counts every instance with none disagreeing.
   */
  private void clusterEnd(Verifier.Input in, Map<String, Object> figures) throws InterruptedException {
    Map<String, String> members = liveMembers();
    SharedChanges c = new SharedChanges(FLEET_ADMIN_KEY, "chaos");
    Map<String, String> state = c.stateOf(members);
    figures.put("cluster: state per instance at the end", state);
    if (members.size() != routers.size()) {
      in.chaosProblems.add("cluster at the end: " + members.size() + " of " + routers.size() + " instances answering");
    }
    if (state.values().stream().distinct().count() > 1) {
      in.chaosProblems.add("cluster at the end: the instances disagree: " + state);
    }
    // membership settles a few seconds after the last restart
    JsonObject view = null;
    long until = now() + 10_000;
    while (now() < until) {
      view = members.isEmpty() ? null : c.cluster(members.values().iterator().next());
      if (view != null && view.getJsonArray("members", new io.vertx.core.json.JsonArray()).size() == routers.size()
          && view.getJsonArray("disagreeing", new io.vertx.core.json.JsonArray()).isEmpty()) break;
      Thread.sleep(250);
    }
    figures.put("cluster: GET /admin/cluster at the end", view == null ? "unreadable" : view.getJsonArray("members",
        new io.vertx.core.json.JsonArray()).size() + " members, disagreeing " + view.getValue("disagreeing"));
    if (view == null || view.getJsonArray("members", new io.vertx.core.json.JsonArray()).size() != routers.size()) {
      in.chaosProblems.add("cluster at the end: GET /admin/cluster does not list every instance: " + view);
    }
  }

  /** The throughput phase (see {@link FleetThroughput}): ONE instance vs ALL through HAProxy, interleaved. */
  private String measureThroughput(Traffic traffic, List<String> warnings) {
    try {
      int seconds = Integer.parseInt(System.getenv().getOrDefault("THROUGHPUT_SECONDS", "15"));
      int rounds = Integer.parseInt(System.getenv().getOrDefault("THROUGHPUT_ROUNDS", "2"));
      int conns = Integer.parseInt(System.getenv().getOrDefault("THROUGHPUT_CONNS", "32"));
      for (String p : Psps.types()) await(traffic.faults(sims.baseUrl(), p, new JsonObject()), 5_000);
      Map<String, String> members = liveMembers();
      if (members.size() != routers.size()) {
        warnings.add("throughput not measured: " + members.size() + " of " + routers.size() + " instances answering");
        return null;
      }
      Map<String, java.util.function.LongSupplier> pids = new LinkedHashMap<>();
      for (RouterProcess r : routers) pids.put(r.name(), r::pid);
      List<java.util.function.LongSupplier> pgPids = new ArrayList<>();
      if (tier != null) {
        for (PatroniTier.Node n : tier.nodes()) pgPids.add(n::postmasterPid);
      } else {
        pgPids.add(pg::pid);
      }
      FleetThroughput ft = new FleetThroughput(out, Path.of("load-tests", "wrk", "charge.lua").toAbsolutePath(),
          MERCHANT_KEY, traffic.cards().get(0));
      String one = routers.get(0).url();
      say("throughput: warm-up, then " + rounds + " x (ONE " + one + ", ALL " + url + "), " + seconds + " s each");
      java.util.function.LongSupplier lbPid = () -> lb == null ? -1 : lb.pid();
      ft.run("warm", 0, url, members, pids, pgPids, lbPid, 8, conns);
      List<FleetThroughput.Phase> phases = new ArrayList<>();
      for (int r = 1; r <= rounds; r++) {
        phases.add(ft.run("ONE", r, one, members, pids, pgPids, lbPid, seconds, conns));
        say("throughput ONE #" + r + ": " + Math.round(phases.get(phases.size() - 1).rate()) + "/s");
        phases.add(ft.run("ALL", r, url, members, pids, pgPids, lbPid, seconds, conns));
        say("throughput ALL #" + r + ": " + Math.round(phases.get(phases.size() - 1).rate()) + "/s");
      }
      String text = FleetThroughput.report(phases, seconds, conns);
      Files.writeString(out.resolve("throughput.txt"), text);
      return text;
    } catch (Exception e) {
      warnings.add("throughput not measured: " + e);
      return null;
    }
  }

  // ---------------------------------------------------------------- chaos actions

  /** Stops PostgreSQL, keeps it down, starts it again; a probe measures the router's recovery. */
  private Object[] restartPostgres(Event e, PgControl pg, Traffic traffic, Verifier.Input in) throws Exception {
    String label = "pg " + e.mode();
    AtomicLong upAt = new AtomicLong(-1);
    long down = now();
    try {
      pg.learn();
      int port = pg.optionPort();
      pg.stop(e.mode());
      event("PostgreSQL stopped (-m " + e.mode() + ", " + (now() - down) + " ms)");
      Traffic.Probe probe = traffic.probe(label.replace(' ', '-'), e.holdMs() + 60_000);
      Thread.sleep(e.holdMs());
      Thread poller = new Thread(() -> {
        try {
          upAt.set(pg.awaitAnswering(port, 40_000));
        } catch (InterruptedException ie) {
          Thread.currentThread().interrupt();
        }
      }, "chaos-pg-poller");
      poller.setDaemon(true);
      poller.start();
      pg.start();
      poller.join(45_000);
      in.excused.add(new Verifier.Window("postgres " + e.mode(), down, upAt.get() > 0 ? upAt.get() : now()));
      event("PostgreSQL answering again" + (upAt.get() > 0 ? "" : " NOT") + " (down " + (upAt.get() > 0
          ? upAt.get() - down : now() - down) + " ms); probing for the first accepted charge");
      return new Object[] {label, upAt, probe};
    } catch (Exception ex) {
      in.chaosProblems.add(label + " restart failed: " + ex.getMessage());
      event(label + " restart FAILED: " + ex.getMessage());
      if (!pg.running()) {
        try {
          pg.start();
        } catch (Exception again) {
          in.chaosProblems.add("PostgreSQL could not be started again: " + again.getMessage());
        }
      }
      return new Object[] {label, upAt, traffic.probe("failed", 1)};
    }
  }

  /** SIGKILL, start again on the same data directory; false when it does not become ready. */
  private boolean killRouter(RouterProcess router, PgControl pg, Traffic traffic, Verifier.Input in,
      Map<String, Object> figures, long deadline) throws Exception {
    long k = now();
    long pid = router.pid();
    router.kill();
    long pgPid = pg.pid();
    boolean pgLeft = pg.running();
    event("router pid " + pid + " SIGKILLed; its PostgreSQL pid " + pgPid + (pgLeft ? " still running" : " gone"));
    router.start();
    boolean ready = router.awaitReady(Math.min(60_000, Math.max(5_000, deadline - RESERVE_MS - now())));
    long r = now();
    in.excused.add(new Verifier.Window("router restart", k, r));
    if (ready) {
      pg.learn();
      figures.put("router restart after SIGKILL (ms)", r - k);
      event("router ready again after " + (r - k) + " ms (pid " + router.pid() + ", PostgreSQL pid " + pg.pid()
          + " port " + pg.port() + ")");
      return true;
    }
    String tail = router.tail(12);
    in.routerRestartFailures.add("not ready " + (r - k) + " ms after SIGKILL + start ("
        + (router.alive() ? "process hung" : "process exited") + "); the killed router's PostgreSQL (pid " + pgPid
        + ") was " + (pgLeft ? "still running after the kill" : "gone after the kill") + ", and is "
        + (pg.running() ? "running (pid " + pg.pid() + ")" : "not running") + " now. Log tail:\n      "
        + tail.replace("\n", "\n      "));
    figures.put("router restart after SIGKILL (ms)", "FAILED");
    event("router did NOT come back after SIGKILL (" + (r - k) + " ms); stopping the load");
    router.kill();
    traffic.abort();
    return false;
  }

  private Thread watchdog(long at, boolean halt) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(Math.max(0, at - now()));
      } catch (InterruptedException e) {
        return;
      }
      console.println("[chaos] DEADLINE: the run overstayed " + plan.deadlineMs() / 1000 + " s; stopping everything");
      killEverything();
      if (halt) Runtime.getRuntime().halt(3);
    }, "chaos-watchdog");
    t.setDaemon(true);
    t.start();
    return t;
  }

  // ---------------------------------------------------------------- reading back

  private static long millis(String iso) {
    return iso == null ? 0 : Instant.parse(iso).toEpochMilli();
  }

  /** Where the suite reads the database: the PostgreSQL itself, or HAProxy in front of the Patroni tier. */
  private int dbPort() {
    return tier != null ? tier.port() : pg.port();
  }

  private int countUnsettled(PgControl pg) {
    try (Connection c = pg.connect(dbPort()); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM charges WHERE status IN ('processing', 'pending')")) {
      r.next();
      return r.getInt(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  /**
   * Every charge row. When the router is down and took its PostgreSQL with it, the suite starts
   * that PostgreSQL itself (same data directory and options) just to read it; stopped at the end.
   */
  private void readDatabase(PgControl pg, Verifier.Input in, Map<String, Object> figures) {
    String how = tier != null ? "the Patroni leader through HAProxy (" + tier.describe() + ")" : "live";
    if (tier == null && !pg.running()) {
      try {
        pg.start();
        how = "started by the suite to read it (the router had left it stopped)";
      } catch (Exception e) {
        say("could not start PostgreSQL to read it: " + e.getMessage());
      }
    }
    try (Connection c = pg.connect(dbPort()); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT id, idempotency_key, status, provider,"
            + " (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint"
            + " FROM charges")) {
      while (r.next()) {
        in.db.put(r.getString(1), new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
            r.getLong(5), r.getLong(6)));
      }
    } catch (SQLException | RuntimeException e) {
      in.dbAvailable = false;
      how = "UNREADABLE: " + e.getMessage();
      say("could not read the database: " + e.getMessage());
    }
    figures.put("router database", how);
  }

  /**
   * The database was read before the API, so a charge settled in between shows two states. Charges
   * whose two views differ are read again, both, up to 3 times a second apart; only a difference
   * that stays is left for the verifier (an answer that never becomes durable).
   */
  private void settleSnapshots(PgControl pg, Traffic traffic, Verifier.Input in, long deadline) throws Exception {
    for (int round = 0; round < 3 && now() < deadline - 20_000; round++) {
      List<String> differ = new ArrayList<>();
      for (var e : in.api.entrySet()) {
        Row db = in.db.get(e.getKey());
        Row api = e.getValue();
        if (db == null || api == null || !api.status().equals(Verifier.wire(db.status()))) differ.add(e.getKey());
      }
      if (differ.isEmpty()) return;
      Thread.sleep(1_000);
      readDatabaseRows(pg, in, differ);
      Traffic.ReadBack back = await(traffic.readAll(differ), 30_000);
      back.charges().forEach((id, c) -> in.api.put(id, c == null ? null : new Row(id,
          c.getString("merchant_reference"), c.getString("status"), c.getString("provider"),
          millis(c.getString("created_at")), millis(c.getString("updated_at")))));
      say("read again " + differ.size() + " charge(s) whose API and database views differed");
    }
  }

  private void readDatabaseRows(PgControl pg, Verifier.Input in, List<String> ids) {
    try (Connection c = pg.connect(dbPort());
        java.sql.PreparedStatement s = c.prepareStatement("SELECT id, idempotency_key, status, provider,"
            + " (extract(epoch FROM created_at) * 1000)::bigint, (extract(epoch FROM updated_at) * 1000)::bigint"
            + " FROM charges WHERE id = ANY(?)")) {
      s.setArray(1, c.createArrayOf("text", ids.toArray()));
      try (ResultSet r = s.executeQuery()) {
        while (r.next()) {
          in.db.put(r.getString(1), new Row(r.getString(1), r.getString(2), r.getString(3), r.getString(4),
              r.getLong(5), r.getLong(6)));
        }
      }
    } catch (SQLException e) {
      say("could not read the database again: " + e.getMessage());
    }
  }

  /**
   * A few refunds of succeeded charges with every PSP's faults on again ({@link ChaosRefunds}),
   * then the faults off and a wait for the refunds to settle, then the router's refunds read from
   * its database for the verifier's refund checks (the ledgers are read afterwards).
   */
  private void refundPhase(Vertx vertx, SimulatorServer sims, Traffic traffic, Map<String, JsonObject> charges, String runId,
      PgControl pg, Verifier.Input in, Map<String, Object> figures, List<String> warnings, long deadline) throws Exception {
    int n = Math.max(5, plan.charges() / 25);
    JsonObject faults = activeFaults.copy();
    faults.remove("down");
    for (String p : Psps.types()) await(traffic.faults(sims.baseUrl(), p, faults), 5_000);
    event("refunds: up to " + n + " succeeded charges, two concurrent refunds each, then the rest; faults on");
    ChaosRefunds refunds = new ChaosRefunds(vertx, url, MERCHANT_KEY, runId);
    try {
      await(refunds.run(charges, n), Math.max(10_000, Math.min(60_000, deadline - now() - 30_000)));
    } catch (java.util.concurrent.TimeoutException e) {
      warnings.add("the refund phase did not finish in time; its answers so far are checked");
    } finally {
      refunds.close();
      for (String p : Psps.types()) await(traffic.faults(sims.baseUrl(), p, new JsonObject()), 5_000);
    }
    in.refundAnswers.addAll(refunds.answers);
    for (Verifier.RefundAnswer a : refunds.answers) {
      JsonObject c = charges.get(a.chargeId());
      if (c != null) in.chargeAmounts.put(a.chargeId(), c.getLong("amount"));
    }
    // Settle: a refund left in doubt is asked about by the reconciler (never sent again).
    long until = Math.min(deadline - 25_000, now() + plan.settleBoundMs() + plan.graceMs() + 4 * plan.intervalMs());
    int open = -1;
    while (now() < until) {
      open = countOpenRefunds(pg);
      if (open == 0) break;
      Thread.sleep(250);
    }
    Map<Integer, Integer> codes = new TreeMap<>();
    Map<String, Integer> statuses = new TreeMap<>();
    for (Verifier.RefundAnswer a : refunds.answers) {
      codes.merge(a.http(), 1, Integer::sum);
      if (a.status() != null) statuses.merge(a.status(), 1, Integer::sum);
    }
    try (Connection c = pg.connect(dbPort()); Statement st = c.createStatement();
        ResultSet r = st.executeQuery("SELECT id, charge_id, status, amount FROM refunds")) {
      Map<String, Integer> stored = new TreeMap<>();
      while (r.next()) {
        in.dbRefunds.computeIfAbsent(r.getString(2), k -> new ArrayList<>())
            .add(new Verifier.RefundRow(r.getString(1), r.getString(2), r.getString(3), r.getLong(4)));
        stored.merge(r.getString(3), 1, Integer::sum);
      }
      figures.put("refunds stored, by status", stored);
    } catch (SQLException e) {
      in.dbRefundsRead = false;
      warnings.add("could not read the refunds table: " + e.getMessage());
    }
    figures.put("refund answers, by HTTP status", codes);
    figures.put("refund answers, by refund status", statuses);
    event("refunds done: " + refunds.answers.size() + " answers " + codes + "; " + (open < 0 ? "database unreadable"
        : open + " refund(s) still unsettled"));
  }

  private int countOpenRefunds(PgControl pg) {
    try (Connection c = pg.connect(dbPort()); Statement s = c.createStatement();
        ResultSet r = s.executeQuery("SELECT count(*) FROM refunds WHERE status IN ('processing', 'pending')")) {
      r.next();
      return r.getInt(1);
    } catch (SQLException e) {
      return -1;
    }
  }

  /**
   * The outbox at the end: waits (bounded) until no delivery of the run's endpoint is pending,
   * then reads its rows and what the receiver got, for the verifier's webhook checks.
   */
  private void webhookEnd(Verifier.Input in, Map<String, Object> figures, long deadline) throws InterruptedException {
    if (in.webhookSecret == null) return;
    long from = now();
    long until = Math.min(from + WEBHOOK_WAIT_MS, deadline - 15_000);
    int pending = -1;
    boolean anyRouter = routers.stream().anyMatch(r -> r.alive() && !r.paused());
    while (anyRouter) {
      try {
        pending = await(receiver.pending(dbPort()), 5_000);
      } catch (Exception e) {
        pending = -1;
      }
      if (pending == 0 || now() >= until) break;
      Thread.sleep(250);
    }
    try {
      in.deliveries.addAll(await(receiver.deliveries(dbPort()), 15_000));
    } catch (Exception e) {
      in.deliveriesRead = false;
      say("could not read webhook_deliveries: " + e);
    }
    in.hooks.addAll(receiver.received());
    try {
      Files.writeString(out.resolve("webhooks.csv"), receiver.csv());
      StringBuilder rows = new StringBuilder("event_id,event_type,charge_id,refund_id,event_seq,status,attempts,created_ms\n");
      for (Verifier.DeliveryRow r : in.deliveries) {
        rows.append(r.eventId()).append(',').append(r.eventType()).append(',').append(r.chargeId()).append(',')
            .append(r.refundId()).append(',').append(r.eventSeq()).append(',').append(r.status()).append(',')
            .append(r.attempts()).append(',').append(r.createdAt()).append('\n');
      }
      Files.writeString(out.resolve("webhook-deliveries.csv"), rows.toString());
    } catch (IOException e) {
      say("could not write webhooks.csv: " + e);
    }
    event("webhooks: " + (pending == 0 ? "nothing pending" : pending < 0 ? "outbox unreadable or no router running"
        : pending + " still pending") + " after " + (now() - from) + " ms of waiting; " + in.deliveries.size()
        + " deliveries in the outbox, " + in.hooks.size() + " requests received");
    figures.put("webhook wait at the end (ms)", now() - from);
  }

  /** Per charge and PSP, the ledger entries in which money moved; per PSP, the ledger's own total. */
  private void readLedgers(SimulatorServer sims, List<String> ids, Verifier.Input in, Map<String, Object> figures) {
    Map<String, Ledger> ledgers = new LinkedHashMap<>();
    for (String p : Psps.types()) ledgers.put(p, sims.context(p).ledger());
    int inFlight = Money.read(ledgers, ids, in, ledgerDetail);
    figures.put("ledger entries still settling at the PSP", inFlight);
    figures.put("charged payments in the ledgers", new TreeMap<>(in.ledgerChargedTotal));
  }

  // ---------------------------------------------------------------- report

  private String summary(Verdict v, Verifier.Input in, Map<String, Object> figures,
      Map<String, Map<String, Long>> injected, List<String> warnings, long runMs) {
    StringBuilder b = new StringBuilder();
    String line = "-".repeat(100) + "\n";
    b.append('\n').append(line).append(String.format(Locale.ROOT, "CHAOS SUITE (%s plan)  %s  run time %.1f s%n",
        plan.name(), v.ok() ? "PASSED" : "FAILED: " + v.violations.size() + " violation(s)", runMs / 1000.0));
    b.append(line);
    row(b, "command", command);
    if (plan.isFleet()) {
      row(b, "topology", plan.instances() + (clustered ? " clustered (Hazelcast " + hazelcastPorts + ")" : "")
          + " routers (production mode, rehearsal setting on) behind HAProxy " + url + ", " + (tier != null
          ? "the Patroni tier (etcd, 2 PostgreSQL nodes, synchronous_mode) behind HAProxy 127.0.0.1:" + pgPortValue
          : "one external PostgreSQL (port " + pgPortValue + ")") + ", simulators in the chaos JVM");
    }
    for (SharedChanges.Propagation p : List.copyOf(propagations)) row(b, "SHARED " + p.what().split(" ")[0], p.toString());
    Map<String, Integer> byProvider = new TreeMap<>();
    for (String id : in.db.keySet()) {
      Row r = in.api.get(id) != null ? in.api.get(id) : in.db.get(id);
      if ("succeeded".equals(Verifier.wire(r.status()))) byProvider.merge(String.valueOf(r.provider()), 1, Integer::sum);
    }
    Map<String, Integer> codes = new TreeMap<>();
    for (Verifier.Answer a : in.answers) {
      if (a.source() == Verifier.Source.POST) codes.merge(a.http() == 0 ? "no answer" : Integer.toString(a.http()), 1,
          Integer::sum);
    }
    row(b, "charges", v.charges + " (plan: at least " + plan.charges() + ", " + plan.clients() + " clients)");
    row(b, "final statuses", v.finalStatuses.toString());
    row(b, "succeeded per PSP", byProvider.toString());
    row(b, "answers to POST /v1/charges", codes.toString());
    figures.forEach((k, val) -> row(b, k, String.valueOf(val)));
    b.append("faults injected (per PSP):\n");
    injected.forEach((p, m) -> b.append(String.format(Locale.ROOT, "    %-12s %s%n", p, m)));
    b.append("timeline:\n");
    for (String t : List.copyOf(timeline)) b.append("    ").append(t).append('\n');
    b.append(line);
    row(b, "DOUBLE charged", v.count(Kind.DOUBLE_CHARGE) + "  (money moved twice: two PSPs, or twice at one)");
    row(b, "LOST successes", v.count(Kind.LOST_SUCCESS) + "  (answered succeeded; now not, or not charged once there)");
    row(b, "succeeded, not charged once", Integer.toString(v.count(Kind.SUCCEEDED_NOT_CHARGED_ONCE)));
    row(b, "charged, not succeeded", v.count(Kind.CHARGED_WITHOUT_SUCCESS) + "  (declined/failed/unknown, money moved)");
    row(b, "money with no charge", Integer.toString(v.count(Kind.UNACCOUNTED_MONEY)));
    row(b, "final answer changed", Integer.toString(v.count(Kind.ANSWER_CHANGED)));
    row(b, "UNSETTLED at the end", v.count(Kind.UNSETTLED) + "  (processing in the database or pending in the API)");
    row(b, "settled late", v.count(Kind.LATE_SETTLEMENT) + " of " + v.everPending + " ever pending (slowest "
        + v.maxSettleMs + " ms; bound " + in.settleBoundMs + " ms = " + (plan.lateMs() > plan.graceMs() ? "late_ms" : "grace")
        + " + 2 intervals" + (in.takeoverAllowanceMs > 0 ? ", + " + in.takeoverAllowanceMs + " ms lease for the "
        + in.takenOver.size() + " charges taken over" : "") + ")");
    row(b, "not durable (API != database)", Integer.toString(v.count(Kind.NOT_DURABLE)));
    row(b, "unexpected answers", Integer.toString(v.count(Kind.UNEXPECTED_ANSWER)));
    StringBuilder rec = new StringBuilder();
    for (Verifier.Recovery r : in.recoveries) {
      rec.append(r.label()).append(": ").append(r.pgUpAt() <= 0 ? "PostgreSQL did not come back"
          : r.recovered() ? r.millis() + " ms" : "NOT within " + plan.recoveryWaitMs() + " ms");
      if (r.pgUpAt() > 0) {
        rec.append(String.format(Locale.ROOT, " (PostgreSQL answering at %+.2f s, first fresh charge accepted at %s)",
            (r.pgUpAt() - t0) / 1000.0, r.acceptedAt() > 0 ? String.format(Locale.ROOT, "%+.2f s",
                (r.acceptedAt() - t0) / 1000.0) : "-"));
      }
      rec.append("; ");
    }
    row(b, "RECOVERY time after PostgreSQL", rec + "bound " + in.recoveryBoundMs + " ms");
    row(b, "router restart failures", Integer.toString(v.count(Kind.ROUTER_RESTART_FAILED)));
    if (in.webhookSecret != null) {
      row(b, "WEBHOOKS lost", v.count(Kind.WEBHOOK_LOST) + "  (a final charge or refund without its event delivered"
          + " and received)");
      row(b, "webhooks not delivered", v.count(Kind.WEBHOOK_NOT_DELIVERED) + "  (pending or failed at the end; "
          + v.deliveryStatuses + " of " + in.deliveries.size() + " rows)");
      row(b, "webhooks badly signed or wrong", Integer.toString(v.count(Kind.WEBHOOK_BAD_EVENT)));
      row(b, "webhooks out of order", v.count(Kind.WEBHOOK_OUT_OF_ORDER) + "  (a charge's events first received"
          + " out of event_seq order)");
      row(b, "webhooks sent twice AT ONCE", v.count(Kind.WEBHOOK_CONCURRENT) + "  (one webhook-id at the receiver"
          + " twice at the same moment)");
      row(b, "webhook figures", v.hookEvents + " events received in " + v.hookRequests + " requests: "
          + v.hookDuplicates + " duplicates (again after a 200), " + v.hookRetries + " retries (after a non-2xx), "
          + v.hookRefused + " answered non-2xx (injected 500s); " + v.hookAttemptsRecorded + " attempts recorded in"
          + " the outbox; slowest first delivery " + v.slowestDeliveryMs + " ms; " + v.hookLaterBodies
          + " bodies showing a later status than their type");
    }
    row(b, "chaos not applied / run incomplete", v.count(Kind.CHAOS_NOT_APPLIED) + " / " + v.count(Kind.RUN_INCOMPLETE));
    for (String w : warnings) b.append("warning: ").append(w).append('\n');
    b.append(line);
    if (!v.ok()) {
      b.append("VIOLATIONS (").append(v.violations.size()).append("; all in violations.txt, details per charge in"
          + " charges.jsonl):\n");
      int shown = 0;
      for (Violation x : v.violations) {
        if (shown++ >= 60) {
          b.append("    ... ").append(v.violations.size() - 60).append(" more\n");
          break;
        }
        b.append("    ").append(x).append('\n');
      }
      b.append(line);
    }
    b.append("files: ").append(out).append('\n');
    return b.toString();
  }

  private static void row(StringBuilder b, String k, String v) {
    b.append(String.format(Locale.ROOT, "%-36s %s%n", k, v));
  }

  /** violations.txt (every line) and charges.jsonl (everything observed about each charge in a violation). */
  private void writeDetails(Verdict v, Verifier.Input in) throws IOException {
    StringBuilder all = new StringBuilder();
    for (Violation x : v.violations) all.append(x).append('\n');
    Files.writeString(out.resolve("violations.txt"), all.toString());
    Map<String, List<Verifier.Answer>> byKey = new HashMap<>();
    for (Verifier.Answer a : in.answers) byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
    StringBuilder j = new StringBuilder();
    for (String id : new TreeSet<>(v.violations.stream().map(Violation::subject).toList())) {
      Row db = in.db.get(id);
      Row api = in.api.get(id);
      String key = db != null ? db.key() : api != null ? api.key() : null;
      if (key == null) {
        for (Verifier.Answer a : in.answers) if (id.equals(a.chargeId())) key = a.key();
      }
      if (key == null && db == null && !in.charged.containsKey(id)) continue;
      JsonObject o = new JsonObject().put("id", id).put("key", key)
          .put("violations", v.violations.stream().filter(x -> x.subject().equals(id)).map(x -> x.kind() + ": "
              + x.detail()).toList())
          .put("db", json(db)).put("api", json(api))
          .put("charged", in.charged.get(id) == null ? null : new JsonObject(new LinkedHashMap<>(in.charged.get(id))))
          .put("ledger", new io.vertx.core.json.JsonArray(new ArrayList<Object>(ledgerDetail.getOrDefault(id, List.of()))))
          .put("answers", new io.vertx.core.json.JsonArray(byKey.getOrDefault(key, List.of()).stream()
              .map(a -> (Object) new JsonObject().put("source", a.source().name()).put("sent_at", a.sentAt())
                  .put("at", a.at()).put("http", a.http()).put("id", a.chargeId()).put("status", a.status())
                  .put("provider", a.provider())).toList()));
      j.append(o.encode()).append('\n');
    }
    Files.writeString(out.resolve("charges.jsonl"), j.toString());
    StringBuilder csv = new StringBuilder("key,charge_id,source,sent_at,at,http,status,provider\n");
    for (Verifier.Answer a : in.answers) {
      csv.append(a.key()).append(',').append(a.chargeId()).append(',').append(a.source()).append(',')
          .append(a.sentAt()).append(',').append(a.at()).append(',').append(a.http()).append(',')
          .append(a.status()).append(',').append(a.provider()).append('\n');
    }
    Files.writeString(out.resolve("answers.csv"), csv.toString());
  }

  // ---------------------------------------------------------------- configuration

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static final Map<String, String> CURRENCIES = Map.of("revio", "[USD, EUR]", "paycore", "[USD, EUR]",
      "fatora", "[USD]", "dintero", "[NOK, EUR]", "processout", "[USD, EUR, NOK]");

  /**
   * The providers block: every PSP at this JVM's simulators; with {@code creds} (the fleet), those
   * non-default credentials (production mode) and PayCore's test mode off.
   */
  static String providersYaml(String simUrl, ChaosPlan plan, io.payrouter.simulator.SimCredentials creds) {
    StringBuilder p = new StringBuilder();
    for (Psps.Psp psp : Psps.ALL) {
      JsonObject block = new JsonObject(Json.encode(psp.simulator().get().providerConfig(simUrl)));
      JsonObject credentials = creds == null ? block.getJsonObject("credentials")
          : new JsonObject(new LinkedHashMap<String, Object>(routerCredentials(creds, psp.type())));
      JsonObject options = block.getJsonObject("options");
      if (creds != null && psp.type().equals("paycore")) options = options.copy().put("test_mode", false);
      p.append("  ").append(psp.type()).append(":\n    type: ").append(psp.type())
          .append("\n    base_url: \"").append(block.getString("base_url")).append("\"\n")
          .append("    credentials: ").append(credentials.encode()).append('\n')
          .append("    options: ").append(options.encode()).append('\n')
          .append("    currencies: ").append(CURRENCIES.getOrDefault(psp.type(), "[USD]")).append('\n')
          .append("    timeout_ms: ").append(plan.pspTimeoutMs()).append('\n')
          .append("    breaker: { max_failures: 20, window_ms: 10000, reset_ms: 3000 }\n");
    }
    return p.toString();
  }

  /**
   * Fresh random non-default simulator credentials for one fleet run (none is a built-in default).
   * Revio's brand id and Dintero's account id keep the defaults: they are not secrets, and
   * production mode does not check them.
   */
  public static io.payrouter.simulator.SimCredentials randomCredentials() {
    java.security.SecureRandom rnd = new java.security.SecureRandom();
    java.util.function.Supplier<String> r = () -> {
      byte[] b = new byte[12];
      rnd.nextBytes(b);
      return java.util.HexFormat.of().formatHex(b);
    };
    return io.payrouter.simulator.SimCredentials.DEFAULTS
        .with("revio", "secret_key", "revio_fleet_" + r.get())
        .with("paycore", "account_id", "paycore_fleet_" + r.get())
        .with("paycore", "api_key", "paycore_fleet_key_" + r.get())
        .with("paycore", "callback_secret", "paycore_fleet_cb_" + r.get())
        .with("fatora", "api_key", "fatora_fleet_" + r.get())
        .with("fatora", "webhook_secret", "fatora_fleet_webhook_" + r.get())
        .with("dintero", "client_id", "dintero_fleet_" + r.get())
        .with("dintero", "client_secret", "dintero_fleet_secret_" + r.get())
        .with("dintero", "signature_secret", "dintero_fleet_sig_" + r.get())
        .with("processout", "project_id", "proj_fleet_" + r.get())
        .with("processout", "project_secret", "key_fleet_" + r.get());
  }

  /** The file {@code simulators --credentials FILE} reads (written beside the run for reference). */
  static String credentialsYaml(io.payrouter.simulator.SimCredentials c) {
    StringBuilder b = new StringBuilder("# Non-default simulator credentials of this chaos run (the routers use the same).\n");
    c.asMap().forEach((psp, m) -> {
      b.append(psp).append(":\n");
      m.forEach((k, v) -> b.append("  ").append(k).append(": \"").append(v).append("\"\n"));
    });
    return b.toString();
  }

  /** A router's {@code credentials} block for one PSP type (what its connector reads), from the simulators' set. */
  public static Map<String, String> routerCredentials(io.payrouter.simulator.SimCredentials c, String psp) {
    Map<String, String> m = new LinkedHashMap<>();
    switch (psp) {
      case "revio" -> m.put("secret_key", c.revioSecretKey());
      case "paycore" -> {
        m.put("account_id", c.payCoreAccountId());
        m.put("api_key", c.payCoreApiKey());
        m.put("callback_secret", c.payCoreCallbackSecret());
      }
      case "fatora" -> {
        m.put("api_key", c.fatoraApiKey());
        m.put("webhook_secret", c.get("fatora", "webhook_secret"));
      }
      case "dintero" -> {
        m.put("client_id", c.dinteroClientId());
        m.put("client_secret", c.dinteroClientSecret());
        m.put("signature_secret", c.dinteroSignatureSecret());
      }
      case "processout" -> {
        m.put("project_id", c.processOutProjectId());
        m.put("project_secret", c.processOutProjectSecret());
      }
      default -> throw new IllegalArgumentException("no fleet credentials for " + psp);
    }
    return m;
  }

  /** Admin key of the fleet (production mode refuses the demo key; this is none). */
  static final String FLEET_ADMIN_KEY = "admin_fleet_chaos_admin_key";

  /**
   * One fleet instance's config: production mode (the external PostgreSQL), the balancer as
   * {@code http.public_url} with the rehearsal setting ({@code inFile}: in the file; otherwise the
   * caller sets {@code ROUTER_HTTP_ALLOW_LOOPBACK_PUBLIC_URL}), a shared token key, non-default
   * simulator credentials, one event loop (three routers share two cores).
   */
  String fleetRouterYaml(int port, String publicUrl, int pgPort, String tokenKey, String simUrl, ChaosPlan plan,
      boolean inFile) {
    return """
        # Generated by io.payrouter.chaos.ChaosRun (fleet plan): production mode on the run's external
        # PostgreSQL, behind HAProxy (http.public_url), rehearsed on one machine.
        http: { host: 127.0.0.1, port: %d, instances: 1, public_url: "%s",%s drain_timeout_ms: %d }
        database: { url: "postgresql://postgres:postgres@127.0.0.1:%d/postgres", pool_size: 6 }
        security: { admin_key: %s, token_encryption_key: "%s" }
        merchants:
          - { id: chaos, name: Chaos Merchant, api_key: %s }
        simulators: { enabled: false }
        recovery: { interval_ms: %d, processing_grace_ms: %d, not_found_final_after: %d }
        routing_file: routing.yaml
        %s
        providers:
        """.formatted(port, publicUrl, inFile ? " allow_loopback_public_url: true," : "", DRAIN_TIMEOUT_MS, pgPort,
            FLEET_ADMIN_KEY, tokenKey, MERCHANT_KEY, plan.intervalMs(), plan.graceMs(), plan.graceMs(), WEBHOOKS_YAML)
        + providersYaml(simUrl, plan, fleetCredentials);
  }

  /**
   * Merchant webhooks of the routers under test: a short retry schedule and lease, so that
   * retries and the deliveries a killed or paused instance held are done within the run; plain
   * http for the chaos JVM's loopback receiver (production mode wants https otherwise).
   */
  static final String WEBHOOKS_YAML = "webhooks: { retry_schedule: [200ms, 500ms, 1s, 2s, 5s], poll_interval: 100ms,"
      + " timeout: 2s, lease: 10s, allow_http: true }";
  /** The receiver answers 500 to the first attempt of every this-many-th event. */
  static final int WEBHOOK_FAIL_EVERY = 10;
  /** The end's wait for the outbox to empty (bounded by the run's deadline too). */
  static final long WEBHOOK_WAIT_MS = 60_000;

  /** The router's config: embedded PostgreSQL in {@code dataDir}, PSPs at this JVM's simulators. */
  static String routerYaml(Path dataDir, int port, String simUrl, ChaosPlan plan) {
    String p = providersYaml(simUrl, plan, null);
    return """
        # Generated by io.payrouter.chaos.ChaosRun: the embedded default (own PostgreSQL), PSPs at the
        # chaos JVM's simulators, a fast reconciler.
        http: { host: 127.0.0.1, port: %d, instances: 2 }
        database: { data_dir: "%s", pool_size: 8 }
        security: { admin_key: %s }
        merchants:
          - { id: chaos, name: Chaos Merchant, api_key: %s }
        simulators: { enabled: false }
        recovery: { interval_ms: %d, processing_grace_ms: %d, not_found_final_after: %d }
        routing_file: routing.yaml
        %s
        providers:
        """.formatted(port, dataDir.toAbsolutePath(), ADMIN_KEY, MERCHANT_KEY, plan.intervalMs(), plan.graceMs(),
            // "no such payment" is proof only past this horizon; the suite's is its grace period, so
            // that charges nothing reached settle within the suite's bound (production: 24 h)
            plan.graceMs(), WEBHOOKS_YAML) + p;
  }

  /** Four USD lanes over three PSPs each (failover possible), NOK to Dintero then ProcessOut, adaptive default. */
  static String routingYaml() {
    return """
        # Generated by io.payrouter.chaos.ChaosRun.
        rules:
          - name: lane-a
            when: { metadata: { lane: a } }
            strategy: priority
            providers: [fatora, revio, paycore]
          - name: lane-b
            when: { metadata: { lane: b } }
            strategy: priority
            providers: [revio, paycore, processout]
          - name: lane-c
            when: { metadata: { lane: c } }
            strategy: priority
            providers: [paycore, processout, revio]
          - name: lane-d
            when: { metadata: { lane: d } }
            strategy: priority
            providers: [processout, revio, paycore]
          - name: nordic
            when: { currency: [NOK] }
            strategy: priority
            providers: [dintero, processout]
          - name: default
            strategy: adaptive
            providers: [revio, paycore, processout, fatora]
        failover: { max_attempts: 3 }
        """;
  }

  private static JsonObject json(Row r) {
    return r == null ? null : new JsonObject().put("status", r.status()).put("provider", r.provider())
        .put("created_at", r.createdAt()).put("updated_at", r.updatedAt());
  }
}
