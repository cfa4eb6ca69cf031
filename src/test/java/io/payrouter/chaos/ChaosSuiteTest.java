package io.payrouter.chaos;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The chaos suite's CI variant ({@link ChaosPlan#ci()}): at least 320 charges from 16 merchants
 * through five PSPs with every fault mode on, one PostgreSQL restart, one SIGKILL of the router,
 * one PSP outage; then every money check of {@link Verifier}. The router runs as a child process,
 * so this needs nothing but the test class path. The full run is {@code load-tests/chaos.sh}.
 */
class ChaosSuiteTest {

  @Test
  @Timeout(value = 200, unit = TimeUnit.SECONDS)
  void noMoneyIsLostOrMovedTwiceUnderChaos() throws Exception {
    ChaosPlan plan = ChaosPlan.ci();
    ChaosRun.Result r = new ChaosRun(plan, ChaosRun.defaultOut(plan.name()), System.out)
        .command("mvn -B verify (ChaosSuiteTest; the same as load-tests/chaos.sh --short)").run(false);
    assertTrue(r.ok(), r.summary());
  }
}
