package io.payrouter.rules;

import io.payrouter.charge.CardService;
import io.payrouter.common.Ids;
import io.payrouter.domain.Card;
import io.payrouter.domain.NotFoundException;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.rules.ProviderHealthView.ProviderStatus;
import io.vertx.core.Future;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the operations API does with routing: read and replace the rules, explain, run providers. */
public final class RoutingAdmin {

  /**
   * A what-if charge for {@code POST /admin/routing/explain}. With {@code merchant} and
   * {@code cardId} the card's brand, country and token providers are used; otherwise the given
   * brand and country, and {@code providers} (or every provider) as the token set.
   */
  public record ExplainQuery(String merchant, String cardId, long amount, String currency, String brand,
      String issuerCountry, Map<String, String> metadata, List<String> providers) {}

  private final RulesSource rules;
  private final ProviderHealthView health;
  private final LiveRouter router;
  private final CardService cards;
  private final io.payrouter.store.Store store;
  private final String instanceId;
  private final io.payrouter.cluster.Fleet fleet;
  private final Backtests backtests;
  private volatile java.util.function.BiConsumer<String, Boolean> flagChanged = (p, on) -> {};

  public RoutingAdmin(RulesSource rules, ProviderHealthView health, LiveRouter router, CardService cards,
      io.payrouter.store.Store store, String instanceId, io.payrouter.cluster.Fleet fleet, Backtests backtests) {
    this.rules = rules;
    this.health = health;
    this.router = router;
    this.cards = cards;
    this.store = store;
    this.instanceId = instanceId;
    this.fleet = fleet;
    this.backtests = backtests;
  }

  /** What proposed rules would have done with the stored charges of a window ({@link Backtests}). */
  public Future<io.vertx.core.json.JsonObject> backtest(Backtests.Query q) {
    return backtests.run(q);
  }

  /** Called after an operator's enable/disable is stored and in force here (the fleet tells the others). */
  public void onFlagChanged(java.util.function.BiConsumer<String, Boolean> listener) {
    this.flagChanged = listener;
  }

  /** The routing file against the rules in force. */
  public RulesSource.FileState file() {
    return rules.fileState();
  }

  public RulesSource.Active current() {
    return rules.active();
  }

  /**
   * Validates and installs rules sent by an operator (fails listing every problem, changing
   * nothing). The body is a rules document or {@code GET /admin/routing}'s answer as it is
   * ({@link RulesDocument#fromRequest}); rules the same as those in force create no version.
   */
  public Future<RulesSource.Active> replace(Map<String, Object> raw, String changedBy) {
    return rules.replace(RulesDocument.fromRequest(raw), "api", changedBy);
  }

  /** {@link #replace} without installing anything: every problem, or whether it would change the rules. */
  public Future<RulesSource.DryRun> check(Map<String, Object> raw) {
    return rules.check(RulesDocument.fromRequest(raw));
  }

  /**
   * A stored routing version for the history.
   *
   * @param source {@code file} or {@code api}
   * @param changedBy who stored it ({@code admin_api from <address>}, {@code console session <tag>
   *     from <address>}, {@code file}); null for versions stored before this was recorded
   * @param rules its document (null in a listing)
   */
  public record Version(long version, String source, String changedBy, String instance, java.time.Instant createdAt,
      int ruleCount, boolean inForce, io.vertx.core.json.JsonObject rules, List<io.payrouter.store.CanaryStore.Event> events) {}

  /**
   * The newest stored versions, newest first (without their documents), each with the steps of the
   * canaries run against it (and, for a version a canary promoted, its {@code promoted} step).
   */
  public Future<List<Version>> versions(int limit) {
    return store.routingVersions(limit).compose(list -> store.canaries()
        .eventsOf(list.stream().map(io.payrouter.store.Store.RoutingVersionEntry::version).toList())
        .map(events -> list.stream().map(e -> version(e, events)).toList()));
  }

