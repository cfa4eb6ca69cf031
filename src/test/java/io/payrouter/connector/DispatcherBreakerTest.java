package io.payrouter.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.common.FieldError;
import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.metrics.Metrics;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The breaker counts only the PSP's own failures: the router's refusals (no token, a currency the
 * PSP cannot take, a checkpoint it could not write, ownership it lost) never open a circuit.
 */
@ExtendWith(VertxExtension.class)
class DispatcherBreakerTest {

  /** A PSP whose every charge ends in the same result, without a call. */
  record Fixed(PspResult result) implements Connector {
    public String type() {
      return "fixed";
    }

    public List<FieldError> validateToken(JsonObject token) {
      return List.of();
    }

    public Step<PspResult> charge(CallContext ctx, ChargeInput input) {
      return Step.done(result);
    }

    public Step<InquiryResult> inquire(CallContext ctx, InquiryInput input) {
      return Step.done(InquiryResult.unknown("unused"));
    }

    public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput input) {
      return Step.done(WebhookEvent.ignored());
    }
  }

  static Dispatcher dispatcher(Vertx vertx, PspResult result) {
    return new Dispatcher(vertx, List.of(new ProviderConfig("p", "fixed", true, "http://127.0.0.1:1", Map.of(),
        Set.of("USD"), 1000, new BreakerConfig(3, 10_000, 60_000), new JsonObject())), List.of(new Fixed(result)),
        Metrics.standalone());
  }

  static ChargeInput input() {
    return new ChargeInput("ch_1", "att_1", "ch_1", 100, "USD", "visa", Map.of(), null, null, null, null);
  }

  /** Charges ten times in a row and answers the circuit's state afterwards. */
  static Future<CircuitBreakerState> tenCharges(Dispatcher d) {
    Future<PspResult> chain = Future.succeededFuture();
    for (int i = 0; i < 10; i++) chain = chain.compose(x -> d.charge("p", input(), ref -> Future.succeededFuture()));
    return chain.map(x -> d.circuit("p"));
  }

  void assertCircuit(Vertx vertx, VertxTestContext tc, PspResult result, CircuitBreakerState expected) {
    tenCharges(dispatcher(vertx, result)).onComplete(tc.succeeding(state -> tc.verify(() -> {
      assertEquals(expected, state, result.notSentReason() + " / " + result.outcome());
      tc.completeNow();
    })));
  }

  @Test
  void aCardWithoutATokenNeverOpensTheCircuit(Vertx vertx, VertxTestContext tc) {
    assertCircuit(vertx, tc, PspResult.notSent(NotSentReason.NO_TOKEN, "no token"), CircuitBreakerState.CLOSED);
  }

  @Test
  void anUnsupportedCurrencyNeverOpensTheCircuit(Vertx vertx, VertxTestContext tc) {
    assertCircuit(vertx, tc, PspResult.notSent(NotSentReason.UNSUPPORTED, "currency"), CircuitBreakerState.CLOSED);
  }

  @Test
  void aRejectedCreateCallNeverOpensTheCircuit(Vertx vertx, VertxTestContext tc) {
    assertCircuit(vertx, tc, PspResult.notSent(NotSentReason.REQUEST_REJECTED, "HTTP 422"), CircuitBreakerState.CLOSED);
  }

  @Test
  void refusedConnectionsOpenTheCircuit(Vertx vertx, VertxTestContext tc) {
    assertCircuit(vertx, tc, PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "refused"), CircuitBreakerState.OPEN);
  }

  @Test
  void inDoubtAnswersOpenTheCircuit(Vertx vertx, VertxTestContext tc) {
    assertCircuit(vertx, tc, PspResult.inDoubt("r", "HTTP 502"), CircuitBreakerState.OPEN);
  }

  @Test
  void aCheckpointThatCouldNotBeWrittenNeverOpensTheCircuit(Vertx vertx, VertxTestContext tc) {
    // A money-moving call whose checkpoint fails is never sent; the PSP said nothing.
    Dispatcher d = new Dispatcher(vertx, List.of(new ProviderConfig("p", "moving", true, "http://127.0.0.1:1", Map.of(),
        Set.of("USD"), 1000, new BreakerConfig(3, 10_000, 60_000), new JsonObject())), List.of(new MovingMoney()),
        Metrics.standalone());
    List<PspResult> results = new ArrayList<>();
    Future<PspResult> chain = Future.succeededFuture();
    for (int i = 0; i < 10; i++) {
      chain = chain.compose(x -> d.charge("p", input(), ref -> Future.failedFuture(new RuntimeException("db down"))))
          .onSuccess(results::add);
    }
    chain.onComplete(tc.succeeding(x -> tc.verify(() -> {
      assertEquals(NotSentReason.CHECKPOINT_FAILED, results.get(0).notSentReason());
      assertEquals(CircuitBreakerState.CLOSED, d.circuit("p"));
      tc.completeNow();
    })));
  }

  /** A PSP whose charge is one money-moving call (never reached: its checkpoint fails first). */
  static final class MovingMoney implements Connector {
    public String type() {
      return "moving";
    }

    public List<FieldError> validateToken(JsonObject token) {
      return List.of();
    }

    public Step<PspResult> charge(CallContext ctx, ChargeInput input) {
      return Step.call(HttpCall.post("/pay", Map.of(), "{}").movingMoney(), r -> Step.done(PspResult.succeeded("x")));
    }

    public Step<InquiryResult> inquire(CallContext ctx, InquiryInput input) {
      return Step.done(InquiryResult.unknown("unused"));
    }

    public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput input) {
      return Step.done(WebhookEvent.ignored());
    }
  }
}
