package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The merchant API over real HTTP, a real PostgreSQL and the real simulators (issue: charge pipeline). */
@ExtendWith(VertxExtension.class)
class ChargeApiTest {
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

  static String key() {
    return "it-" + UUID.randomUUID();
  }

  static JsonObject fatoraCard() {
    return new JsonObject().put("fatora", Api.token("fatora", ""));
  }

  static JsonObject charge(String cardId, long amount) {
    return new JsonObject().put("amount", amount).put("currency", "USD").put("card_id", cardId)
        .put("merchant_reference", "order-" + UUID.randomUUID());
  }

  static void assertProblem(HttpResponse<Buffer> r, int status) {
    assertEquals(status, r.statusCode(), r.bodyAsString());
    assertEquals("application/problem+json", r.getHeader("Content-Type"));
    JsonObject p = r.bodyAsJsonObject();
    assertEquals(status, p.getInteger("status"));
    assertNotNull(p.getString("type"));
    assertNotNull(p.getString("title"));
    assertNotNull(p.getString("detail"));
  }

  static List<String> fields(HttpResponse<Buffer> r) {
    List<String> out = new ArrayList<>();
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors", new JsonArray());
    for (int i = 0; i < errors.size(); i++) out.add(errors.getJsonObject(i).getString("field"));
    return out;
  }

