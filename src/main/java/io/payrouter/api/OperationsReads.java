package io.payrouter.api;

import io.payrouter.charge.ChargeService;
import io.payrouter.common.FieldError;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Charge;
import io.payrouter.domain.DeadLetter;
import io.payrouter.domain.UnsettledCharge;
import io.vertx.core.Future;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.List;

/**
 * The operations API's reads of charges across merchants: {@code GET /admin/charges} (recent, or
 * by id or merchant reference), {@code GET /admin/unsettled} and {@code GET /admin/dead-letters}.
 * Parse, call the charge service, render.
 */
final class OperationsReads {
  private final ChargeService charges;

  OperationsReads(ChargeService charges) {
    this.charges = charges;
  }

  void charges(RoutingContext rc) {
    List<FieldError> errors = new ArrayList<>();
    String id = Params.text(rc, "id", 64, errors);
    String reference = Params.text(rc, "merchant_reference", 255, errors);
    String merchant = Params.text(rc, "merchant", 64, errors);
    int limit = Params.limit(rc, 50);
    if (id != null && reference != null) errors.add(new FieldError("id", "id and merchant_reference cannot be given together: give one of them"));
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    Future<List<Charge>> found;
    if (id != null) {
      found = charges.byId(id).map(c -> c.filter(x -> merchant == null || x.merchantId().equals(merchant))
          .map(List::of).orElse(List.of()));
    } else if (reference != null) {
      found = charges.byReferenceAnyMerchant(merchant, reference, limit);
    } else {
      found = charges.recent(merchant, limit);
    }
    found.onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (Charge c : list) data.add(charge(c));
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }

  void unsettled(RoutingContext rc) {
    charges.unsettled(Params.limit(rc, 100)).onSuccess(page -> {
      JsonArray data = new JsonArray();
      for (UnsettledCharge u : page.items()) {
        data.add(charge(u.charge()).put("internal_status", u.charge().status().wire()).put("owner", u.owner())
            .put("checks", u.checks()).put("next_check_at", u.nextCheckAt() == null ? null : u.nextCheckAt().toString())
            .put("age_seconds", u.ageMs() / 1000));
      }
      Json.send(rc, 200, new JsonObject().put("data", data).put("total", page.total()));
    }).onFailure(rc::fail);
  }

  void deadLetters(RoutingContext rc) {
    charges.deadLetters(Params.limit(rc, 100)).onSuccess(page -> {
      JsonArray data = new JsonArray();
      for (DeadLetter d : page.items()) {
        Object payload;
        try {
          payload = new JsonObject(d.payloadJson());
        } catch (DecodeException | ClassCastException e) {
          payload = d.payloadJson();
        }
        data.add(new JsonObject().put("id", d.id()).put("queue", d.queue()).put("sqlstate", d.sqlState())
            .put("error", d.error()).put("payload", payload).put("created_at", d.at().toString()));
      }
      Json.send(rc, 200, new JsonObject().put("data", data).put("total", page.total()));
    }).onFailure(rc::fail);
  }

  /**
   * A charge as the merchant API renders it, plus what an operator needs: the merchant, and per
   * attempt its sequence number, PSP reference and PSP code (never a token).
   */
  static JsonObject charge(Charge c) {
    JsonObject o = Json.charge(c).put("merchant_id", c.merchantId());
    JsonArray attempts = new JsonArray();
    for (Attempt a : c.attempts()) {
      JsonObject x = new JsonObject().put("seq", a.seq()).put("provider", a.provider())
          .put("outcome", (a.outcome() == AttemptOutcome.SENT ? AttemptOutcome.IN_DOUBT : a.outcome()).wire())
          .put("latency_ms", a.latencyMs()).put("provider_reference", a.providerReference())
          .put("provider_code", a.providerCode());
      if (a.error() != null) x.put("error", a.error());
      if (a.declineCode() != null) x.put("decline_code", a.declineCode().wire());
      attempts.add(x);
    }
    return o.put("attempts", attempts);
  }
}
