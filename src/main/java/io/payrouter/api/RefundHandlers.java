package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.payrouter.domain.Refund;
import io.payrouter.refund.RefundRequest;
import io.payrouter.refund.RefundService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/** {@code /v1/charges/{id}/refunds}: thin: validate, hand to the refund service, render. */
final class RefundHandlers {
  private final RefundService refunds;
  private final RequestValidator validator;
  private final Drain drain;

  RefundHandlers(RefundService refunds, RequestValidator validator, Drain drain) {
    this.refunds = refunds;
    this.validator = validator;
    this.drain = drain;
  }

  void create(RoutingContext rc) {
    String merchant = rc.get(ApiKeys.MERCHANT);
    String chargeId = chargeId(rc);
    String key = rc.request().getHeader("Idempotency-Key");
    List<FieldError> errors = new ArrayList<>(ChargeHandlers.idempotencyKeyErrors(key));
    // The body is optional: none (or {}) refunds everything not refunded yet.
    JsonObject body = Json.utf8(rc).isBlank() ? new JsonObject() : Json.body(rc);
    errors.addAll(validator.validate("RefundCreate", body));
    if (body.getValue("amount") instanceof Double && errors.stream().noneMatch(e -> e.field().equals("amount"))) {
      errors.add(new FieldError("amount", "must be an integer number of minor units"));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    Long amount = body.getValue("amount") instanceof Number n ? n.longValue() : null;
    String fingerprint = Json.fingerprint(new JsonObject().put("charge_id", chargeId).put("refund", body));
    RefundRequest req = new RefundRequest(merchant, chargeId, key, fingerprint, amount, body.getString("reason"));
    // Shutting down (SIGTERM): refuse before anything is recorded or sent; else counted until answered.
    if (!drain.enter()) {
      throw ProblemException.unavailable("the router is shutting down; nothing was refunded, retry (another instance takes it)");
    }
    io.vertx.core.Future<RefundService.Result> created;
    try {
      created = refunds.create(req);
    } catch (RuntimeException e) {
      drain.exit();
      throw e;
    }
    created.onComplete(x -> drain.exit()).onSuccess(r -> {
      if (r.replayed()) rc.response().putHeader("Idempotent-Replayed", "true");
      Json.send(rc, r.refund().status().isFinal() ? 201 : 202, Json.refund(r.refund()));
    }).onFailure(rc::fail);
  }

  void list(RoutingContext rc) {
    refunds.list(rc.get(ApiKeys.MERCHANT), chargeId(rc)).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (Refund r : list) data.add(Json.refund(r));
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }

  /** The charge id of the path, as long as the contract allows (64), else 404 without a look-up. */
  private static String chargeId(RoutingContext rc) {
    String id = rc.pathParam("id");
    if (id == null || id.isEmpty() || id.length() > 64 || Strings.hasForbidden(id)) {
      throw ProblemException.notFound("charge");
    }
    return id;
  }
}
