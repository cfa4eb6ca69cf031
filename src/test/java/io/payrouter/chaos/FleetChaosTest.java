package io.payrouter.chaos;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The fleet chaos plan's CI variant ({@link ChaosPlan#fleetCi()}, {@code load-tests/chaos.sh
 * --fleet --short}): three routers in production mode (rehearsal setting on, non-default simulator
 * credentials) on one external PostgreSQL behind HAProxy; one SIGSTOPped past its lease and
 * resumed, one SIGKILLed and restarted, one SIGTERMed (drain) and restarted, PostgreSQL restarted;
 * merchants retrying failed charges; then every money check of {@link Verifier}. Needs the
 * {@code haproxy} binary: {@code .ci/run} installs it and sets {@code PAYROUTER_REQUIRE_HAPROXY=1},
 * so there a missing haproxy fails the test; elsewhere it is skipped, saying why.
 */
class FleetChaosTest {

  @Test
  @Timeout(value = 170, unit = TimeUnit.SECONDS)
  void aFleetBehindABalancerLosesNoMoneyAndMovesNoneTwice() throws Exception {
    if ("1".equals(System.getenv("PAYROUTER_REQUIRE_HAPROXY"))) {
      assertNotNull(Haproxy.binary(), "haproxy is required here (apt-get install -y haproxy)");
    } else {
      Assumptions.assumeTrue(Haproxy.binary() != null, "haproxy is not installed: the fleet plan cannot run");
    }
    ChaosPlan plan = ChaosPlan.fleetCi();
    ChaosRun.Result r = new ChaosRun(plan, ChaosRun.defaultOut(plan.name()), System.out)
        .command("mvn -B verify (FleetChaosTest; the same as load-tests/chaos.sh --fleet --short)").run(false);
    assertTrue(r.ok(), r.summary());
  }
}
