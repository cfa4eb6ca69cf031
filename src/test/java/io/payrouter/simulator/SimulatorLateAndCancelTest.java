package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.connector.WebhookInput;
import io.payrouter.simulator.InjectedFaults.Kind;
import io.payrouter.simulator.dintero.DinteroCallbackSignature;
import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The late and cancel faults and the webhook_url override, over real HTTP on loopback: a money
 * call answered with the PSP's documented pending state, then charged (late) or closed unpaid
 * (cancel), as inquiries, webhooks and the ledger show. Faults are set after the set-up calls, so
 * a rate of 1.0 hits exactly the money call.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SimulatorLateAndCancelTest {
  static final long LATE_MS = 1_200;
  static final long MARGIN_MS = 500;

  static SimulatorServer sim;
  static WebClient http;
  static PspDriver.Ctx c;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new RevioSimulator(), new PayCoreSimulator(), new FatoraSimulator(),
        new DinteroSimulator(), new ProcessOutSimulator()));
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeeding(s -> {
      c = new PspDriver.Ctx(http, sim.baseUrl());
      tc.completeNow();
    }));
  }

  @AfterEach
  void clearFaults(VertxTestContext tc) {
    Future.all(List.of(PspDriver.values()).stream().map(d -> SimulatorFaultsTest.deleteFaults(http, sim, d.provider)).toList())
        .onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- late

  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void lateFaultAnswersThePendingStateThenChargesAfterLateMs(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    long lateBefore = injected(psp, Kind.LATE);
    AtomicLong answeredAt = new AtomicLong();
    psp.prepare(c, ref).compose(p -> setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS))
            .compose(x -> psp.pay(c, p))
            .compose(r -> {
              answeredAt.set(System.currentTimeMillis());
              tc.verify(() -> {
                assertEquals(2, r.statusCode() / 100, r.bodyAsString());
                assertEquals(psp.pendingStatus, psp.answeredStatus(r));
                assertEquals(psp.pendingStatus, entry(psp, ref).status());
                assertEquals(lateBefore + 1, injected(psp, Kind.LATE));
              });
              return psp.inquiryStatus(c, p);
            })
            .compose(early -> {
              tc.verify(() -> assertEquals(psp.pendingStatus, early, "the inquiry shows pending before late_ms"));
              return vertx.timer(LATE_MS + MARGIN_MS - (System.currentTimeMillis() - answeredAt.get()));
            })
            .compose(x -> psp.inquiryStatus(c, p)))
        .onComplete(tc.succeeding(late -> tc.verify(() -> {
          assertEquals(psp.chargedStatus, late, "charged once late_ms has passed");
          assertEquals(psp.chargedStatus, entry(psp, ref).status());
          tc.completeNow();
        })));
  }

  @Test
  void lateMsFarBeyondTheRoutersGraceKeepsThePaymentPending(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    PspDriver psp = PspDriver.REVIO;
    psp.prepare(c, ref).compose(p -> setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", 20_000))
            .compose(x -> psp.pay(c, p))
            .compose(r -> vertx.timer(3_000))
            .compose(x -> psp.inquiryStatus(c, p)))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("pending_charge", status);
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- cancel

  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void cancelFaultAnswersThePendingStateThenClosesThePaymentUnpaid(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    long cancelBefore = injected(psp, Kind.CANCEL);
    psp.prepare(c, ref).compose(p -> setFaults(psp, new JsonObject().put("cancel_rate", 1.0).put("late_ms", 600))
            .compose(x -> psp.pay(c, p))
            .compose(r -> {
              tc.verify(() -> {
                assertEquals(2, r.statusCode() / 100, r.bodyAsString());
                assertEquals(psp.pendingStatus, psp.answeredStatus(r));
                assertEquals(cancelBefore + 1, injected(psp, Kind.CANCEL));
              });
              return vertx.timer(600 + MARGIN_MS);
            })
            .compose(x -> psp.inquiryStatus(c, p)))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals(psp.cancelledStatus, status);
          assertEquals(psp.cancelledStatus, entry(psp, ref).status(), "the ledger records it closed");
          tc.completeNow();
        })));
  }

  @Test
  void cancelFaultWithoutLateMsClosesThePaymentAfterOneSecond(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    PspDriver psp = PspDriver.FATORA;
    JsonObject p = new JsonObject().put("ref", ref);
    setFaults(psp, new JsonObject().put("cancel_rate", 1.0))
        .compose(x -> psp.pay(c, p))
        .compose(r -> vertx.timer(Faults.DEFAULT_CANCEL_MS / 2))
        .compose(x -> psp.inquiryStatus(c, p))
        .compose(early -> {
          tc.verify(() -> assertEquals("PENDING", early));
          return vertx.timer(Faults.DEFAULT_CANCEL_MS / 2 + MARGIN_MS);
        })
        .compose(x -> psp.inquiryStatus(c, p))
        .onComplete(tc.succeeding(late -> tc.verify(() -> {
          assertEquals("FAILURE", late);
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- webhooks

  @ParameterizedTest
  @EnumSource(value = PspDriver.class, names = {"REVIO", "PAYCORE", "DINTERO", "PROCESSOUT"})
  void lateSettlementIsPushedToTheCallbackUrl(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    settlementWebhook(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", 400), psp.chargedStatus, vertx, tc);
  }

  @ParameterizedTest
  @EnumSource(value = PspDriver.class, names = {"REVIO", "PAYCORE", "DINTERO", "PROCESSOUT"})
  void cancelClosureIsPushedToTheCallbackUrl(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    settlementWebhook(psp, new JsonObject().put("cancel_rate", 1.0).put("late_ms", 400), psp.cancelledStatus, vertx, tc);
  }

  void settlementWebhook(PspDriver psp, JsonObject faults, String expected, Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    WebhookReceiver.start(vertx).compose(hooks -> psp.prepare(c, ref, 1999, hooks.url("/v1/webhooks/" + psp.provider))
            .compose(p -> setFaults(psp, faults).compose(x -> psp.pay(c, p))
                .compose(r -> hooks.first())
                .compose(hook -> hookStatus(psp, p, hook).map(status -> {
                  tc.verify(() -> {
                    assertEquals(expected, status);
                    if (psp == PspDriver.REVIO) {
                      assertEquals(expected.equals("paid") ? "purchase.paid" : "purchase.cancelled",
                          new JsonObject(hook.body()).getString("event_type"));
                    }
                  });
                  return hooks;
                })))
            .compose(WebhookReceiver::close))
        .onComplete(tc.succeedingThenComplete());
  }

  @ParameterizedTest
  @EnumSource(value = PspDriver.class, names = {"REVIO", "PAYCORE", "DINTERO", "PROCESSOUT"})
  void webhookUrlSendsTheCallbackToThatOriginKeepingItsPathAndQuery(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    String path = "/v1/webhooks/" + psp.provider + "?instance=a";
    Future.all(WebhookReceiver.start(vertx), WebhookReceiver.start(vertx)).compose(both -> {
      WebhookReceiver instance = both.resultAt(0);
      WebhookReceiver balancer = both.resultAt(1);
      return psp.prepare(c, ref, 1999, instance.url(path))
          .compose(p -> setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", 300)
                  .put("webhook_url", balancer.origin()))
              .compose(x -> psp.pay(c, p)))
          .compose(r -> balancer.first())
          .compose(hook -> vertx.timer(300).map(hook))
          .map(hook -> {
            tc.verify(() -> {
              assertTrue(hook.url().startsWith(balancer.origin() + path), hook.url());
              assertEquals(List.of(), instance.all(), "nothing reaches the origin the router gave");
            });
            return null;
          })
          .compose(x -> Future.all(instance.close(), balancer.close()));
    }).onComplete(tc.succeedingThenComplete());
  }

  @Test
  void dinteroSignsTheRedirectedCallbackOverTheUrlItCalls(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    PspDriver psp = PspDriver.DINTERO;
    Future.all(WebhookReceiver.start(vertx), WebhookReceiver.start(vertx)).compose(both -> {
      WebhookReceiver instance = both.resultAt(0);
      WebhookReceiver balancer = both.resultAt(1);
      return psp.prepare(c, ref, 1999, instance.url("/v1/webhooks/dintero"))
          .compose(p -> setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", 300)
                  .put("webhook_url", balancer.origin().replace("127.0.0.1", "localhost")))
              .compose(x -> psp.pay(c, p)))
          .compose(r -> balancer.first())
          .map(hook -> {
            tc.verify(() -> {
              String header = hook.header(DinteroCallbackSignature.HEADER);
              long ts = Long.parseLong(header.substring(2, header.indexOf(',')));
              String called = hook.url().replace("127.0.0.1", "localhost");
              assertEquals(DinteroCallbackSignature.header(SimCredentials.DINTERO_SIGNATURE_SECRET,
                  SimCredentials.DINTERO_ACCOUNT_ID, hook.method(), called, ts), header);
            });
            return null;
          })
          .compose(x -> Future.all(instance.close(), balancer.close()));
    }).onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- interplay with the amount scenarios

  @Test
  void aDeclineAmountKeepsItsDeclineUnderTheLateFaultAndTheFaultIsNotCounted(VertxTestContext tc) {
    PspDriver psp = PspDriver.REVIO;
    long before = injected(psp, Kind.LATE);
    psp.prepare(c, ref(), 1051, null)
        .compose(p -> setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS)).compose(x -> psp.pay(c, p)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals("error", psp.answeredStatus(r));
          assertEquals(before, injected(psp, Kind.LATE));
          tc.completeNow();
        })));
  }

  @Test
  void theServerErrorAmountKeepsIts500UnderTheCancelFault(VertxTestContext tc) {
    PspDriver psp = PspDriver.PROCESSOUT;
    long before = injected(psp, Kind.CANCEL);
    psp.prepare(c, ref(), 1091, null)
        .compose(p -> setFaults(psp, new JsonObject().put("cancel_rate", 1.0)).compose(x -> psp.pay(c, p))
            .compose(r -> {
              tc.verify(() -> assertEquals(500, r.statusCode()));
              return psp.inquiryStatus(c, p);
            }))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("waiting", status, "nothing charged, nothing to cancel");
          assertEquals(before, injected(psp, Kind.CANCEL));
          tc.completeNow();
        })));
  }

  @Test
  void theLateFaultLeavesCallsThatMoveNoMoneyAlone(VertxTestContext tc) {
    PspDriver psp = PspDriver.PAYCORE;
    long before = injected(psp, Kind.LATE);
    setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS))
        .compose(x -> PspDriver.createInvoice(c, ref()))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(201, r.statusCode());
          assertEquals(before, injected(psp, Kind.LATE));
          tc.completeNow();
        })));
  }

  @Test
  void thePendingAmountUnderTheLateFaultSettlesAfterLateMsNotAfterTwoSeconds(Vertx vertx, VertxTestContext tc) {
    PspDriver psp = PspDriver.FATORA;
    JsonObject p = new JsonObject().put("ref", ref()).put("amount", 1077L);
    setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", 4_000))
        .compose(x -> psp.pay(c, p))
        .compose(r -> vertx.timer(SimScenario.PENDING_SETTLE_MS + MARGIN_MS))
        .compose(x -> psp.inquiryStatus(c, p))
        .onComplete(tc.succeeding(status -> tc.verify(() -> {
          assertEquals("PENDING", status);
          tc.completeNow();
        })));
  }

  @Test
  void theSlowAmountUnderTheLateFaultIsAnsweredPendingAtOnce(VertxTestContext tc) {
    PspDriver psp = PspDriver.FATORA;
    long sentAt = System.currentTimeMillis();
    setFaults(psp, new JsonObject().put("late_rate", 1.0).put("late_ms", LATE_MS))
        .compose(x -> psp.pay(c, new JsonObject().put("ref", ref()).put("amount", 1096L)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertTrue(System.currentTimeMillis() - sentAt < SimScenario.SLOW_ANSWER_MS / 2, "answered at once");
          assertEquals("PENDING", psp.answeredStatus(r));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  /** The payment status a callback reports (Dintero and ProcessOut: as fetched with the ids it carries). */
  static Future<String> hookStatus(PspDriver psp, JsonObject p, WebhookInput hook) {
    return switch (psp) {
      case REVIO -> Future.succeededFuture(new JsonObject(hook.body()).getString("status"));
      case PAYCORE -> Future.succeededFuture(new JsonObject(hook.body()).getJsonObject("data")
          .getJsonObject("attributes").getString("status"));
      case DINTERO -> http.getAbs(sim.baseUrl() + "/dintero/v1/transactions/" + hook.query().get("transaction_id"))
          .putHeader("Authorization", p.getString("bearer")).send()
          .map(r -> r.bodyAsJsonObject().getString("status"));
      case PROCESSOUT -> http.getAbs(sim.baseUrl() + "/processout/events/" + new JsonObject(hook.body()).getString("event_id"))
          .putHeader("Authorization", PspDriver.processOutAuth()).send()
          .map(r -> r.bodyAsJsonObject().getJsonObject("event").getJsonObject("data").getJsonObject("transaction")
              .getString("status"));
      case FATORA -> Future.failedFuture("Fatora sends no webhooks");
    };
  }

  static Ledger.Entry entry(PspDriver psp, String ref) {
    List<Ledger.Entry> entries = sim.context(psp.provider).ledger().byReference(ref);
    assertEquals(1, entries.size(), "ledger entries for " + ref);
    return entries.get(0);
  }

  static long injected(PspDriver psp, Kind kind) {
    return sim.context(psp.provider).injected().get(kind);
  }

  static Future<JsonObject> setFaults(PspDriver psp, JsonObject faults) {
    return SimulatorFaultsTest.setFaults(http, sim, psp.provider, faults);
  }

  static String ref() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }
}
