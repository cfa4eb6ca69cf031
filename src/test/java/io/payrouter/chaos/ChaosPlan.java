package io.payrouter.chaos;

import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * What one chaos run does and when: the merchants' load, the faults at every PSP, and the timeline
 * of outages (times are milliseconds after the load starts). {@link #full()} is what
 * {@code load-tests/chaos.sh} runs; {@link #ci()} is the shorter variant {@code ChaosSuiteTest}
 * runs in {@code mvn -B verify}.
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
 */
record ChaosPlan(String name, int charges, int clients, long loadMs, long clientTimeoutMs, long retryForMs,
    List<Event> events, String downPsp, long intervalMs, long graceMs, long pspTimeoutMs,
    long recoveryBoundMs, long recoveryWaitMs, long deadlineMs, boolean requireEveryFaultKind, long settleMarginMs) {

  /** One thing done to the system under test, {@code atMs} after the load starts. */
  record Event(long atMs, Type type, String mode, long holdMs) {
    enum Type {
      /** {@code POST /_sim/{downPsp}/faults {"down": true}} for {@code holdMs}, then the usual faults. */
      PSP_DOWN,
      /** {@code pg_ctl stop -m <mode>}, {@code holdMs} down, {@code pg_ctl start} (same port and options). */
      PG_RESTART,
      /** SIGKILL the router process, then start it again on the same data directory and config. */
      ROUTER_KILL
    }

    String label() {
      return switch (type) {
        case PSP_DOWN -> "psp down " + holdMs / 1000 + " s";
        case PG_RESTART -> "postgres restart -m " + mode + " (" + holdMs + " ms down)";
        case ROUTER_KILL -> "router SIGKILL + start";
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

  ChaosPlan withCharges(int n, int c) {
    return new ChaosPlan(name, n, c, loadMs, clientTimeoutMs, retryForMs, events, downPsp, intervalMs, graceMs,
        pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs);
  }

  /** The same plan without one kind of event (diagnosis; the verdict then says less). */
  ChaosPlan without(Event.Type type) {
    return new ChaosPlan(name + "-without-" + type.name().toLowerCase(java.util.Locale.ROOT), charges, clients, loadMs,
        clientTimeoutMs, retryForMs, events.stream().filter(e -> e.type() != type).toList(), downPsp, intervalMs,
        graceMs, pspTimeoutMs, recoveryBoundMs, recoveryWaitMs, deadlineMs, requireEveryFaultKind, settleMarginMs);
  }

  /** The realistic background faults, on at every PSP for the whole load (a slow answer outlasts the timeout). */
  JsonObject faults() {
    return new JsonObject().put("latency_ms", 3).put("error_rate", 0.02).put("timeout_rate", 0.01)
        .put("ambiguous_rate", 0.02).put("ambiguous_lag_ms", 1_500).put("reset_rate", 0.02)
        .put("slow_rate", 0.02).put("slow_ms", pspTimeoutMs + 1_500);
  }

  /** A pending charge must be settled this long after it was created (the bound). */
  long settleBoundMs() {
    return graceMs + 2 * intervalMs;
  }
}
