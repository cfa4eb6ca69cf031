package io.payrouter.api;

import io.payrouter.charge.ChargeRequest;
import io.payrouter.charge.ChargeService;
import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.domain.Card;
import io.payrouter.domain.Charge;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/charges}: thin: validate, hand to the orchestrator, render. */
final class ChargeHandlers {
  private static final java.util.regex.Pattern THREE_LETTERS = java.util.regex.Pattern.compile("[A-Z]{3}");
  private final ChargeService charges;
  private final RequestValidator validator;
  private final CardHandlers cards;
  private final Drain drain;

  ChargeHandlers(ChargeService charges, RequestValidator validator, CardHandlers cards, Drain drain) {
    this.charges = charges;
    this.validator = validator;
    this.cards = cards;
    this.drain = drain;
  }

  void create(RoutingContext rc) {
    String merchant = rc.get(ApiKeys.MERCHANT);
    String key = rc.request().getHeader("Idempotency-Key");
    List<FieldError> errors = new ArrayList<>(idempotencyKeyErrors(key));
    JsonObject body = Json.body(rc);
    errors.addAll(validator.validate("ChargeCreate", body));
    String currency = body.getValue("currency") instanceof String s ? s : null;
    if (currency != null && THREE_LETTERS.matcher(currency).matches() && !Currencies.isKnown(currency)) {
      errors.add(new FieldError("currency", ValidationMessages.CURRENCY_UNKNOWN));
    }
    boolean hasCardId = body.containsKey("card_id");
    boolean hasCard = body.containsKey("card");
    if (hasCardId == hasCard) errors.add(new FieldError("card_id", ValidationMessages.CARD_ONE_OF));
    Card inline = null;
    if (hasCard && body.getValue("card") instanceof JsonObject cardJson) {
      try {
        inline = cards.parse(cardJson, "card", merchant);
      } catch (ProblemException e) {
        for (FieldError fe : e.errors()) if (!errors.contains(fe)) errors.add(fe);
      }
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);

    JsonObject customer = body.getJsonObject("customer", new JsonObject());
    Map<String, String> metadata = new LinkedHashMap<>();
    body.getJsonObject("metadata", new JsonObject()).forEach(e -> metadata.put(e.getKey(), (String) e.getValue()));
    ChargeRequest req = new ChargeRequest(merchant, key, Json.fingerprint(body), body.getLong("amount"), currency,
        body.getString("card_id"), inline, body.getString("merchant_reference"), body.getString("description"),
        customer.getString("reference"), customer.getString("email"), Map.copyOf(metadata));
    // Shutting down (SIGTERM): refuse before anything is claimed or sent; otherwise counted until
    // answered, so the drain waits for this request.
    if (!drain.enter()) {
      throw ProblemException.unavailable("the router is shutting down; nothing was charged, retry (another instance takes it)");
    }
    io.vertx.core.Future<ChargeService.Result> created;
    try {
      created = charges.create(req);
    } catch (RuntimeException e) {
      drain.exit();
      throw e;
    }
    created.onComplete(x -> drain.exit()).onSuccess(r -> {
      if (r.replayed()) rc.response().putHeader("Idempotent-Replayed", "true");
      rc.response().putHeader("Location", "/v1/charges/" + r.charge().id());
      Json.send(rc, Json.chargeStatusCode(r.charge()), Json.chargeBuffer(r.charge()));
    }).onFailure(rc::fail);
  }

  /** The problems of an {@code Idempotency-Key} header (charges and refunds alike). */
  static List<FieldError> idempotencyKeyErrors(String key) {
    if (key == null || key.isEmpty()) {
      return List.of(new FieldError("Idempotency-Key", ValidationMessages.IDEMPOTENCY_KEY_MISSING));
    }
    if (key.length() > 255 || !key.chars().allMatch(ch -> ch >= 0x20 && ch <= 0x7e)) {
      return List.of(new FieldError("Idempotency-Key", ValidationMessages.IDEMPOTENCY_KEY_INVALID));
    }
    return List.of();
  }

  void get(RoutingContext rc) {
    charges.get(rc.get(ApiKeys.MERCHANT), rc.pathParam("id"))
        .map(found -> Json.chargeBuffer(found.orElseThrow(() -> ProblemException.notFound("charge " + rc.pathParam("id")))))
        .onSuccess(body -> Json.send(rc, 200, body)).onFailure(rc::fail);
  }

  void list(RoutingContext rc) {
    List<String> refs = rc.queryParam("merchant_reference");
    String ref = refs.size() == 1 ? refs.get(0) : null;
    if (ref == null || ref.isEmpty() || ref.length() > 255) {
      throw ProblemException.validation(List.of(new FieldError("merchant_reference",
          "merchant_reference is required: one query parameter of 1 to 255 characters")));
    }
    charges.byReference(rc.get(ApiKeys.MERCHANT), ref).onSuccess(list -> {
      JsonArray data = new JsonArray();
      for (Charge c : list) data.add(Json.charge(c));
      Json.send(rc, 200, new JsonObject().put("data", data));
    }).onFailure(rc::fail);
  }
}
