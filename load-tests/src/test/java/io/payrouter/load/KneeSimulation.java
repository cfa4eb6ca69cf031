package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.OpenInjectionStep;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Finds the knee: raises the open-model arrival rate step by step and, at the end, prints the
 * highest step rate at which the p99 response time stayed under {@code kneeP99Ms} (50 ms) with no
 * error at all. Each virtual user makes the charge of {@link ChargeSimulation} (201 succeeded).
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=io.payrouter.load.KneeSimulation \
 *     -DbaseUrl=http://127.0.0.1:8080 -DkneeStart=100 -DkneeStep=100 -DkneeMax=2000 -DkneeStepSeconds=15
 * </pre>
 *
 * <p>Profile: {@code kneeWarmup} seconds at the start rate (not judged: JIT warm-up of both JVMs),
 * then steps of {@code kneeStepSeconds} at kneeStart, kneeStart + kneeStep, ... up to kneeMax,
 * without ramps in between. A request belongs to the step in which its virtual user arrived
 * (arrival time since the first arrival), so slow answers that land during the next step still
 * count against the rate that caused them. Per step: requests started, OK, KO (failed checks,
 * timeouts, connection errors) and users still unfinished when the run ended, all of which are
 * errors; and the exact nearest-rank percentiles of the response times that Gatling measured
 * ({@code responseTimeInMillis}), over every request that got an answer.
 *
 * <p>The knee is the highest step such that it and every step below it passed (p99 &lt; threshold,
 * 0 errors): the rate the router sustains, not a lucky step above a failed one (a higher step that
 * passed after a failure is printed too). With {@code kneeStopAfter} = N (default 2), the run stops
 * once N consecutive steps have failed for certain (an error, or more slow answers than a p99 under
 * the threshold allows): nothing above can become the knee. No Gatling assertion: failing steps are
 * the point of this run; the HTML report is written as usual.
 */
public class KneeSimulation extends Simulation {
  private final LoadConfig cfg = LoadConfig.load();
  private final Router router = new Router(cfg);

  private final double start = LoadConfig.dbl("kneeStart", 100);
  private final double step = LoadConfig.dbl("kneeStep", 100);
  private final double max = LoadConfig.dbl("kneeMax", 2000);
  private final int stepSeconds = LoadConfig.integer("kneeStepSeconds", 15);
  private final int warmupSeconds = LoadConfig.integer("kneeWarmup", 10);
  private final int thresholdMs = LoadConfig.integer("kneeP99Ms", 50);
  private final int stopAfter = LoadConfig.integer("kneeStopAfter", 2);
  private Step[] steps;

  /** Epoch millis of the first arrival: the start of the injection profile. */
  private final AtomicLong t0 = new AtomicLong();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private volatile String stopReason;
  /** The step whose certain failure stopped the run; steps above it were cut short, not judged. */
  private volatile int stopStep = Integer.MAX_VALUE;

  /** What was measured for one rate. Response times are kept in full: exact percentiles. */
  static final class Step {
    final double rate;
    final AtomicLong started = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong ko = new AtomicLong();
    final AtomicLong slow = new AtomicLong();
    final ResponseTimes times = new ResponseTimes();

    Step(double rate) {
      this.rate = rate;
    }
  }

  /**
   * True when the step's p99 is at or above the threshold whatever its unfinished requests do:
   * with n answers, the nearest-rank p99 is the ceil(0.99 n)-th smallest, so it is at least the
   * threshold once n - ceil(0.99 n) + 1 answers were that slow.
   */
  static boolean surelySlow(long slow, long n) {
    return n > 0 && slow >= n - (long) Math.ceil(0.99 * n) + 1;
  }

