package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Latency side by side at one open-model rate: the Fatora simulator hit directly (the call the
 * router's Fatora connector makes for each charge) and the router's {@code POST /v1/charges},
 * which makes that call plus its two PostgreSQL writes. What it answers: how much the router adds
 * to the PSP's own p99 at a given arrival rate (issue 8 asks for at most 5 ms at half the peak).
 *
 * <pre>
 * mvn -f load-tests/pom.xml gatling:test -Dgatling.simulationClass=io.payrouter.load.LatencySimulation \
 *     -DbaseUrl=http://127.0.0.1:8080 -DdirectUrl=http://127.0.0.1:8099/fatora -Drate=1000
 * </pre>
 *
 * <p>Profile: {@code latencyWarmup} seconds (10) of each target at the rate, not judged; then
 * {@code latencyRounds} (2) rounds of {@code latencySeconds} (20) each, direct then router, one
 * after the other (never both at once: they would share the two cores). A request belongs to the
 * round its user arrived in. Per round: requests, errors (failed checks, timeouts, and users still
 * unfinished at the end) and exact nearest-rank percentiles of Gatling's response times. At the
 * end: the median over the rounds of each target's p50 and p99, and the router's p99 minus the
 * direct p99. No Gatling assertion: it measures, the reader judges.
 */
public class LatencySimulation extends Simulation {
  private final LoadConfig cfg = LoadConfig.load();
  private final Router router = new Router(cfg);
  private final String directUrl = directUrl();
  private final String fatoraKey = System.getProperty("fatoraApiKey", "fatora_sim_api_key");
  private final int warmupSeconds = LoadConfig.integer("latencyWarmup", 10);
  private final int rounds = LoadConfig.integer("latencyRounds", 2);
  private final int roundSeconds = LoadConfig.integer("latencySeconds", 20);
  private final AtomicLong orders = new AtomicLong();

  /** Response times of one target in one round. */
  static final class Round {
    final String target;
    final int n;
    final AtomicLong started = new AtomicLong();
    final AtomicLong ok = new AtomicLong();
    final AtomicLong ko = new AtomicLong();
    final ResponseTimes times = new ResponseTimes();

    Round(String target, int n) {
      this.target = target;
      this.n = n;
    }
  }

  private final List<Round> measured = new ArrayList<>();

  {
    if (warmupSeconds < 0 || warmupSeconds > 300) throw new IllegalArgumentException("latencyWarmup must be in [0, 300]");
    if (rounds < 1 || rounds > 10) throw new IllegalArgumentException("latencyRounds must be in [1, 10]");
    if (roundSeconds < 3 || roundSeconds > 300) throw new IllegalArgumentException("latencySeconds must be in [3, 300]");
    long total = 2L * warmupSeconds + 2L * rounds * roundSeconds;

    HttpProtocolBuilder direct = http.baseUrl(directUrl)
        .header("api_key", fatoraKey)
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        .userAgentHeader("payment-router-load-tests")
        .disableCaching()
        .disableWarmUp()
        .shareConnections();
    HttpProtocolBuilder routerProtocol = router.protocol();

    List<PopulationBuilder> chain = new ArrayList<>();
    if (warmupSeconds > 0) {
      chain.add(directScenario("direct warm-up", null).injectOpen(constantUsersPerSec(cfg.rate).during(warmupSeconds))
          .protocols(direct));
      chain.add(routerScenario("router warm-up", null).injectOpen(constantUsersPerSec(cfg.rate).during(warmupSeconds))
          .protocols(routerProtocol));
    }
    for (int r = 1; r <= rounds; r++) {
      Round d = new Round("direct", r);
      Round o = new Round("router", r);
      measured.add(d);
      measured.add(o);
      chain.add(directScenario("direct " + r, d).injectOpen(constantUsersPerSec(cfg.rate).during(roundSeconds))
          .protocols(direct));
      chain.add(routerScenario("router " + r, o).injectOpen(constantUsersPerSec(cfg.rate).during(roundSeconds))
          .protocols(routerProtocol));
    }
    // one after the other: each population starts when the one before it has finished
    for (int i = chain.size() - 1; i > 0; i--) chain.set(i - 1, chain.get(i - 1).andThen(chain.get(i)));
    PopulationBuilder first = chain.get(0);
    System.out.printf(Locale.ROOT, "[latency] %s/s open model; warm-up %d s each; %d rounds of %d s: direct %s, "
            + "router %s; at most %d s%n", LoadConfig.num(cfg.rate), warmupSeconds, rounds, roundSeconds, directUrl, cfg.baseUrl,
        total + (2L * rounds + 2) * cfg.graceSeconds);
    setUp(first).maxDuration(Duration.ofSeconds(total + (2L * rounds + 2) * cfg.graceSeconds));
  }

  private ScenarioBuilder directScenario(String name, Round round) {
    return scenario(name)
        .exec(session -> {
          if (round != null) round.started.incrementAndGet();
          long a = Amounts.approved();
          String body = "{\"card_token\":\"tok_load_1\",\"order_id\":\"" + cfg.runId + "-d-" + orders.incrementAndGet()
              + "\",\"amount\":" + (a / 100) + "." + String.format(Locale.ROOT, "%02d", a % 100) + "}";
          return session.set("body", body);
        })
        .exec(http("POST collect-payment")
            .post("/v1/payments/collect-payment")
            .body(StringBody("#{body}"))
            .requestTimeout(Duration.ofMillis(cfg.requestTimeoutMs))
            .check(responseTimeInMillis().saveAs("rt"))
            .check(status().is(200))
            .check(jsonPath("$.status").is("SUCCESS")))
        .exec(session -> record(round, session));
  }

  private ScenarioBuilder routerScenario(String name, Round round) {
    return scenario(name)
        .exec(session -> {
          if (round != null) round.started.incrementAndGet();
          String key = router.nextKey();
          return session.set("key", key).set("body", router.chargeBody(Amounts.approved(), router.nextCard(), key));
        })
        .exec(http("POST /v1/charges")
            .post("/v1/charges")
            .header("Idempotency-Key", "#{key}")
            .body(StringBody("#{body}"))
            .requestTimeout(Duration.ofMillis(cfg.requestTimeoutMs))
            .check(responseTimeInMillis().saveAs("rt"))
            .check(status().is(201))
            .check(jsonPath("$.status").is("succeeded")))
        .exec(session -> record(round, session));
  }

  private static io.gatling.javaapi.core.Session record(Round round, io.gatling.javaapi.core.Session session) {
    if (round != null) {
      if (session.contains("rt")) round.times.add(session.getInt("rt"));
      (session.isFailed() ? round.ko : round.ok).incrementAndGet();
    }
    return session;
  }

  @Override
  public void before() {
    router.storeCards();
  }

  @Override
  public void after() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "%n[latency] per round (%s/s, %d s each; a request counts for the round its user arrived in)%n",
        LoadConfig.num(cfg.rate), roundSeconds));
    out.append(String.format(Locale.ROOT, "[latency] %-7s %5s %8s %8s %8s %8s %8s %8s %8s%n",
        "target", "round", "started", "ok", "errors", "p50 ms", "p95 ms", "p99 ms", "max ms"));
    List<Integer> dp50 = new ArrayList<>(), dp99 = new ArrayList<>(), rp50 = new ArrayList<>(), rp99 = new ArrayList<>();
    long errors = 0;
    for (Round r : measured) {
      int[] s = r.times.sorted();
      long err = r.ko.get() + Math.max(0, r.started.get() - r.ok.get() - r.ko.get());
      errors += err;
      int p50 = ResponseTimes.percentile(s, 50);
      int p99 = ResponseTimes.percentile(s, 99);
      ("direct".equals(r.target) ? dp50 : rp50).add(p50);
      ("direct".equals(r.target) ? dp99 : rp99).add(p99);
      out.append(String.format(Locale.ROOT, "[latency] %-7s %5d %8d %8d %8d %8d %8d %8d %8d%n", r.target, r.n,
          r.started.get(), r.ok.get(), err, p50, ResponseTimes.percentile(s, 95), p99, s.length == 0 ? -1 : s[s.length - 1]));
    }
    int d99 = median(dp99);
    int r99 = median(rp99);
    out.append(String.format(Locale.ROOT,
        "LATENCY: at %s/s open model, direct p50 %d ms p99 %d ms; router p50 %d ms p99 %d ms; router p99 - direct p99 = %d ms; "
            + "%d errors (medians of %d rounds of %d s)%n",
        LoadConfig.num(cfg.rate), median(dp50), d99, median(rp50), r99, r99 - d99, errors, rounds, roundSeconds));
    System.out.print(out);
    System.out.flush();
  }

  /** Median (the lower one of an even count); -1 when empty. */
  static int median(List<Integer> values) {
    if (values.isEmpty()) return -1;
    List<Integer> s = new ArrayList<>(values);
    s.sort(null);
    return s.get((s.size() - 1) / 2);
  }

  private static String directUrl() {
    String v = System.getProperty("directUrl", "http://127.0.0.1:8099/fatora").trim();
    if (v.endsWith("/")) v = v.substring(0, v.length() - 1);
    URI u = URI.create(v);
    if (!"http".equals(u.getScheme()) || !LoadConfig.isLoopback(u.getHost())) {
      throw new IllegalArgumentException("directUrl must be http:// on loopback; refusing " + v);
    }
    return v;
  }
}
