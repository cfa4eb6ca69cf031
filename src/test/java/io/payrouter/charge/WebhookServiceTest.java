package io.payrouter.charge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Counter;
import io.payrouter.common.FieldError;
import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.Connector;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.PspResult;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What WebhookService does with a verified callback: a settlement whose amount or currency differs
 * from the stored charge's is refused, flagged and counted, never applied. The PSP side is a
 * connector answering a fixed event through the real Dispatcher; the charge store and settlement
 * are stand-ins that record what they were asked.
 */
@ExtendWith(VertxExtension.class)
class WebhookServiceTest {
  static final String PROVIDER = "fakepsp";
  static final String CHARGE_ID = "ch_webhook_1";
  static final Charge PENDING_1999_USD = new Charge(CHARGE_ID, "m1", "key-1", "fp", 1999, "USD", "card_1",
      "order-1", ChargeStatus.PENDING, PROVIDER, "ref_1", null, null, null, List.of(), Instant.EPOCH, Instant.EPOCH, null);

  final Metrics metrics = Metrics.standalone();
  final List<PspResult> settled = new ArrayList<>();
  final List<String> lookedUp = new ArrayList<>();

  WebhookService service(Vertx vertx, WebhookEvent event) {
    return service(vertx, event, event.result() == null ? InquiryResult.notFound() : InquiryResult.found(event.result()));
  }

  /** @param pspNow what the PSP answers when the router re-reads the payment the callback names */
  WebhookService service(Vertx vertx, WebhookEvent event, InquiryResult pspNow) {
    Dispatcher dispatcher = new Dispatcher(vertx, List.of(new ProviderConfig(PROVIDER, "fake", true,
        "http://127.0.0.1:1", Map.of(), Set.of("USD"), 1000, BreakerConfig.DEFAULT, new JsonObject())),
        List.of(new FixedEventConnector(event, pspNow)), metrics);
    return new WebhookService(dispatcher,
        id -> {
          lookedUp.add(id);
          return Future.succeededFuture(id.equals(CHARGE_ID) ? Optional.of(PENDING_1999_USD) : Optional.empty());
        },
        (id, provider, reference, result) -> {
          settled.add(result);
          return Future.succeededFuture(id.equals(CHARGE_ID) ? Optional.of(PENDING_1999_USD) : Optional.empty());
        },
        metrics);
  }

  static WebhookEvent succeeded(Long amount, String currency) {
    return new WebhookEvent(CHARGE_ID, PspResult.succeeded("ref_1"), amount, currency);
  }

  WebhookInput callback() {
    return new WebhookInput("POST", "http://router/v1/webhooks/" + PROVIDER, Map.of(), Map.of(), "{}");
  }

  double mismatches() {
    Counter c = metrics.registry().find("router_webhook_mismatch_total").tag("provider", PROVIDER).counter();
    return c == null ? 0 : c.count();
  }

