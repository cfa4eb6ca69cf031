package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.Psps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import java.util.List;
import java.util.Set;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The connector contract, for every PSP of the registry ({@link Psps}), through the router over
 * real HTTP to its simulator: approval, each decline class, 503
 * (not_sent: failover), 500 (in doubt, the inquiry finds no payment: failover), timeout (in doubt,
 * the inquiry settles it without a second charge), pending settled later, revoked token, wrong
 * credentials, forged webhook. Routes: metadata route=P sends the charge to [P, fallback].
 */
@ExtendWith(VertxExtension.class)
class ConnectorContractTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static RouterHarness h;

  /** Every PSP of the registry: a sixth PSP is covered by adding its registry line. */
  static Stream<String> psps() {
    return Psps.types().stream();
  }

  /** Each PSP with each decline class its simulator produces (amount suffix, normalized code). */
  static Stream<Arguments> declines() {
    return Psps.types().stream().flatMap(p -> Stream.of(
        Arguments.of(p, 4251L, "insufficient_funds"), Arguments.of(p, 4205L, "do_not_honor"),
        Arguments.of(p, 4254L, "expired_card"), Arguments.of(p, 4259L, "fraud_suspected")));
  }

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  /** Stores a card with tokens at the PSP under test (and the fallback), then charges it. */
  static Future<JsonObject> charge(Api api, String route, String psp, String tokenPrefix, long amount) {
    String fb = RouterHarness.fallback(psp);
    JsonObject tokens = new JsonObject().put(psp, Api.token(psp, tokenPrefix)).put(fb, Api.token(fb, ""));
    if (route.endsWith("_badauth")) tokens.put(route, Api.token(psp, tokenPrefix));
    return api.card(KEY, tokens).compose(cardId -> api.charge(KEY, "psp-" + UUID.randomUUID(), new JsonObject()
            .put("amount", amount).put("currency", RouterHarness.currency(psp)).put("card_id", cardId)
            .put("metadata", new JsonObject().put("route", route))))
        .map(r -> {
          JsonObject c = r.bodyAsJsonObject();
          c.put("_http", r.statusCode());
          return c;
        });
  }

  static JsonObject attempt(JsonObject charge, int i) {
    return charge.getJsonArray("attempts").getJsonObject(i);
  }

  @ParameterizedTest
  @MethodSource("psps")
  void approvalChargesThePspOnce(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp, psp, "", 4200).compose(c -> {
      ctx.verify(() -> {
        assertEquals(201, c.getInteger("_http"), c.encode());
        assertEquals("succeeded", c.getString("status"));
        assertEquals(psp, c.getString("provider"));
        assertEquals(1, c.getJsonArray("attempts").size());
      });
      return api.ledger(psp, c.getString("id"));
    }).onComplete(ctx.succeeding(l -> ctx.verify(() -> {
      assertEquals(1, l.size());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("declines")
  void declineIsFinalWithItsCodeAndNoFailover(String psp, long amount, String code, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp, psp, "", amount).compose(c -> {
      ctx.verify(() -> {
        assertEquals(201, c.getInteger("_http"), c.encode());
        assertEquals("declined", c.getString("status"));
        assertEquals(code, c.getString("decline_code"));
        assertEquals(psp, c.getString("provider"));
        assertEquals(1, c.getJsonArray("attempts").size(), "a decline never fails over by default");
      });
      return api.ledger(RouterHarness.fallback(psp), c.getString("id"));
    }).onComplete(ctx.succeeding(l -> ctx.verify(() -> {
      assertEquals(0, l.size());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void outage503FailsOverOnlyWhenItProvesNothingWasSent(String psp, Vertx vertx, VertxTestContext ctx) {
    // A 503 on a call that moves no money (Revio's purchase, PayCore's and ProcessOut's invoice, a
    // token call) proves nothing was charged: the router fails over. On the money call itself a
    // 503 the PSP does not document as "not processed" is in doubt (src/docs/psps.md): pending at
    // that PSP, never a second PSP.
    Api api = new Api(vertx, h);
    api.faults(psp, new JsonObject().put("down", true))
        .compose(v -> charge(api, psp, psp, "", 4300))
        .eventually(() -> api.clearFaults(psp))
        .compose(c -> {
          ctx.verify(() -> {
            assertEquals(psp, attempt(c, 0).getString("provider"));
            if ("unavailable".equals(attempt(c, 0).getString("outcome"))) {
              assertEquals("succeeded", c.getString("status"), c.encode());
              assertEquals(RouterHarness.fallback(psp), c.getString("provider"));
            } else {
              assertEquals("in_doubt", attempt(c, 0).getString("outcome"), c.encode());
              assertEquals("pending", c.getString("status"), c.encode());
              assertEquals(1, c.getJsonArray("attempts").size(), "no failover without proof: " + c.encode());
            }
          });
          return api.ledger(psp, c.getString("id"));
        }).onComplete(ctx.succeeding(l -> ctx.verify(() -> {
          assertEquals(0, charged(l), "the PSP that was down charged nothing");
          ctx.completeNow();
        })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void serverErrorWithNoPaymentFoundNeverFailsOverAndFailsOnlyAfterTheHorizon(String psp, Vertx vertx,
      VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    // Amounts ending in 91 make every simulator answer 500 and charge nothing. A 500 is no proof:
    // unless the inquiry shows the payment in a documented final not-charged state (PayCore marks
    // the invoice terminated), or the router closed it through the PSP's cancel call, "no payment
    // (yet)" leaves the charge pending at that PSP and the router never tries the next candidate.
    // The grace period proves nothing; only recovery.not_found_final_after (6 s here) does.
    long[] answeredAt = new long[1];
    charge(api, psp, psp, "", 4391).compose(c -> {
      answeredAt[0] = System.nanoTime();
      ctx.verify(() -> {
        JsonArray atts = c.getJsonArray("attempts");
        assertEquals(psp, attempt(c, 0).getString("provider"));
        for (int i = 0; i < atts.size() - 1; i++) {
          assertEquals("unavailable", attempt(c, i).getString("outcome"), c.encode());
          assertTrue(attempt(c, i).getString("error").contains("closed without a charge"), "failover only on proof: " + c.encode());
        }
        if ("pending".equals(c.getString("status"))) {
          assertEquals(202, c.getInteger("_http"), c.encode());
          JsonObject last = attempt(c, atts.size() - 1);
          assertEquals("in_doubt", last.getString("outcome"), c.encode());
          assertTrue(last.getString("error").contains("inquiry found no payment yet"), c.encode());
          // (an open payment at a PSP with a cancel call is closed at once and fails over instead)
        }
      });
      if (!"pending".equals(c.getString("status"))) return io.vertx.core.Future.succeededFuture(c);
      // Past the 3 s grace period, still pending: "no such payment" is not proof yet.
      return vertx.timer(4_000).compose(t -> api.get("/v1/charges/" + c.getString("id"), KEY))
          .compose(r -> {
            ctx.verify(() -> assertEquals("pending", r.bodyAsJsonObject().getString("status"),
                "past the grace period and before the horizon: " + r.bodyAsString()));
            return api.awaitStatus(vertx, KEY, c.getString("id"), "failed");
          })
          .map(f -> {
            ctx.verify(() -> assertTrue(System.nanoTime() - answeredAt[0] >= 5_000_000_000L,
                "failed only once the horizon has passed"));
            return f;
          });
    }).compose(c -> {
      ctx.verify(() -> assertTrue(Set.of("failed", "succeeded").contains(c.getString("status")), c.encode()));
      return api.ledger(psp, c.getString("id")).compose(l -> api.ledger(RouterHarness.fallback(psp), c.getString("id") + "-2")
          .map(f -> new JsonArray().add(charged(l)).add(charged(f)).add(c.getString("status"))));
    }).onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
      assertEquals(0L, counts.getLong(0), "nothing charged at the PSP");
      assertEquals("succeeded".equals(counts.getString(2)) ? 1L : 0L, counts.getLong(1),
          "charged at the fallback only after proof, and then once");
      ctx.completeNow();
    })));
  }

  /** Ledger entries in a state where money was taken (each PSP's own word for it). */
  static long charged(JsonArray ledger) {
    java.util.Set<String> paid = java.util.Set.of("paid", "processed", "SUCCESS", "CAPTURED", "AUTHORIZED", "completed");
    return ledger.stream().map(o -> ((JsonObject) o).getString("status")).filter(paid::contains).count();
  }

  @ParameterizedTest
  @MethodSource("psps")
  void timeoutIsSettledByInquiryWithoutASecondCharge(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    // Amounts ending in 96: the PSP charges, then answers after 10 s; the router times out at 1 s.
    charge(api, psp, psp, "", 4396).compose(c -> {
      ctx.verify(() -> {
        assertEquals("succeeded", c.getString("status"), c.encode());
        assertEquals(psp, c.getString("provider"));
        assertEquals(1, c.getJsonArray("attempts").size(), "no failover after a timeout");
        assertEquals("inquiry", c.getString("settled_by"), "answered after asking the PSP: " + c.encode());
        assertEquals(null, attempt(c, 0).getString("error"), "an attempt that succeeded carries no error");
      });
      return api.ledger(psp, c.getString("id")).compose(l -> api.ledger(RouterHarness.fallback(psp), c.getString("id"))
          .map(f -> new JsonArray().add(l.size()).add(f.size())));
    }).onComplete(ctx.succeeding(counts -> ctx.verify(() -> {
      assertEquals(1, counts.getInteger(0), "charged once at the PSP");
      assertEquals(0, counts.getInteger(1), "never at the fallback");
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void pendingIsSettledLaterByWebhookOrInquiryAndCountedAsSuch(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    double[] before = new double[1];
    settledLater(api, psp).compose(b -> {
      before[0] = b;
      return charge(api, psp, psp, "", 4377);
    }).compose(c -> {
      ctx.verify(() -> {
        assertEquals(202, c.getInteger("_http"), c.encode());
        assertEquals("pending", c.getString("status"));
        assertEquals(null, c.getString("settled_by"), "not settled yet");
      });
      return api.awaitStatus(vertx, KEY, c.getString("id"), "succeeded");
    }).compose(c -> awaitSettledLater(vertx, api, psp, before[0] + 1, 20).map(n -> c.put("_settled_later", n)))
        .onComplete(ctx.succeeding(c -> ctx.verify(() -> {
      assertEquals("succeeded", c.getString("status"), c.encode());
      assertEquals(psp, c.getString("provider"));
      assertTrue(List.of("webhook", "reconciler").contains(c.getString("settled_by")), c.encode());
      assertEquals(null, c.getJsonArray("attempts").getJsonObject(0).getString("error"), "a success carries no error");
      assertEquals(before[0] + 1, c.getDouble("_settled_later"), 0.0,
          "router_settlements_total{source=webhook|reconciler,status=succeeded,provider=" + psp + "} counted it once");
      ctx.completeNow();
    })));
  }

  /** Successes at {@code psp} settled after the answer (by a webhook or the reconciler). */
  static Future<Double> settledLater(Api api, String psp) {
    return api.get("/metrics", null).map(r -> {
      String m = r.bodyAsString();
      double sum = 0;
      for (String source : List.of("webhook", "reconciler")) {
        sum += Api.sample(m, "router_settlements_total", "provider=\"" + psp + "\"", "source=\"" + source + "\"",
            "status=\"succeeded\"");
      }
      return sum;
    });
  }

  static Future<Double> awaitSettledLater(Vertx vertx, Api api, String psp, double atLeast, int tries) {
    return settledLater(api, psp).compose(n -> n >= atLeast || tries <= 1 ? Future.succeededFuture(n)
        : vertx.timer(100).compose(t -> awaitSettledLater(vertx, api, psp, atLeast, tries - 1)));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void revokedTokenIsAHardInvalidTokenDecline(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp, psp, "revoked_", 4400).onComplete(ctx.succeeding(c -> ctx.verify(() -> {
      assertEquals("declined", c.getString("status"), c.encode());
      assertEquals("invalid_token", c.getString("decline_code"));
      assertEquals(1, c.getJsonArray("attempts").size());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void wrongCredentialsAreNotSentAndFailOver(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp + "_badauth", psp, "", 4500).onComplete(ctx.succeeding(c -> ctx.verify(() -> {
      assertEquals("succeeded", c.getString("status"), c.encode());
      assertEquals(psp + "_badauth", attempt(c, 0).getString("provider"));
      assertEquals("unavailable", attempt(c, 0).getString("outcome"));
      assertEquals(RouterHarness.fallback(psp), c.getString("provider"));
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void refusedCredentialsAreShownPerProviderAndCounted(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp + "_badauth", psp, "", 4500)
        .compose(c -> api.get("/admin/providers", RouterHarness.ADMIN_KEY))
        .compose(providers -> api.get("/metrics", null).map(m -> List.<HttpResponse<Buffer>>of(providers, m)))
        .onComplete(ctx.succeeding(rs -> ctx.verify(() -> {
          JsonObject bad = null;
          JsonObject fallback = null;
          for (Object o : rs.get(0).bodyAsJsonObject().getJsonArray("data")) {
            JsonObject p = (JsonObject) o;
            if (p.getString("name").equals(psp + "_badauth")) bad = p;
            if (p.getString("name").equals(RouterHarness.fallback(psp))) fallback = p;
          }
          assertEquals("refused", bad.getString("credentials"), bad.encode());
          assertEquals("accepted", fallback.getString("credentials"), "the fallback charged: " + fallback.encode());
          String metrics = rs.get(1).bodyAsString();
          assertTrue(metrics.lines().anyMatch(l -> l.startsWith("router_psp_credentials_refused_total{provider=\"" + psp
              + "_badauth\"}") && !l.endsWith(" 0.0")), "counted");
          ctx.completeNow();
        })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void forgedWebhookIsRejectedAndChangesNothing(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp, psp, "", 4677).compose(c -> {
      String id = c.getString("id");
      JsonObject forged = new JsonObject().put("event_id", "ev_forged").put("reference", id).put("order_id", id)
          .put("status", "paid").put("data", new JsonObject().put("attributes", new JsonObject().put("reference_id", id)
              .put("status", "processed")));
      Future<HttpResponse<Buffer>> r = api.request(HttpMethod.POST, "/v1/webhooks/" + psp
              + "?transaction_id=T1&merchant_reference=" + id + "&time=1&session_id=s", null)
          .putHeader("X-Signature", "Zm9yZ2Vk").putHeader("Dintero-Signature", "t=1,v0-hmac-sha256=00")
          .sendJsonObject(forged);
      return r.compose(resp -> api.get("/v1/charges/" + id, KEY).map(after -> {
        ctx.verify(() -> {
          assertEquals(401, resp.statusCode(), resp.bodyAsString());
          assertEquals("application/problem+json", resp.getHeader("Content-Type"));
          assertNotEquals("declined", after.bodyAsJsonObject().getString("status"));
        });
        return null;
      }));
    }).onComplete(ctx.succeedingThenComplete());
  }
}
