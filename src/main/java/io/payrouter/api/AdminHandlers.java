package io.payrouter.api;

import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.config.ConfigLoader;
import io.payrouter.domain.InvalidRoutingRulesException;
import io.payrouter.merchant.MerchantService;
import io.payrouter.routing.Decision;
import io.payrouter.routing.TraceLine;
import io.payrouter.rules.ProviderHealthView.ProviderStatus;
import io.payrouter.rules.RoutingAdmin;
import io.payrouter.rules.RulesSource;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** The operations API: merchants and keys, routing rules, explain, providers. Parse, call, render. */
final class AdminHandlers {
  private final MerchantService merchants;
  private final RoutingAdmin routing;
  private final RequestValidator validator;

  AdminHandlers(MerchantService merchants, RoutingAdmin routing, RequestValidator validator) {
    this.merchants = merchants;
    this.routing = routing;
    this.validator = validator;
  }

  void createMerchant(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = validator.validate("MerchantCreate", body);
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    String name = body.getString("name");
    merchants.create(body.getString("id"), name)
        .onSuccess(k -> Json.send(rc, 201, new JsonObject().put("id", k.merchantId()).put("name", name)
            .put("api_key", k.apiKey()).put("key_id", k.id())))
        .onFailure(rc::fail);
  }

  void createKey(RoutingContext rc) {
    merchants.issueKey(rc.pathParam("id"))
        .onSuccess(k -> Json.send(rc, 201, new JsonObject().put("id", k.id()).put("merchant_id", k.merchantId())
            .put("api_key", k.apiKey())))
        .onFailure(rc::fail);
  }