  @Test
  void storedCardChargeSucceedsAndReadsBackAndListsByReference(Vertx vertx, VertxTestContext ctx) {
    api.card(KEY, fatoraCard()).compose(cardId -> {
      JsonObject body = charge(cardId, 1999);
      return api.charge(KEY, key(), body).compose(r -> {
        ctx.verify(() -> {
          assertEquals(201, r.statusCode(), r.bodyAsString());
          JsonObject c = r.bodyAsJsonObject();
          assertEquals("succeeded", c.getString("status"));
          assertEquals("fatora", c.getString("provider"));
          assertEquals(1999L, c.getLong("amount"));
          assertEquals("USD", c.getString("currency"));
          assertNotNull(c.getString("provider_reference"));
          assertEquals(1, c.getJsonArray("attempts").size());
          assertEquals("default", c.getJsonObject("routing").getString("rule"));
        });
        String id = r.bodyAsJsonObject().getString("id");
        return api.get("/v1/charges/" + id, KEY).compose(g -> {
          ctx.verify(() -> {
            assertEquals(200, g.statusCode());
            assertEquals(r.bodyAsJsonObject().getString("status"), g.bodyAsJsonObject().getString("status"));
            assertEquals(r.bodyAsJsonObject().getString("provider_reference"), g.bodyAsJsonObject().getString("provider_reference"));
          });
          return api.get("/v1/charges?merchant_reference=" + body.getString("merchant_reference"), KEY);
        }).compose(list -> {
          ctx.verify(() -> {
            JsonArray data = list.bodyAsJsonObject().getJsonArray("data");
            assertEquals(1, data.size());
            assertEquals(id, data.getJsonObject(0).getString("id"));
          });
          return api.ledger("fatora", id);
        }).map(ledger -> {
          ctx.verify(() -> assertEquals(1, ledger.size(), "the PSP saw the charge exactly once"));
          return null;
        });
      });
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void inlineCardIsChargedWithoutBeingStored(VertxTestContext ctx) {
    JsonObject card = new JsonObject().put("brand", "mastercard").put("tokens", fatoraCard());
    api.charge(KEY, key(), new JsonObject().put("amount", 500).put("currency", "USD").put("card", card))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertEquals(201, r.statusCode(), r.bodyAsString());
          assertEquals("succeeded", r.bodyAsJsonObject().getString("status"));
          assertEquals(null, r.bodyAsJsonObject().getString("card_id"));
          ctx.completeNow();
        })));
  }

  @Test
  void unknownFieldIsRejectedAsProblemJson(VertxTestContext ctx) {
    api.charge(KEY, key(), new JsonObject().put("amount", 100).put("currency", "USD").put("card_id", "card_x").put("tip", 1))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 400);
          assertEquals(List.of("tip"), fields(r));
          ctx.completeNow();
        })));
  }

  @Test
  void everyFieldErrorIsListedTogether(VertxTestContext ctx) {
    JsonObject bad = new JsonObject().put("amount", "ten").put("currency", "usd").put("card_id", "card_x")
        .put("customer", new JsonObject().put("email", "not-an-email")).put("metadata", new JsonObject().put("n", 1));
    api.charge(KEY, key(), bad).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertProblem(r, 400);
      assertTrue(fields(r).containsAll(List.of("amount", "currency", "customer.email", "metadata.n")), fields(r).toString());
      ctx.completeNow();
    })));
  }

  @Test
  void amountBoundsAreEnforced(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> zero = api.charge(KEY, key(), new JsonObject().put("amount", 0).put("currency", "USD").put("card_id", "c"));
    Future<HttpResponse<Buffer>> huge = api.charge(KEY, key(), new JsonObject().put("amount", 100_000_000_000L).put("currency", "USD").put("card_id", "c"));
    Future<HttpResponse<Buffer>> fraction = api.charge(KEY, key(), new JsonObject().put("amount", 10.5).put("currency", "USD").put("card_id", "c"));
    Future.all(zero, huge, fraction).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      for (var f : List.of(zero, huge, fraction)) {
        assertProblem(f.result(), 400);
        assertEquals(List.of("amount"), fields(f.result()));
      }
      ctx.completeNow();
    })));
  }

  @Test
  void missingRequiredFieldsAndUnknownCurrencyAreRejected(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> noCurrency = api.charge(KEY, key(), new JsonObject().put("amount", 100).put("card_id", "c"));
    Future<HttpResponse<Buffer>> unknownCurrency = api.charge(KEY, key(), new JsonObject().put("amount", 100).put("currency", "ABC").put("card_id", "c"));
    Future<HttpResponse<Buffer>> noCard = api.charge(KEY, key(), new JsonObject().put("amount", 100).put("currency", "USD"));
    Future.all(noCurrency, unknownCurrency, noCard).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      assertProblem(noCurrency.result(), 400);
      assertEquals(List.of("currency"), fields(noCurrency.result()));
      assertProblem(unknownCurrency.result(), 400);
      assertEquals(List.of("currency"), fields(unknownCurrency.result()));
      assertProblem(noCard.result(), 400);
      assertEquals(List.of("card_id"), fields(noCard.result()));
      ctx.completeNow();
    })));
  }

  @Test
  void malformedJsonIsA400(VertxTestContext ctx) {
    api.request(HttpMethod.POST, "/v1/charges", KEY).putHeader("Idempotency-Key", key())
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer("{\"amount\": 1,"))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 400);
          ctx.completeNow();
        })));
  }

  @Test
  void bodyOver64KibIsA413(VertxTestContext ctx) {
    String big = "{\"amount\":1,\"currency\":\"USD\",\"description\":\"" + "x".repeat(70 * 1024) + "\"}";
    api.request(HttpMethod.POST, "/v1/charges", KEY).putHeader("Idempotency-Key", key())
        .putHeader("Content-Type", "application/json").sendBuffer(Buffer.buffer(big))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 413);
          ctx.completeNow();
        })));
  }

  @Test
  void missingOrInvalidIdempotencyKeyIsA400(VertxTestContext ctx) {
    JsonObject body = new JsonObject().put("amount", 100).put("currency", "USD").put("card_id", "c");
    Future<HttpResponse<Buffer>> missing = api.charge(KEY, null, body);
    Future<HttpResponse<Buffer>> tooLong = api.charge(KEY, "k".repeat(256), body);
    Future.all(missing, tooLong).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      assertProblem(missing.result(), 400);
      assertTrue(fields(missing.result()).contains("Idempotency-Key"));
      assertProblem(tooLong.result(), 400);
      assertTrue(fields(tooLong.result()).contains("Idempotency-Key"));
      ctx.completeNow();
    })));
  }

  @Test
  void cardTokenFieldsAreValidatedPerProvider(VertxTestContext ctx) {
    JsonObject tokens = new JsonObject().put("revio", new JsonObject().put("client_id", "c"))
        .put("dintero", new JsonObject().put("payment_product_type", "bambora.creditcard").put("recurrence_token", "r"))
        .put("nope", new JsonObject().put("a", "b"));
    api.post("/v1/cards", KEY, new JsonObject().put("brand", "visa").put("tokens", tokens))
        .onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 400);
          List<String> f = fields(r);
          assertTrue(f.contains("tokens.revio.recurring_token"), f.toString());
          assertEquals(f.size(), new HashSet<>(f).size(), "each field once: " + f);
          assertTrue(f.contains("tokens.nope"), f.toString());
          assertTrue(f.stream().anyMatch(x -> x.startsWith("tokens.dintero")), f.toString());
          assertTrue(!r.bodyAsString().contains("\"r\""), "no token value echoed");
          ctx.completeNow();
        })));
  }

  @Test
  void storedCardNeverEchoesTokens(VertxTestContext ctx) {
    JsonObject tokens = new JsonObject().put("fatora", new JsonObject().put("card_token", "secret_token_value_123"));
    api.post("/v1/cards", KEY, new JsonObject().put("brand", "visa").put("tokens", tokens))
        .compose(r -> api.get("/v1/cards/" + r.bodyAsJsonObject().getString("id"), KEY).map(g -> List.of(r, g)))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          assertEquals(201, rs.get(0).statusCode());
          assertEquals(200, rs.get(1).statusCode());
          for (var r : rs) {
            assertTrue(!r.bodyAsString().contains("secret_token_value_123"));
            assertEquals(new JsonArray().add("fatora"), r.bodyAsJsonObject().getJsonArray("providers"));
          }
          assertTrue(rs.get(0).bodyAsJsonObject().getString("id").startsWith("card_"));
          ctx.completeNow();
        })));
  }

  @Test
  void missingOrWrongKeyIs401(VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> none = api.get("/v1/charges/ch_x", null);
    Future<HttpResponse<Buffer>> wrong = api.get("/v1/charges/ch_x", "sk_test_wrong");
    Future<HttpResponse<Buffer>> wrongOnAdmin = api.get("/admin/providers", "sk_test_wrong_key_long");
    Future<HttpResponse<Buffer>> adminOnMerchant = api.get("/v1/charges/ch_x", RouterHarness.ADMIN_KEY);
    Future.all(none, wrong, wrongOnAdmin, adminOnMerchant).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      for (var f : List.of(none, wrong, wrongOnAdmin, adminOnMerchant)) assertProblem(f.result(), 401);
      ctx.completeNow();
    })));
  }

  @Test
  void aMerchantKeyOnTheOperationsApiIs403(VertxTestContext ctx) {
    api.get("/admin/providers", KEY).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertProblem(r, 403);
      assertTrue(r.bodyAsJsonObject().getString("detail").contains("admin key"), r.bodyAsString());
      ctx.completeNow();
    })));
  }

  @Test
  void explainWithACardButNoMerchantIs400(VertxTestContext ctx) {
    api.post("/admin/routing/explain", RouterHarness.ADMIN_KEY, new JsonObject().put("amount", 100).put("currency", "USD")
        .put("card_id", "card_x")).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertProblem(r, 400);
      assertTrue(r.bodyAsString().contains("merchant"), r.bodyAsString());
      ctx.completeNow();
    })));
  }

  @Test
  void anotherMerchantsCardAndChargeAre404(VertxTestContext ctx) {
    api.card(KEY, fatoraCard()).compose(cardId -> api.charge(KEY, key(), charge(cardId, 700)).compose(c -> {
      String chargeId = c.bodyAsJsonObject().getString("id");
      Future<HttpResponse<Buffer>> card = api.get("/v1/cards/" + cardId, RouterHarness.OTHER_KEY);
      Future<HttpResponse<Buffer>> charge = api.get("/v1/charges/" + chargeId, RouterHarness.OTHER_KEY);
      Future<HttpResponse<Buffer>> chargeTheirCard = api.charge(RouterHarness.OTHER_KEY, key(), charge(cardId, 700));
      return Future.all(card, charge, chargeTheirCard).map(x -> {
        ctx.verify(() -> {
          assertProblem(card.result(), 404);
          assertProblem(charge.result(), 404);
          assertProblem(chargeTheirCard.result(), 404);
        });
        return null;
      });
    })).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void sameKeySameBodyReplaysTheStoredResponse(VertxTestContext ctx) {
    String k = key();
    api.card(KEY, fatoraCard()).compose(cardId -> {
      JsonObject body = charge(cardId, 1200);
      return api.charge(KEY, k, body).compose(first -> api.charge(KEY, k, body).map(second -> {
        ctx.verify(() -> {
          assertEquals(201, first.statusCode());
          assertEquals(null, first.getHeader("Idempotent-Replayed"));
          assertEquals(201, second.statusCode());
          assertEquals("true", second.getHeader("Idempotent-Replayed"));
          assertEquals(first.bodyAsJsonObject(), second.bodyAsJsonObject());
        });
        return first.bodyAsJsonObject().getString("id");
      }));
    }).compose(id -> api.ledger("fatora", id)).onComplete(ctx.succeeding(l -> ctx.verify(() -> {
      assertEquals(1, l.size());
      ctx.completeNow();
    })));
  }

  @Test
  void sameKeyDifferentBodyIs422(VertxTestContext ctx) {
    String k = key();
    api.card(KEY, fatoraCard()).compose(cardId -> api.charge(KEY, k, charge(cardId, 1300))
        .compose(first -> api.charge(KEY, k, charge(cardId, 1301)).map(second -> {
          ctx.verify(() -> {
            assertEquals(201, first.statusCode());
            assertProblem(second, 422);
          });
          return null;
        }))).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void keyStillInFlightIs409(Vertx vertx, VertxTestContext ctx) {
    String k = key();
    api.card(KEY, new JsonObject().put("revio", Api.token("revio", ""))).compose(cardId -> {
      JsonObject body = new JsonObject().put("amount", 1400).put("currency", "USD").put("card_id", cardId)
          .put("metadata", new JsonObject().put("route", "revio"));
      return api.faults("revio", new JsonObject().put("latency_ms", 600)).compose(v -> {
        Future<HttpResponse<Buffer>> first = api.charge(KEY, k, body);
        Future<HttpResponse<Buffer>> second = vertx.timer(150).compose(t -> api.charge(KEY, k, body));
        return Future.all(first, second).map(x -> {
          ctx.verify(() -> {
            assertEquals(201, first.result().statusCode(), first.result().bodyAsString());
            assertProblem(second.result(), 409);
          });
          return null;
        });
      }).eventually(() -> api.clearFaults("revio"));
    }).onComplete(ctx.succeedingThenComplete());
  }

  @Test
  void fiftyConcurrentRequestsWithOneKeyChargeThePspOnce(VertxTestContext ctx) {
    String k = key();
    api.card(KEY, fatoraCard()).compose(cardId -> {
      JsonObject body = charge(cardId, 2500);
      List<Future<HttpResponse<Buffer>>> all = new ArrayList<>();
      for (int i = 0; i < 50; i++) all.add(api.charge(KEY, k, body));
      return Future.join(all).compose(x -> {
        Set<String> ids = new HashSet<>();
        int ok = 0;
        for (var f : all) {
          HttpResponse<Buffer> r = f.result();
          if (r.statusCode() == 201) {
            ok++;
            ids.add(r.bodyAsJsonObject().getString("id"));
          } else {
            ctx.verify(() -> assertProblem(r, 409));
          }
        }
        int successes = ok;
        ctx.verify(() -> {
          assertTrue(successes >= 1, "at least the first request succeeds");
          assertEquals(1, ids.size(), "every success is the same charge");
        });
        return api.ledger("fatora", ids.iterator().next());
      });
    }).onComplete(ctx.succeeding(ledger -> ctx.verify(() -> {
      assertEquals(1, ledger.size(), "the PSP was charged exactly once");
      ctx.completeNow();
    })));
  }

  @Test
  void deletedCardDeactivatesTokensAndRefusesCharges(VertxTestContext ctx) {
    JsonObject tokens = new JsonObject().put("fatora", Api.token("fatora", "")).put("revio", Api.token("revio", ""));
    api.card(KEY, tokens).compose(cardId -> api.request(HttpMethod.DELETE, "/v1/cards/" + cardId, KEY).send()
        .compose(del -> {
          ctx.verify(() -> {
            assertEquals(200, del.statusCode(), del.bodyAsString());
            assertEquals(true, del.bodyAsJsonObject().getBoolean("deleted"));
            assertEquals("deactivated", del.bodyAsJsonObject().getJsonObject("token_deactivation").getString("fatora"));
            assertEquals("not_supported", del.bodyAsJsonObject().getJsonObject("token_deactivation").getString("revio"));
          });
          return api.charge(KEY, key(), charge(cardId, 900));
        })).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
          assertProblem(r, 409);
          ctx.completeNow();
        })));
  }

  @Test
  void healthMetricsAndContractAreServed(Vertx vertx, VertxTestContext ctx) {
    Future<HttpResponse<Buffer>> live = api.get("/health/live", null);
    Future<HttpResponse<Buffer>> ready = api.get("/health/ready", null);
    Future<HttpResponse<Buffer>> doc = api.get("/openapi.yaml", null);
    String[] settledByRequest = {"router_settlements_total", "provider=\"fatora\"", "source=\"request\"",
        "status=\"succeeded\""};
    double[] before = new double[1];
    double[] after = new double[1];
    Future<HttpResponse<Buffer>> metrics = api.metric(settledByRequest[0], java.util.Arrays.copyOfRange(settledByRequest, 1, 4))
        .compose(b -> {
          before[0] = b;
          return api.card(KEY, fatoraCard());
        })
        .compose(id -> api.charge(KEY, key(), charge(id, 3000)))
        // counted once the outcome is durable, just after the answer
        .compose(x -> api.awaitMetric(vertx, before[0] + 1, settledByRequest[0],
            java.util.Arrays.copyOfRange(settledByRequest, 1, 4)))
        .compose(a -> {
          after[0] = a;
          return api.get("/metrics", null);
        });
    Future.all(live, ready, doc, metrics).onComplete(ctx.succeeding(x -> ctx.verify(() -> {
      assertTrue(after[0] >= before[0] + 1, "a succeeded answer is a settlement by the request: " + before[0] + " -> " + after[0]);
      assertEquals(200, live.result().statusCode());
      assertEquals(200, ready.result().statusCode());
      assertTrue(doc.result().bodyAsString().startsWith("openapi: 3.1.0"));
      String m = metrics.result().bodyAsString();
      assertEquals(200, metrics.result().statusCode());
      for (String name : List.of("router_charges_total{provider=\"fatora\",status=\"succeeded\"", "router_charge_duration_seconds_bucket",
          "router_psp_call_duration_seconds", "router_write_queue_depth", "router_write_batch_size")) {
        assertTrue(m.contains(name), "metrics lack " + name);
      }
      ctx.completeNow();
    })));
  }
}
