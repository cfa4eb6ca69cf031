package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.domain.Charge;
import io.payrouter.domain.FailureReason;
import io.payrouter.domain.SettledBy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Issue 17 §3: a charge says why it failed ({@code failure_reason}, the same on the answer and on
 * every read, from what is stored) and what settled it ({@code settled_by}); a success carries no
 * error. Harness routing: the catch-all rule {@code default} lists fatora (USD only), revio and
 * processout; {@code route=<p>_badauth} goes to that PSP with wrong credentials, then processout.
 */
@ExtendWith(VertxExtension.class)
class ChargeExplainsItselfTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static RouterHarness h;
  Api api;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  @BeforeEach
  void client(Vertx vertx) {
    api = new Api(vertx, h);
  }

  static JsonObject body(String cardId, long amount, String currency) {
    return new JsonObject().put("amount", amount).put("currency", currency).put("card_id", cardId);
  }

  /** The POST answer, then the stored row (not the in-memory copy) as read back from PostgreSQL. */
  Future<JsonObject[]> chargeAndReadBack(Vertx vertx, JsonObject body) {
    return api.charge(KEY, "it-" + UUID.randomUUID(), body).compose(r -> {
      JsonObject posted = r.bodyAsJsonObject().put("_http", r.statusCode());
      String id = posted.getString("id");
      return awaitStored(vertx, id, 40).compose(stored -> api.get("/v1/charges/" + id, KEY)
          .map(g -> new JsonObject[] {posted, g.bodyAsJsonObject(), storedAsJson(stored)}));
    });
  }

  Future<Charge> awaitStored(Vertx vertx, String id, int tries) {
    return h.app.store.chargeById(id).compose(c -> c.isPresent() && c.get().status().isFinal() || tries <= 1
        ? Future.succeededFuture(c.orElseThrow())
        : vertx.timer(100).compose(t -> awaitStored(vertx, id, tries - 1)));
  }

  static JsonObject storedAsJson(Charge c) {
    FailureReason f = FailureReason.of(c);
    return new JsonObject().put("settled_by", c.settledBy() == null ? null : c.settledBy().wire())
        .put("code", f == null ? null : f.code()).put("providers", f == null ? 0 : f.providers().size());
  }

  static JsonObject provider(JsonObject failure, String name) {
    JsonArray ps = failure.getJsonArray("providers");
    for (int i = 0; i < ps.size(); i++) {
      if (name.equals(ps.getJsonObject(i).getString("provider"))) return ps.getJsonObject(i);
    }
    throw new AssertionError(name + " not in " + failure.encode());
  }

  @Test
  void aChargeNoProviderCanTakeSaysWhyForEachProvider(Vertx vertx, VertxTestContext ctx) {
    // A JPY charge on a card tokenised only at Fatora, whose account is in USD.
    api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", "")))
        .compose(card -> chargeAndReadBack(vertx, body(card, 500, "JPY")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject posted = r[0];
          assertEquals(201, posted.getInteger("_http"), posted.encode());
          assertEquals("failed", posted.getString("status"));
          assertEquals(0, posted.getJsonArray("attempts").size());
          assertEquals("request", posted.getString("settled_by"));
          JsonObject f = posted.getJsonObject("failure_reason");
          assertEquals("no_provider_available", f.getString("code"), f.encode());
          assertTrue(f.getString("message").contains("rule default"), f.encode());
          assertEquals("currency_not_supported", provider(f, "fatora").getString("reason"));
          assertEquals("currency JPY not supported", provider(f, "fatora").getString("detail"));
          assertEquals("no_token", provider(f, "revio").getString("reason"));
          assertEquals("no_token", provider(f, "processout").getString("reason"));
          assertEquals(3, f.getJsonArray("providers").size(), f.encode());
          assertEquals(f, r[1].getJsonObject("failure_reason"), "GET says the same");
          assertEquals("no_provider_available", r[2].getString("code"), "stored: " + r[2].encode());
          assertEquals(3, r[2].getInteger("providers"));
          assertEquals("request", r[2].getString("settled_by"));
          ctx.completeNow();
        })));
  }

  @Test
  void aChargeThatFailedAfterAttemptsSaysWhatEachAnswered(Vertx vertx, VertxTestContext ctx) {
    api.card(KEY, new JsonObject().put("fatora_badauth", Api.token("fatora_badauth", "")))
        .compose(card -> chargeAndReadBack(vertx, body(card, 1999, "USD")
            .put("metadata", new JsonObject().put("route", "fatora_badauth"))))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject posted = r[0];
          assertEquals("failed", posted.getString("status"), posted.encode());
          JsonObject f = posted.getJsonObject("failure_reason");
          assertEquals("providers_unavailable", f.getString("code"), f.encode());
          JsonObject bad = f.getJsonArray("providers").getJsonObject(0);
          assertEquals("fatora_badauth", bad.getString("provider"));
          assertEquals("unavailable", bad.getString("answered"));
          assertEquals(posted.getJsonArray("attempts").getJsonObject(0).getString("error"), bad.getString("message"));
          assertEquals("no_token", provider(f, "processout").getString("reason"));
          assertEquals(f, r[1].getJsonObject("failure_reason"), "GET says the same");
          assertEquals("providers_unavailable", r[2].getString("code"));
          ctx.completeNow();
        })));
  }

  @Test
  void aSuccessCarriesNoErrorNoFailureReasonAndIsSettledByTheRequest(Vertx vertx, VertxTestContext ctx) {
    api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", "")))
        .compose(card -> chargeAndReadBack(vertx, body(card, 1999, "USD")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject posted = r[0];
          assertEquals("succeeded", posted.getString("status"), posted.encode());
          assertEquals("request", posted.getString("settled_by"));
          assertTrue(posted.containsKey("failure_reason"));
          assertNull(posted.getValue("failure_reason"));
          assertNull(posted.getJsonArray("attempts").getJsonObject(0).getValue("error"));
          assertEquals(SettledBy.REQUEST.wire(), r[2].getString("settled_by"), "stored");
          assertEquals(posted.getString("settled_by"), r[1].getString("settled_by"));
          ctx.completeNow();
        })));
  }

  @Test
  void aDeclineSaysWhoDeclinedAndWhy(Vertx vertx, VertxTestContext ctx) {
    api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", "")))
        .compose(card -> chargeAndReadBack(vertx, body(card, 1951, "USD")))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          JsonObject posted = r[0];
          assertEquals("declined", posted.getString("status"), posted.encode());
          JsonObject f = posted.getJsonObject("failure_reason");
          assertEquals("declined", f.getString("code"), f.encode());
          JsonObject first = f.getJsonArray("providers").getJsonObject(0);
          assertEquals("fatora", first.getString("provider"));
          assertEquals("declined", first.getString("answered"));
          assertEquals("insufficient_funds", first.getString("decline_code"));
          assertEquals(f, r[1].getJsonObject("failure_reason"));
          ctx.completeNow();
        })));
  }

  // ---------------------------------------------------------------- validation in words

  Future<JsonArray> errors(JsonObject body) {
    return api.charge(KEY, "it-" + UUID.randomUUID(), body).map(r -> {
      assertEquals(400, r.statusCode(), r.bodyAsString());
      assertEquals("application/problem+json", r.getHeader("Content-Type"));
      return r.bodyAsJsonObject().getJsonArray("errors");
    });
  }

  @Test
  void amountWithAFractionGetsOneMessageWhateverTheFraction(VertxTestContext ctx) {
    JsonObject base = new JsonObject().put("currency", "USD").put("card_id", "card_x");
    String expected = "amount must be a whole number of minor units from 1 to 99999999999, e.g. 1999 for 19.99 USD";
    errors(base.copy().put("amount", 19.99)).compose(a -> errors(base.copy().put("amount", 19.0)).map(b -> new JsonArray[] {a, b}))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertEquals(new JsonArray().add(new JsonObject().put("field", "amount").put("message", expected)), e[0]);
          assertEquals(e[0], e[1], "19.99 and 19.0 break the same rule");
          ctx.completeNow();
        })));
  }

  @Test
  void currencyAndCardMessagesNameTheirFields(VertxTestContext ctx) {
    errors(new JsonObject().put("amount", 100).put("currency", "usd"))
        .compose(a -> errors(new JsonObject().put("amount", 100).put("currency", "ABC").put("card_id", "card_x"))
            .map(b -> new JsonArray[] {a, b}))
        .onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertEquals(new JsonArray()
              .add(new JsonObject().put("field", "currency").put("message", "currency must be an upper-case ISO 4217 code, e.g. USD"))
              .add(new JsonObject().put("field", "card_id").put("message", "card_id or card is required, but not both")), e[0]);
          assertEquals("currency", e[1].getJsonObject(0).getString("field"));
          assertTrue(e[1].getJsonObject(0).getString("message").startsWith("currency must be a currency the router knows"),
              e[1].encode());
          ctx.completeNow();
        })));
  }
}
