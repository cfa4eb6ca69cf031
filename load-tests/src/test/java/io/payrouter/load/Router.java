package io.payrouter.load;

import static io.gatling.javaapi.core.CoreDsl.*;
import static io.gatling.javaapi.http.HttpDsl.*;

import io.gatling.javaapi.core.PopulationBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.http.HttpProtocolBuilder;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What the simulations share: the HTTP protocol, the injection profile, the set-up calls made with
 * the JDK's HttpClient in {@code before()}, and per-run unique Idempotency-Keys.
 */
public final class Router {
  private static final Pattern ID = Pattern.compile("\"id\"\\s*:\\s*\"([^\"]+)\"");

  private final LoadConfig cfg;
  private final AtomicLong seq = new AtomicLong();
  private final AtomicLong cardSeq = new AtomicLong();
  /** Filled by {@link #storeCards()} in before(), read by the virtual users afterwards. */
  private volatile List<String> cardIds = List.of();

  public Router(LoadConfig cfg) {
    this.cfg = cfg;
  }

  public HttpProtocolBuilder protocol() {
    HttpProtocolBuilder p = http.baseUrl(cfg.baseUrl)
        .authorizationHeader("Bearer " + cfg.merchantKey)
        .acceptHeader("application/json")
        .contentTypeHeader("application/json")
        .userAgentHeader("payment-router-load-tests")
        .disableCaching()
        .disableWarmUp();
    return cfg.shareConnections ? p.shareConnections() : p;
  }

  /** Open model (rate/s for duration s, after an optional ramp) or closed (users concurrent) when users > 0. */
  public PopulationBuilder inject(ScenarioBuilder scn) {
    if (cfg.users > 0) {
      return cfg.ramp > 0
          ? scn.injectClosed(rampConcurrentUsers(1).to(cfg.users).during(cfg.ramp),
              constantConcurrentUsers(cfg.users).during(cfg.duration))
          : scn.injectClosed(constantConcurrentUsers(cfg.users).during(cfg.duration));
    }
    return cfg.ramp > 0
        ? scn.injectOpen(rampUsersPerSec(1).to(cfg.rate).during(cfg.ramp),
            constantUsersPerSec(cfg.rate).during(cfg.duration))
        : scn.injectOpen(constantUsersPerSec(cfg.rate).during(cfg.duration));
  }

  /** A fresh Idempotency-Key: run id + sequence, never reused within or across runs. */
  public String nextKey() {
    return cfg.runId + "-" + seq.incrementAndGet();
  }

  /** Round-robin over the stored cards. */
  public String nextCard() {
    List<String> ids = cardIds;
    if (ids.isEmpty()) throw new IllegalStateException("no card stored: before() did not run");
    return ids.get((int) Math.floorMod(cardSeq.getAndIncrement(), (long) ids.size()));
  }

  public String chargeBody(long amount, String cardId, String reference) {
    return "{\"amount\":" + amount + ",\"currency\":\"" + cfg.currency + "\",\"card_id\":\"" + cardId
        + "\",\"merchant_reference\":\"" + reference + "\"}";
  }

  /**
   * Checks the router answers, then stores {@code cards} cards, each with a Fatora token
   * ({@code tok_load_N}) and a Revio token, and remembers their ids. Fails the run on any error.
   */
  public void storeCards() {
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    try {
      HttpResponse<String> ready = client.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl + "/health/ready"))
          .timeout(Duration.ofSeconds(5)).GET().build(), HttpResponse.BodyHandlers.ofString());
      if (ready.statusCode() != 200) {
        throw new IllegalStateException("router not ready: GET /health/ready -> " + ready.statusCode() + " " + ready.body());
      }
      List<String> ids = new ArrayList<>();
      for (int n = 1; n <= cfg.cards; n++) {
        String body = "{\"customer_reference\":\"" + cfg.runId + "-cust-" + n + "\",\"brand\":\"visa\","
            + "\"last4\":\"4242\",\"exp_month\":12,\"exp_year\":2030,\"issuer_country\":\"US\","
            + "\"tokens\":{\"fatora\":{\"card_token\":\"tok_load_" + n + "\"},"
            + "\"revio\":{\"client_id\":\"c1\",\"recurring_token\":\"r1\"}}}";
        HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(cfg.baseUrl + "/v1/cards"))
                .timeout(Duration.ofSeconds(10))
                .header("Authorization", "Bearer " + cfg.merchantKey)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
            HttpResponse.BodyHandlers.ofString());
        Matcher m = ID.matcher(r.body());
        if (r.statusCode() != 201 || !m.find()) {
          throw new IllegalStateException("POST /v1/cards -> " + r.statusCode() + " " + r.body());
        }
        ids.add(m.group(1));
      }
      cardIds = List.copyOf(ids);
      System.out.println("[load] stored cards " + cardIds);
    } catch (IOException e) {
      throw new IllegalStateException("router unreachable at " + cfg.baseUrl + " (" + e + "); start it first", e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
