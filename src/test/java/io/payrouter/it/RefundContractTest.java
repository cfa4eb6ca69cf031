package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.Psps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The refund contract, for every PSP of the registry ({@link Psps}), through the router over real
 * HTTP to its simulator and a real PostgreSQL: a full refund, partial refunds (where the PSP
 * documents them; Fatora's whole-payment refund refuses a partial one with 422, nothing sent), an
 * over-refund refused with nothing sent, a refund of a declined charge refused, an in-doubt refund
 * (the PSP refunds and answers after 10 s, the router times out at 1 s) settled by inquiry and
 * refunded once, and a refund the PSP answers with its 500 and never makes: pending, failed only
 * past the not-found horizon (6 s here), its amount given back. Every check reads the PSP's
 * ledger too: what it refunded, never more than it took.
 */
@ExtendWith(VertxExtension.class)
class RefundContractTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static RouterHarness h;

  static Stream<String> psps() {
    return Psps.types().stream();
  }

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  /** A succeeded (or declined, by its amount) charge at {@code psp}. */
  static Future<JsonObject> charge(Api api, String psp, long amount) {
    return ConnectorContractTest.charge(api, psp, psp, "", amount);
  }

  static Future<HttpResponse<Buffer>> refund(Api api, String chargeId, JsonObject body) {
    return refund(api, chargeId, "re-" + UUID.randomUUID(), body);
  }

  static Future<HttpResponse<Buffer>> refund(Api api, String chargeId, String key, JsonObject body) {
    HttpRequest<Buffer> r = api.request(HttpMethod.POST, "/v1/charges/" + chargeId + "/refunds", KEY)
        .putHeader("Idempotency-Key", key);
    return body == null ? r.send() : r.sendJsonObject(body);
  }

  /** The PSP's ledger entry of a charge (its first attempt): what it took and what it refunded. */
  static Future<JsonObject> ledgerEntry(Api api, String psp, String chargeId) {
    return api.ledger(psp, chargeId).map(l -> {
      assertEquals(1, l.size(), "one payment at " + psp + ": " + l.encode());
      return l.getJsonObject(0);
    });
  }

  static long refundedAt(JsonObject entry) {
    return entry.getLong("refunded_amount");
  }

  @ParameterizedTest
  @MethodSource("psps")
  void fullRefundWithoutABodyRefundsTheWholeChargeOnce(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    String[] id = new String[1];
    charge(api, psp, 4200).compose(c -> {
      id[0] = c.getString("id");
      ctx.verify(() -> assertEquals("succeeded", c.getString("status"), c.encode()));
      return refund(api, id[0], null);
    }).compose(r -> {
      ctx.verify(() -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        JsonObject b = r.bodyAsJsonObject();
        assertEquals("succeeded", b.getString("status"), b.encode());
        assertEquals(4200L, b.getLong("amount"));
        assertEquals(id[0], b.getString("charge_id"));
        assertEquals(psp, b.getString("provider"));
        assertEquals(RouterHarness.currency(psp), b.getString("currency"));
        assertTrue(b.getString("id").startsWith("re_"), b.encode());
        assertNotNull(b.getString("created_at"));
      });
      return api.get("/v1/charges/" + id[0] + "/refunds", KEY);
    }).compose(list -> {
      ctx.verify(() -> {
        assertEquals(200, list.statusCode());
        JsonArray data = list.bodyAsJsonObject().getJsonArray("data");
        assertEquals(1, data.size(), data.encode());
        assertEquals("succeeded", data.getJsonObject(0).getString("status"));
      });
      return ledgerEntry(api, psp, id[0]);
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertEquals(4200L, refundedAt(e), "refunded once, in full, at " + psp + ": " + e.encode());
      assertEquals(1, e.getJsonArray("refunds").size());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void partialRefundsAddUpToTheChargeAndNoMore(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    boolean wholeOnly = psp.equals("fatora");
    String[] id = new String[1];
    charge(api, psp, 4200).compose(c -> {
      id[0] = c.getString("id");
      return refund(api, id[0], new JsonObject().put("amount", 1000).put("reason", "one item returned"));
    }).compose(r -> {
      ctx.verify(() -> {
        if (wholeOnly) {
          assertEquals(422, r.statusCode(), r.bodyAsString());
          assertEquals("application/problem+json", r.getHeader("Content-Type"));
          assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/refund-unsupported"), r.bodyAsString());
        } else {
          assertEquals(201, r.statusCode(), r.bodyAsString());
          assertEquals("succeeded", r.bodyAsJsonObject().getString("status"));
          assertEquals(1000L, r.bodyAsJsonObject().getLong("amount"));
          assertEquals("one item returned", r.bodyAsJsonObject().getString("reason"));
        }
      });
      return ledgerEntry(api, psp, id[0]);
    }).compose(e -> {
      ctx.verify(() -> assertEquals(wholeOnly ? 0L : 1000L, refundedAt(e), e.encode()));
      // The rest (no amount): 3200, or at Fatora the whole 4200.
      return refund(api, id[0], new JsonObject());
    }).compose(r -> {
      ctx.verify(() -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals(wholeOnly ? 4200L : 3200L, r.bodyAsJsonObject().getLong("amount"));
      });
      return refund(api, id[0], new JsonObject().put("amount", wholeOnly ? 4200 : 1));
    }).compose(r -> {
      ctx.verify(() -> {
        assertEquals(422, r.statusCode(), "nothing is left: " + r.bodyAsString());
        assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/refund-exceeds-charge"), r.bodyAsString());
      });
      return ledgerEntry(api, psp, id[0]);
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertEquals(4200L, refundedAt(e), "refunded exactly the charge at " + psp + ": " + e.encode());
      assertEquals(wholeOnly ? 1 : 2, e.getJsonArray("refunds").size(), e.encode());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void overRefundIsRefusedAndNothingIsSent(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    String[] id = new String[1];
    charge(api, psp, 4200).compose(c -> {
      id[0] = c.getString("id");
      return refund(api, id[0], new JsonObject().put("amount", 4201));
    }).compose(r -> {
      ctx.verify(() -> {
        assertEquals(422, r.statusCode(), r.bodyAsString());
        assertEquals("application/problem+json", r.getHeader("Content-Type"));
        // Fatora refuses a partial amount before the charge's total is even looked at.
        assertTrue(r.bodyAsJsonObject().getString("type").matches(".*/refund-(exceeds-charge|unsupported)"),
            r.bodyAsString());
      });
      return api.get("/v1/charges/" + id[0] + "/refunds", KEY);
    }).compose(list -> {
      ctx.verify(() -> assertEquals(0, list.bodyAsJsonObject().getJsonArray("data").size(), "no refund recorded"));
      return ledgerEntry(api, psp, id[0]);
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertEquals(0L, refundedAt(e), "nothing refunded at " + psp);
      assertEquals(0, e.getJsonArray("refunds").size());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void aDeclinedChargeCannotBeRefunded(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    charge(api, psp, 4251).compose(c -> {
      ctx.verify(() -> assertEquals("declined", c.getString("status"), c.encode()));
      return refund(api, c.getString("id"), null).map(r -> {
        ctx.verify(() -> {
          assertEquals(409, r.statusCode(), r.bodyAsString());
          assertEquals("application/problem+json", r.getHeader("Content-Type"));
          assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/charge-not-refundable"), r.bodyAsString());
          assertTrue(r.bodyAsJsonObject().getString("detail").contains("declined"), r.bodyAsString());
        });
        return c.getString("id");
      });
    }).compose(id -> api.ledger(psp, id)).onComplete(ctx.succeeding(l -> ctx.verify(() -> {
      for (Object o : l) assertEquals(0L, ((JsonObject) o).getLong("refunded_amount"), l.encode());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void inDoubtRefundIsSettledByInquiryAndRefundedOnce(String psp, Vertx vertx, VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    // A refund amount ending in 96: the PSP refunds, then answers after 10 s; the router times out
    // after 1 s and asks at once. Fatora refunds whole payments: its charge ends in 96 as well
    // (settled by inquiry too).
    boolean wholeOnly = psp.equals("fatora");
    long chargeAmount = wholeOnly ? 4396 : 4200;
    long refundAmount = wholeOnly ? 4396 : 1096;
    String[] id = new String[1];
    long[] t0 = new long[1];
    charge(api, psp, chargeAmount).compose(c -> {
      id[0] = c.getString("id");
      ctx.verify(() -> assertEquals("succeeded", c.getString("status"), c.encode()));
      t0[0] = System.nanoTime();
      return refund(api, id[0], new JsonObject().put("amount", refundAmount));
    }).compose(r -> {
      ctx.verify(() -> {
        assertEquals(201, r.statusCode(), r.bodyAsString());
        assertEquals("succeeded", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
        assertTrue(System.nanoTime() - t0[0] < 8_000_000_000L, "settled by the inquiry, not by the late answer");
      });
      return ledgerEntry(api, psp, id[0]);
    }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
      assertEquals(refundAmount, refundedAt(e), "refunded once at " + psp + ": " + e.encode());
      assertEquals(1, e.getJsonArray("refunds").size(), "never sent twice: " + e.encode());
      ctx.completeNow();
    })));
  }

  @ParameterizedTest
  @MethodSource("psps")
  void aRefundThePspNeverMadeFailsOnlyPastTheHorizonAndGivesItsAmountBack(String psp, Vertx vertx,
      VertxTestContext ctx) {
    Api api = new Api(vertx, h);
    // The PSP answers every call with its own 500 and refunds nothing (the simulators' error
    // fault, as for charges). A 500 is no proof: pending (the inquiry cannot say either), asked
    // again by the reconciler once the fault is gone, failed only once
    // recovery.not_found_final_after (6 s here) has passed; then its amount is free again.
    boolean wholeOnly = psp.equals("fatora");
    long refundAmount = wholeOnly ? 4200 : 1000;
    String[] id = new String[1];
    String[] refundId = new String[1];
    long[] answeredAt = new long[1];
    charge(api, psp, 4200).compose(c -> {
      id[0] = c.getString("id");
      ctx.verify(() -> assertEquals("succeeded", c.getString("status"), c.encode()));
      return api.faults(psp, new JsonObject().put("error_rate", 1.0));
    }).compose(v -> refund(api, id[0], new JsonObject().put("amount", refundAmount)))
        .eventually(() -> api.clearFaults(psp))
        .compose(r -> {
          answeredAt[0] = System.nanoTime();
          ctx.verify(() -> {
            assertEquals(202, r.statusCode(), r.bodyAsString());
            assertEquals("pending", r.bodyAsJsonObject().getString("status"), r.bodyAsString());
          });
          refundId[0] = r.bodyAsJsonObject().getString("id");
          return refund(api, id[0], new JsonObject().put("amount", 100));
        }).compose(r -> {
          ctx.verify(() -> {
            // One refund of a charge at a time (Fatora refuses the partial amount first).
            assertEquals(wholeOnly ? 422 : 409, r.statusCode(), r.bodyAsString());
            if (!wholeOnly) {
              assertTrue(r.bodyAsJsonObject().getString("type").endsWith("/refund-in-progress"), r.bodyAsString());
            }
          });
          return vertx.timer(3_000).compose(t -> api.get("/v1/charges/" + id[0] + "/refunds", KEY));
        }).compose(list -> {
          ctx.verify(() -> assertEquals("pending", list.bodyAsJsonObject().getJsonArray("data").getJsonObject(0)
              .getString("status"), "no refund at the PSP is no proof before the horizon: " + list.bodyAsString()));
          return awaitRefund(vertx, api, id[0], refundId[0], "failed", 80);
        }).compose(failed -> {
          ctx.verify(() -> {
            assertEquals("failed", failed.getString("status"), failed.encode());
            assertNotNull(failed.getString("failure_reason"), failed.encode());
            assertTrue(System.nanoTime() - answeredAt[0] >= 5_000_000_000L, "failed only once the horizon passed");
          });
          // Its amount is free again: the whole charge can be refunded now.
          return refund(api, id[0], null);
        }).compose(r -> {
          ctx.verify(() -> {
            assertEquals(201, r.statusCode(), r.bodyAsString());
            assertEquals(4200L, r.bodyAsJsonObject().getLong("amount"), r.bodyAsString());
          });
          return ledgerEntry(api, psp, id[0]);
        }).onComplete(ctx.succeeding(e -> ctx.verify(() -> {
          assertEquals(4200L, refundedAt(e), "only the second refund happened at " + psp + ": " + e.encode());
          assertEquals(1, e.getJsonArray("refunds").size(), e.encode());
          ctx.completeNow();
        })));
  }

  /** Polls the charge's refunds until {@code refundId} has {@code status} (250 ms apart). */
  static Future<JsonObject> awaitRefund(Vertx vertx, Api api, String chargeId, String refundId, String status, int tries) {
    return api.get("/v1/charges/" + chargeId + "/refunds", KEY).compose(r -> {
      JsonObject found = null;
      for (Object o : r.bodyAsJsonObject().getJsonArray("data")) {
        if (refundId.equals(((JsonObject) o).getString("id"))) found = (JsonObject) o;
      }
      if (found == null) throw new AssertionError("refund " + refundId + " not listed: " + r.bodyAsString());
      if (status.equals(found.getString("status")) || tries <= 1) return Future.succeededFuture(found);
      return vertx.timer(250).compose(t -> awaitRefund(vertx, api, chargeId, refundId, status, tries - 1));
    });
  }
}
