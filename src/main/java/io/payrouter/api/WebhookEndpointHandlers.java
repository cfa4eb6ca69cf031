package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.payrouter.domain.EventType;
import io.payrouter.domain.WebhookDelivery;
import io.payrouter.domain.WebhookEndpoint;
import io.payrouter.webhook.EndpointUrl;
import io.payrouter.webhook.WebhookEndpoints;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/webhook_endpoints}: thin: validate, hand to the endpoints service, render. */
final class WebhookEndpointHandlers {
  private final WebhookEndpoints endpoints;
  private final RequestValidator validator;
  private final boolean allowHttp;

  WebhookEndpointHandlers(WebhookEndpoints endpoints, RequestValidator validator, boolean allowHttp) {
    this.endpoints = endpoints;
    this.validator = validator;
    this.allowHttp = allowHttp;
  }

  void create(RoutingContext rc) {
    JsonObject body = Json.body(rc);
    List<FieldError> errors = new ArrayList<>(validator.validate("WebhookEndpointCreate", body));
    if (body.getValue("url") instanceof String url && errors.stream().noneMatch(e -> e.field().equals("url"))) {
      String problem = EndpointUrl.problem(url, allowHttp);
      if (problem != null) errors.add(new FieldError("url", problem));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    List<String> types = new ArrayList<>();
    if (body.getValue("event_types") instanceof JsonArray a) {
      for (Object o : a) types.add((String) o);
    } else {
      types.addAll(EventType.WIRE);
    }
    endpoints.create(rc.get(ApiKeys.MERCHANT), body.getString("url"), types, body.getString("description"))
        .onSuccess(w -> Json.send(rc, 201, endpoint(w.endpoint()).put("secret", w.secret())))
        .onFailure(rc::fail);
  }

  void list(RoutingContext rc) {
    endpoints.list(rc.get(ApiKeys.MERCHANT)).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (WebhookEndpoint e : list) data.add(endpoint(e));
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }

  void get(RoutingContext rc) {
    endpoints.get(rc.get(ApiKeys.MERCHANT), id(rc)).onSuccess(e -> Json.send(rc, 200, endpoint(e))).onFailure(rc::fail);
  }

  void delete(RoutingContext rc) {
    endpoints.delete(rc.get(ApiKeys.MERCHANT), id(rc)).onSuccess(e -> Json.send(rc, 200, endpoint(e))).onFailure(rc::fail);
  }

  void rotate(RoutingContext rc) {
    JsonObject body = Json.utf8(rc).isBlank() ? new JsonObject() : Json.body(rc);
    List<FieldError> errors = validator.validate("WebhookSecretRotate", body);
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    long overlap = body.getValue("expire_previous_after_seconds") instanceof Number n ? n.longValue()
        : WebhookEndpoints.DEFAULT_OVERLAP_SECONDS;
    endpoints.rotate(rc.get(ApiKeys.MERCHANT), id(rc), overlap)
        .onSuccess(w -> Json.send(rc, 200, endpoint(w.endpoint()).put("secret", w.secret())))
        .onFailure(rc::fail);
  }

  void enable(RoutingContext rc) {
    endpoints.enable(rc.get(ApiKeys.MERCHANT), id(rc)).onSuccess(e -> Json.send(rc, 200, endpoint(e))).onFailure(rc::fail);
  }

  void deliveries(RoutingContext rc) {
    List<FieldError> errors = new ArrayList<>();
    int limit = Params.limit(rc, 20);
    if (limit > 100) errors.add(new FieldError("limit", "limit must be a whole number from 1 to 100"));
    String status = Params.text(rc, "status", 16, errors);
    if (status != null && !List.of("pending", "delivered", "failed").contains(status)) {
      errors.add(new FieldError("status", "status must be pending, delivered or failed"));
    }
    String after = Params.text(rc, "starting_after", 64, errors);
    long before = 0;
    if (after != null) {
      before = WebhookDelivery.parseWireId(after);
      if (before < 0) errors.add(new FieldError("starting_after", "starting_after must be a delivery id such as whd_42"));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    endpoints.deliveries(rc.get(ApiKeys.MERCHANT), id(rc), limit + 1, before, status).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (int i = 0; i < Math.min(limit, list.size()); i++) data.add(delivery(list.get(i)));
      Json.send(rc, 200, new JsonObject().put("data", data).put("has_more", list.size() > limit));
    }).onFailure(rc::fail);
  }

  void resend(RoutingContext rc) {
    long deliveryId = WebhookDelivery.parseWireId(rc.pathParam("delivery_id"));
    if (deliveryId < 0) throw ProblemException.notFound("webhook delivery");
    endpoints.resend(rc.get(ApiKeys.MERCHANT), id(rc), deliveryId)
        .onSuccess(d -> Json.send(rc, 202, delivery(d))).onFailure(rc::fail);
  }

  private static String id(RoutingContext rc) {
    String id = rc.pathParam("id");
    if (id == null || id.isEmpty() || id.length() > 64 || Strings.hasForbidden(id)) {
      throw ProblemException.notFound("webhook endpoint");
    }
    return id;
  }

  static JsonObject endpoint(WebhookEndpoint e) {
    JsonObject o = new JsonObject().put("id", e.id()).put("url", e.url())
        .put("event_types", new JsonArray(new ArrayList<>(e.eventTypes()))).put("status", e.status());
    if (e.description() != null) o.put("description", e.description());
    if (e.disabledReason() != null) o.put("disabled_reason", e.disabledReason());
    if (e.disabledAt() != null) o.put("disabled_at", e.disabledAt().toString());
    if (e.previousSecretExpiresAt() != null && e.previousSecretExpiresAt().isAfter(java.time.Instant.now())) {
      o.put("previous_secret_expires_at", e.previousSecretExpiresAt().toString());
    }
    if (e.lastSuccessAt() != null) o.put("last_success_at", e.lastSuccessAt().toString());
    return o.put("created_at", e.createdAt().toString()).put("updated_at", e.updatedAt().toString());
  }

  static JsonObject delivery(WebhookDelivery d) {
    JsonObject o = new JsonObject().put("id", d.wireId()).put("endpoint_id", d.endpointId()).put("event_id", d.eventId())
        .put("event_type", d.eventType()).put("charge_id", d.chargeId()).put("status", d.status())
        .put("attempts", d.attempts());
    if ("pending".equals(d.status()) && d.nextAttemptAt() != null) o.put("next_attempt_at", d.nextAttemptAt().toString());
    if (d.lastAttemptAt() != null) o.put("last_attempt_at", d.lastAttemptAt().toString());
    if (d.lastStatus() != null) o.put("last_status_code", d.lastStatus());
    if (d.lastError() != null) o.put("last_error", d.lastError());
    if (d.deliveredAt() != null) o.put("delivered_at", d.deliveredAt().toString());
    return o.put("created_at", d.createdAt().toString());
  }
}