  /** One stored version with its document; fails with {@link NotFoundException} when there is none. */
  public Future<Version> version(long n) {
    return store.routingVersion(n).compose(v -> {
      io.payrouter.store.Store.RoutingVersionEntry e = v.orElseThrow(() -> new NotFoundException("routing version " + n));
      return store.canaries().eventsOf(List.of(e.version())).map(events -> version(e, events));
    });
  }

  private Version version(io.payrouter.store.Store.RoutingVersionEntry e, List<io.payrouter.store.CanaryStore.Event> all) {
    RulesSource.Active a = rules.active();
    List<io.payrouter.store.CanaryStore.Event> mine = all.stream().filter(ev -> "promoted".equals(ev.event())
        ? ev.promotedVersion() != null && ev.promotedVersion() == e.version() : ev.baseVersion() == e.version()).toList();
    return new Version(e.version(), RulesSource.isFile(e.source()) ? "file" : e.source(), e.changedBy(), e.instance(),
        e.createdAt(), e.ruleCount(), a != null && a.rules().version() == e.version(), e.rules(), mine);
  }

  // ------------------------------------------------------------------ canary

  /**
   * A canary as asked for: the proposed rules (the {@code PUT /admin/routing} shape) and its plan.
   *
   * @param hashBy {@link CanaryRouting#BY_CARD} or {@link CanaryRouting#BY_REFERENCE}
   */
  public record CanaryRequest(Map<String, Object> rules, io.payrouter.routing.CanaryPolicy.Plan plan, String hashBy) {}

  private volatile CanaryJudge judge;

  /** The judge of this instance's canaries (set once at start). */
  public void canaryJudge(CanaryJudge judge) {
    this.judge = judge;
  }

  /**
   * Starts a canary for the fleet: validates its rules like {@code PUT /admin/routing}, stores it
   * against the version in force (fails with {@link io.payrouter.domain.CanaryConflictException}
   * when one runs) and runs it here at once (the other instances within their database check).
   */
  public Future<io.vertx.core.json.JsonObject> startCanary(CanaryRequest q, String startedBy) {
    RulesSource.Proposed p;
    try {
      p = rules.validate(RulesDocument.fromRequest(q.rules()));
    } catch (io.payrouter.domain.InvalidRoutingRulesException e) {
      return Future.failedFuture(e);
    }
    long base = current().rules().version();
    io.payrouter.routing.CanaryPolicy.Plan plan = q.plan();
    return store.canaries().start(p.document(), planJson(plan), q.hashBy(), base, plan.durationMs(), startedBy, instanceId)
        .compose(c -> {
          router.canary().install(new CanaryRouting.Running(c.generation(), p.rules().withVersion(base), p.document(), plan,
              c.hashBy(), base, c.startedAt(), c.endsAt(), c.startedBy()));
          CanaryJudge j = judge;
          if (j != null) {
            j.recorded("started", c.generation(), plan.sharePercent() + "% of charges by " + c.hashBy() + " on the proposed rules"
                + " against version " + base + ", guardrail " + plan.guardrailPp() + " pp, until " + c.endsAt()
                + ", started by " + startedBy);
          }
          return canary();
        });
  }