  void deleteKey(RoutingContext rc) {
    merchants.revokeKey(rc.pathParam("id"), rc.pathParam("key_id"))
        .onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  void getRouting(RoutingContext rc) {
    Json.send(rc, 200, rules(routing.current()));
  }

  /** Media types PUT /admin/routing reads as YAML; JSON is the other one it takes. */
  static final java.util.Set<String> YAML_TYPES = java.util.Set.of("application/yaml", "application/x-yaml",
      "text/yaml", "text/x-yaml");
  /** Longest string (name, provider, condition value) a routing document may hold. */
  static final int MAX_RULE_STRING = 500;

  /**
   * {@code PUT /admin/routing}: validate and install. With {@code ?dry_run=true} the same
   * validation, nothing stored: 200 with what would be in force, or the very 422 a real PUT would
   * answer. Problems with a YAML body carry the line of their field.
   */
  void putRouting(RoutingContext rc) {
    boolean dryRun = dryRun(rc);
    RulesBody body = rulesBody(rc);
    Map<String, Object> raw = body.raw();
    String text = body.yaml();
    if (dryRun) {
      routing.check(raw).onSuccess(d -> Json.send(rc, 200, new JsonObject().put("dry_run", true).put("valid", true)
              .put("changes", d.changes()).put("version_in_force", d.inForce()).put("rules", d.rules())))
          .onFailure(err -> rc.fail(placed(err, text)));
      return;
    }
    routing.replace(raw, actor(rc)).onSuccess(a -> Json.send(rc, 200, rules(a))).onFailure(err -> rc.fail(placed(err, text)));
  }

  /** A routing document as sent: the mapping, and its YAML text when it came as YAML (for lines in problems). */
  private record RulesBody(Map<String, Object> raw, String yaml) {}

  /**
   * The body of {@code PUT /admin/routing} and {@code PUT /admin/routing/shadow}: JSON or YAML
   * (UTF-8), every string within {@link #MAX_RULE_STRING}; 400/415/422 problems otherwise.
   */
  private static RulesBody rulesBody(RoutingContext rc) {
    String ct = rc.request().getHeader("Content-Type");
    Map<String, Object> raw;
    String yaml = null;
    if (YAML_TYPES.contains(Json.mediaType(ct)) && Json.utf8Charset(ct)) {
      yaml = Json.utf8(rc);
      try {
        raw = ConfigLoader.readYaml(yaml);
      } catch (RuntimeException e) {
        int line = YamlLines.errorLine(e);
        if (line < 0) throw ProblemException.badRequest("the body is not a YAML mapping");
        throw new ProblemException(400, "bad-request", "Bad request", "the body is not a YAML mapping: it does not"
            + " parse at line " + line, List.of(new FieldError("", "the YAML does not parse here", line)));
      }
    } else if (Json.isJson(ct)) {
      raw = Json.body(rc).getMap();
    } else {
      throw ProblemException.unsupportedMediaType("send the rules as application/json or application/yaml (UTF-8)");
    }
    List<FieldError> errors = new ArrayList<>();
    Strings.check(raw, "", MAX_RULE_STRING, errors);
    if (!errors.isEmpty()) throw ProblemException.validation(yaml == null ? errors : YamlLines.place(yaml, errors));
    return new RulesBody(raw, yaml);
  }

  /**
   * {@code PUT /admin/routing/shadow}: validate shadow rules like {@code PUT /admin/routing} and
   * install them for the fleet beside the rules in force; 200 with {@code GET}'s answer (counts
   * at zero).
   */
  void putShadow(RoutingContext rc) {
    RulesBody body = rulesBody(rc);
    routing.putShadow(body.raw(), actor(rc)).compose(i -> routing.shadow())
        .onSuccess(j -> Json.send(rc, 200, j)).onFailure(err -> rc.fail(placed(err, body.yaml())));
  }

  /**
   * {@code POST /admin/routing/backtest}: {@code rules} (a rules document; or the body itself is
   * one, with {@code rules} its list), {@code from} and {@code to} (ISO 8601 instants, at most 31
   * days apart), optional {@code merchant} and {@code max_charges}.
   */
  void backtest(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = new ArrayList<>();
    java.time.Instant from = instant(body, "from", errors);
    java.time.Instant to = instant(body, "to", errors);
    if (from != null && to != null) {
      if (!to.isAfter(from)) errors.add(new FieldError("to", "to must be after from"));
      else if (java.time.Duration.between(from, to).compareTo(io.payrouter.rules.Backtests.MAX_WINDOW) > 0) {
        errors.add(new FieldError("to", "a backtest window is at most 31 days (from " + from + ")"));
      }
    }
    Object m = body.getValue("merchant");
    if (m != null && !(m instanceof String s && !s.isEmpty() && s.length() <= 64)) {
      errors.add(new FieldError("merchant", "merchant must be a merchant id of 1 to 64 characters"));
    }
    long max = io.payrouter.rules.Backtests.DEFAULT_MAX_CHARGES;
    Object mc = body.getValue("max_charges");
    if (mc != null) {
      if ((mc instanceof Integer || mc instanceof Long) && ((Number) mc).longValue() >= 1
          && ((Number) mc).longValue() <= io.payrouter.rules.Backtests.MAX_CHARGES) {
        max = ((Number) mc).longValue();
      } else {
        errors.add(new FieldError("max_charges", "max_charges must be a whole number from 1 to "
            + io.payrouter.rules.Backtests.MAX_CHARGES));
      }
    }
    Map<String, Object> doc = null;
    Object r = body.getValue("rules");
    if (r instanceof JsonObject o) {
      doc = o.getMap();
    } else if (r instanceof JsonArray) {
      doc = new java.util.LinkedHashMap<>(body.getMap());
      for (String k : List.of("from", "to", "merchant", "max_charges")) doc.remove(k);
    } else {
      errors.add(new FieldError("rules", "rules must be a routing rules document (the PUT /admin/routing body), or its list of rules"));
    }
    if (doc != null) Strings.check(doc, "rules", MAX_RULE_STRING, errors);
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    routing.backtest(new io.payrouter.rules.Backtests.Query(doc, from, to, (String) m, max))
        .onSuccess(j -> Json.send(rc, 200, j)).onFailure(rc::fail);
  }

  private static java.time.Instant instant(JsonObject body, String field, List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v instanceof String s) {
      try {
        return java.time.OffsetDateTime.parse(s).toInstant();
      } catch (java.time.format.DateTimeParseException e) {
        // below
      }
    }
    errors.add(new FieldError(field, field + " must be a time in ISO 8601 with its offset, e.g. 2026-12-01T00:00:00Z"));
    return null;
  }

