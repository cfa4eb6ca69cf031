package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
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
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The faults of {@code /_sim/{provider}/faults}, over real HTTP on loopback: what each does on the
 * wire and what the PSP's ledger records. Faults are set after the set-up calls, so a rate of 1.0
 * hits exactly the call under test.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SimulatorFaultsTest {
  static final long LAG_MS = 1000;
  static final Set<Integer> LOST = Set.of(502, 504);

  static SimulatorServer sim;
  static WebClient http;
  static PspDriver.Ctx c;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new RevioSimulator(), new PayCoreSimulator(), new FatoraSimulator(),
        new DinteroSimulator(), new ProcessOutSimulator()));
    // No pooling: a connection the edge resets is never reused by a later test.
    http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(false));
    sim.start(0).onComplete(tc.succeeding(s -> {
      c = new PspDriver.Ctx(http, sim.baseUrl());
      tc.completeNow();
    }));
  }

  @AfterEach
  void clearFaults(VertxTestContext tc) {
    Future.all(List.of(PspDriver.values()).stream().map(d -> deleteFaults(d.provider)).toList())
        .onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- ambiguous

  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void ambiguousMoneyCallIsChargedOnceAndAnswered502Or504ByTheEdge(PspDriver psp, VertxTestContext tc) {
    String ref = ref();
    psp.prepare(c, ref)
        .compose(p -> setFaults(psp.provider, new JsonObject().put("ambiguous_rate", 1.0)).compose(x -> psp.pay(c, p)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertTrue(LOST.contains(r.statusCode()), "status " + r.statusCode());
          assertTrue(r.getHeader("content-type").startsWith("text/html"), "the edge's own page, not the PSP's JSON");
          assertCharged(psp, ref);
          tc.completeNow();
        })));
  }

  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void withoutLagTheInquiryFindsAnAmbiguousChargeAtOnce(PspDriver psp, VertxTestContext tc) {
    String ref = ref();
    psp.prepare(c, ref).compose(p -> setFaults(psp.provider, new JsonObject().put("ambiguous_rate", 1.0))
            .compose(x -> psp.pay(c, p))
            .compose(r -> deleteFaults(psp.provider))
            .compose(x -> psp.inquiryShowsCharge(c, p)))
        .onComplete(tc.succeeding(found -> tc.verify(() -> {
          assertTrue(found);
          tc.completeNow();
        })));
  }

  /** A lagging read replica: the ledger has the charge at once, the inquiry endpoint only later. */
  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void withAmbiguousLagTheInquiryFindsTheChargeOnlyAfterTheLag(PspDriver psp, Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    AtomicLong answeredAt = new AtomicLong();
    psp.prepare(c, ref).compose(p -> setFaults(psp.provider,
                new JsonObject().put("ambiguous_rate", 1.0).put("ambiguous_lag_ms", LAG_MS))
            .compose(x -> psp.pay(c, p))
            .compose(r -> {
              answeredAt.set(System.currentTimeMillis());
              tc.verify(() -> assertTrue(LOST.contains(r.statusCode()), "status " + r.statusCode()));
              return deleteFaults(psp.provider);
            })
            .compose(x -> psp.inquiryShowsCharge(c, p))
            .compose(early -> {
              tc.verify(() -> {
                assertTrue(System.currentTimeMillis() - answeredAt.get() < LAG_MS, "too slow to look early");
                assertFalse(early, "the inquiry must not show the charge before the lag");
                assertCharged(psp, ref);
              });
              return vertx.timer(LAG_MS + 200 - (System.currentTimeMillis() - answeredAt.get()));
            })
            .compose(x -> psp.inquiryShowsCharge(c, p)))
        .onComplete(tc.succeeding(late -> tc.verify(() -> {
          assertTrue(late, "the inquiry must show the charge once the lag has passed");
          tc.completeNow();
        })));
  }

  @Test
  void ambiguousFaultOnACallThatMovesNoMoneyIsJustA502Or504(VertxTestContext tc) {
    String ref = ref();
    setFaults("paycore", new JsonObject().put("ambiguous_rate", 1.0))
        .compose(x -> PspDriver.createInvoice(c, ref))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertTrue(LOST.contains(r.statusCode()), "status " + r.statusCode());
          assertTrue(ledger("paycore").byReference(ref).isEmpty(), "the invoice was never created");
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- reset

  @Test
  void resetFaultResetsTheConnectionAndChargesSomeCallsButNotOthers(VertxTestContext tc) {
    List<String> refs = new ArrayList<>();
    List<Throwable> failures = new ArrayList<>();
    Future<Void> chain = setFaults("fatora", new JsonObject().put("reset_rate", 1.0)).mapEmpty();
    for (int i = 0; i < 40; i++) {
      String ref = ref();
      refs.add(ref);
      chain = chain.compose(x -> PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref))
          .transform(ar -> {
            if (ar.succeeded()) return Future.failedFuture("answered " + ar.result().statusCode() + " despite the reset");
            failures.add(ar.cause());
            return Future.succeededFuture();
          }));
    }
    chain.onComplete(tc.succeeding(x -> tc.verify(() -> {
      assertEquals(40, failures.size());
      int charged = 0;
      for (String ref : refs) {
        int n = ledger("fatora").byReference(ref).size();
        assertTrue(n <= 1, "charged " + n + " times");
        charged += n;
      }
      assertTrue(charged > 0 && charged < 40, "charged " + charged + " of 40: expected both outcomes");
      tc.completeNow();
    })));
  }

  @Test
  void resetFaultIsATcpResetNotAnOrderlyClose(VertxTestContext tc) {
    setFaults("fatora", new JsonObject().put("reset_rate", 1.0))
        .compose(x -> PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref())))
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertTrue(String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("reset"), String.valueOf(e));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- slow

  @Test
  void slowFaultChargesAtOnceAndGivesTheRealAnswerAfterSlowMs(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    long slowMs = 1200;
    AtomicLong sentAt = new AtomicLong();
    setFaults("fatora", new JsonObject().put("slow_rate", 1.0).put("slow_ms", slowMs)).onComplete(tc.succeeding(x -> {
      sentAt.set(System.currentTimeMillis());
      Future<HttpResponse<Buffer>> answer = PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref));
      vertx.setTimer(slowMs / 3, t -> tc.verify(() -> {
        assertFalse(answer.isComplete(), "answered before slow_ms");
        assertCharged(PspDriver.FATORA, ref);
      }));
      answer.onComplete(tc.succeeding(r -> tc.verify(() -> {
        assertTrue(System.currentTimeMillis() - sentAt.get() >= slowMs, "answered too early");
        assertEquals(200, r.statusCode());
        assertEquals("SUCCESS", r.bodyAsJsonObject().getString("status"));
        assertCharged(PspDriver.FATORA, ref);
        tc.completeNow();
      })));
    }));
  }

  // ---------------------------------------------------------------- decline

  /** A PSP whose approval rate dropped: a charge its amount would approve is declined, not charged. */
  @ParameterizedTest
  @EnumSource(PspDriver.class)
  void declineFaultDeclinesAnApprovableChargeAndChargesNothing(PspDriver psp, VertxTestContext tc) {
    String ref = ref();
    long before = sim.context(psp.provider).injected().get(InjectedFaults.Kind.DECLINE);
    psp.prepare(c, ref)
        .compose(p -> setFaults(psp.provider, new JsonObject().put("decline_rate", 1.0)).compose(x -> psp.pay(c, p)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertTrue(r.statusCode() < 500, "the PSP's own answer, not an error: " + r.statusCode());
          List<Ledger.Entry> entries = ledger(psp.provider).byReference(ref);
          assertTrue(entries.stream().noneMatch(e -> psp.chargedStatus.equals(e.status())), "nothing charged: " + entries);
          assertEquals(before + 1, sim.context(psp.provider).injected().get(InjectedFaults.Kind.DECLINE));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- the original faults

  @Test
  void errorFaultAnswersThePspsOwn500AndChargesNothing(VertxTestContext tc) {
    String ref = ref();
    setFaults("fatora", new JsonObject().put("error_rate", 1.0))
        .compose(x -> PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(500, r.statusCode());
          assertEquals("FAILURE", r.bodyAsJsonObject().getString("status"));
          assertTrue(ledger("fatora").byReference(ref).isEmpty());
          tc.completeNow();
        })));
  }

  @Test
  void timeoutFaultHangsAndChargesNothing(VertxTestContext tc) {
    String ref = ref();
    setFaults("fatora", new JsonObject().put("timeout_rate", 1.0))
        .compose(x -> http.postAbs(sim.baseUrl() + "/fatora/v1/payments/collect-payment").timeout(500)
            .putHeader("api_key", SimCredentials.FATORA_API_KEY)
            .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", ref).put("amount", 19.99)))
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertTrue(String.valueOf(e.getMessage()).toLowerCase(Locale.ROOT).contains("timeout"), String.valueOf(e));
          assertTrue(ledger("fatora").byReference(ref).isEmpty());
          tc.completeNow();
        })));
  }

  @Test
  void latencyDelaysACallWithABodyWithoutLosingTheBody(VertxTestContext tc) {
    String ref = ref();
    AtomicLong sentAt = new AtomicLong();
    setFaults("fatora", new JsonObject().put("latency_ms", 150))
        .compose(x -> {
          sentAt.set(System.currentTimeMillis());
          return PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref));
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertTrue(System.currentTimeMillis() - sentAt.get() >= 150, "no latency added");
          assertEquals(200, r.statusCode(), r.bodyAsString());
          assertCharged(PspDriver.FATORA, ref);
          tc.completeNow();
        })));
  }

  @Test
  void aForgedEdgeHeaderDoesNotGetPastTheFaults(VertxTestContext tc) {
    setFaults("fatora", new JsonObject().put("down", true))
        .compose(x -> http.postAbs(sim.baseUrl() + "/fatora/v1/payments/verify")
            .putHeader("api_key", SimCredentials.FATORA_API_KEY).putHeader(SimEdge.HEADER, "forged")
            .sendJsonObject(new JsonObject().put("order_id", ref())))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(503, r.statusCode());
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- injected counts

  @Test
  void injectedFaultsAreCountedPerKind(VertxTestContext tc) {
    JsonObject before = sim.context("dintero").injected().toJson();
    setFaults("dintero", new JsonObject().put("ambiguous_rate", 0.5).put("error_rate", 0.5))
        .compose(x -> Future.all(List.of(probe("dintero"), probe("dintero"), probe("dintero"), probe("dintero"))))
        .compose(x -> http.getAbs(sim.baseUrl() + "/_sim/dintero/faults").send())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          JsonObject injected = r.bodyAsJsonObject().getJsonObject("injected");
          assertNotNull(injected);
          long ambiguous = injected.getLong("ambiguous") - before.getLong("ambiguous");
          long error = injected.getLong("error") - before.getLong("error");
          assertEquals(4, ambiguous + error);
          assertEquals(before.getLong("reset"), injected.getLong("reset"));
          assertEquals(before.getLong("slow"), injected.getLong("slow"));
          assertEquals(before.getLong("timeout"), injected.getLong("timeout"));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- control API

  @Test
  void answerEchoesEveryFaultInForceWithItsInjectedCounts(VertxTestContext tc) {
    http.postAbs(sim.baseUrl() + "/_sim/revio/faults")
        .sendJsonObject(new JsonObject().put("ambiguous_rate", 0.25).put("ambiguous_lag_ms", 500).put("slow_rate", 0.5)
            .put("slow_ms", 2000))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode());
          JsonObject b = r.bodyAsJsonObject();
          assertEquals(new JsonObject().put("latency_ms", 0).put("error_rate", 0.0).put("timeout_rate", 0.0)
              .put("down", false).put("ambiguous_rate", 0.25).put("ambiguous_lag_ms", 500)
              .put("reset_rate", 0.0).put("slow_rate", 0.5).put("slow_ms", 2000)
              .put("late_rate", 0.0).put("late_ms", 0).put("cancel_rate", 0.0).putNull("webhook_url")
              .put("decline_rate", 0.0), copyWithout(b, "injected"));
          assertEquals(Set.of("ambiguous", "reset", "slow", "error", "timeout", "down", "late", "cancel", "decline"),
              b.getJsonObject("injected").fieldNames());
          tc.completeNow();
        })));
  }

  @Test
  void answerEchoesTheLateCancelAndWebhookFaults(VertxTestContext tc) {
    http.postAbs(sim.baseUrl() + "/_sim/dintero/faults")
        .sendJsonObject(new JsonObject().put("late_rate", 0.25).put("late_ms", 15_000).put("cancel_rate", 0.125)
            .put("webhook_url", "http://127.0.0.1:9100"))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode(), r.bodyAsString());
          JsonObject b = r.bodyAsJsonObject();
          assertEquals(0.25, b.getDouble("late_rate"));
          assertEquals(15_000L, b.getLong("late_ms"));
          assertEquals(0.125, b.getDouble("cancel_rate"));
          assertEquals("http://127.0.0.1:9100", b.getString("webhook_url"));
          tc.completeNow();
        })));
  }

  @Test
  void deleteRestoresTheDefaults(VertxTestContext tc) {
    setFaults("revio", new JsonObject().put("reset_rate", 0.5).put("latency_ms", 5).put("down", true)
            .put("late_rate", 0.1).put("late_ms", 10_000).put("cancel_rate", 0.1).put("webhook_url", "http://localhost:1"))
        .compose(x -> http.deleteAbs(sim.baseUrl() + "/_sim/revio/faults").send())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.statusCode());
          assertEquals(Faults.NONE.toJson(), copyWithout(r.bodyAsJsonObject(), "injected"));
          assertTrue(sim.context("revio").faults() == Faults.NONE, "defaults cost nothing: the NONE instance");
          tc.completeNow();
        })));
  }

  @Test
  void unknownFaultKeyIs400(VertxTestContext tc) {
    expect400(new JsonObject().put("ambiguous_rate", 0.1).put("explode", true), tc);
  }

  @Test
  void rateAboveOneIs400(VertxTestContext tc) {
    expect400(new JsonObject().put("reset_rate", 1.5), tc);
  }

  @ParameterizedTest
  @ValueSource(strings = {
    "{\"ambiguous_rate\":0.6,\"reset_rate\":0.5}",
    "{\"error_rate\":-0.1}",
    "{\"slow_rate\":\"0.5\",\"slow_ms\":100}",
    "{\"slow_rate\":0.5}",
    "{\"ambiguous_lag_ms\":-1}",
    "{\"latency_ms\":2.5}",
    "{\"down\":\"yes\"}",
    "{\"timeout_rate\":null}",
    "{\"late_rate\":0.5}",
    "{\"late_rate\":0.6,\"cancel_rate\":0.5}",
    "{\"cancel_rate\":1.5}",
    "{\"late_ms\":600001}",
    "{\"webhook_url\":\"http://example.com:9100\"}",
    "{\"webhook_url\":\"http://127.0.0.1:9100/v1/webhooks\"}",
    "{\"webhook_url\":\"https://127.0.0.1:9100\"}",
    "{\"webhook_url\":9100}"
  })
  void otherInvalidFaultsAre400AndChangeNothing(String body, VertxTestContext tc) {
    expect400(new JsonObject(body), tc);
  }

  // ---------------------------------------------------------------- helpers

  void expect400(JsonObject body, VertxTestContext tc) {
    setFaults("fatora", new JsonObject().put("latency_ms", 1))
        .compose(x -> http.postAbs(sim.baseUrl() + "/_sim/fatora/faults").sendJsonObject(body))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(400, r.statusCode(), r.bodyAsString());
          assertNotNull(r.bodyAsJsonObject().getString("error"));
          assertEquals(1, sim.context("fatora").faults().latencyMs(), "a refused body leaves the faults as they were");
          tc.completeNow();
        })));
  }

  /** Any call to the PSP (here an inquiry that moves no money); its answer is not looked at. */
  static Future<Void> probe(String provider) {
    return http.getAbs(sim.baseUrl() + "/" + provider + "/v1/transactions/none").send().mapEmpty();
  }

  static void assertCharged(PspDriver psp, String ref) {
    List<Ledger.Entry> entries = ledger(psp.provider).byReference(ref);
    assertEquals(1, entries.size(), "ledger entries for " + ref);
    assertEquals(psp.chargedStatus, entries.get(0).status());
  }

  static Future<JsonObject> setFaults(String provider, JsonObject faults) {
    return setFaults(http, sim, provider, faults);
  }

  static Future<JsonObject> setFaults(WebClient http, SimulatorServer sim, String provider, JsonObject faults) {
    return http.postAbs(sim.baseUrl() + "/_sim/" + provider + "/faults").sendJsonObject(faults).compose(r ->
        r.statusCode() == 200 ? Future.succeededFuture(r.bodyAsJsonObject())
            : Future.failedFuture("faults refused: " + r.bodyAsString()));
  }

  static Future<Void> deleteFaults(String provider) {
    return deleteFaults(http, sim, provider);
  }

  static Future<Void> deleteFaults(WebClient http, SimulatorServer sim, String provider) {
    return http.deleteAbs(sim.baseUrl() + "/_sim/" + provider + "/faults").send().mapEmpty();
  }

  static JsonObject copyWithout(JsonObject o, String key) {
    JsonObject c = o.copy();
    c.remove(key);
    return c;
  }

  static Ledger ledger(String provider) {
    return sim.context(provider).ledger();
  }

  static String ref() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }
}
