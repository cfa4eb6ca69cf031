package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The calls real PSPs document for closing an unpaid payment: Revio's (CHIP Collect)
 * {@code POST /purchases/{id}/cancel/} and ProcessOut's {@code POST /invoices/{id}/void}, over
 * real HTTP on loopback.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SimulatorCancelAndVoidTest {
  static final long LATE_MS = 800;
  static final long MARGIN_MS = 500;

  static SimulatorServer sim;
  static WebClient http;
  static PspDriver.Ctx c;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new RevioSimulator(), new ProcessOutSimulator()));
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeeding(s -> {
      c = new PspDriver.Ctx(http, sim.baseUrl());
      tc.completeNow();
    }));
  }

  @AfterEach
  void clearFaults(VertxTestContext tc) {
    Future.all(SimulatorFaultsTest.deleteFaults(http, sim, "revio"), SimulatorFaultsTest.deleteFaults(http, sim, "processout"))
        .onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- Revio

  @Test
  void revioCancelOfACreatedPurchaseAnswersThePurchaseCancelled(VertxTestContext tc) {
    String ref = ref();
    PspDriver revio = PspDriver.REVIO;
    revio.prepare(c, ref).compose(p -> cancel(p).compose(r -> {
          tc.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertEquals("cancelled", r.bodyAsJsonObject().getString("status"));
            assertEquals(p.getString("id"), r.bodyAsJsonObject().getString("id"));
          });
          return revio.inquiryStatus(c, p);
        }))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("cancelled", status);
          assertEquals("cancelled", entry("revio", ref).status(), "the ledger records the closed purchase");
          tc.completeNow();
        })));
  }

  @Test
  void revioCancelOfAPaidPurchaseIsRefusedAndItStaysPaid(VertxTestContext tc) {
    PspDriver revio = PspDriver.REVIO;
    revio.prepare(c, ref()).compose(p -> revio.pay(c, p).compose(paid -> cancel(p)).compose(r -> {
          tc.verify(() -> {
            assertEquals(409, r.statusCode());
            assertEquals("conflict", r.bodyAsJsonObject().getJsonObject("__all__").getString("code"));
            assertFalse(r.bodyAsJsonObject().getJsonObject("__all__").getString("message").isEmpty());
          });
          return revio.inquiryStatus(c, p);
        }))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("paid", status);
          tc.completeNow();
        })));
  }

  @Test
  void revioChargeOfACancelledPurchaseIsAConflictAndChargesNothing(VertxTestContext tc) {
    String ref = ref();
    PspDriver revio = PspDriver.REVIO;
    revio.prepare(c, ref).compose(p -> cancel(p).compose(x -> revio.pay(c, p)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(409, r.statusCode());
          assertEquals("cancelled", entry("revio", ref).status());
          tc.completeNow();
        })));
  }

  @Test
  void revioServerErrorAmountLeavesThePurchaseCreatedForTheInquiryAndTheCancel(VertxTestContext tc) {
    String ref = ref();
    PspDriver revio = PspDriver.REVIO;
    revio.prepare(c, ref, 1091, null).compose(p -> revio.pay(c, p)
            .compose(r -> {
              tc.verify(() -> assertEquals(500, r.statusCode()));
              return revio.inquiryStatus(c, p);
            })
            .compose(status -> {
              tc.verify(() -> {
                assertEquals("created", status, "nothing charged");
                assertEquals(List.of(), sim.context("revio").ledger().byReference(ref));
              });
              return cancel(p);
            }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals("cancelled", r.bodyAsJsonObject().getString("status"));
          tc.completeNow();
        })));
  }

  @Test
  void revioCancelOfALatePendingPurchaseMeansItIsNeverCharged(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    PspDriver revio = PspDriver.REVIO;
    WebhookReceiver.start(vertx).compose(hooks -> revio.prepare(c, ref, 1999, hooks.url("/v1/webhooks/revio"))
            .compose(p -> SimulatorFaultsTest.setFaults(http, sim, "revio",
                    new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS))
                .compose(x -> revio.pay(c, p))
                .compose(r -> {
                  tc.verify(() -> assertEquals("pending_charge", revio.answeredStatus(r)));
                  return cancel(p);
                })
                .compose(r -> {
                  tc.verify(() -> assertEquals("cancelled", r.bodyAsJsonObject().getString("status")));
                  return vertx.timer(LATE_MS + MARGIN_MS);
                })
                .compose(x -> revio.inquiryStatus(c, p)))
            .map(status -> {
              tc.verify(() -> {
                assertEquals("cancelled", status);
                assertEquals("cancelled", entry("revio", ref).status());
                assertEquals(List.of(), hooks.all(), "no purchase.paid was ever sent");
              });
              return hooks;
            })
            .compose(WebhookReceiver::close))
        .onComplete(tc.succeedingThenComplete());
  }

  @Test
  void revioCancelOfAnUnknownPurchaseIs404(VertxTestContext tc) {
    cancel(new JsonObject().put("id", UUID.randomUUID().toString()))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(404, r.statusCode());
          assertEquals("not_found", r.bodyAsJsonObject().getJsonObject("__all__").getString("code"));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- ProcessOut

  @Test
  void processOutVoidOfAnInvoiceNeverCapturedVoidsItsTransaction(VertxTestContext tc) {
    String ref = ref();
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref).compose(p -> voidInvoice(p, null).compose(r -> {
          tc.verify(() -> {
            assertEquals(200, r.statusCode(), r.bodyAsString());
            assertEquals(true, r.bodyAsJsonObject().getBoolean("success"));
            assertEquals("voided", r.bodyAsJsonObject().getJsonObject("transaction").getString("status"));
          });
          return po.inquiryStatus(c, p);
        }))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("voided", status);
          assertEquals("voided", entry("processout", ref).status());
          tc.completeNow();
        })));
  }

  @Test
  void processOutVoidOfACompletedInvoiceIsRefusedAndItStaysCompleted(VertxTestContext tc) {
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref()).compose(p -> po.pay(c, p).compose(x -> voidInvoice(p, null)).compose(r -> {
          tc.verify(() -> {
            assertEquals(400, r.statusCode());
            JsonObject b = r.bodyAsJsonObject();
            assertEquals(false, b.getBoolean("success"));
            assertEquals(ProcessOutSimulator.NOT_VOIDABLE, b.getString("error_type"));
            assertFalse(b.getString("message").isEmpty());
          });
          return po.inquiryStatus(c, p);
        }))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("completed", status);
          tc.completeNow();
        })));
  }

  @Test
  void processOutCaptureOfAVoidedInvoiceIsRefusedAndChargesNothing(VertxTestContext tc) {
    String ref = ref();
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref).compose(p -> voidInvoice(p, null).compose(x -> po.pay(c, p)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(400, r.statusCode());
          assertEquals("request.invoice.already-processed", r.bodyAsJsonObject().getString("error_type"));
          assertEquals("voided", entry("processout", ref).status());
          tc.completeNow();
        })));
  }

  @Test
  void processOutVoidOfALatePendingInvoiceMeansItIsNeverCaptured(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref).compose(p -> SimulatorFaultsTest.setFaults(http, sim, "processout",
                new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS))
            .compose(x -> po.pay(c, p))
            .compose(r -> {
              tc.verify(() -> assertEquals("pending", po.answeredStatus(r)));
              return voidInvoice(p, null);
            })
            .compose(r -> {
              tc.verify(() -> assertEquals(200, r.statusCode(), r.bodyAsString()));
              return vertx.timer(LATE_MS + MARGIN_MS);
            })
            .compose(x -> po.inquiryStatus(c, p)))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("voided", status);
          assertEquals("voided", entry("processout", ref).status());
          tc.completeNow();
        })));
  }

  @Test
  void processOutServerErrorAmountLeavesTheInvoiceVoidable(VertxTestContext tc) {
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref(), 1091, null).compose(p -> po.pay(c, p).compose(r -> {
          tc.verify(() -> assertEquals(500, r.statusCode()));
          return voidInvoice(p, null);
        }))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals("voided", r.bodyAsJsonObject().getJsonObject("transaction").getString("status"));
          tc.completeNow();
        })));
  }

  @Test
  void processOutVoidRepeatedWithItsIdempotencyKeyGetsTheFirstAnswer(VertxTestContext tc) {
    PspDriver po = PspDriver.PROCESSOUT;
    po.prepare(c, ref()).compose(p -> voidInvoice(p, "void-" + p.getString("id"))
            .compose(first -> voidInvoice(p, "void-" + p.getString("id")).map(again -> List.of(first, again))))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.get(0).statusCode());
          assertEquals(200, r.get(1).statusCode());
          assertEquals(r.get(0).bodyAsJsonObject(), r.get(1).bodyAsJsonObject());
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  static Future<HttpResponse<Buffer>> cancel(JsonObject p) {
    return http.postAbs(sim.baseUrl() + "/revio/api/v1/purchases/" + p.getString("id") + "/cancel/")
        .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY).send();
  }

  static Future<HttpResponse<Buffer>> voidInvoice(JsonObject p, String idempotencyKey) {
    var req = http.postAbs(sim.baseUrl() + "/processout/invoices/" + p.getString("id") + "/void")
        .putHeader("Authorization", PspDriver.processOutAuth());
    if (idempotencyKey != null) req.putHeader("Idempotency-Key", idempotencyKey);
    return req.sendJsonObject(new JsonObject());
  }

  static Ledger.Entry entry(String provider, String ref) {
    List<Ledger.Entry> entries = sim.context(provider).ledger().byReference(ref);
    assertEquals(1, entries.size(), "ledger entries for " + ref);
    return entries.get(0);
  }

  static String ref() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }
}
