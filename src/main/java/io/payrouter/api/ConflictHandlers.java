package io.payrouter.api;

import io.payrouter.charge.ChargeService;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** {@code GET /admin/conflicts}: late results that disagreed with a final charge, newest first. */
final class ConflictHandlers {
  private final ChargeService charges;

  ConflictHandlers(ChargeService charges) {
    this.charges = charges;
  }

  void list(RoutingContext rc) {
    charges.conflicts(Params.limit(rc, 100)).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (var c : list) {
        data.add(new JsonObject().put("id", c.id()).put("charge_id", c.chargeId()).put("provider", c.provider())
            .put("source", c.source()).put("charge_status", c.chargeStatus()).put("reported_outcome", c.reportedOutcome())
            .put("provider_reference", c.providerReference()).put("detail", c.detail()).put("created_at", c.at().toString()));
      }
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }
}
