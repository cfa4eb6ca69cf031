package io.payrouter.chaos;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one chaos run does and when: the merchants' load, the faults at every PSP, and the timeline
 * of outages (times are milliseconds after the load starts). {@link #full()} is what
 * {@code load-tests/chaos.sh} runs; {@link #ci()} is the shorter variant {@code ChaosSuiteTest}
 * runs in {@code mvn -B verify}. {@link #fleet()} ({@code chaos.sh --fleet}) and
 * {@link #fleetCi()} ({@code --fleet --short}, {@code FleetChaosTest}) run {@code instances}
 * routers in production mode on one external PostgreSQL behind HAProxy.
 *
 * @param charges charges the merchants make (each a fresh Idempotency-Key), at least
 * @param clients concurrent merchant clients
 * @param loadMs the charges are spread evenly over this long
 * @param clientTimeoutMs a merchant's request timeout
 * @param retryForMs how long a merchant keeps retrying one charge (timeout, 409, 5xx, dropped connection)
 * @param events the outages, in time order
 * @param downPsp the PSP that is {@code down} for a while (see {@link Event.Type#PSP_DOWN})
 * @param intervalMs the router's {@code recovery.interval_ms}
 * @param graceMs the router's {@code recovery.processing_grace_ms}
 * @param pspTimeoutMs the router's per-PSP {@code timeout_ms}
 * @param recoveryBoundMs the router must accept a fresh charge this soon after PostgreSQL answers again
 * @param recoveryWaitMs how long the suite waits for that before calling it "not recovered"
 * @param deadlineMs the whole run (start to summary) stops by itself within this
 * @param requireEveryFaultKind a fault kind never injected is a violation (the full run); a warning otherwise
 * @param settleMarginMs after the load, the suite waits up to the settle bound plus this for nothing to be pending
 * @param instances router processes: 1 = the embedded default (its own PostgreSQL, no balancer);
 *     more = a fleet in production mode on one external PostgreSQL behind HAProxy
 * @param retryFailed merchants also retry a {@code failed} answer with the same key and body (at most
 *     {@link #FAILED_RETRIES} times), as the API invites them to
 * @param lateMs when above 0, the PSPs also accept some money calls with a documented pending state
 *     and charge them {@code lateMs} later ({@code late_rate}/{@code late_ms}) or close them unpaid
 *     ({@code cancel_rate}); 0: neither is injected, and the fault-kind check does not ask for them
 */
record ChaosPlan(String name, int charges, int clients, long loadMs, long clientTimeoutMs, long retryForMs,
    List<Event> events, String downPsp, long intervalMs, long graceMs, long pspTimeoutMs,
    long recoveryBoundMs, long recoveryWaitMs, long deadlineMs, boolean requireEveryFaultKind, long settleMarginMs,
    int instances, boolean retryFailed, long lateMs) {

  /** How often a merchant retries a {@code failed} charge (same key) before it gives up on it. */
  static final int FAILED_RETRIES = 2;

  /** The single-router plans (the embedded default). */
  ChaosPlan(String name, int charges, int clients, long loadMs, long clientTimeoutMs, long retryForMs,
      List<Event> events, String downPsp, long intervalMs, long graceMs, long pspTimeoutMs,
      long recoveryBoundMs, long recoveryWaitMs, long deadlineMs, boolean requireEveryFaultKind, long settleMarginMs) {
    this(name, charges, clients, loadMs, clientTimeoutMs, retryForMs, events, downPsp, intervalMs, graceMs, pspTimeoutMs,
        recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs, 1, false, 0);
  }

  boolean isFleet() {
    return instances > 1;
  }

  /**
   * One thing done to the system under test, {@code atMs} after the load starts. {@code instance}:
   * which router (0-based) a router event applies to (always 0 with a single router).
   */
  record Event(long atMs, Type type, String mode, long holdMs, int instance) {
    enum Type {
      /** {@code POST /_sim/{downPsp}/faults {"down": true}} for {@code holdMs}, then the usual faults. */
      PSP_DOWN,
      /** {@code pg_ctl stop -m <mode>}, {@code holdMs} down, {@code pg_ctl start} (same port and options). */
      PG_RESTART,
      /** SIGKILL the router process, then start it again on the same data directory and config. */
      ROUTER_KILL,
      /** SIGSTOP one router for {@code holdMs} (longer than its lease: others take its charges over), then SIGCONT. */
      ROUTER_STOP,
      /** SIGTERM one router (it drains), then start it again: a rolling restart. */
      ROUTER_TERM,
      /** HA tier: SIGKILL of the Patroni leader's postmaster alone (Patroni restarts it in place). */
      PG_PRIMARY_KILL,
      /** HA tier: SIGKILL of the leader's Patroni and postmaster, a lost machine (the sync standby is promoted). */
      PG_NODE_KILL,
      /** HA tier: the lost node's Patroni started again; it must rejoin as a replica. */
      PG_REJOIN,
      /** Cluster: {@code PUT /admin/routing} through router {@code instance}; timed until every live member has it in force. */
      ROUTING_CHANGE,
      /** Cluster: {@code POST /admin/providers/{mode}/disable} through {@code instance}; timed until every member shows it. */
      PROVIDER_DISABLE,
      /** Cluster: {@code POST /admin/providers/{mode}/enable} through {@code instance}; timed likewise. */
      PROVIDER_ENABLE,
      /** Cluster: a new merchant key made and revoked through {@code instance}; timed until every member refuses it. */
      KEY_REVOKE
    }

    Event(long atMs, Type type, String mode, long holdMs) {
      this(atMs, type, mode, holdMs, 0);
    }

    String label() {
      String who = "r" + (instance + 1);
      return switch (type) {
        case PSP_DOWN -> "psp down " + holdMs / 1000 + " s";
        case PG_RESTART -> "postgres restart -m " + mode + " (" + holdMs + " ms down)";
        case ROUTER_KILL -> instance == 0 && mode == null ? "router SIGKILL + start" : who + " SIGKILL + start";
        case ROUTER_STOP -> who + " SIGSTOP " + holdMs + " ms + SIGCONT";
        case ROUTER_TERM -> who + " SIGTERM (drain) + start";
        case PG_PRIMARY_KILL -> "postgres leader's postmaster SIGKILL";
        case PG_NODE_KILL -> "postgres leader node lost (Patroni + postmaster SIGKILL)";
        case PG_REJOIN -> "postgres lost node started again";
        case ROUTING_CHANGE -> "routing change through " + who;
        case PROVIDER_DISABLE -> mode + " disabled through " + who;
        case PROVIDER_ENABLE -> mode + " enabled through " + who;
        case KEY_REVOKE -> "merchant key revoked through " + who;
      };
    }
  }

  ChaosPlan {
    events = new ArrayList<>(events);
    events.sort(Comparator.comparingLong(Event::atMs));
    events = List.copyOf(events);
  }

  /** The full run: 2,400 charges, 32 clients, 2 PostgreSQL restarts, 1 SIGKILL, 10 s PSP outage. */
  static ChaosPlan full() {
    return new ChaosPlan("full", 2400, 32, 75_000, 5_000, 30_000, List.of(
        new Event(8_000, Event.Type.PSP_DOWN, null, 10_000),
        new Event(22_000, Event.Type.PG_RESTART, "fast", 2_000),
        new Event(38_000, Event.Type.ROUTER_KILL, null, 0),
        new Event(58_000, Event.Type.PG_RESTART, "immediate", 2_000)),
        "revio", 1_000, 8_000, 1_000, 2_000, 20_000, 290_000, true, 10_000);
  }

  /**
   * The CI variant: 320 charges, 16 clients, one PostgreSQL restart, one SIGKILL, a 5 s PSP outage;
   * events early, so the charges the kill leaves behind settle inside the run.
   */
  static ChaosPlan ci() {
    return new ChaosPlan("ci", 320, 16, 24_000, 5_000, 30_000, List.of(
        new Event(2_000, Event.Type.PSP_DOWN, null, 5_000),
        new Event(5_000, Event.Type.PG_RESTART, "fast", 1_500),
        new Event(11_000, Event.Type.ROUTER_KILL, null, 0)),
        "revio", 1_000, 8_000, 1_000, 2_000, 15_000, 170_000, false, 5_000);
  }

  /** The owner timeout of the routers under test (Store.OWNER_TIMEOUT_MS, {@code -Drouter.ownerTimeoutMs}). */
  static final long OWNER_TIMEOUT_MS = 3_000;

  /**
   * The fleet's full run: 3 routers in production mode on one external PostgreSQL behind HAProxy,
   * 2,400 charges from 32 clients over 75 s; a PSP down 10 s; r2 SIGSTOPped 10 s and r1 6 s (both
   * past the 3 s lease, so its pending charges are taken over; 10 s is also past the 8 s grace, so
   * its charges still processing are taken over too and the resumed instance meets the fencing); PostgreSQL restarted fast and immediate; r3 SIGKILLed and restarted; r1
   * SIGTERMed (drain) and restarted; merchants retry failed charges; accepted-then-late payments
   * (2 %, charged 10 s after the PSP answered pending: past the 8 s grace) and cancelled ones (1 %,
   * closed unpaid 10 s later); every PSP callback through HAProxy ({@code webhook_url}).
   */
  static ChaosPlan fleet() {
    return new ChaosPlan("fleet", 2400, 32, 75_000, 5_000, 30_000, List.of(
        new Event(6_000, Event.Type.PSP_DOWN, null, 10_000),
        new Event(12_000, Event.Type.ROUTER_STOP, null, 10_000, 1),
        new Event(26_000, Event.Type.PG_RESTART, "fast", 2_000),
        new Event(36_000, Event.Type.ROUTER_KILL, "fleet", 0, 2),
        new Event(48_000, Event.Type.ROUTER_TERM, null, 0, 0),
        new Event(56_000, Event.Type.PG_RESTART, "immediate", 2_000),
        new Event(62_000, Event.Type.ROUTER_STOP, null, 6_000, 0)),
        "revio", 1_000, 8_000, 1_000, 2_000, 20_000, 290_000, true, 10_000, 3, true, 10_000);
  }

  /**
   * The fleet's CI variant ({@code --fleet --short}, {@code FleetChaosTest}): 3 routers, 360
   * charges from 12 clients over 28 s; r2 SIGSTOPped 9 s (past its 3 s lease and the 8 s grace:
   * its pending and processing charges are taken over), r3 SIGKILLed and restarted, r1 SIGTERMed
   * and restarted, one PostgreSQL restart; the same late and cancelled payments and callbacks
   * through HAProxy as {@link #fleet()}; events early so everything settles inside the run.
   */
  static ChaosPlan fleetCi() {
    return new ChaosPlan("fleet-ci", 360, 12, 28_000, 5_000, 30_000, List.of(
        new Event(3_000, Event.Type.ROUTER_STOP, null, 9_000, 1),
        new Event(13_000, Event.Type.ROUTER_KILL, "fleet", 0, 2),
        new Event(17_000, Event.Type.PG_RESTART, "fast", 1_500),
        new Event(21_000, Event.Type.ROUTER_TERM, null, 0, 0)),
        "revio", 1_000, 8_000, 1_000, 2_000, 15_000, 115_000, false, 5_000, 3, true, 10_000);
  }

  /**
   * {@code load-tests/pg-ha.sh}: 2 routers in production mode behind HAProxy on the Patroni tier,
   * 1,500 charges from 16 clients over 60 s with the fleet's faults; the leader's postmaster
   * SIGKILLed at 12 s (restarted in place), the leader node lost at 30 s (the standby promoted),
   * the lost node started again at 46 s (it must rejoin as a replica).
   */
  static ChaosPlan ha() {
    return new ChaosPlan("ha", 1500, 16, 60_000, 5_000, 30_000, List.of(
        new Event(12_000, Event.Type.PG_PRIMARY_KILL, null, 0),
        new Event(30_000, Event.Type.PG_NODE_KILL, null, 0),
        new Event(46_000, Event.Type.PG_REJOIN, null, 0)),
        "revio", 1_000, 8_000, 1_000, 2_000, 20_000, 290_000, false, 10_000, 2, true, 10_000);
  }

  /**
   * The same plan on the Patroni tier ({@code cluster.sh --ha}): a PostgreSQL restart {@code -m fast}
   * becomes a SIGKILL of the leader's postmaster, {@code -m immediate} the loss of the leader's node,
   * started again 14 s later.
   */
  ChaosPlan onHaTier() {
    List<Event> ev = new ArrayList<>();
    for (Event e : events) {
      if (e.type() != Event.Type.PG_RESTART) {
        ev.add(e);
      } else if ("fast".equals(e.mode())) {
        ev.add(new Event(e.atMs(), Event.Type.PG_PRIMARY_KILL, null, 0));
      } else {
        ev.add(new Event(e.atMs(), Event.Type.PG_NODE_KILL, null, 0));
        ev.add(new Event(e.atMs() + 14_000, Event.Type.PG_REJOIN, null, 0));
      }
    }
    return new ChaosPlan(name + "-ha", charges, clients, loadMs, clientTimeoutMs, retryForMs, ev, downPsp, intervalMs,
        graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs + 60_000, requireEveryFaultKind,
        settleMarginMs, instances, retryFailed, lateMs);
  }

  /**
   * The same plan with the shared changes of a clustered fleet ({@code cluster.sh}), each made
   * through router {@code via} (0-based; not the one most traffic reaches: the merchants go
   * through HAProxy, these go to that instance directly): a routing change, a provider disabled
   * and enabled again 10 s later, a merchant key revoked. Placed where every instance runs.
   */
  ChaosPlan withSharedChanges(int via) {
    List<Event> ev = new ArrayList<>(events);
    // after the first pause and PostgreSQL restart of fleet(), before its SIGKILL; early in the short plans
    long at = name.startsWith("fleet-ci") ? 23_500 : 30_000;
    ev.add(new Event(at, Event.Type.ROUTING_CHANGE, null, 0, via));
    ev.add(new Event(at + 1_500, Event.Type.PROVIDER_DISABLE, "paycore", 0, via));
    ev.add(new Event(at + 3_000, Event.Type.KEY_REVOKE, null, 0, via));
    ev.add(new Event(at + 11_500, Event.Type.PROVIDER_ENABLE, "paycore", 0, via));
    return new ChaosPlan(name + "-cluster", charges, clients, loadMs, clientTimeoutMs, retryForMs, ev, downPsp,
        intervalMs, graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind,
        settleMarginMs, instances, retryFailed, lateMs);
  }

  /** The same plan with {@code n} routers (at least 2: the fleet topology). */
  ChaosPlan withInstances(int n) {
    if (n < 2) throw new IllegalArgumentException("a fleet has at least 2 instances");
    List<Event> ev = events.stream().filter(e -> e.instance() < n).toList();
    return new ChaosPlan(name, charges, clients, loadMs, clientTimeoutMs, retryForMs, ev, downPsp, intervalMs,
        graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs, n,
        retryFailed, lateMs);
  }

  ChaosPlan withCharges(int n, int c) {
    return new ChaosPlan(name, n, c, loadMs, clientTimeoutMs, retryForMs, events, downPsp, intervalMs, graceMs,
        pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs,
        instances, retryFailed, lateMs);
  }

  /** The same plan without one kind of event (diagnosis; the verdict then says less). */
  ChaosPlan without(Event.Type type) {
    return new ChaosPlan(name + "-without-" + type.name().toLowerCase(java.util.Locale.ROOT), charges, clients, loadMs,
        clientTimeoutMs, retryForMs, events.stream().filter(e -> e.type() != type).toList(), downPsp, intervalMs,
        graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs,
        instances, retryFailed, lateMs);
  }

  /**
   * The same plan without the late and cancel faults (diagnosis: {@code --without late}); the
   * settle bound is then grace + 2 intervals again, as in the single-router plans.
   */
  ChaosPlan withoutLate() {
    return new ChaosPlan(name + "-without-late", charges, clients, loadMs, clientTimeoutMs, retryForMs, events, downPsp,
        intervalMs, graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind,
        settleMarginMs, instances, retryFailed, 0);
  }

  /**
   * The accepted-then-late faults: {@code late_rate} of money calls answered with the PSP's
   * documented pending state and charged {@code late_ms} later, {@code cancel_rate} closed unpaid
   * instead, {@code lateMs} after the answer. {@code lateMs} is past the grace period, so the
   * reconciler meets these charges still pending at the PSP after it may act on them.
   */
  JsonObject lateFaults() {
    return new JsonObject().put("late_rate", 0.02).put("late_ms", lateMs).put("cancel_rate", 0.01);
  }

  /**
   * The realistic background faults, on at every PSP for the whole load (a slow answer outlasts the
   * timeout; a declined one is the PSP's own decline, which moves no money).
   */
  JsonObject faults() {
    return new JsonObject().put("latency_ms", 3).put("error_rate", 0.02).put("timeout_rate", 0.01)
        .put("ambiguous_rate", 0.02).put("ambiguous_lag_ms", 1_500).put("reset_rate", 0.02)
        .put("slow_rate", 0.02).put("slow_ms", pspTimeoutMs + 1_500).put("decline_rate", 0.02);
  }

  /**
   * A pending charge must be settled this long after it was created (the bound): grace +
   * 2 intervals; with late payments, the PSP's own lateness + 2 intervals when that is longer (a PSP
   * that holds a payment pending for {@code late_ms} cannot be settled sooner by anyone).
   */
  long settleBoundMs() {
    return Math.max(graceMs, lateMs) + 2 * intervalMs;
  }
}
