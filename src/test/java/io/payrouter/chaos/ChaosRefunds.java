package io.payrouter.chaos;

import io.payrouter.simulator.SimScenario;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;

/**
 * The refund phase of a chaos run, after the charges settled and with the PSPs' faults on again:
 * for each of a few succeeded charges, two concurrent refunds with their own keys (the whole
 * charge, and about half of it; Fatora refunds whole payments only, so both whole there), each
 * retried with its key when it gets no answer or a 5xx, then a refund of whatever is left. At most
 * one of a pair may go through; the verifier then checks the ledgers against every answer
 * ({@link Verifier#refunds}): never more refunded than charged, and every refund answered
 * succeeded is at the PSP.
 */
final class ChaosRefunds {
  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final String apiKey;
  private final String runId;
  final ConcurrentLinkedQueue<Verifier.RefundAnswer> answers = new ConcurrentLinkedQueue<>();

  ChaosRefunds(Vertx vertx, String url, String apiKey, String runId) {
    this.vertx = vertx;
    this.url = url;
    this.apiKey = apiKey;
    this.runId = runId;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(1_000),
        new PoolOptions().setHttp1MaxSize(32));
  }

  /** Refunds up to {@code n} of the succeeded charges ({@code charges}: id → the API's charge). */
  Future<Void> run(Map<String, JsonObject> charges, int n) {
    List<Future<Void>> all = new ArrayList<>();
    int i = 0;
    for (var e : charges.entrySet()) {
      JsonObject c = e.getValue();
      if (c == null || !"succeeded".equals(c.getString("status"))) continue;
      if (i++ >= n) break;
      all.add(refundOne(e.getKey(), c.getLong("amount"), "fatora".equals(c.getString("provider"))));
    }
    return Future.join(all).mapEmpty();
  }

  private Future<Void> refundOne(String chargeId, long amount, boolean wholeOnly) {
    long half = wholeOnly ? amount : approved(amount / 2);
    String tag = runId + "-" + chargeId;
    Future<Void> whole = post(chargeId, "rf-whole-" + tag, null, 0);
    Future<Void> part = post(chargeId, "rf-half-" + tag, new JsonObject().put("amount", half), 0);
    return Future.join(whole, part).transform(x -> post(chargeId, "rf-rest-" + tag, new JsonObject(), 0));
  }

  /** An amount whose last two digits pick no simulator scenario (so that it is simply refunded). */
  static long approved(long a) {
    long x = Math.max(1, a);
    while (x > 1 && SimScenario.of(x) != SimScenario.APPROVED) x--;
    return x;
  }

  private Future<Void> post(String chargeId, String key, JsonObject body, int attempt) {
    HttpRequest<Buffer> r = client.postAbs(url + "/v1/charges/" + chargeId + "/refunds")
        .putHeader("Authorization", "Bearer " + apiKey).putHeader("Idempotency-Key", key).timeout(10_000);
    Future<HttpResponse<Buffer>> sent = body == null ? r.send() : r.sendJsonObject(body);
    return sent.transform(ar -> {
      int http = ar.succeeded() ? ar.result().statusCode() : 0;
      JsonObject b = null;
      if (ar.succeeded() && (http == 201 || http == 202)) {
        try {
          b = ar.result().bodyAsJsonObject();
        } catch (RuntimeException ignored) {
          // recorded without a body
        }
      }
      answers.add(new Verifier.RefundAnswer(chargeId, b == null ? null : b.getString("id"), http,
          b == null ? null : b.getString("status"), b == null ? 0 : b.getLong("amount", 0L)));
      // No answer, a 5xx or a key still in flight: ask again with the same key, as a merchant would.
      boolean again = http == 0 || http >= 500 || http == 409 && isKeyInFlight(ar.result());
      if (again && attempt < 4) return vertx.timer(500L * (attempt + 1)).compose(t -> post(chargeId, key, body, attempt + 1));
      return Future.succeededFuture();
    });
  }

  private static boolean isKeyInFlight(HttpResponse<Buffer> r) {
    try {
      return r.bodyAsJsonObject().getString("type", "").endsWith("/idempotency-key-in-progress");
    } catch (RuntimeException e) {
      return false;
    }
  }

  void close() {
    client.close();
  }
}
