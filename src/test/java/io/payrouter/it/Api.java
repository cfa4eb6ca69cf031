package io.payrouter.it;

import io.payrouter.Psps;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;

/** The router's HTTP API and the simulators' control API, over real HTTP on loopback. */
public final class Api {
  public final WebClient client;
  private final String base;
  private final String sim;

  public Api(Vertx vertx, RouterHarness h) {
    this(vertx, h.url(), h.simulatorUrl());
  }

  /** A router at {@code base} whose PSPs are the simulators at {@code sim}. */
  public Api(Vertx vertx, String base, String sim) {
    this.client = WebClient.create(vertx, new WebClientOptions(), new io.vertx.core.http.PoolOptions().setHttp1MaxSize(64));
    this.base = base;
    this.sim = sim;
  }

  public HttpRequest<Buffer> request(HttpMethod m, String path, String key) {
    HttpRequest<Buffer> r = client.requestAbs(m, base + path).timeout(30_000);
    if (key != null) r.putHeader("Authorization", "Bearer " + key);
    return r;
  }

  public Future<HttpResponse<Buffer>> post(String path, String key, JsonObject body) {
    return request(HttpMethod.POST, path, key).sendJsonObject(body);
  }

  public Future<HttpResponse<Buffer>> get(String path, String key) {
    return request(HttpMethod.GET, path, key).send();
  }

  public Future<HttpResponse<Buffer>> charge(String key, String idempotencyKey, JsonObject body) {
    HttpRequest<Buffer> r = request(HttpMethod.POST, "/v1/charges", key);
    if (idempotencyKey != null) r.putHeader("Idempotency-Key", idempotencyKey);
    return r.sendJsonObject(body);
  }

  /** Stores a card with tokens at the given PSPs (plus any extra fields) and returns its id. */
  public Future<String> card(String key, JsonObject tokens) {
    return post("/v1/cards", key, new JsonObject().put("brand", "visa").put("last4", "4242").put("exp_month", 12)
        .put("exp_year", 2030).put("issuer_country", "US").put("tokens", tokens))
        .map(r -> {
          if (r.statusCode() != 201) throw new AssertionError("card not stored: " + r.statusCode() + " " + r.bodyAsString());
          return r.bodyAsJsonObject().getString("id");
        });
  }

  /** Valid token fields for a PSP; {@code prefix} "revoked_" makes the simulator refuse them. */
  public static JsonObject token(String psp, String prefix) {
    String t = prefix + "tok_" + psp + "_" + System.nanoTime();
    String type = psp.replace("_badauth", "");
    return new JsonObject(new java.util.LinkedHashMap<String, Object>(
        Psps.byType(type).orElseThrow(() -> new IllegalArgumentException(psp)).simulator().get().sampleToken(t)));
  }

  /** Every charge a simulated PSP received for a reference (the router's charge id). */
  public Future<JsonArray> ledger(String psp, String reference) {
    return client.getAbs(sim + "/_sim/" + psp + "/ledger").addQueryParam("reference", reference).send()
        .map(HttpResponse::bodyAsJsonArray);
  }

  public Future<Integer> ledgerTotal(String psp) {
    return client.getAbs(sim + "/_sim/" + psp + "/ledger/summary").send()
        .map(r -> r.bodyAsJsonObject().getInteger("total"));
  }

  public Future<Void> faults(String psp, JsonObject faults) {
    return client.postAbs(sim + "/_sim/" + psp + "/faults").sendJsonObject(faults).mapEmpty();
  }

  public Future<Void> clearFaults(String psp) {
    return client.deleteAbs(sim + "/_sim/" + psp + "/faults").send().mapEmpty();
  }

  /** Polls GET /v1/charges/{id} until its status is {@code status} (bounded: 40 tries, 250 ms apart). */
  public Future<JsonObject> awaitStatus(Vertx vertx, String key, String chargeId, String status) {
    return awaitStatus(vertx, key, chargeId, status, 40);
  }

  private Future<JsonObject> awaitStatus(Vertx vertx, String key, String chargeId, String status, int tries) {
    return get("/v1/charges/" + chargeId, key).compose(r -> {
      JsonObject c = r.bodyAsJsonObject();
      if (status.equals(c.getString("status")) || tries <= 1) return Future.succeededFuture(c);
      return vertx.timer(250).compose(t -> awaitStatus(vertx, key, chargeId, status, tries - 1));
    });
  }

  /**
   * The sum of every sample of {@code name} in a Prometheus text scrape whose labels include each of
   * {@code labels} (written as rendered: {@code provider="fatora"}); NaN when none matches.
   */
  public static double sample(String scrape, String name, String... labels) {
    double sum = Double.NaN;
    for (String line : scrape.split("\n")) {
      if (!line.startsWith(name + "{") && !line.startsWith(name + " ")) continue;
      int end = line.indexOf('}');
      String set = end < 0 ? "" : line.substring(name.length(), end + 1);
      boolean all = true;
      for (String l : labels) all &= set.contains("{" + l + ",") || set.contains("," + l + ",")
          || set.contains("," + l + "}") || set.contains("{" + l + "}");
      if (!all) continue;
      double v = Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      sum = Double.isNaN(sum) ? v : sum + v;
    }
    return sum;
  }

  /** {@link #sample} of a fresh GET /metrics. */
  public Future<Double> metric(String name, String... labels) {
    return get("/metrics", null).map(r -> sample(r.bodyAsString(), name, labels));
  }

  /** Polls {@link #metric} until it reaches {@code atLeast} (bounded: 20 tries, 100 ms apart); the last value. */
  public Future<Double> awaitMetric(Vertx vertx, double atLeast, String name, String... labels) {
    return awaitMetric(vertx, atLeast, 20, name, labels);
  }

  private Future<Double> awaitMetric(Vertx vertx, double atLeast, int tries, String name, String... labels) {
    return metric(name, labels).compose(v -> v >= atLeast || tries <= 1 ? Future.succeededFuture(v)
        : vertx.timer(100).compose(t -> awaitMetric(vertx, atLeast, tries - 1, name, labels)));
  }
}
