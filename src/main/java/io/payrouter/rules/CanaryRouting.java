package io.payrouter.rules;

import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.RoutingInfo;
import io.payrouter.metrics.Metrics;
import io.payrouter.routing.CanaryPolicy;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.RoutingEngine;
import io.payrouter.routing.RoutingRules;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;

/**
 * The routing canary on this instance: proposed rules that decide a share of live charges (drawn by
 * {@link CanaryPolicy#treated} from the card or the merchant reference), and the outcomes of both
 * arms. The canary is stored in PostgreSQL; every instance runs the running one within its
 * database check and counts its own charges, which its beacons carry to the others so that any
 * instance can add the fleet's arms up and judge them ({@link CanaryJudge}).
 */
public final class CanaryRouting {

  /** Which key the arm is drawn from. */
  public static final String BY_CARD = "card";
  public static final String BY_REFERENCE = "merchant_reference";

  /**
   * A running canary as stored.
   *
   * @param rules the proposed rules, parsed (with the base version's number)
   * @param raw their normalised document
   * @param hashBy {@link #BY_CARD} or {@link #BY_REFERENCE}
   * @param baseVersion the rules version in force when it started: the control
   */
  public record Running(long generation, RoutingRules rules, JsonObject raw, CanaryPolicy.Plan plan, String hashBy,
      long baseVersion, Instant startedAt, Instant endsAt, String startedBy) {}

  /** One arm's tallies. */
  private static final class Tally {
    final LongAdder succeeded = new LongAdder();
    final LongAdder declined = new LongAdder();
    final LongAdder failed = new LongAdder();
    final LongAdder pending = new LongAdder();
    final DoubleAdder latencySum = new DoubleAdder();
    final DoubleAdder latencySumSq = new DoubleAdder();
    /** Per currency: [expected fees of the succeeded charges, succeeded charges with a known fee, without one]. */
    final java.util.concurrent.ConcurrentHashMap<String, LongAdder[]> fees = new java.util.concurrent.ConcurrentHashMap<>();

    void fee(String currency, Long fee) {
      LongAdder[] f = fees.computeIfAbsent(currency == null ? "?" : currency,
          k -> new LongAdder[] {new LongAdder(), new LongAdder(), new LongAdder()});
      if (fee == null) {
        f[2].increment();
      } else {
        f[0].add(fee);
        f[1].increment();
      }
    }

    JsonObject feesJson() {
      JsonObject o = new JsonObject();
      fees.forEach((cur, f) -> o.put(cur, new JsonArray().add(f[0].sum()).add(f[1].sum()).add(f[2].sum())));
      return o;
    }

    CanaryPolicy.Arm arm() {
      return new CanaryPolicy.Arm(succeeded.sum(), declined.sum(), failed.sum(), pending.sum(), latencySum.sum(),
          latencySumSq.sum());
    }
  }

  private static final class Counts {
    final Running running;
    final Tally control = new Tally();
    final Tally canary = new Tally();

    Counts(Running running) {
      this.running = running;
    }
  }

  private volatile Counts current;
  private volatile long refused = -1;

  /** The outcome counters per arm (control, canary) and outcome (succeeded, declined, failed, pending): looked up once. */
  private final Runnable[][] counted = new Runnable[2][4];

  public CanaryRouting(Metrics metrics) {
    for (int a = 0; a < 2; a++) {
      for (int o = 0; o < 4; o++) counted[a][o] = metrics.canaryCharge(Metrics.CANARY_ARMS.get(a), Metrics.CANARY_OUTCOMES.get(o));
    }
  }

  /** The canary running here, or null. */
  public Running running() {
    Counts c = current;
    return c == null ? null : c.running;
  }

  public long generation() {
    Counts c = current;
    return c == null ? 0 : c.running.generation();
  }

  /** A stored canary whose rules do not validate here: not run here (logged once). */
  public void refuse(long generation) {
    refused = generation;
  }

  public long refused() {
    return refused;
  }

  /** Runs this canary here with fresh counts (the same generation again changes nothing). */
  public synchronized void install(Running r) {
    Counts c = current;
    if (c != null && c.running.generation() == r.generation()) return;
    current = new Counts(r);
  }