  /** The longest canary: a week. */
  static final long MAX_CANARY_SECONDS = 7 * 24 * 3600;
  static final List<String> CANARY_FIELDS = List.of("rules", "share_percent", "min_sample", "guardrail_pp",
      "duration_seconds", "confidence", "hash_by", "latency_guardrail_ms");

  /**
   * {@code POST /admin/routing/canary}: {@code rules} (a rules document, or its list of rules),
   * {@code share_percent} (1–50), {@code min_sample} (final charges per arm before comparing, 1 to
   * 1,000,000), {@code guardrail_pp} (largest approval drop tolerated, 0–100 percentage points),
   * {@code duration_seconds} (10 to a week); optional {@code confidence} (0.5–0.9999, default 0.95),
   * {@code hash_by} ({@code card}, the default, or {@code merchant_reference}) and
   * {@code latency_guardrail_ms}. 201 with {@code GET}'s answer; 409 when one is running.
   */
  void postCanary(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = new ArrayList<>();
    for (String k : body.fieldNames()) {
      if (!CANARY_FIELDS.contains(k)) errors.add(new FieldError(k, "unknown field; known: " + String.join(", ", CANARY_FIELDS)));
    }
    long share = whole(body, "share_percent", 1, 50, true, 0, errors);
    long minSample = whole(body, "min_sample", 1, 1_000_000, true, 0, errors);
    long duration = whole(body, "duration_seconds", 10, MAX_CANARY_SECONDS, true, 0, errors);
    double guardrail = number(body, "guardrail_pp", 0, 100, true, 0, errors);
    double confidence = number(body, "confidence", 0.5, 0.9999, false, 0.95, errors);
    double latency = body.getValue("latency_guardrail_ms") == null ? -1
        : number(body, "latency_guardrail_ms", 0, 600_000, false, -1, errors);
    Object h = body.getValue("hash_by", io.payrouter.rules.CanaryRouting.BY_CARD);
    if (!io.payrouter.rules.CanaryRouting.BY_CARD.equals(h) && !io.payrouter.rules.CanaryRouting.BY_REFERENCE.equals(h)) {
      errors.add(new FieldError("hash_by", "hash_by must be card or merchant_reference"));
    }
    Map<String, Object> doc = null;
    Object r = body.getValue("rules");
    if (r instanceof JsonObject o) {
      doc = o.getMap();
    } else if (r instanceof JsonArray a) {
      doc = new java.util.LinkedHashMap<>(Map.of("rules", a.getList()));
    } else {
      errors.add(new FieldError("rules", "rules must be a routing rules document (the PUT /admin/routing body), or its list of rules"));
    }
    if (doc != null) Strings.check(doc, "rules", MAX_RULE_STRING, errors);
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    io.payrouter.routing.CanaryPolicy.Plan plan = new io.payrouter.routing.CanaryPolicy.Plan((int) share, minSample,
        guardrail, confidence, duration * 1000, latency);
    routing.startCanary(new RoutingAdmin.CanaryRequest(doc, plan, (String) h), actor(rc))
        .onSuccess(j -> Json.send(rc, 201, j)).onFailure(rc::fail);
  }

  /** {@code GET /admin/routing/canary}: the running canary (or the newest finished one); 404 when none ever ran. */
  void getCanary(RoutingContext rc) {
    routing.canary().onSuccess(j -> Json.send(rc, 200, j)).onFailure(rc::fail);
  }

  /** {@code DELETE /admin/routing/canary}: stops the running canary (recorded as stopped); 204, or 404 when none runs. */
  void deleteCanary(RoutingContext rc) {
    routing.stopCanary(actor(rc)).onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  private static long whole(JsonObject body, String field, long min, long max, boolean required, long dflt,
      List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v == null && !required && !body.containsKey(field)) return dflt;
    if ((v instanceof Integer || v instanceof Long) && ((Number) v).longValue() >= min && ((Number) v).longValue() <= max) {
      return ((Number) v).longValue();
    }
    errors.add(new FieldError(field, field + " must be a whole number from " + min + " to " + max));
    return dflt;
  }

