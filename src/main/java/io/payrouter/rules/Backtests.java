package io.payrouter.rules;

import io.payrouter.routing.ApprovalModel;
import io.payrouter.routing.Backtest;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.ProviderHealth;
import io.payrouter.routing.RoutingRules;
import io.payrouter.store.BacktestReads;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /admin/routing/backtest}: replays the stored charges of a window through proposed
 * rules and through the rules that were in force for each, and answers what would have changed.
 *
 * <p>The charges stream from PostgreSQL through a cursor ({@link BacktestReads}); each batch is
 * decided on a worker thread (ordered: one batch after another), so no event loop runs the
 * replay, and the next batch is read only when the previous one is done. One backtest at a time
 * per instance.
 */
public final class Backtests {
  private static final Logger log = LoggerFactory.getLogger(Backtests.class);

  /** Longest window one backtest may replay. */
  public static final Duration MAX_WINDOW = Duration.ofDays(31);
  /** Most charges one backtest may replay, and the default. */
  public static final long MAX_CHARGES = 5_000_000;
  public static final long DEFAULT_MAX_CHARGES = 1_000_000;
  /** Statement timeout of the backtest's reads. */
  static final long TIMEOUT_MS = 120_000;
  /** Stored versions loaded to replay "before" (the newest). */
  static final int VERSIONS = 1_000;

  /**
   * @param rules the proposed rules document (validated like {@code PUT /admin/routing})
   * @param merchant only this merchant's charges, or null for all
   * @param maxCharges at most this many charges (the oldest are not preferred: the cursor's order)
   */
  public record Query(Map<String, Object> rules, Instant from, Instant to, String merchant, long maxCharges) {}

  private final Vertx vertx;
  private final Store store;
  private final RulesSource rules;
  private final ProviderHealthView health;
  private final AtomicBoolean running = new AtomicBoolean();

  public Backtests(Vertx vertx, Store store, RulesSource rules, ProviderHealthView health) {
    this.vertx = vertx;
    this.store = store;
    this.rules = rules;
    this.health = health;
  }

  /** True while a backtest runs here. */
  public boolean busy() {
    return running.get();
  }

