package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.StepRunner;
import io.payrouter.connector.fatora.FatoraConnector;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Fatora connector against the Fatora simulator, over real HTTP on loopback. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class FatoraSimulatorTest {
  static SimulatorServer sim;
  static WebClient http;
  final FatoraConnector connector = new FatoraConnector();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new FatoraSimulator()));
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  @Test
  void approvedChargeSucceedsAndIsInTheLedgerOnceUnderTheChargeId(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "ft_ok"))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      assertNotNull(r.providerReference());
      assertEquals(1, runner.calls.size());
      assertEquals("/v1/payments/collect-payment", runner.calls.get(0).url());
      List<Ledger.Entry> entries = ledger().byReference(chargeId);
      assertEquals(1, entries.size());
      Ledger.Entry e = entries.get(0);
      assertEquals(chargeId, e.reference);
      assertEquals(r.providerReference(), e.id);
      assertEquals("SUCCESS", e.status());
      assertEquals(1999, e.amount);
      assertEquals("USD", e.currency);
      assertEquals("ft_ok", e.token);
      tc.completeNow();
    })));
  }

  @Test
  void verifyAfterApprovalFindsItSucceeded(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 2500, "ft_ok")))
        .compose(r -> runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 2500, "USD")))
            .map(q -> {
              tc.verify(() -> assertEquals(r.providerReference(), q.result().providerReference()));
              return q;
            }))
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(InquiryResult.Kind.FOUND, q.kind());
          assertEquals(Outcome.SUCCEEDED, q.result().outcome());
          tc.completeNow();
        })));
  }

  @ParameterizedTest(name = "amount {0} -> {1} soft={2}")
  @CsvSource({
    "1051, INSUFFICIENT_FUNDS, true", "1005, DO_NOT_HONOR, true",
    "1054, EXPIRED_CARD, false", "1059, FRAUD_SUSPECTED, false"
  })
  void declineScenariosAreDeclinedWithTheirCode(long amount, DeclineCode code, boolean soft, Vertx vertx,
      VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, amount, "ft_ok"))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(code, r.declineCode());
      assertEquals(soft, r.softDecline());
      assertEquals("FAILURE", ledger().byReference(chargeId).get(0).status());
      tc.completeNow();
    })));
  }

  @Test
  void revokedTokenIsAHardInvalidTokenDeclineAndChargesNothing(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 1999, "revoked_ft1"))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
      assertFalse(r.softDecline());
      assertEquals("Token invalid", r.providerCode());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void wrongApiKeyIs401AndNotSent(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx("wrong_key"), input(chargeId, 1999, "ft_ok"))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("401", r.providerCode());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void serverErrorIsInDoubtAndVerifyFindsNoPayment(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1091, "ft_ok")))
        .compose(r -> {
          tc.verify(() -> {
            assertEquals(Outcome.IN_DOUBT, r.outcome());
            assertTrue(ledger().byReference(chargeId).isEmpty());
          });
          return runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 1091, "USD")));
        })
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(InquiryResult.Kind.NOT_FOUND, q.kind());
          tc.completeNow();
        })));
  }

  /** Amount ending in 77: PENDING at once, settled SUCCESS 2 s later (Fatora has no webhook: verify). */
  @Test
  void pendingChargeIsFoundSucceededByVerifyAfterItSettles(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    Map<String, Object> seen = new HashMap<>();
    runner.run(connector.charge(ctx(), input(chargeId, 1077, "ft_ok")))
        .compose(r -> {
          seen.put("charge", r);
          return runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 1077, "USD")));
        })
        .compose(early -> {
          seen.put("early", early);
          return vertx.timer(SimScenario.PENDING_SETTLE_MS + 200);
        })
        .compose(v -> runner.run(connector.inquire(ctx(),
            new InquiryInput(chargeId, chargeId, ((PspResult) seen.get("charge")).providerReference(), 1077, "USD"))))
        .onComplete(tc.succeeding(late -> tc.verify(() -> {
          PspResult charge = (PspResult) seen.get("charge");
          InquiryResult early = (InquiryResult) seen.get("early");
          assertEquals(Outcome.PENDING, charge.outcome());
          assertNotNull(charge.providerReference());
          assertEquals(InquiryResult.Kind.FOUND, early.kind());
          assertEquals(Outcome.PENDING, early.result().outcome());
          assertEquals(InquiryResult.Kind.FOUND, late.kind());
          assertEquals(Outcome.SUCCEEDED, late.result().outcome());
          assertEquals(charge.providerReference(), late.result().providerReference());
          assertEquals("SUCCESS", ledger().byReference(chargeId).get(0).status());
          tc.completeNow();
        })));
  }

  @Test
  void deactivatedTokenIsRefusedAfterwards(Vertx vertx, VertxTestContext tc) {
    String token = "ft_" + UUID.randomUUID();
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.deactivateToken(ctx(), Map.of("card_token", token)).orElseThrow())
        .compose(done -> {
          tc.verify(() -> assertTrue(done));
          return runner.run(connector.charge(ctx(), input(chargeId, 1999, token)));
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals("/api/v1/payments/deactivate-card-token", runner.calls.get(0).url());
          assertEquals(Outcome.DECLINED, r.outcome());
          assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
          assertFalse(r.softDecline());
          assertTrue(ledger().byReference(chargeId).isEmpty());
          tc.completeNow();
        })));
  }

  @Test
  void deactivatingTwiceIsStillDone(Vertx vertx, VertxTestContext tc) {
    String token = "ft_" + UUID.randomUUID();
    StepRunner runner = runner(vertx);
    runner.run(connector.deactivateToken(ctx(), Map.of("card_token", token)).orElseThrow())
        .compose(first -> runner.run(connector.deactivateToken(ctx(), Map.of("card_token", token)).orElseThrow())
            .map(second -> List.of(first, second)))
        .onComplete(tc.succeeding(both -> tc.verify(() -> {
          assertEquals(List.of(true, true), both);
          tc.completeNow();
        })));
  }

  @Test
  void chargeInAnotherCurrencyThanTheAccountsMakesNoCall(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    ChargeInput eur = new ChargeInput(chargeId, "att_" + chargeId, chargeId, 1999, "EUR", "visa",
        Map.of("card_token", "ft_ok"), null, null, null, null);
    runner.run(connector.charge(ctx(), eur)).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals(0, runner.calls.size());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void outageInjectedByTheControlApiIsInDoubtAndClearingItRestoresService(Vertx vertx, VertxTestContext tc) {
    String down = chargeId();
    String up = chargeId();
    StepRunner runner = runner(vertx);
    Map<String, PspResult> seen = new HashMap<>();
    http.postAbs(sim.baseUrl() + "/_sim/fatora/faults").sendJsonObject(new JsonObject().put("down", true))
        .compose(resp -> {
          tc.verify(() -> {
            assertEquals(200, resp.statusCode());
            assertEquals(true, resp.bodyAsJsonObject().getBoolean("down"));
          });
          return runner.run(connector.charge(ctx(), input(down, 1999, "ft_ok")));
        })
        .transform(ar -> {
          if (ar.succeeded()) seen.put("down", ar.result());
          // restore the simulator whatever happened
          return http.deleteAbs(sim.baseUrl() + "/_sim/fatora/faults").send()
              .compose(resp -> ar.failed() ? Future.failedFuture(ar.cause()) : Future.succeededFuture(resp));
        })
        .compose(resp -> {
          tc.verify(() -> {
            assertEquals(200, resp.statusCode());
            assertEquals(false, resp.bodyAsJsonObject().getBoolean("down"));
          });
          return runner.run(connector.charge(ctx(), input(up, 1999, "ft_ok")));
        })
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          PspResult outage = seen.get("down");
          // Fatora documents no 503 on collect-payment as "not processed": in doubt (src/docs/psps.md)
          assertEquals(Outcome.IN_DOUBT, outage.outcome());
          assertTrue(ledger().byReference(down).isEmpty());
          assertEquals(Outcome.SUCCEEDED, r.outcome());
          assertEquals(1, ledger().byReference(up).size());
          tc.completeNow();
        })));
  }

  @Test
  void missingApiKeyHeaderGetsFatorasErrorShape(VertxTestContext tc) {
    http.postAbs(sim.baseUrl() + "/fatora/v1/payments/collect-payment")
        .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", chargeId()).put("amount", 19.99))
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(401, resp.statusCode());
          JsonObject body = resp.bodyAsJsonObject();
          assertEquals("FAILURE", body.getString("status"));
          assertEquals(401, body.getJsonObject("error").getInteger("code"));
          tc.completeNow();
        })));
  }

  @Test
  void controlApiListsTheChargeByReference(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 4200, "ft_ok")))
        .compose(r -> http.getAbs(sim.baseUrl() + "/_sim/fatora/ledger?reference=" + chargeId).send())
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(1, resp.bodyAsJsonArray().size());
          JsonObject e = resp.bodyAsJsonArray().getJsonObject(0);
          assertEquals(chargeId, e.getString("reference"));
          assertEquals(4200L, e.getLong("amount"));
          assertEquals("SUCCESS", e.getString("status"));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  static Ledger ledger() {
    return sim.context("fatora").ledger();
  }

  static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }

  static StepRunner runner(Vertx vertx) {
    return new StepRunner(vertx, sim.baseUrl() + "/fatora");
  }

  static CallContext ctx() {
    return ctx(SimCredentials.FATORA_API_KEY);
  }

  static CallContext ctx(String apiKey) {
    return new CallContext(new ProviderConfig("fatora", "fatora", true, sim.baseUrl() + "/fatora",
        Map.of("api_key", apiKey, "webhook_secret", "fatora_sim_webhook_secret"), Set.of("USD"), 5000,
        BreakerConfig.DEFAULT, new JsonObject().put("account_currency", "USD")), null);
  }

  static ChargeInput input(String chargeId, long amount, String cardToken) {
    return new ChargeInput(chargeId, "att_" + chargeId, chargeId, amount, "USD", "visa", Map.of("card_token", cardToken),
        "Order " + chargeId, "cust-42", null, null);
  }
}
