package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * The happy path at a steady rate: each virtual user makes one charge with a fresh
 * Idempotency-Key, an amount the simulators approve at once, on one of the cards stored in
 * before(). Expects 201 with status "succeeded".
 *
 * <p>Open model (arrivals do not wait for answers, as with real shoppers): a linear ramp from 1/s
 * to {@code -Drate} over {@code -Dramp} seconds, then {@code -Drate} new users per second for
 * {@code -Dduration} seconds ({@code -Dusers=N} switches to a closed model instead). Gatling writes
 * the HTML report to {@code load-tests/target/gatling/chargesimulation-<timestamp>/index.html}.
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=io.payrouter.load.ChargeSimulation \
 *     -DbaseUrl=http://127.0.0.1:8080 -Drate=200 -Dramp=5 -Dduration=30
 * </pre>
 */
public class ChargeSimulation extends Simulation {
  private final LoadConfig cfg = LoadConfig.load();
  private final Router router = new Router(cfg);

  private final ScenarioBuilder scn = scenario("charge")
      .exec(session -> {
        String key = router.nextKey();
        return session.set("key", key)
            .set("body", router.chargeBody(Amounts.approved(), router.nextCard(), key));
      })
      .exec(http("POST /v1/charges")
          .post("/v1/charges")
          .header("Idempotency-Key", "#{key}")
          .body(StringBody("#{body}"))
          .requestTimeout(java.time.Duration.ofMillis(cfg.requestTimeoutMs))
          .check(status().is(201))
          .check(jsonPath("$.status").is("succeeded"))
          .check(jsonPath("$.id").exists()));

  {
    setUp(router.inject(scn))
        .protocols(router.protocol())
        .maxDuration(cfg.maxDuration())
        .assertions(global().failedRequests().percent().lt(cfg.maxFailedPercent));
  }

  @Override
  public void before() {
    router.storeCards();
  }
}