  private static double number(JsonObject body, String field, double min, double max, boolean required, double dflt,
      List<FieldError> errors) {
    Object v = body.getValue(field);
    if (v == null && !required && !body.containsKey(field)) return dflt;
    if (v instanceof Number n && !(v instanceof Double d && (d.isNaN() || d.isInfinite()))
        && n.doubleValue() >= min && n.doubleValue() <= max) {
      return n.doubleValue();
    }
    errors.add(new FieldError(field, field + " must be a number from " + min + " to " + max));
    return dflt;
  }

  /** {@code GET /admin/routing/shadow}: the shadow's counts over the fleet; 404 when none is installed. */
  void getShadow(RoutingContext rc) {
    routing.shadow().onSuccess(j -> Json.send(rc, 200, j)).onFailure(rc::fail);
  }

  /** {@code DELETE /admin/routing/shadow}: 204; 404 when none was installed. */
  void deleteShadow(RoutingContext rc) {
    routing.deleteShadow().onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  private static boolean dryRun(RoutingContext rc) {
    List<String> v = rc.queryParam("dry_run");
    if (v.isEmpty()) return false;
    if (v.size() == 1 && (v.get(0).equals("true") || v.get(0).equals("false"))) return v.get(0).equals("true");
    throw ProblemException.validation(List.of(new FieldError("dry_run", "dry_run must be true or false, given at most once")));
  }

  /** Invalid rules from a YAML body: the same 422, each problem with the line of its field. */
  private static Throwable placed(Throwable err, String yaml) {
    if (yaml == null || !(err instanceof InvalidRoutingRulesException e)) return err;
    return ProblemException.unprocessable("invalid-routing", e.getMessage(), YamlLines.place(yaml, e.problems()));
  }

  /**
   * Who is asking, for the routing version history: the console's guard names its session
   * ({@link HttpApi#ACTOR}); otherwise the admin key. With the peer's address (never a header a
   * client could set).
   */
  static String actor(RoutingContext rc) {
    String who = rc.get(HttpApi.ACTOR);
    var peer = rc.request().remoteAddress();
    return (who == null ? "admin_api" : who) + (peer == null ? "" : " from " + peer.hostAddress());
  }

  void routingVersions(RoutingContext rc) {
    routing.versions(Params.limit(rc, 50)).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (RoutingAdmin.Version v : list) data.add(version(v));
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }

  void routingVersion(RoutingContext rc) {
    String n = rc.pathParam("version");
    if (n == null || !n.matches("[0-9]{1,18}")) {
      throw ProblemException.validation(List.of(new FieldError("version", "version must be a routing version number, e.g. 3")));
    }
    routing.version(Long.parseLong(n)).onSuccess(v -> Json.send(rc, 200, version(v).put("rules", v.rules())))
        .onFailure(rc::fail);
  }

  private static JsonObject version(RoutingAdmin.Version v) {
    JsonObject o = new JsonObject().put("version", v.version()).put("source", v.source()).put("changed_by", v.changedBy())
        .put("instance", v.instance()).put("created_at", v.createdAt().toString()).put("rule_count", v.ruleCount())
        .put("in_force", v.inForce());
    // the steps of the routing canaries run against this version (or that promoted it), oldest first
    if (!v.events().isEmpty()) {
      JsonArray events = new JsonArray();
      v.events().forEach(e -> events.add(RoutingAdmin.eventJson(e)));
      o.put("canary_events", events);
    }
    return o;
  }

  private JsonObject rules(RulesSource.Active a) {
    RulesSource.FileState f = routing.file();
    return new JsonObject().put("version", a.rules().version())
        .put("source", RulesSource.isFile(a.source()) ? "file" : a.source()).put("rules", a.raw())
        .put("file", fileState(f));
  }

  private static JsonObject fileState(RulesSource.FileState f) {
    JsonObject o = new JsonObject().put("path", f.path()).put("status", f.status()).put("detail", f.detail());
    if (!f.problems().isEmpty()) {
      JsonArray problems = new JsonArray();
      f.problems().forEach(p -> problems.add(new JsonObject().put("field", p.field()).put("message", p.message())));
      o.put("problems", problems);
    }
    return o;
  }

  void explain(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = new ArrayList<>(validator.validate("ExplainRequest", body));
    String currency = body.getValue("currency") instanceof String c ? c : null;
    if (errors.stream().noneMatch(e -> e.field().equals("currency")) && currency != null && !Currencies.isKnown(currency)) {
      errors.add(new FieldError("currency", ValidationMessages.CURRENCY_UNKNOWN));
    }
    if (body.getValue("providers") instanceof JsonArray ps) {
      if (ps.size() > 50) errors.add(new FieldError("providers", "providers must list at most 50 provider names"));
      for (int i = 0; i < ps.size(); i++) {
        String f = "providers[" + i + "]";
        if (ps.getValue(i) instanceof String p && p.length() > 64) errors.add(new FieldError(f, f + " must be a provider name of at most 64 characters"));
      }
    }
    if (errors.isEmpty() && body.getString("card_id") != null && body.getString("merchant", "").isEmpty()) {
      errors.add(new FieldError("merchant", "merchant is required with card_id (the card is looked up among that merchant's)"));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    Map<String, String> metadata = new LinkedHashMap<>();
    body.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
    List<String> providers = null;
    if (body.getJsonArray("providers") != null) {
      providers = new ArrayList<>();
      for (Object p : body.getJsonArray("providers")) providers.add(String.valueOf(p));
    }
    routing.explain(new RoutingAdmin.ExplainQuery(body.getString("merchant", ""), body.getString("card_id"),
            body.getLong("amount"), currency, body.getString("brand"), body.getString("issuer_country"), metadata,
            providers))
        .onSuccess(d -> Json.send(rc, 200, decision(d))).onFailure(rc::fail);
  }

  private static JsonObject decision(Decision d) {
    JsonArray trace = new JsonArray();
    for (TraceLine t : d.trace()) {
      trace.add(new JsonObject().put("kind", t.kind()).put("subject", t.subject()).put("verdict", t.verdict())
          .put("reason", t.reason()));
    }
    return new JsonObject().put("rule", d.rule()).put("strategy", d.strategy())
        .put("config_version", d.configVersion()).put("candidates", new JsonArray(new ArrayList<>(d.candidates())))
        .put("max_attempts", d.maxAttempts()).put("failover_on_soft_decline", d.failoverOnSoftDecline())
        .put("expected_fees", new JsonObject(new java.util.LinkedHashMap<>(d.fees())))
        .put("trace", trace);
  }

  void providers(RoutingContext rc) {
    JsonArray data = new JsonArray();
    for (ProviderStatus p : routing.providers()) data.add(provider(p));
    Json.send(rc, 200, new JsonObject().put("data", data));
  }

  void setEnabled(RoutingContext rc, boolean on) {
    routing.setEnabled(rc.pathParam("name"), on).onSuccess(p -> Json.send(rc, 200, provider(p))).onFailure(rc::fail);
  }

  private static JsonObject provider(ProviderStatus p) {
    return new JsonObject().put("name", p.name()).put("enabled", p.enabled()).put("circuit", p.circuit())
        .put("success_rate", p.successRate()).put("samples", p.samples()).put("p50_ms", p.p50Ms())
        .put("p99_ms", p.p99Ms()).put("in_flight", p.inFlight()).put("currencies", new JsonArray(new ArrayList<>(p.currencies())))
        .put("local_success_rate", p.localSuccessRate()).put("local_samples", p.localSamples())
        .put("open_on", new JsonArray(new ArrayList<>(p.openOn()))).put("credentials", p.credentials());
  }
}