  private final ScenarioBuilder scn = scenario("knee")
      .exec(session -> {
        long now = System.currentTimeMillis();
        t0.compareAndSet(0, now);
        int i = stepOf(now);
        if (i >= 0) steps[i].started.incrementAndGet();
        String key = router.nextKey();
        return session.set("step", i).set("key", key)
            .set("body", router.chargeBody(Amounts.approved(), router.nextCard(), key));
      })
      .exec(http("POST /v1/charges")
          .post("/v1/charges")
          .header("Idempotency-Key", "#{key}")
          .body(StringBody("#{body}"))
          .requestTimeout(Duration.ofMillis(cfg.requestTimeoutMs))
          .check(responseTimeInMillis().saveAs("rt"))
          .check(status().is(201))
          .check(jsonPath("$.status").is("succeeded")))
      .exec(session -> {
        int i = session.getInt("step");
        if (i >= 0) {
          Step s = steps[i];
          if (session.contains("rt")) {
            int rt = session.getInt("rt");
            s.times.add(rt);
            if (rt >= thresholdMs) s.slow.incrementAndGet();
          }
          (session.isFailed() ? s.ko : s.ok).incrementAndGet();
          checkStop(i);
        }
        return session;
      })
      .exec(stopLoadGeneratorIf(session -> stopReason, session -> stopping.get()));

  {
    List<Step> list = new ArrayList<>();
    if (!(start > 0) || !(step > 0) || max < start) {
      throw new IllegalArgumentException("need kneeStart > 0, kneeStep > 0, kneeMax >= kneeStart");
    }
    for (int k = 0; start + k * step <= max + 1e-9; k++) list.add(new Step(start + k * step));
    steps = list.toArray(new Step[0]);
    long total = (long) warmupSeconds + (long) steps.length * stepSeconds;
    if (steps.length > 100) throw new IllegalArgumentException("at most 100 steps (" + steps.length + ")");
    if (max > LoadConfig.MAX_RATE) throw new IllegalArgumentException("kneeMax must be <= " + LoadConfig.MAX_RATE);
    if (stepSeconds < 3 || stepSeconds > 300) throw new IllegalArgumentException("kneeStepSeconds must be in [3, 300]");
    if (warmupSeconds < 0 || warmupSeconds > 300) throw new IllegalArgumentException("kneeWarmup must be in [0, 300]");
    if (thresholdMs < 1) throw new IllegalArgumentException("kneeP99Ms must be >= 1");
    if (total > 3600) throw new IllegalArgumentException("warm-up + steps must be <= 3600 s (" + total + ")");

    List<OpenInjectionStep> profile = new ArrayList<>();
    if (warmupSeconds > 0) profile.add(constantUsersPerSec(start).during(warmupSeconds));
    for (Step s : steps) profile.add(constantUsersPerSec(s.rate).during(stepSeconds));
    System.out.printf(Locale.ROOT, "[knee] %d steps: %s/s .. %s/s by %s, %d s each, after %d s warm-up; "
            + "p99 < %d ms and 0 errors; stop after %d failed steps; at most %d s%n",
        steps.length, LoadConfig.num(start), LoadConfig.num(steps[steps.length - 1].rate), LoadConfig.num(step), stepSeconds, warmupSeconds,
        thresholdMs, stopAfter, total + cfg.graceSeconds);
    setUp(scn.injectOpen(profile))
        .protocols(router.protocol())
        .maxDuration(Duration.ofSeconds(total + cfg.graceSeconds));
  }

  /** Step of an arrival at {@code now}: -1 during the warm-up, clamped to the last step. */
  private int stepOf(long now) {
    long since = now - t0.get() - warmupSeconds * 1000L;
    if (since < 0) return -1;
    return (int) Math.min(steps.length - 1, since / (stepSeconds * 1000L));
  }

