package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

import io.payrouter.simulator.InjectedFaults.Kind;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

class FaultsTest {

  @Test
  void defaultsParseToTheNoneInstanceSoTheEdgeFastPathIsAnIdentityCheck() {
    assertSame(Faults.NONE, Faults.fromJson(new JsonObject()));
    assertSame(Faults.NONE, Faults.fromJson(new JsonObject().put("error_rate", 0).put("down", false).put("slow_ms", 0)));
  }

  @Test
  void rollIsSplitIntoDisjointBandsInKeyOrder() {
    Faults f = Faults.fromJson(new JsonObject().put("timeout_rate", 0.1).put("error_rate", 0.1)
        .put("ambiguous_rate", 0.2).put("reset_rate", 0.2).put("slow_rate", 0.2).put("slow_ms", 10));
    assertEquals(Kind.TIMEOUT, f.pick(0.05));
    assertEquals(Kind.ERROR, f.pick(0.15));
    assertEquals(Kind.AMBIGUOUS, f.pick(0.35));
    assertEquals(Kind.RESET, f.pick(0.55));
    assertEquals(Kind.SLOW, f.pick(0.75));
    assertNull(f.pick(0.85));
  }

  @Test
  void lateAndCancelTakeTheLastBands() {
    Faults f = Faults.fromJson(new JsonObject().put("error_rate", 0.2).put("late_rate", 0.3).put("late_ms", 10)
        .put("cancel_rate", 0.3));
    assertEquals(Kind.ERROR, f.pick(0.1));
    assertEquals(Kind.LATE, f.pick(0.3));
    assertEquals(Kind.CANCEL, f.pick(0.6));
    assertNull(f.pick(0.85));
  }

  @Test
  void lateMsReachesFarBeyondTheRoutersGrace() {
    assertEquals(20_000, Faults.fromJson(new JsonObject().put("late_rate", 1.0).put("late_ms", 20_000)).lateMs());
    assertEquals(600_000, Faults.fromJson(new JsonObject().put("late_rate", 1.0).put("late_ms", 600_000)).lateMs());
  }

  @Test
  void aCancelledPaymentClosesAfterLateMsOrOneSecond() {
    assertEquals(1_000, Faults.fromJson(new JsonObject().put("cancel_rate", 0.5)).cancelAfterMs());
    assertEquals(250, Faults.fromJson(new JsonObject().put("cancel_rate", 0.5).put("late_ms", 250)).cancelAfterMs());
  }

  @Test
  void webhookUrlReplacesTheOriginAndKeepsPathAndQuery() {
    Faults f = Faults.fromJson(new JsonObject().put("webhook_url", "http://127.0.0.1:9100/"));
    assertEquals("http://127.0.0.1:9100", f.webhookUrl());
    assertEquals("http://127.0.0.1:9100/v1/webhooks/dintero?method=POST&x=1",
        f.callbackTarget("http://127.0.0.1:8081/v1/webhooks/dintero?method=POST&x=1"));
    assertEquals("http://127.0.0.1:9100/", f.callbackTarget("http://localhost:8081"));
    assertEquals("http://127.0.0.1:9100/?a=b", f.callbackTarget("http://localhost:8081?a=b"));
    assertEquals("http://x:1/p", Faults.NONE.callbackTarget("http://x:1/p"));
  }

  @Test
  void rateOfOneAlwaysPicksItsKind() {
    Faults f = Faults.fromJson(new JsonObject().put("reset_rate", 1.0));
    assertEquals(Kind.RESET, f.pick(0.0));
    assertEquals(Kind.RESET, f.pick(0.999999));
  }
}
