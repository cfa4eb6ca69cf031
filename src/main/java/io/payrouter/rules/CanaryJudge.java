package io.payrouter.rules;

import io.payrouter.metrics.Metrics;
import io.payrouter.routing.CanaryPolicy;
import io.payrouter.store.CanaryStore;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongConsumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Judges the running routing canary on this instance, every {@link #INTERVAL_MS}: adds the
 * fleet's arms up (every member's beacon carries its tallies), asks {@link CanaryPolicy} and, on a
 * verdict, ends the canary in PostgreSQL. Every instance judges; the end is a conditional update,
 * so one of them records it (with the figures it judged on), the others find it ended and stop
 * running it within their database check. A newer version of the rules in force while the canary
 * runs ends it too ({@code superseded}): its control is gone.
 */
public final class CanaryJudge {
  private static final Logger log = LoggerFactory.getLogger(CanaryJudge.class);

  /** How often each instance judges the running canary. */
  public static final long INTERVAL_MS = 500;

  private final CanaryStore store;
  private final CanaryRouting canary;
  private final RulesSource rules;
  private final Supplier<Map<String, JsonObject>> fleetCounts;
  private final Metrics metrics;
  private final String instanceId;
  private final LongConsumer promoted;
  private final AtomicBoolean busy = new AtomicBoolean();
  /** The generation whose {@code compared} event this instance has seen recorded (or recorded). */
  private volatile long compared;

  /**
   * @param promoted called with the routing version a promotion recorded here stored (to load it
   *     and tell the fleet)
   */
  public CanaryJudge(CanaryStore store, CanaryRouting canary, RulesSource rules,
      Supplier<Map<String, JsonObject>> fleetCounts, Metrics metrics, String instanceId, LongConsumer promoted) {
    this.store = store;
    this.canary = canary;
    this.rules = rules;
    this.fleetCounts = fleetCounts;
    this.metrics = metrics;
    this.instanceId = instanceId;
    this.promoted = promoted;
  }

  /** The fleet's arms of canary {@code generation}: [control, canary]. */
  static CanaryPolicy.Arm[] arms(long generation, Map<String, JsonObject> counts) {
    CanaryPolicy.Arm control = CanaryPolicy.Arm.EMPTY;
    CanaryPolicy.Arm treated = CanaryPolicy.Arm.EMPTY;
    for (JsonObject c : counts.values()) {
      if (c == null || c.getLong("generation", 0L) != generation) continue;
      control = control.plus(CanaryRouting.fromJson(c.getValue("control")));
      treated = treated.plus(CanaryRouting.fromJson(c.getValue("canary")));
    }
    return new CanaryPolicy.Arm[] {control, treated};
  }

  /**
   * The expected fees of the succeeded charges of each arm over the fleet, per currency:
   * {@code {control: {USD: {total, charges, unknown, per_charge}}, canary: {...}}} (minor units;
   * {@code per_charge} the mean over the charges with a known fee, rounded down).
   */
  static JsonObject fees(long generation, Map<String, JsonObject> counts) {
    java.util.Map<String, long[]> control = new java.util.TreeMap<>();
    java.util.Map<String, long[]> treated = new java.util.TreeMap<>();
    for (JsonObject c : counts.values()) {
      if (c == null || c.getLong("generation", 0L) != generation || !(c.getValue("fees") instanceof JsonObject f)) continue;
      add(control, f.getValue("control"));
      add(treated, f.getValue("canary"));
    }
    return new JsonObject().put("control", feesJson(control)).put("canary", feesJson(treated));
  }

  private static void add(java.util.Map<String, long[]> into, Object arm) {
    if (!(arm instanceof JsonObject o)) return;
    for (String cur : o.fieldNames()) {
      if (!(o.getValue(cur) instanceof io.vertx.core.json.JsonArray a) || a.size() != 3) continue;
      long[] t = into.computeIfAbsent(cur, k -> new long[3]);
      for (int i = 0; i < 3; i++) t[i] += a.getValue(i) instanceof Number n ? n.longValue() : 0;
    }
  }

  private static JsonObject feesJson(java.util.Map<String, long[]> m) {
    JsonObject o = new JsonObject();
    m.forEach((cur, t) -> o.put(cur, new JsonObject().put("total", t[0]).put("charges", t[1]).put("unknown", t[2])
        .put("per_charge", t[1] == 0 ? null : t[0] / t[1])));
    return o;
  }

  /** The verdict on the running canary now, with its figures; null when none runs here. */
  public JsonObject figuresNow() {
    CanaryRouting.Running r = canary.running();
    if (r == null) return null;
    Map<String, JsonObject> counts = fleetCounts.get();
    CanaryPolicy.Arm[] a = arms(r.generation(), counts);
    return figures(r, a[0], a[1], CanaryPolicy.decide(r.plan(), a[0], a[1], elapsed(r))).put("fees", fees(r.generation(), counts));
  }

  /** One judgement (at most one at a time; a tick while one is under way is skipped). */
  public Future<Void> tick() {
    CanaryRouting.Running r = canary.running();
    if (r == null || !busy.compareAndSet(false, true)) return Future.succeededFuture();
    return judge(r).onComplete(ar -> {
      busy.set(false);
      if (ar.failed()) log.warn("routing canary {}: judgement failed: {}", r.generation(), ar.cause().toString());
    });
  }