  /**
   * The running canary, or else the newest finished one: its plan, state, the fleet's figures now
   * (running) or those of its verdict, and its steps; {@link NotFoundException} when none ever ran.
   */
  public Future<io.vertx.core.json.JsonObject> canary() {
    return store.canaries().newest().compose(found -> {
      io.payrouter.store.CanaryStore.Canary c = found.orElseThrow(() -> new NotFoundException("routing canary"));
      return store.canaries().eventsOf(c.generation()).map(events -> {
        io.vertx.core.json.JsonObject figures = c.figures();
        CanaryJudge j = judge;
        if ("running".equals(c.state()) && j != null && router.canary().generation() == c.generation()) {
          figures = j.figuresNow();
        }
        io.vertx.core.json.JsonArray steps = new io.vertx.core.json.JsonArray();
        for (io.payrouter.store.CanaryStore.Event e : events) steps.add(eventJson(e));
        return new io.vertx.core.json.JsonObject().put("generation", c.generation()).put("state", c.state())
            .put("reason", c.reason()).put("base_version", c.baseVersion()).put("promoted_version", c.promotedVersion())
            .put("started_by", c.startedBy()).put("started_at", c.startedAt().toString())
            .put("ends_at", c.endsAt().toString()).put("finished_at", c.finishedAt() == null ? null : c.finishedAt().toString())
            .put("hash_by", c.hashBy()).mergeIn(c.plan()).put("figures", figures).put("events", steps).put("rules", c.rules());
      });
    });
  }

  /** Stops the running canary (recorded as {@code stopped}); {@link NotFoundException} when none runs. */
  public Future<Void> stopCanary(String by) {
    return store.canaries().running().compose(found -> {
      io.payrouter.store.CanaryStore.Canary c = found.orElseThrow(() -> new NotFoundException("running routing canary"));
      CanaryJudge j = judge;
      io.vertx.core.json.JsonObject figures = j != null && router.canary().generation() == c.generation() ? j.figuresNow() : null;
      return store.canaries().finish(c.generation(), "stopped", "stopped by " + by, figures, instanceId, null).map(done -> {
        router.canary().remove(c.generation());
        if (done.isPresent() && j != null) j.recorded("stopped", c.generation(), "stopped by " + by);
        return (Void) null;
      });
    });
  }

  /** The plan as stored and shown. */
  static io.vertx.core.json.JsonObject planJson(io.payrouter.routing.CanaryPolicy.Plan p) {
    return new io.vertx.core.json.JsonObject().put("share_percent", p.sharePercent()).put("min_sample", p.minSample())
        .put("guardrail_pp", p.guardrailPp()).put("confidence", p.confidence())
        .put("duration_seconds", p.durationMs() / 1000)
        .put("latency_guardrail_ms", p.latencyGuardrailMs() < 0 ? null : p.latencyGuardrailMs());
  }

  /** A plan as stored. */
  public static io.payrouter.routing.CanaryPolicy.Plan plan(io.vertx.core.json.JsonObject j) {
    Object lat = j.getValue("latency_guardrail_ms");
    return new io.payrouter.routing.CanaryPolicy.Plan(j.getInteger("share_percent"), j.getLong("min_sample"),
        ((Number) j.getValue("guardrail_pp")).doubleValue(), ((Number) j.getValue("confidence")).doubleValue(),
        j.getLong("duration_seconds") * 1000, lat == null ? -1 : ((Number) lat).doubleValue());
  }

  /** One step as the version history and {@code GET /admin/routing/canary} show it. */
  public static io.vertx.core.json.JsonObject eventJson(io.payrouter.store.CanaryStore.Event e) {
    return new io.vertx.core.json.JsonObject().put("canary", e.generation()).put("event", e.event())
        .put("reason", e.reason()).put("at", e.at().toString()).put("instance", e.instance()).put("figures", e.figures());
  }

  public Future<Decision> explain(ExplainQuery q) {
    Future<Card> card = q.cardId() != null && q.merchant() != null && !q.merchant().isEmpty()
        ? cards.get(q.merchant(), q.cardId()).recover(err -> Future.failedFuture(
            err instanceof NotFoundException ? new NotFoundException("card") : err))
        : Future.succeededFuture(null);
    return card.map(c -> {
      Set<String> tokenProviders = new LinkedHashSet<>();
      if (c != null) {
        tokenProviders.addAll(c.tokens().keySet());
      } else if (q.providers() != null) {
        tokenProviders.addAll(q.providers());
      } else {
        tokenProviders.addAll(health.names());
      }
      return router.explain(new ChargeAttributes("ch_explain_" + Ids.next(""), q.merchant() == null ? "" : q.merchant(),
          q.amount(), q.currency(), c != null ? c.brand() : q.brand(), c != null ? c.issuerCountry() : q.issuerCountry(),
          q.metadata(), tokenProviders));
    });
  }