  public Future<JsonObject> run(Query q) {
    RulesSource.Proposed proposed;
    try {
      proposed = rules.validate(RulesDocument.fromRequest(q.rules()));
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    if (!running.compareAndSet(false, true)) {
      return Future.failedFuture(new io.payrouter.domain.UnavailableException(
          "a backtest is already running on this instance: try again when it has answered"));
    }
    long t0 = System.nanoTime();
    BacktestReads reads = store.backtests();
    Map<Long, RoutingRules> versions = new HashMap<>();
    ApprovalModel approvals = new ApprovalModel();
    Future<JsonObject> f = reads.versions(VERSIONS).compose(list -> {
      for (Store.RoutingVersion v : list) {
        try {
          versions.put(v.version(), rules.validate(v.rules().getMap()).rules());
        } catch (RuntimeException e) {
          log.info("backtest: routing version {} does not validate with today's providers; its charges replay their stored decision",
              v.version());
        }
      }
      return reads.attempts(q.from(), q.to(), q.merchant(), TIMEOUT_MS);
    }).compose(counts -> {
      HealthSnapshot replayHealth = replayHealth(counts, approvals);
      Backtest bt = new Backtest(proposed.rules(), versions::get, replayHealth, approvals);
      return reads.charges(q.from(), q.to(), q.merchant(), q.maxCharges(), TIMEOUT_MS,
              batch -> vertx.executeBlocking(() -> {
                for (Backtest.StoredCharge c : batch) bt.add(c);
                return null;
              }, true))
          .compose(truncated -> vertx.executeBlocking(() -> render(q, bt.result(), truncated, approvals, counts,
              (System.nanoTime() - t0) / 1_000_000, proposed.document()), true));
    });
    return f.onComplete(ar -> running.set(false));
  }

  /**
   * The replay's provider health: every configured provider enabled and its circuit closed (the
   * window's outages are not known), with its currencies and fees as configured now, and the
   * window's success rate (answered / all attempts) and median latency for adaptive rules.
   */
  private HealthSnapshot replayHealth(List<BacktestReads.AttemptCounts> counts, ApprovalModel approvals) {
    Map<String, long[]> byProvider = new HashMap<>();
    Map<String, double[]> latency = new HashMap<>();
    for (BacktestReads.AttemptCounts c : counts) {
      approvals.observe(c.provider(), c.currency(), c.brand(), c.approved(), c.declined());
      long[] t = byProvider.computeIfAbsent(c.provider(), k -> new long[2]);
      t[0] += c.approved() + c.declined();
      t[1] += c.approved() + c.declined() + c.failed();
      double[] l = latency.computeIfAbsent(c.provider(), k -> new double[2]);
      long n = c.approved() + c.declined() + c.failed();
      l[0] += c.p50LatencyMs() * n;
      l[1] += n;
    }
    List<ProviderHealth> list = new ArrayList<>();
    for (ProviderHealth now : health.snapshot().providers().values()) {
      long[] t = byProvider.getOrDefault(now.name(), new long[2]);
      double[] l = latency.getOrDefault(now.name(), new double[2]);
      list.add(new ProviderHealth(now.name(), true, false, now.currencies(), t[1] == 0 ? 1.0 : (double) t[0] / t[1],
          t[1], l[1] == 0 ? 0 : l[0] / l[1], now.fees()));
    }
    return HealthSnapshot.of(list);
  }

  private static JsonObject render(Query q, Backtest.Result r, boolean truncated, ApprovalModel approvals,
      List<BacktestReads.AttemptCounts> counts, long ms, JsonObject document) {
    JsonArray transitions = new JsonArray();
    for (Backtest.Transition t : r.transitions()) {
      transitions.add(new JsonObject().put("from_rule", t.fromRule()).put("from_provider", t.fromProvider())
          .put("to_rule", t.toRule()).put("to_provider", t.toProvider()).put("charges", t.charges()));
    }
    JsonObject byProvider = new JsonObject();
    for (String p : approvals.observedProviders()) {
      long[] pc = approvals.providerCounts(p);
      byProvider.put(p, new JsonObject().put("answered_attempts", pc[0]).put("approved", pc[1])
          .put("rate", round4(pc[0] == 0 ? 0 : (double) pc[1] / pc[0])).put("pooled_rate", round4(approvals.providerRate(p))));
    }
    JsonObject approval = new JsonObject()
        .put("before", projection(r.approvalBefore())).put("after", projection(r.approvalAfter()))
        .put("change", round4(r.approvalAfter().rate() - r.approvalBefore().rate()))
        .put("by_provider", byProvider)
        .put("segments", counts.size())
        .put("unobserved_providers", new JsonArray(new ArrayList<>(unobserved(r, approvals))))
        .put("method", "Approval = approved / (approved + declined) attempts of the window. A segment is provider x"
            + " currency x card brand; each segment's rate is shrunk toward its provider's rate, and each provider's"
            + " toward the window's overall rate, with the weight of " + (int) ApprovalModel.PRIOR + " attempts"
            + " (sparse segments lean on their provider). The projection is the mean of the charges' rates at the"
            + " provider tried first; the interval is 95 % and counts the uncertainty of the measured rates.");
    JsonObject fees = new JsonObject().put("before", fees(r.feesBefore())).put("after", fees(r.feesAfter()));
    JsonObject change = new JsonObject();
    for (String cur : r.feesAfter().keySet()) {
      Backtest.Fees b = r.feesBefore().get(cur);
      change.put(cur, r.feesAfter().get(cur).total() - (b == null ? 0 : b.total()));
    }
    for (String cur : r.feesBefore().keySet()) {
      if (!change.containsKey(cur)) change.put(cur, -r.feesBefore().get(cur).total());
    }
    fees.put("change", change).put("note", "Minor units per currency, for the provider tried first; charges whose"
        + " provider has no matching fee line are counted as unknown and not summed");
    return new JsonObject()
        .put("window", new JsonObject().put("from", q.from().toString()).put("to", q.to().toString())
            .put("merchant", q.merchant()))
        .put("charges", r.charges()).put("truncated", truncated).put("max_charges", q.maxCharges())
        .put("changed", r.changed())
        .put("before", new JsonObject(new HashMap<>(r.before()))).put("after", new JsonObject(new HashMap<>(r.after())))
        .put("before_rules", new JsonObject(new HashMap<>(r.beforeRules())))
        .put("after_rules", new JsonObject(new HashMap<>(r.afterRules())))
        .put("transitions", transitions)
        .put("approval", approval)
        .put("fees", fees)
        .put("replayed_with_stored_decision", r.replayedWithStoredDecision())
        .put("notes", new JsonArray()
            .add("Both sides are replayed with every provider enabled and its circuit closed, and the window's success"
                + " rates and latencies; the charges' metadata is not stored, so metadata conditions see none")
            .add("A charge whose routing version is not stored or no longer validates, or that a routing canary's"
                + " proposed rules decided, is counted 'before' with its stored decision (replayed_with_stored_decision)"))
        .put("duration_ms", ms)
        .put("rules", document);
  }

  /** Providers tried first on either side that had no answered attempt in the window. */
  private static java.util.Set<String> unobserved(Backtest.Result r, ApprovalModel approvals) {
    java.util.Set<String> out = new java.util.TreeSet<>(r.before().keySet());
    out.addAll(r.after().keySet());
    out.remove(io.payrouter.routing.ShadowComparison.NONE);
    out.removeAll(approvals.observedProviders());
    return out;
  }

  private static JsonObject projection(ApprovalModel.Projection p) {
    double[] i = p.interval();
    return new JsonObject().put("charges", p.charges()).put("rate", round4(p.rate()))
        .put("low", round4(i[0])).put("high", round4(i[1]));
  }

  private static JsonObject fees(Map<String, Backtest.Fees> m) {
    JsonObject o = new JsonObject();
    m.forEach((cur, f) -> o.put(cur, new JsonObject().put("total", f.total()).put("charges", f.charges())
        .put("unknown", f.unknown())));
    return o;
  }

  private static double round4(double v) {
    return Math.round(v * 10_000) / 10_000.0;
  }
}
