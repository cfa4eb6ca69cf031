package io.payrouter.api;

import io.payrouter.charge.RoutingService;
import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.common.Ids;
import io.payrouter.common.ProblemException;
import io.payrouter.config.ConfigLoader;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.TraceLine;
import io.payrouter.domain.Card;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** The operations API: merchants and keys, routing rules, explain, providers. */
final class AdminHandlers {
  private final Store store;
  private final ApiKeys keys;
  private final RoutingService routing;
  private final RequestValidator validator;
  private final String keyPrefix;

  AdminHandlers(Store store, ApiKeys keys, RoutingService routing, RequestValidator validator, boolean production) {
    this.store = store;
    this.keys = keys;
    this.routing = routing;
    this.validator = validator;
    this.keyPrefix = production ? "sk_live_" : "sk_test_";
  }

  void createMerchant(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = validator.validate("MerchantCreate", body);
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    String id = body.getString("id");
    String name = body.getString("name");
    store.createMerchant(id, name).compose(created -> {
      if (!created) throw ProblemException.conflict("merchant-exists", "merchant " + id + " already exists");
      return issueKey(id);
    }).onSuccess(k -> Json.send(rc, 201, new JsonObject().put("id", id).put("name", name)
        .put("api_key", k.getString("api_key")).put("key_id", k.getString("id")))).onFailure(rc::fail);
  }

  void createKey(RoutingContext rc) {
    String id = rc.pathParam("id");
    store.merchantExists(id).compose(exists -> {
      if (!exists) throw ProblemException.notFound("merchant " + id);
      return issueKey(id);
    }).onSuccess(k -> Json.send(rc, 201, k)).onFailure(rc::fail);
  }

  private Future<JsonObject> issueKey(String merchantId) {
    String keyId = Ids.next("key_");
    String key = Ids.secret(keyPrefix);
    return keys.seed(keyId, merchantId, key)
        .map(v -> new JsonObject().put("id", keyId).put("merchant_id", merchantId).put("api_key", key));
  }

  void deleteKey(RoutingContext rc) {
    store.revokeKey(rc.pathParam("id"), rc.pathParam("key_id")).map(hash -> {
      keys.evict(hash.orElseThrow(() -> ProblemException.notFound("key " + rc.pathParam("key_id"))));
      return null;
    }).onSuccess(v -> rc.response().setStatusCode(204).end()).onFailure(rc::fail);
  }

  void getRouting(RoutingContext rc) {
    RoutingService.Active a = routing.active();
    Json.send(rc, 200, new JsonObject().put("version", a.rules().version())
        .put("source", a.source().startsWith("file:") ? "file" : a.source()).put("rules", a.raw()));
  }

  void putRouting(RoutingContext rc) {
    String ct = String.valueOf(rc.request().getHeader("Content-Type"));
    Map<String, Object> raw;
    try {
      raw = ct.contains("yaml") ? ConfigLoader.readYaml(rc.body().asString()) : Json.body(rc).getMap();
    } catch (ProblemException e) {
      throw e;
    } catch (RuntimeException e) {
      throw ProblemException.badRequest("the body is neither a JSON object nor a YAML mapping");
    }
    routing.replace(raw, "api").onSuccess(a -> Json.send(rc, 200, new JsonObject().put("version", a.rules().version())
        .put("source", "api").put("rules", a.raw()))).onFailure(rc::fail);
  }

  void explain(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = validator.validate("ExplainRequest", body);
    String currency = body.getString("currency");
    if (errors.isEmpty() && !Currencies.isKnown(currency)) errors.add(new FieldError("currency", "unknown currency"));
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    String merchant = body.getString("merchant", "");
    Future<Card> card = body.containsKey("card_id") && !merchant.isEmpty()
        ? store.card(merchant, body.getString("card_id")).map(c -> c.orElseThrow(() -> ProblemException.notFound("card")))
        : Future.succeededFuture(null);
    card.map(c -> {
      Set<String> tokenProviders = new LinkedHashSet<>();
      if (c != null) {
        tokenProviders.addAll(c.tokens().keySet());
      } else if (body.getJsonArray("providers") != null) {
        body.getJsonArray("providers").forEach(p -> tokenProviders.add(String.valueOf(p)));
      } else {
        tokenProviders.addAll(routing.providerNames());
      }
      Map<String, String> metadata = new LinkedHashMap<>();
      body.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(), String.valueOf(e.getValue())));
      String brand = c != null ? c.brand() : body.getString("brand");
      String country = c != null ? c.issuerCountry() : body.getString("issuer_country");
      Decision d = routing.explain(new ChargeAttributes("ch_explain_" + Ids.next(""), merchant, body.getLong("amount"),
          currency, brand, country, metadata, tokenProviders));
      JsonArray trace = new JsonArray();
      for (TraceLine t : d.trace()) {
        trace.add(new JsonObject().put("kind", t.kind()).put("subject", t.subject()).put("verdict", t.verdict())
            .put("reason", t.reason()));
      }
      return new JsonObject().put("rule", d.rule()).put("strategy", d.strategy())
          .put("config_version", d.configVersion()).put("candidates", new JsonArray(new ArrayList<>(d.candidates())))
          .put("max_attempts", d.maxAttempts()).put("failover_on_soft_decline", d.failoverOnSoftDecline())
          .put("trace", trace);
    }).onSuccess(out -> Json.send(rc, 200, out)).onFailure(rc::fail);
  }

  void providers(RoutingContext rc) {
    Json.send(rc, 200, new JsonObject().put("data", new JsonArray(new ArrayList<>(routing.providerStatus()))));
  }

  void setEnabled(RoutingContext rc, boolean on) {
    String name = rc.pathParam("name");
    if (!routing.setEnabled(name, on)) throw ProblemException.notFound("provider " + name);
    for (JsonObject p : routing.providerStatus()) {
      if (name.equals(p.getString("name"))) Json.send(rc, 200, p);
    }
  }
}
