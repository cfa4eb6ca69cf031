package io.payrouter.api;

import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Card;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/** Rendering of API objects and request-body helpers. Tokens are never rendered. */
final class Json {
  private Json() {}

  /** The body as a JSON object (parsed once); 400 when it is not one. */
  static JsonObject body(RoutingContext rc) {
    var b = rc.body();
    if (b == null || b.length() == 0) throw ProblemException.badRequest("a JSON object body is required");
    String t = b.asString().trim();
    if (!t.startsWith("{")) throw ProblemException.badRequest("the body must be a JSON object");
    return b.asJsonObject();
  }

  static void send(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static JsonObject charge(Charge c) {
    JsonArray attempts = new JsonArray();
    for (Attempt a : c.attempts()) {
      JsonObject o = new JsonObject().put("provider", a.provider())
          .put("outcome", (a.outcome() == AttemptOutcome.SENT ? AttemptOutcome.IN_DOUBT : a.outcome()).wire()).put("latency_ms", a.latencyMs());
      if (a.error() != null) o.put("error", a.error());
      if (a.declineCode() != null) o.put("decline_code", a.declineCode().wire());
      attempts.add(o);
    }
    JsonObject routing = null;
    if (c.routing() != null) {
      routing = new JsonObject().put("rule", c.routing().rule()).put("strategy", c.routing().strategy())
          .put("config_version", c.routing().configVersion())
          .put("candidates", new JsonArray(new ArrayList<>(c.routing().candidates())));
    }
    // "processing" is internal: to a merchant the charge is pending until it settles.
    String status = c.status() == ChargeStatus.PROCESSING ? "pending" : c.status().wire();
    JsonObject out = new JsonObject().put("id", c.id()).put("status", status).put("amount", c.amount())
        .put("currency", c.currency()).put("card_id", c.cardId()).put("merchant_reference", c.merchantReference())
        .put("provider", c.provider()).put("provider_reference", c.providerReference())
        .put("decline_code", c.declineCode() == null ? null : c.declineCode().wire()).put("provider_code", c.providerCode())
        .put("attempts", attempts).put("routing", routing)
        .put("created_at", c.createdAt().toString()).put("updated_at", c.updatedAt().toString());
    // A late result that disagreed with the final status (see GET /admin/conflicts).
    if (c.conflict() != null) out.put("conflict", c.conflict());
    return out;
  }

  static int chargeStatusCode(Charge c) {
    return c.status().isFinal() ? 201 : 202;
  }

  static JsonObject card(Card c) {
    return new JsonObject().put("id", c.id()).put("customer_reference", c.customerReference())
        .put("brand", c.brand()).put("last4", c.last4()).put("exp_month", c.expMonth()).put("exp_year", c.expYear())
        .put("issuer_country", c.issuerCountry()).put("providers", new JsonArray(new ArrayList<>(c.tokens().keySet())))
        .put("deleted", c.deleted()).put("created_at", c.createdAt().toString());
  }

  /** SHA-256 of the canonical form of a JSON value (object keys sorted), for idempotency. */
  static String fingerprint(JsonObject body) {
    StringBuilder sb = new StringBuilder();
    canonical(body.getMap(), sb);
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(sb.toString().getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @SuppressWarnings("unchecked")
  private static void canonical(Object v, StringBuilder sb) {
    if (v instanceof JsonObject j) v = j.getMap();
    if (v instanceof JsonArray a) v = a.getList();
    if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (var e : new TreeMap<>((Map<String, Object>) m).entrySet()) {
        if (!first) sb.append(',');
        first = false;
        sb.append(io.vertx.core.json.Json.encode(e.getKey())).append(':');
        canonical(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        canonical(l.get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(io.vertx.core.json.Json.encode(v));
    }
  }
}
