package io.payrouter.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.routing.CanaryPolicy.Arm;
import io.payrouter.routing.CanaryPolicy.Plan;
import io.payrouter.routing.CanaryPolicy.Verdict;
import org.junit.jupiter.api.Test;

class CanaryPolicyTest {
  static final Plan PLAN = new Plan(20, 100, 2.0, 0.95, 60_000, -1);

  /** n final charges, approved of them succeeded, the rest declined, each answered in ms. */
  static Arm arm(long approved, long declined, long failed, double ms) {
    long n = approved + declined + failed;
    return new Arm(approved, declined, failed, 0, n * ms, n * ms * ms);
  }

  @Test
  void normalQuantileMatchesTheTables() {
    assertEquals(1.6448536, CanaryPolicy.normalQuantile(0.95), 1e-6);
    assertEquals(1.9599640, CanaryPolicy.normalQuantile(0.975), 1e-6);
    assertEquals(2.3263479, CanaryPolicy.normalQuantile(0.99), 1e-6);
    assertEquals(3.0902323, CanaryPolicy.normalQuantile(0.999), 1e-6);
    assertEquals(0.0, CanaryPolicy.normalQuantile(0.5), 1e-12);
  }

  @Test
  void belowTheMinimumSampleNothingIsComparedEvenWithNoApprovals() {
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(90, 9, 0, 10), arm(0, 99, 0, 10), 1_000);
    assertEquals(Verdict.WAIT, f.verdict());
    assertTrue(Double.isNaN(f.zApproval()));
  }

  @Test
  void aDropFarBeyondTheGuardrailRollsBack() {
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(150, 100, 0, 10), 1_000);
    assertEquals(Verdict.ROLL_BACK, f.verdict());
    assertEquals("approval", f.reason());
    assertEquals(30.0, f.approvalDropPp(), 1e-9);
    assertTrue(f.zApproval() > f.zCritical());
  }

  @Test
  void aDropWithinTheGuardrailIsNotABreach() {
    // 90% vs 89%: one point, under the two tolerated
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(9000, 1000, 0, 10), arm(890, 110, 0, 10), 1_000);
    assertEquals(Verdict.CONTINUE, f.verdict());
    assertNull(f.reason());
  }

  @Test
  void aDropBeyondTheGuardrailThatIsNotSignificantIsNotABreach() {
    // 90% vs 86% on 100 charges: four points, but well within the noise of so few
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(86, 14, 0, 10), 1_000);
    assertEquals(Verdict.CONTINUE, f.verdict(), f.toString());
  }

  @Test
  void moreFailuresThanTheGuardrailRollBackForErrors() {
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(880, 0, 120, 10), 1_000);
    assertEquals(Verdict.ROLL_BACK, f.verdict());
    assertEquals("errors", f.reason());
  }

  @Test
  void latencyIsTestedOnlyWithALatencyGuardrail() {
    Arm control = new Arm(1000, 0, 0, 0, 1000 * 20.0, 1000 * (20.0 * 20 + 25));
    Arm slow = new Arm(1000, 0, 0, 0, 1000 * 120.0, 1000 * (120.0 * 120 + 25));
    assertEquals(Verdict.CONTINUE, CanaryPolicy.decide(PLAN, control, slow, 1_000).verdict());
    Plan withLatency = new Plan(20, 100, 2.0, 0.95, 60_000, 50);
    CanaryPolicy.Finding f = CanaryPolicy.decide(withLatency, control, slow, 1_000);
    assertEquals(Verdict.ROLL_BACK, f.verdict());
    assertEquals("latency", f.reason());
    assertEquals(100.0, f.latencyRiseMs(), 1e-9);
  }

  @Test
  void theEndOfTheDurationWithoutABreachPromotes() {
    assertEquals(Verdict.PROMOTE, CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(180, 20, 0, 10), 60_000).verdict());
  }

  @Test
  void theEndOfTheDurationWithoutTheSampleRollsBackNeverPromotes() {
    CanaryPolicy.Finding f = CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(50, 0, 0, 10), 60_000);
    assertEquals(Verdict.ROLL_BACK, f.verdict());
    assertEquals("insufficient_sample", f.reason());
  }

  @Test
  void aBreachAtTheEndStillRollsBack() {
    assertEquals(Verdict.ROLL_BACK, CanaryPolicy.decide(PLAN, arm(900, 100, 0, 10), arm(0, 200, 0, 10), 90_000).verdict());
  }

  @Test
  void theShareIsStablePerKeyAndNearTheAskedShare() {
    int treated = 0;
    for (int i = 0; i < 20_000; i++) {
      String key = "card_" + i;
      boolean t = CanaryPolicy.treated(key, 7, 20);
      assertEquals(t, CanaryPolicy.treated(key, 7, 20), "the same key, the same arm");
      if (t) treated++;
    }
    assertTrue(treated > 3_800 && treated < 4_200, "about 20% of 20,000: " + treated);
  }

  @Test
  void anotherCanaryDrawsOtherCustomers() {
    int same = 0;
    for (int i = 0; i < 2_000; i++) {
      if (CanaryPolicy.treated("card_" + i, 1, 50) == CanaryPolicy.treated("card_" + i, 2, 50)) same++;
    }
    assertTrue(same > 850 && same < 1_150, "independent draws agree about half the time: " + same);
  }
}