  @Test
  void settlementForAnotherAmountIsRefusedAndNotApplied(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(1000L, "USD")).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(false, WebhookService.AMOUNT_MISMATCH), r);
      assertEquals(List.of(), settled, "nothing was settled");
      tc.completeNow();
    })));
  }

  @Test
  void settlementInAnotherCurrencyIsRefusedAndNotApplied(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(1999L, "EUR")).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(false, WebhookService.CURRENCY_MISMATCH), r);
      assertEquals(List.of(), settled, "nothing was settled");
      tc.completeNow();
    })));
  }

  @Test
  void refusedMismatchIsCountedForTheProvider(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(1998L, "USD")).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(1.0, mismatches());
      tc.completeNow();
    })));
  }

  @Test
  void declineForAnotherAmountIsRefusedToo(Vertx vertx, VertxTestContext tc) {
    WebhookEvent decline = new WebhookEvent(CHARGE_ID,
        PspResult.declined("ref_1", io.payrouter.domain.DeclineCode.DO_NOT_HONOR, true, "x"), 5L, "USD");
    service(vertx, decline).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(WebhookService.AMOUNT_MISMATCH, r.refused());
      assertEquals(List.of(), settled);
      tc.completeNow();
    })));
  }

  @Test
  void settlementWithTheChargesAmountAndCurrencyIsApplied(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(1999L, "USD")).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(true, null), r);
      assertEquals(List.of(PspResult.succeeded("ref_1")), settled);
      assertEquals(0.0, mismatches());
      tc.completeNow();
    })));
  }

  @Test
  void eventWhosePspStatesNoAmountIsConfirmedWithThePspAndApplied(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(null, null)).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertTrue(r.applied());
      assertEquals(List.of(CHARGE_ID), lookedUp);
      assertEquals(1, settled.size());
      tc.completeNow();
    })));
  }

  @Test
  void aCallbackThePspCannotConfirmNowSettlesNothing(Vertx vertx, VertxTestContext tc) {
    // A replayed or forged-but-signed body: the PSP, asked now, cannot say; the reconciler decides.
    service(vertx, succeeded(1999L, "USD"), InquiryResult.unknown("HTTP 500")).receive(PROVIDER, callback())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(new WebhookService.Receipt(false, null), r);
          assertEquals(List.of(), settled, "nothing settled on the body alone");
          tc.completeNow();
        })));
  }

  @Test
  void aCallbackIsSettledWithWhatThePspSaysNowNotWithItsBody(Vertx vertx, VertxTestContext tc) {
    PspResult declinedNow = PspResult.declined("ref_1", io.payrouter.domain.DeclineCode.DO_NOT_HONOR, false, "05");
    service(vertx, succeeded(1999L, "USD"), InquiryResult.found(declinedNow)).receive(PROVIDER, callback())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(List.of(declinedNow), settled, "the PSP's word now, not the replayed body's");
          tc.completeNow();
        })));
  }

  @Test
  void aPendingCallbackSettlesNothingAndAsksNothing(Vertx vertx, VertxTestContext tc) {
    WebhookEvent pending = new WebhookEvent(CHARGE_ID, PspResult.pending("ref_1", "pending_charge"), 1999L, "USD");
    service(vertx, pending).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(false, null), r);
      assertEquals(List.of(), settled);
      tc.completeNow();
    })));
  }

  @Test
  void eventAboutAChargeTheRouterDoesNotKnowIsNotApplied(Vertx vertx, VertxTestContext tc) {
    WebhookEvent unknown = new WebhookEvent("ch_unknown", PspResult.succeeded("ref_9"), 1999L, "USD");
    service(vertx, unknown).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(false, null), r);
      assertEquals(List.of(), settled);
      tc.completeNow();
    })));
  }

  @Test
  void ignoredEventIsAcknowledgedWithoutLookingUpAnything(Vertx vertx, VertxTestContext tc) {
    service(vertx, WebhookEvent.ignored()).receive(PROVIDER, callback()).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(new WebhookService.Receipt(false, null), r);
      assertEquals(List.of(), lookedUp);
      assertEquals(List.of(), settled);
      tc.completeNow();
    })));
  }

  @Test
  void callbackForAnUnconfiguredProviderIsNotFound(Vertx vertx, VertxTestContext tc) {
    service(vertx, succeeded(1999L, "USD")).receive("nobody", callback()).onComplete(tc.failing(e -> tc.verify(() -> {
      assertNotNull(e);
      assertEquals(io.payrouter.domain.NotFoundException.class, e.getClass());
      tc.completeNow();
    })));
  }

  /** A PSP whose every callback verifies to one fixed event (pure: no call). */
  record FixedEventConnector(WebhookEvent event, InquiryResult pspNow) implements Connector {
    @Override
    public String type() {
      return "fake";
    }

    @Override
    public List<FieldError> validateToken(JsonObject token) {
      return List.of();
    }

    @Override
    public Step<PspResult> charge(CallContext ctx, ChargeInput input) {
      return Step.done(PspResult.notSent(io.payrouter.domain.NotSentReason.UNSUPPORTED, "not used"));
    }

    @Override
    public Step<InquiryResult> inquire(CallContext ctx, InquiryInput input) {
      return Step.done(event.reference() != null && event.reference().equals(input.reference()) ? pspNow
          : InquiryResult.unknown("another reference"));
    }

    @Override
    public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput input) {
      return Step.done(event);
    }
  }
}
