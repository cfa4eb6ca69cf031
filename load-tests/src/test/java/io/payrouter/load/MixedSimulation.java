package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import java.time.Duration;

/**
 * A closer look at production traffic: mostly approvals, some declines (amounts ending in 51, 05,
 * 54 or 59, each checked for its decline_code), and charges followed by a read of
 * {@code GET /v1/charges/{id}}. Shares are set with {@code -DdeclinePercent} (default 10) and
 * {@code -DreadPercent} (default 20); the rest are plain approvals.
 */
public class MixedSimulation extends Simulation {
  private final LoadConfig cfg = LoadConfig.load();
  private final Router router = new Router(cfg);
  private final double declinePercent = Double.parseDouble(System.getProperty("declinePercent", "10"));
  private final double readPercent = Double.parseDouble(System.getProperty("readPercent", "20"));
  private final Duration timeout = Duration.ofMillis(cfg.requestTimeoutMs);

  private ChainBuilder approval(String name) {
    return exec(session -> {
      String key = router.nextKey();
      return session.set("key", key).set("body", router.chargeBody(Amounts.approved(), router.nextCard(), key));
    }).exec(http(name)
        .post("/v1/charges")
        .header("Idempotency-Key", "#{key}")
        .body(StringBody("#{body}"))
        .requestTimeout(timeout)
        .check(status().is(201))
        .check(jsonPath("$.status").is("succeeded"))
        .check(jsonPath("$.id").saveAs("chargeId")));
  }

  private final ChainBuilder decline = exec(session -> {
    String key = router.nextKey();
    Amounts.Decline d = Amounts.anyDecline();
    return session.set("key", key).set("declineCode", d.code)
        .set("body", router.chargeBody(Amounts.declined(d), router.nextCard(), key));
  }).exec(http("POST /v1/charges (decline)")
      .post("/v1/charges")
      .header("Idempotency-Key", "#{key}")
      .body(StringBody("#{body}"))
      .requestTimeout(timeout)
      .check(status().is(201))
      .check(jsonPath("$.status").is("declined"))
      .check(jsonPath("$.decline_code").isEL("#{declineCode}")));

  private final ChainBuilder read = approval("POST /v1/charges (then read)")
      .exec(http("GET /v1/charges/{id}")
          .get("/v1/charges/#{chargeId}")
          .requestTimeout(timeout)
          .check(status().is(200))
          .check(jsonPath("$.id").isEL("#{chargeId}"))
          .check(jsonPath("$.status").is("succeeded")));

  private final ScenarioBuilder scn = scenario("mixed")
      .randomSwitch().on(
          percent(declinePercent).then(decline),
          percent(readPercent).then(read),
          percent(100.0 - declinePercent - readPercent).then(approval("POST /v1/charges (approve)")));

  {
    if (declinePercent < 0 || readPercent < 0 || declinePercent + readPercent > 100) {
      throw new IllegalArgumentException("declinePercent + readPercent must be within [0, 100]");
    }
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
