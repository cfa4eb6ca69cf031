package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * Idempotent replays under load. Each virtual user sends one charge, then the same key with the
 * same body again (after the first answer, so never in flight at once): the second answer must be
 * the first one again (same charge id) with {@code Idempotent-Replayed: true}. Unless
 * {@code -DcheckMismatch=false}, a third request reuses the key with another amount and must get 422.
 */
public class IdempotencySimulation extends Simulation {
  private final LoadConfig cfg = LoadConfig.load();
  private final Router router = new Router(cfg);
  private final boolean checkMismatch = Boolean.parseBoolean(System.getProperty("checkMismatch", "true"));
  private final Duration timeout = Duration.ofMillis(cfg.requestTimeoutMs);

  private final ScenarioBuilder scn = scenario("idempotent replay")
      .exec(session -> {
        String key = router.nextKey();
        String card = router.nextCard();
        long amount = Amounts.approved();
        return session.set("key", key)
            .set("body", router.chargeBody(amount, card, key))
            .set("otherBody", router.chargeBody(amount + 100, card, key));
      })
      .exec(http("POST /v1/charges (first)")
          .post("/v1/charges")
          .header("Idempotency-Key", "#{key}")
          .body(StringBody("#{body}"))
          .requestTimeout(timeout)
          .check(status().is(201))
          .check(header("Idempotent-Replayed").notExists())
          .check(jsonPath("$.status").is("succeeded"))
          .check(jsonPath("$.id").saveAs("chargeId")))
      .exec(http("POST /v1/charges (replay)")
          .post("/v1/charges")
          .header("Idempotency-Key", "#{key}")
          .body(StringBody("#{body}"))
          .requestTimeout(timeout)
          .check(status().is(201))
          .check(header("Idempotent-Replayed").is("true"))
          .check(jsonPath("$.id").isEL("#{chargeId}"))
          .check(jsonPath("$.status").is("succeeded")))
      .doIf(session -> checkMismatch).then(
          exec(http("POST /v1/charges (same key, other body)")
              .post("/v1/charges")
              .header("Idempotency-Key", "#{key}")
              .body(StringBody("#{otherBody}"))
              .requestTimeout(timeout)
              .check(status().is(422))));

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
