package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
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
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.StepRunner;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.WebhookRejectedException;
import io.payrouter.connector.dintero.DinteroConnector;
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

/** The Dintero connector against the Dintero simulator, over real HTTP. */
@ExtendWith(VertxExtension.class)
class DinteroSimulatorTest {

  private SimulatorServer server;
  private DinteroSimulator sim;
  private StepRunner runner;
  private final DinteroConnector connector = new DinteroConnector();

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc) {
    sim = new DinteroSimulator();
    server = new SimulatorServer(vertx, List.of(sim, new ProcessOutSimulator()));
    server.start(0).onComplete(tc.succeeding(s -> {
      runner = new StepRunner(vertx, server.baseUrl() + "/dintero/v1");
      tc.completeNow();
    }));
  }

  @AfterEach
  void stop(VertxTestContext tc) {
    server.close().onComplete(tc.succeedingThenComplete());
  }

  private ProviderConfig provider(String clientSecret) {
    return new ProviderConfig("dintero", "dintero", true, server.baseUrl() + "/dintero/v1",
        Map.of("client_id", SimCredentials.DINTERO_CLIENT_ID, "client_secret", clientSecret,
            "signature_secret", SimCredentials.DINTERO_SIGNATURE_SECRET),
        Set.of("NOK"), 5000, BreakerConfig.DEFAULT,
        new JsonObject().put("account_id", SimCredentials.DINTERO_ACCOUNT_ID));
  }

  /** authenticate() first, then a context carrying the token, as the dispatcher does. */
  private Future<CallContext> authed() {
    ProviderConfig p = provider(SimCredentials.DINTERO_CLIENT_SECRET);
    return runner.run(connector.authenticate(new CallContext(p, null)).orElseThrow())
        .map(t -> new CallContext(p, t.value()));
  }

  private static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }

  private static ChargeInput charge(String chargeId, long amount, String token, String callbackUrl) {
    return new ChargeInput(chargeId, "att_" + chargeId, chargeId, amount, "NOK", "visa",
        Map.of("payment_product_type", "dintero_psp.creditcard", "payment_token", token),
        "Order", "cust-1", "a@example.com", callbackUrl);
  }

  private Future<PspResult> pay(CallContext c, String chargeId, long amount) {
    return runner.run(connector.charge(c, charge(chargeId, amount, "pt_ok", null)));
  }

  private static <T> void check(VertxTestContext tc, Future<T> f, Consumer<T> assertions) {
    f.onComplete(tc.succeeding(v -> tc.verify(() -> {
      assertions.accept(v);
      tc.completeNow();
    })));
  }

  @Test
  void approvedChargeSucceedsAndIsRecordedOnceCaptured(VertxTestContext tc) {
    String id = chargeId();
    check(tc, authed().compose(c -> pay(c, id, 1000)), r -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      assertTrue(r.providerReference().startsWith(SimCredentials.DINTERO_ACCOUNT_ID + "."));
      List<Ledger.Entry> l = server.context("dintero").ledger().byReference(id);
      assertEquals(1, l.size());
      assertEquals("CAPTURED", l.get(0).status());
      assertEquals(1000, l.get(0).amount);
    });
  }

  @Test
  void oneAccessTokenServesManyCharges(VertxTestContext tc) {
    check(tc, authed().compose(c -> pay(c, chargeId(), 1000).compose(x -> pay(c, chargeId(), 1100))
        .compose(x -> pay(c, chargeId(), 1200))), r -> {
          assertEquals(Outcome.SUCCEEDED, r.outcome());
          assertEquals(1, sim.tokensIssued());
        });
  }

  private void declines(VertxTestContext tc, long amount, DeclineCode code, boolean soft, String providerCode) {
    check(tc, authed().compose(c -> pay(c, chargeId(), amount)), r -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(code, r.declineCode());
      assertEquals(soft, r.softDecline());
      assertEquals(providerCode, r.providerCode());
    });
  }

  @Test
  void amountEndingIn51IsASoftInsufficientFundsDecline(VertxTestContext tc) {
    declines(tc, 1051, DeclineCode.INSUFFICIENT_FUNDS, true, "INSUFFICIENT_FUNDS");
  }

  @Test
  void amountEndingIn05IsASoftDoNotHonorDecline(VertxTestContext tc) {
    declines(tc, 1005, DeclineCode.DO_NOT_HONOR, true, "DECLINED");
  }

  @Test
  void amountEndingIn54IsAHardExpiredCardDecline(VertxTestContext tc) {
    declines(tc, 1054, DeclineCode.EXPIRED_CARD, false, "EXPIRED_CARD");
  }

  @Test
  void amountEndingIn59IsAHardFraudDecline(VertxTestContext tc) {
    declines(tc, 1059, DeclineCode.FRAUD_SUSPECTED, false, "PICK_UP_CARD");
  }

  @Test
  void revokedTokenIsAHardInvalidTokenDeclineAndChargesNothing(VertxTestContext tc) {
    String id = chargeId();
    check(tc, authed().compose(c -> runner.run(connector.charge(c, charge(id, 1000, "revoked_pt", null)))), r -> {
      assertEquals(PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, "INVALID_TOKEN"), r);
      assertEquals(0, server.context("dintero").ledger().byReference(id).size());
    });
  }

  @Test
  void wrongClientSecretFailsAuthenticationAsUnavailable(VertxTestContext tc) {
    ProviderConfig p = provider("wrong");
    runner.run(connector.authenticate(new CallContext(p, null)).orElseThrow())
        .onComplete(tc.failing(e -> tc.verify(() -> {
          assertInstanceOf(PspUnavailableException.class, e);
          assertEquals("auth failed: 401", e.getMessage());
          tc.completeNow();
        })));
  }

  @Test
  void unknownBearerTokenIsNotSent(VertxTestContext tc) {
    CallContext c = new CallContext(provider(SimCredentials.DINTERO_CLIENT_SECRET), "not-a-token");
    check(tc, pay(c, chargeId(), 1000), r -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("unauthorized", r.providerCode());
    });
  }

  @Test
  void serverErrorIsInDoubtAndTheInquiryFindsNoPayment(VertxTestContext tc) {
    String id = chargeId();
    Promise<PspResult> first = Promise.promise();
    check(tc, authed().compose(c -> pay(c, id, 1091).onComplete(first)
        .compose(x -> runner.run(connector.inquire(c, new InquiryInput(id, id, null, 1091, "NOK"))))), r -> {
          assertEquals(Outcome.IN_DOUBT, first.future().result().outcome());
          assertEquals(InquiryResult.Kind.NOT_FOUND, r.kind());
        });
  }

  @Test
  void repeatedChargeIdIsRefusedAndTheInquirySettlesIt(VertxTestContext tc) {
    String id = chargeId();
    Promise<PspResult> second = Promise.promise();
    check(tc, authed().compose(c -> pay(c, id, 1000).compose(x -> pay(c, id, 1000)).onComplete(second)
        .compose(x -> runner.run(connector.inquire(c, new InquiryInput(id, id, null, 1000, "NOK"))))), r -> {
          assertEquals(Outcome.IN_DOUBT, second.future().result().outcome());
          assertEquals("DUPLICATE_MERCHANT_REFERENCE", second.future().result().providerCode());
          assertEquals(1, server.context("dintero").ledger().byReference(id).size());
          assertEquals(InquiryResult.Kind.FOUND, r.kind());
          assertEquals(Outcome.SUCCEEDED, r.result().outcome());
        });
  }

  @Test
  void pendingPaymentIsSettledBySignedCallback(Vertx vertx, VertxTestContext tc) {
    String id = chargeId();
    Promise<PspResult> charged = Promise.promise();
    Promise<WebhookInput> received = Promise.promise();
    check(tc, WebhookReceiver.start(vertx).compose(rcv -> authed().compose(c ->
        runner.run(connector.charge(c, charge(id, 1077, "pt_ok", rcv.url("/v1/webhooks/dintero"))))
            .onComplete(charged)
            .compose(x -> rcv.first()).onComplete(received)
            .compose(in -> runner.run(connector.webhook(c, in)))
            .eventually(rcv::close))), (WebhookEvent e) -> {
          PspResult first = charged.future().result();
          assertEquals(Outcome.PENDING, first.outcome());
          assertEquals("ON_HOLD", first.providerCode());
          assertEquals("POST", received.future().result().method());
          assertEquals(id, e.chargeId());
          assertEquals(PspResult.succeeded(first.providerReference()), e.result());
        });
  }

  @Test
  void pendingPaymentIsSettledByInquiry(Vertx vertx, VertxTestContext tc) {
    String id = chargeId();
    check(tc, authed().compose(c -> pay(c, id, 1077).compose(first -> {
      Promise<Void> wait = Promise.promise();
      vertx.setTimer(SimScenario.PENDING_SETTLE_MS + 300, t -> wait.complete());
      return wait.future().compose(x ->
          runner.run(connector.inquire(c, new InquiryInput(id, id, first.providerReference(), 1077, "NOK"))));
    })), r -> {
      assertEquals(InquiryResult.Kind.FOUND, r.kind());
      assertEquals(Outcome.SUCCEEDED, r.result().outcome());
    });
  }

  @Test
  void forgedCallbackIsRejected(VertxTestContext tc) {
    check(tc, authed(), c -> {
      String url = "http://127.0.0.1:9/v1/webhooks/dintero?transaction_id=T11223344.x&merchant_reference=ch_x";
      long ts = System.currentTimeMillis() / 1000;
      WebhookInput forged = new WebhookInput("GET", url, Map.of("transaction_id", "T11223344.x", "merchant_reference", "ch_x"),
          Map.of("dintero-signature", "t=" + ts + ",v0-hmac-sha256=" + "ab".repeat(32)), "");
      assertThrows(WebhookRejectedException.class, () -> connector.webhook(c, forged));
    });
  }
}