  /** Sets {@link #stopping} once the stopAfter steps up to step i have all failed for certain. */
  private void checkStop(int i) {
    if (stopAfter <= 0 || stopping.get() || i + 1 < stopAfter) return;
    long now = System.currentTimeMillis();
    for (int k = i - stopAfter + 1; k <= i; k++) {
      Step s = steps[k];
      boolean arrivalsOver = stepOf(now) > k; // every user of step k has arrived
      boolean failed = s.ko.get() > 0 || (arrivalsOver && surelySlow(s.slow.get(), s.started.get()));
      if (!failed) return;
    }
    stopReason = String.format(Locale.ROOT, "knee search: %d steps in a row failed (up to %s/s)", stopAfter,
        LoadConfig.num(steps[i].rate));
    stopStep = i;
    stopping.set(true);
  }

  @Override
  public void before() {
    router.storeCards();
  }

  @Override
  public void after() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n[knee] per step (%d s each; a request counts for the step its user arrived in)%n",
        stepSeconds));
    out.append(String.format(Locale.ROOT, "[knee] %9s %8s %8s %6s %10s %8s %8s %8s %8s %8s  %s%n",
        "rate/s", "started", "ok", "ko", "unfinished", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "verdict"));
    double knee = -1;
    double highestPass = -1;
    boolean allPassedSoFar = true;
    for (int k = 0; k < steps.length; k++) {
      Step s = steps[k];
      if (s.started.get() == 0) {
        out.append(String.format(Locale.ROOT, "[knee] %9s %8s%n", LoadConfig.num(s.rate), "not run"));
        allPassedSoFar = false;
        continue;
      }
      int[] sorted = s.times.sorted();
      int p99 = ResponseTimes.percentile(sorted, 99);
      long started = s.started.get();
      long ok = s.ok.get();
      long ko = s.ko.get();
      long unfinished = Math.max(0, started - ok - ko);
      long errors = ko + unfinished;
      boolean cutShort = k > stopStep;
      boolean pass = !cutShort && errors == 0 && p99 >= 0 && p99 < thresholdMs;
      if (pass && allPassedSoFar) knee = s.rate;
      if (pass) highestPass = s.rate;
      if (!pass) allPassedSoFar = false;
      String why = cutShort ? "cut short by the stop, not judged"
          : pass ? "pass"
          : "FAIL (" + (errors > 0 ? errors + " errors" : "") + (errors > 0 && p99 >= thresholdMs ? ", " : "")
              + (p99 >= thresholdMs ? "p99 " + p99 + " ms" : "") + ")";
      out.append(String.format(Locale.ROOT, "[knee] %9s %8d %8d %6d %10d %8.1f %8d %8d %8d %8d  %s%n",
          LoadConfig.num(s.rate), started, ok, ko, unfinished, ok / (double) stepSeconds,
          ResponseTimes.percentile(sorted, 50), ResponseTimes.percentile(sorted, 95), p99, sorted.length == 0 ? -1 : sorted[sorted.length - 1], why));
    }
    if (stopReason != null) out.append("[knee] stopped early: ").append(stopReason).append('\n');
    if (knee < 0) {
      out.append(String.format(Locale.ROOT, "KNEE: none (the first step, %s/s, already misses p99 < %d ms with 0 errors)%n",
          LoadConfig.num(start), thresholdMs));
    } else {
      out.append(String.format(Locale.ROOT, "KNEE: %s charges/s (highest step with p99 < %d ms and 0 errors, every lower step too; "
          + "steps %s..%s/s by %s, %d s each)%n", LoadConfig.num(knee), thresholdMs, LoadConfig.num(start), LoadConfig.num(steps[steps.length - 1].rate),
          LoadConfig.num(step), stepSeconds));
      if (knee == steps[steps.length - 1].rate) {
        out.append("[knee] every step passed: raise -DkneeMax to find the knee\n");
      }
    }
    if (highestPass > knee) {
      out.append(String.format(Locale.ROOT, "[knee] note: %s/s passed too, above a failed step (noise or recovery)%n",
          LoadConfig.num(highestPass)));
    }
    System.out.print(out);
    System.out.flush();
  }
}