  // ------------------------------------------------------------------ shadow

  /**
   * Validates shadow rules (the {@code PUT /admin/routing} shape and validation), stores them for
   * the fleet under a new generation and installs them here at once (the other instances within
   * their database check). Fails with {@link io.payrouter.domain.InvalidRoutingRulesException}.
   */
  public Future<ShadowRouting.Installed> putShadow(Map<String, Object> raw, String installedBy) {
    RulesSource.Proposed p;
    try {
      p = rules.validate(RulesDocument.fromRequest(raw));
    } catch (io.payrouter.domain.InvalidRoutingRulesException e) {
      return Future.failedFuture(e);
    }
    return store.putShadow(p.document(), installedBy, instanceId).map(row -> {
      ShadowRouting.Installed i = new ShadowRouting.Installed(row.generation(), p.rules(), p.document(),
          row.installedAt(), row.installedBy());
      router.shadow().install(i);
      return i;
    });
  }

  /**
   * The shadow in force with the fleet's counts added up ({@link ShadowReport}) and this
   * instance's newest diverging charges; fails with {@link NotFoundException} when none is installed.
   */
  public Future<io.vertx.core.json.JsonObject> shadow() {
    ShadowRouting.Installed i = router.shadow().installed();
    if (i == null) return Future.failedFuture(new NotFoundException("shadow routing rules"));
    io.vertx.core.json.JsonObject report = ShadowReport.of(i.generation(), fleet.shadowCounts());
    io.vertx.core.json.JsonArray samples = new io.vertx.core.json.JsonArray();
    List<ShadowRouting.Sample> mine = router.shadow().samples();
    for (int k = mine.size() - 1; k >= 0; k--) {
      ShadowRouting.Sample s = mine.get(k);
      samples.add(new io.vertx.core.json.JsonObject().put("charge_id", s.chargeId()).put("merchant_id", s.merchantId())
          .put("amount", s.amount()).put("currency", s.currency()).put("brand", s.brand())
          .put("issuer_country", s.issuerCountry()).put("rule", s.pair().rule()).put("provider", s.pair().provider())
          .put("shadow_rule", s.pair().shadowRule()).put("shadow_provider", s.pair().shadowProvider())
          .put("at", s.at().toString()));
    }
    return Future.succeededFuture(new io.vertx.core.json.JsonObject().put("generation", i.generation())
        .put("installed_at", i.installedAt() == null ? null : i.installedAt().toString())
        .put("installed_by", i.installedBy()).put("rules_version_in_force", current().rules().version())
        .mergeIn(report).put("samples", samples).put("rules", i.raw()));
  }

  /** Removes the shadow for the fleet; fails with {@link NotFoundException} when none was stored. */
  public Future<Void> deleteShadow() {
    return store.deleteShadow().compose(g -> {
      if (g == 0) {
        router.shadow().remove(0);
        return Future.failedFuture(new NotFoundException("shadow routing rules"));
      }
      router.shadow().remove(g);
      return Future.succeededFuture();
    });
  }

  public List<ProviderStatus> providers() {
    return health.status();
  }

  /**
   * Enables or disables a provider for routing on every instance and answers its status: stored
   * in PostgreSQL first (it survives restarts of any or all instances, and wins over router.yaml),
   * then in force here, then announced to the fleet.
   */
  public Future<ProviderStatus> setEnabled(String name, boolean on) {
    if (!health.has(name)) return Future.failedFuture(new NotFoundException("provider " + name));
    return store.setProviderFlag(name, on, instanceId).map(v -> {
      health.apply(name, on);
      flagChanged.accept(name, on);
      return health.status(name).orElseThrow();
    });
  }
}
