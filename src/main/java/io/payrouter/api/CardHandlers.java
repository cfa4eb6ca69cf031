package io.payrouter.api;

import io.payrouter.charge.CardService;
import io.payrouter.common.FieldError;
import io.payrouter.common.Ids;
import io.payrouter.domain.Card;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** {@code /v1/cards}: store, read and delete cards. */
final class CardHandlers {
  private final CardService cards;
  private final RequestValidator validator;

  CardHandlers(CardService cards, RequestValidator validator) {
    this.cards = cards;
    this.validator = validator;
  }

  void create(RoutingContext rc) {
    Card card = parse(Json.body(rc), "", rc.get(ApiKeys.MERCHANT));
    cards.create(card).onSuccess(c -> Json.send(rc, 201, Json.card(c))).onFailure(rc::fail);
  }

  void get(RoutingContext rc) {
    cards.get(rc.get(ApiKeys.MERCHANT), rc.pathParam("id"))
        .onSuccess(c -> Json.send(rc, 200, Json.card(c))).onFailure(rc::fail);
  }

  /** Deactivates the tokens where the PSP can (Fatora, ProcessOut), then marks the card deleted. */
  void delete(RoutingContext rc) {
    cards.delete(rc.get(ApiKeys.MERCHANT), rc.pathParam("id")).onSuccess(d -> {
      JsonObject body = Json.card(d.card());
      if (d.justDeleted()) body.put("token_deactivation", new JsonObject(new LinkedHashMap<>(d.tokenDeactivation())));
      Json.send(rc, 200, body);
    }).onFailure(rc::fail);
  }

  /**
   * Validates a card object (the body of POST /v1/cards, or a charge's inline {@code card}):
   * the document's schema, then each provider's own token rules. Every problem is listed.
   */
  Card parse(JsonObject body, String prefix, String merchantId) {
    List<FieldError> errors = new ArrayList<>();
    for (FieldError e : validator.validate("CardCreate", body)) errors.add(e.under(prefix));
    JsonObject tokens = body.getValue("tokens") instanceof JsonObject t ? t : new JsonObject();
    Map<String, Map<String, String>> parsed = new LinkedHashMap<>();
    for (String provider : tokens.fieldNames()) {
      if (!(tokens.getValue(provider) instanceof JsonObject tok)) {
        if (cards.tokenProblems(provider, new JsonObject()).isEmpty()) {
          errors.add(ValidationMessages.unknownProvider("tokens." + provider).under(prefix));
        }
        continue; // the schema reported it
      }
      Optional<List<FieldError>> problems = cards.tokenProblems(provider, tok);
      if (problems.isEmpty()) {
        errors.add(ValidationMessages.unknownProvider("tokens." + provider).under(prefix));
        continue;
      }
      for (FieldError e : problems.get()) {
        // The schema's words win where it already named the field (the connector's own rules,
        // such as Dintero's one-of, and providers the document does not name remain).
        FieldError fe = e.under("tokens." + provider).under(prefix);
        if (errors.stream().noneMatch(x -> x.field().equals(fe.field()))) errors.add(fe);
      }
      Map<String, String> fields = new LinkedHashMap<>();
      tok.forEach(en -> fields.put(en.getKey(), String.valueOf(en.getValue())));
      parsed.put(provider, Map.copyOf(fields));
    }
    if (!errors.isEmpty()) throw ProblemException.validation(errors);
    return new Card(Ids.next("card_"), merchantId, body.getString("customer_reference"), body.getString("brand"),
        body.getString("last4"), body.getInteger("exp_month"), body.getInteger("exp_year"), body.getString("issuer_country"),
        Map.copyOf(parsed), Instant.now().truncatedTo(ChronoUnit.MILLIS), false);
  }
}
