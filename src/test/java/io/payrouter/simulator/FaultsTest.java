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
  void rateOfOneAlwaysPicksItsKind() {
    Faults f = Faults.fromJson(new JsonObject().put("reset_rate", 1.0));
    assertEquals(Kind.RESET, f.pick(0.0));
    assertEquals(Kind.RESET, f.pick(0.999999));
  }
}
