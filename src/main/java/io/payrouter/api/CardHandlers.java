package io.payrouter.api;

import io.payrouter.charge.ChargeService;
import io.payrouter.common.FieldError;
import io.payrouter.common.Ids;
import io.payrouter.common.ProblemException;
import io.payrouter.connector.Connector;
import io.payrouter.connector.Dispatcher;
import io.payrouter.domain.Card;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** {@code /v1/cards}: store, read and delete cards. */
final class CardHandlers {
  private final Store store;
  private final Dispatcher dispatcher;
  private final RequestValidator validator;
  private final ChargeService charges;

  CardHandlers(Store store, Dispatcher dispatcher, RequestValidator validator, ChargeService charges) {
    this.store = store;
    this.dispatcher = dispatcher;
    this.validator = validator;
    this.charges = charges;
  }

  void create(RoutingContext rc) {
    Card card = parse(Json.body(rc), "", rc.get(ApiKeys.MERCHANT));
    store.insertCard(card).onSuccess(v -> Json.send(rc, 201, Json.card(card))).onFailure(rc::fail);
  }

  void get(RoutingContext rc) {
    store.card(rc.get(ApiKeys.MERCHANT), rc.pathParam("id"))
        .map(found -> Json.card(found.orElseThrow(() -> ProblemException.notFound("card " + rc.pathParam("id")))))
        .onSuccess(body -> Json.send(rc, 200, body)).onFailure(rc::fail);
  }

  /** Deactivates the tokens where the PSP can (Fatora, ProcessOut), then marks the card deleted. */
  void delete(RoutingContext rc) {
    String merchant = rc.get(ApiKeys.MERCHANT);
    String id = rc.pathParam("id");
    store.card(merchant, id).compose(found -> {
      Card card = found.orElseThrow(() -> ProblemException.notFound("card " + id));
      if (card.deleted()) return Future.succeededFuture(Json.card(card));
      JsonObject results = new JsonObject();
      List<Future<?>> calls = new ArrayList<>();
      card.tokens().forEach((provider, token) ->
          calls.add(dispatcher.deactivate(provider, token).onSuccess(r -> results.put(provider, r))));
      return Future.join(calls).transform(x -> store.deleteCard(merchant, id)).map(v -> {
        charges.forgetCard(id);
        Card deleted = new Card(card.id(), card.merchantId(), card.customerReference(), card.brand(), card.last4(),
            card.expMonth(), card.expYear(), card.issuerCountry(), card.tokens(), card.createdAt(), true);
        return Json.card(deleted).put("token_deactivation", results);
      });
    }).onSuccess(body -> Json.send(rc, 200, body)).onFailure(rc::fail);
  }

  /**
   * Validates a card object (the body of POST /v1/cards, or a charge's inline {@code card}):
   * the document's schema, then each provider's own token rules. Every problem is listed.
   */
  Card parse(JsonObject body, String prefix, String merchantId) {
    List<FieldError> errors = new ArrayList<>();
    for (FieldError e : validator.validate("CardCreate", body)) errors.add(prefixed(prefix, e.field(), e.message()));
    JsonObject tokens = body.getValue("tokens") instanceof JsonObject t ? t : new JsonObject();
    Map<String, Map<String, String>> parsed = new LinkedHashMap<>();
    for (String provider : tokens.fieldNames()) {
      Connector c = dispatcher.connector(provider);
      if (c == null) {
        errors.add(prefixed(prefix, "tokens." + provider, "unknown provider"));
        continue;
      }
      if (!(tokens.getValue(provider) instanceof JsonObject tok)) continue; // the schema reported it
      for (FieldError e : c.validateToken(tok)) {
        FieldError fe = prefixed(prefix, "tokens." + provider + (e.field().isEmpty() ? "" : "." + e.field()), e.message());
        if (errors.stream().noneMatch(x -> x.field().equals(fe.field()))) errors.add(fe);
      }
      Map<String, String> fields = new LinkedHashMap<>();
      tok.forEach(en -> fields.put(en.getKey(), String.valueOf(en.getValue())));
      parsed.put(provider, Map.copyOf(fields));
    }
    Object year = body.getValue("exp_year");
    Object month = body.getValue("exp_month");
    if (year instanceof Double || month instanceof Double) {
      errors.add(prefixed(prefix, year instanceof Double ? "exp_year" : "exp_month", "must be an integer"));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    return new Card(Ids.next("card_"), merchantId, body.getString("customer_reference"), body.getString("brand"),
        body.getString("last4"), body.getInteger("exp_month"), body.getInteger("exp_year"), body.getString("issuer_country"),
        Map.copyOf(parsed), Instant.now().truncatedTo(ChronoUnit.MILLIS), false);
  }

  private static FieldError prefixed(String prefix, String field, String message) {
    return new FieldError(prefix.isEmpty() ? field : field.isEmpty() ? prefix : prefix + "." + field, message);
  }
}