  /** Stops it here (if it is of that generation, or any with 0). */
  public synchronized void remove(long generation) {
    Counts c = current;
    if (c != null && (generation == 0 || c.running.generation() == generation)) current = null;
  }

  /**
   * The decision for a live charge while a canary runs: the proposed rules' for the canary's share
   * of customers, the rules in force' ({@code live}) for the others, each marked with its arm.
   */
  public Decision decide(ChargeAttributes attributes, String cardId, String merchantReference, HealthSnapshot health,
      Decision live) {
    Counts c = current;
    if (c == null || live.configVersion() != c.running.baseVersion()) return live;
    Running r = c.running;
    String key = BY_REFERENCE.equals(r.hashBy()) ? first(merchantReference, cardId) : first(cardId, merchantReference);
    if (key == null) key = attributes.chargeId();
    if (!CanaryPolicy.treated(key, r.generation(), r.plan().sharePercent())) return live.inCanary(r.generation(), false);
    return RoutingEngine.decide(attributes, r.rules(), health, false).inCanary(r.generation(), true);
  }

  private static String first(String a, String b) {
    return a != null && !a.isEmpty() ? a : b != null && !b.isEmpty() ? b : null;
  }

  /** A charge of the canary running here was answered. */
  public void answered(RoutingInfo routing, ChargeStatus status, String provider, String currency, long nanos) {
    Counts c = current;
    if (c == null || routing == null || routing.canary() == null || routing.canary().generation() != c.running.generation()) {
      return;
    }
    boolean treated = routing.canary().treated();
    Tally t = treated ? c.canary : c.control;
    Runnable[] metric = counted[treated ? 1 : 0];
    // one charge's figures change together (a snapshot never sees a fee without its charge)
    synchronized (t) {
      switch (status) {
        case SUCCEEDED -> {
          t.succeeded.increment();
          // the fee expected of the provider that took it, at decision time (its fee schedule)
          t.fee(currency, provider == null ? null : routing.expectedFees().get(provider));
        }
        case DECLINED -> t.declined.increment();
        case FAILED -> t.failed.increment();
        default -> t.pending.increment();
      }
      if (status.isFinal()) {
        double ms = nanos / 1e6;
        t.latencySum.add(ms);
        t.latencySumSq.add(ms * ms);
      }
    }
    switch (status) {
      case SUCCEEDED -> metric[0].run();
      case DECLINED -> metric[1].run();
      case FAILED -> metric[2].run();
      default -> metric[3].run();
    }
  }

  /**
   * This instance's tallies, as its beacon carries them: {@code generation}, {@code control} and
   * {@code canary} (each {@code [succeeded, declined, failed, pending, latency sum ms, latency sum
   * of squares]}), and {@code fees} per arm and currency ({@code [expected fees in minor units,
   * succeeded charges with a known fee, without one]}); null when no canary runs here.
   */
  public JsonObject counts() {
    Counts c = current;
    if (c == null) return null;
    JsonObject fees = new JsonObject();
    JsonObject out = new JsonObject().put("generation", c.running.generation()).put("fees", fees);
    for (Tally t : new Tally[] {c.control, c.canary}) {
      String arm = t == c.control ? "control" : "canary";
      synchronized (t) {
        out.put(arm, toJson(t.arm()));
        fees.put(arm, t.feesJson());
      }
    }
    return out;
  }

  static JsonArray toJson(CanaryPolicy.Arm a) {
    return new JsonArray().add(a.succeeded()).add(a.declined()).add(a.failed()).add(a.pending())
        .add(a.latencySumMs()).add(a.latencySumSqMs());
  }

  /** An arm from a beacon ({@link #counts}); the empty arm for anything else. */
  static CanaryPolicy.Arm fromJson(Object o) {
    if (!(o instanceof JsonArray a) || a.size() != 6) return CanaryPolicy.Arm.EMPTY;
    try {
      return new CanaryPolicy.Arm(((Number) a.getValue(0)).longValue(), ((Number) a.getValue(1)).longValue(),
          ((Number) a.getValue(2)).longValue(), ((Number) a.getValue(3)).longValue(),
          ((Number) a.getValue(4)).doubleValue(), ((Number) a.getValue(5)).doubleValue());
    } catch (ClassCastException | NullPointerException e) {
      return CanaryPolicy.Arm.EMPTY;
    }
  }
}