  private Future<Void> judge(CanaryRouting.Running r) {
    // one reading of the fleet's tallies for the verdict and every figure recorded with it
    Map<String, JsonObject> counts = fleetCounts.get();
    CanaryPolicy.Arm[] a = arms(r.generation(), counts);
    CanaryPolicy.Finding f = CanaryPolicy.decide(r.plan(), a[0], a[1], elapsed(r));
    JsonObject figures = figures(r, a[0], a[1], f).put("fees", fees(r.generation(), counts));
    RulesSource.Active active = rules.active();
    // a newer version in force ends it (its control is gone); an instance still catching up to the
    // base version only waits
    if (active != null && active.rules().version() > r.baseVersion()) {
      return finish(r, "rolled_back", "superseded", figures);
    }
    return switch (f.verdict()) {
      case PROMOTE -> finish(r, "promoted", null, figures);
      case ROLL_BACK -> finish(r, "rolled_back", f.reason(), figures);
      case CONTINUE -> {
        if (compared == r.generation()) yield Future.succeededFuture();
        compared = r.generation();
        yield store.recordOnce(r.generation(), "compared", figures, instanceId).map(recorded -> {
          if (recorded) {
            metrics.canaryEvent("compared");
            log.info("routing canary {}: both arms have {} final charges; comparing ({})", r.generation(),
                r.plan().minSample(), summary(figures));
          }
          return null;
        });
      }
      case WAIT -> Future.succeededFuture();
    };
  }

  private Future<Void> finish(CanaryRouting.Running r, String state, String reason, JsonObject figures) {
    return store.finish(r.generation(), state, reason, figures, instanceId,
        "canary " + r.generation() + " (started by " + r.startedBy() + ")").map(done -> {
          canary.remove(r.generation());
          if (done.isEmpty()) return null;
          CanaryStore.Finished f = done.get();
          metrics.canaryEvent(f.state());
          if (f.promotedVersion() != null) {
            log.info("routing canary {} promoted: its rules are version {} ({})", r.generation(), f.promotedVersion(),
                summary(figures));
            promoted.accept(f.promotedVersion());
          } else {
            log.warn("routing canary {} {} ({}): {}", r.generation(), f.state().replace('_', ' '), f.reason(),
                summary(figures));
          }
          return null;
        });
  }

  /** A step recorded outside a judgement (started, stopped): its metric and log line. */
  public void recorded(String event, long generation, String detail) {
    metrics.canaryEvent(event);
    log.info("routing canary {} {}: {}", generation, event, detail);
  }

  private static long elapsed(CanaryRouting.Running r) {
    return System.currentTimeMillis() - r.startedAt().toEpochMilli();
  }

  private static String summary(JsonObject f) {
    JsonObject c = f.getJsonObject("control");
    JsonObject k = f.getJsonObject("canary");
    return "approval control " + c.getValue("approval_rate") + " of " + c.getLong("charges") + ", canary "
        + k.getValue("approval_rate") + " of " + k.getLong("charges") + "; drop " + f.getValue("approval_drop_pp")
        + " pp, guardrail " + f.getValue("guardrail_pp") + " pp";
  }

  /** The figures a verdict is recorded with (and {@code GET /admin/routing/canary} shows). */
  static JsonObject figures(CanaryRouting.Running r, CanaryPolicy.Arm control, CanaryPolicy.Arm treated,
      CanaryPolicy.Finding f) {
    CanaryPolicy.Plan p = r.plan();
    return new JsonObject().put("verdict", f.verdict().name().toLowerCase(java.util.Locale.ROOT))
        .put("reason", f.reason()).put("control", arm(control)).put("canary", arm(treated))
        .put("approval_drop_pp", round(f.approvalDropPp())).put("error_rise_pp", round(f.errorRisePp()))
        .put("latency_rise_ms", round(f.latencyRiseMs())).put("z_approval", round(f.zApproval()))
        .put("z_errors", round(f.zErrors())).put("z_latency", round(f.zLatency())).put("z_critical", round(f.zCritical()))
        .put("confidence", p.confidence()).put("guardrail_pp", p.guardrailPp()).put("min_sample", p.minSample())
        .put("elapsed_ms", Math.max(0, elapsed(r)));
  }

  private static JsonObject arm(CanaryPolicy.Arm a) {
    return new JsonObject().put("charges", a.sample()).put("succeeded", a.succeeded()).put("declined", a.declined())
        .put("failed", a.failed()).put("pending", a.pending()).put("approval_rate", round(a.approval()))
        .put("error_rate", round(a.errors())).put("mean_latency_ms", round(a.meanLatencyMs()));
  }

  /** Four decimals; null for a figure that is not a number (a test not run yet) or infinite. */
  static Double round(double v) {
    if (Double.isNaN(v)) return null;
    if (Double.isInfinite(v)) return v > 0 ? 1e9 : -1e9;
    return Math.round(v * 10_000) / 10_000.0;
  }
}
