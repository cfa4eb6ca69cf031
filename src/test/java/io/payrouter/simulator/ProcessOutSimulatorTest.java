package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
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
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.WebhookRejectedException;
import io.payrouter.connector.processout.ProcessOutConnector;
import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.function.Consumer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The ProcessOut connector against the ProcessOut simulator, over real HTTP. */
@ExtendWith(VertxExtension.class)
class ProcessOutSimulatorTest {

  private SimulatorServer server;
  private StepRunner runner;
  private final ProcessOutConnector connector = new ProcessOutConnector();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc) {
    server = new SimulatorServer(vertx, List.of(new DinteroSimulator(), new ProcessOutSimulator()));
    server.start(0).onComplete(tc.succeeding(s -> {
      runner = new StepRunner(vertx, server.baseUrl() + "/processout");
      tc.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext tc) {
    server.close().onComplete(tc.succeedingThenComplete());
  }

  private CallContext ctx(String secret) {
    return new CallContext(new ProviderConfig("processout", "processout", true, server.baseUrl() + "/processout",
        Map.of("project_id", SimCredentials.PROCESSOUT_PROJECT_ID, "project_secret", secret),
        Set.of("USD"), 5000, BreakerConfig.DEFAULT, new JsonObject()), null);
  }

  private CallContext ctx() {
    return ctx(SimCredentials.PROCESSOUT_PROJECT_SECRET);
  }

  private static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }

  private static Map<String, String> token(String tokenId) {
    return Map.of("customer_id", "cust_sim1", "token_id", tokenId);
  }

  private static ChargeInput charge(String chargeId, long amount, String currency, String tokenId, String callbackUrl) {
    return new ChargeInput(chargeId, "att_" + chargeId, chargeId, amount, currency, "visa", token(tokenId),
        "Order", "cust-1", null, callbackUrl);
  }

  private Future<PspResult> pay(String chargeId, long amount) {
    return runner.run(connector.charge(ctx(), charge(chargeId, amount, "USD", "tok_ok", null)));
  }

  private List<Ledger.Entry> ledger(String chargeId) {
    return server.context("processout").ledger().byReference(chargeId);
  }

  private static <T> void check(VertxTestContext tc, Future<T> f, Consumer<T> assertions) {
    f.onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertions.accept(v);
      tc.completeNow();
    })));
  }

  @Test
  void approvedChargeSucceedsWithTheInvoiceIdAndIsRecordedOnce(VertxTestContext tc) {
    String id = chargeId();
    check(tc, pay(id, 1999), r -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      assertTrue(r.providerReference().startsWith("iv_"));
      assertEquals(1, ledger(id).size());
      assertEquals("completed", ledger(id).get(0).status());
      assertEquals(1999, ledger(id).get(0).amount);
    });
  }

  @Test
  void decimalAmountsRoundTripForZeroAndThreeDecimalCurrencies(VertxTestContext tc) {
    String jpy = chargeId();
    String bhd = chargeId();
    check(tc, runner.run(connector.charge(ctx(), charge(jpy, 1000, "JPY", "tok_ok", null)))
        .compose(x -> runner.run(connector.charge(ctx(), charge(bhd, 1234, "BHD", "tok_ok", null)))), r -> {
          assertEquals(Outcome.SUCCEEDED, r.outcome());
          assertEquals(1000, ledger(jpy).get(0).amount);
          assertEquals(1234, ledger(bhd).get(0).amount);
          assertEquals("BHD", ledger(bhd).get(0).currency);
        });
  }

  private void declines(VertxTestContext tc, long amount, DeclineCode code, boolean soft, String providerCode) {
    String id = chargeId();
    check(tc, pay(id, amount), r -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(code, r.declineCode());
      assertEquals(soft, r.softDecline());
      assertEquals(providerCode, r.providerCode());
      assertEquals("failed", ledger(id).get(0).status());
    });
  }

  @Test
  void amountEndingIn51IsASoftInsufficientFundsDecline(VertxTestContext tc) {
    declines(tc, 1051, DeclineCode.INSUFFICIENT_FUNDS, true, "card.no-money");
  }

  @Test
  void amountEndingIn05IsASoftDoNotHonorDecline(VertxTestContext tc) {
    declines(tc, 1005, DeclineCode.DO_NOT_HONOR, true, "card.do-not-honor");
  }

  @Test
  void amountEndingIn54IsAHardExpiredCardDecline(VertxTestContext tc) {
    declines(tc, 1054, DeclineCode.EXPIRED_CARD, false, "card.expired");
  }

  @Test
  void amountEndingIn59IsAHardFraudDecline(VertxTestContext tc) {
    declines(tc, 1059, DeclineCode.FRAUD_SUSPECTED, false, "card.possible-fraud");
  }

  @Test
  void revokedTokenIsAHardInvalidTokenDeclineAndChargesNothing(VertxTestContext tc) {
    String id = chargeId();
    check(tc, runner.run(connector.charge(ctx(), charge(id, 1999, "USD", "revoked_tok_1", null))), r -> {
      assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
      assertEquals(false, r.softDecline());
      assertEquals(0, ledger(id).size());
    });
  }

  @Test
  void deletedTokenIsRefusedLikeAnInvalidOneAndDeletingTwiceIsStillDone(VertxTestContext tc) {
    String id = chargeId();
    Promise<Boolean> firstDelete = Promise.promise();
    Promise<PspResult> charged = Promise.promise();
    check(tc, runner.run(connector.deactivateToken(ctx(), token("tok_gone")).orElseThrow()).onComplete(firstDelete)
        .compose(x -> runner.run(connector.charge(ctx(), charge(id, 1999, "USD", "tok_gone", null)))).onComplete(charged)
        .compose(x -> runner.run(connector.deactivateToken(ctx(), token("tok_gone")).orElseThrow())), again -> {
          assertTrue(firstDelete.future().result());
          assertEquals(DeclineCode.INVALID_TOKEN, charged.future().result().declineCode());
          assertTrue(again);
        });
  }

  @Test
  void wrongProjectSecretIsNotSent(VertxTestContext tc) {
    check(tc, runner.run(connector.charge(ctx("key_wrong"), charge(chargeId(), 1999, "USD", "tok_ok", null))), r -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("request.authentication.invalid", r.providerCode());
    });
  }

  @Test
  void serverErrorIsInDoubtAndTheInquiryShowsTheInvoiceOpen(VertxTestContext tc) {
    String id = chargeId();
    Promise<PspResult> first = Promise.promise();
    check(tc, pay(id, 1091).onComplete(first)
        .compose(r -> runner.run(connector.inquire(ctx(), new InquiryInput(id, id, r.providerReference(), 1091, "USD")))), r -> {
          assertEquals(Outcome.IN_DOUBT, first.future().result().outcome());
          assertTrue(first.future().result().providerReference().startsWith("iv_"));
          assertEquals(InquiryResult.Kind.FOUND, r.kind());
          assertEquals(Outcome.PENDING, r.result().outcome(), "open and unpaid: pending, not \"no such payment\"");
          assertEquals(0, ledger(id).size());
        });
  }

  @Test
  void replayedAttemptDoesNotChargeTwice(VertxTestContext tc) {
    String id = chargeId();
    ChargeInput in = charge(id, 1999, "USD", "tok_ok", null);
    Promise<PspResult> first = Promise.promise();
    check(tc, runner.run(connector.charge(ctx(), in)).onComplete(first)
        .compose(x -> runner.run(connector.charge(ctx(), in))), second -> {
          assertEquals(Outcome.SUCCEEDED, second.outcome());
          assertEquals(first.future().result(), second);
          assertEquals(1, ledger(id).size());
        });
  }

  @Test
  void inquiryAfterApprovalFindsTheSuccess(VertxTestContext tc) {
    String id = chargeId();
    check(tc, pay(id, 1999).compose(r -> runner.run(connector.inquire(ctx(),
        new InquiryInput(id, id, r.providerReference(), 1999, "USD")))), r -> {
          assertEquals(InquiryResult.Kind.FOUND, r.kind());
          assertEquals(Outcome.SUCCEEDED, r.result().outcome());
        });
  }

  @Test
  void pendingPaymentIsSettledByTheFetchedWebhookEvent(Vertx vertx, VertxTestContext tc) {
    String id = chargeId();
    Promise<PspResult> charged = Promise.promise();
    check(tc, WebhookReceiver.start(vertx).compose(rcv ->
        runner.run(connector.charge(ctx(), charge(id, 1077, "USD", "tok_ok", rcv.url("/v1/webhooks/processout"))))
            .onComplete(charged)
            .compose(x -> rcv.first())
            .compose(in -> runner.run(connector.webhook(ctx(), in)))
            .eventually(rcv::close)), (WebhookEvent e) -> {
          PspResult first = charged.future().result();
          assertEquals(PspResult.pending(first.providerReference(), "pending"), first);
          assertEquals(new WebhookEvent(id, PspResult.succeeded(first.providerReference()), 1077L, "USD"), e);
        });
  }

  @Test
  void pendingPaymentIsSettledByInquiry(Vertx vertx, VertxTestContext tc) {
    String id = chargeId();
    check(tc, pay(id, 1077).compose(first -> {
      Promise<Void> wait = Promise.promise();
      vertx.setTimer(SimScenario.PENDING_SETTLE_MS + 300, t -> wait.complete());
      return wait.future().compose(x ->
          runner.run(connector.inquire(ctx(), new InquiryInput(id, id, first.providerReference(), 1077, "USD"))));
    }), r -> {
      assertEquals(InquiryResult.Kind.FOUND, r.kind());
      assertEquals(Outcome.SUCCEEDED, r.result().outcome());
    });
  }

  @Test
  void forgedWebhookIsRejected(VertxTestContext tc) {
    WebhookInput forged = new WebhookInput("POST", "http://127.0.0.1:9/v1/webhooks/processout", Map.of(),
        Map.of("content-type", "application/json"), "{\"event_id\":\"ev_forged\"}");
    runner.run(connector.webhook(ctx(), forged)).onComplete(tc.failing(e -> tc.verify(() -> {
      assertInstanceOf(WebhookRejectedException.class, e);
      tc.completeNow();
    })));
  }
}
