package io.payrouter.connector;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import java.util.HashMap;
import java.util.Map;

/**
 * Test helper: runs a connector {@link Step} flow over real HTTP (no breaker, no metrics), so a
 * connector can be checked against its simulator. Records the calls it made.
 */
public final class StepRunner {
  private final WebClient client;
  private final String baseUrl;
  public final java.util.List<HttpCall> calls = new java.util.concurrent.CopyOnWriteArrayList<>();

  public StepRunner(Vertx vertx, String baseUrl) {
    this.client = WebClient.create(vertx);
    this.baseUrl = baseUrl;
  }

  public <T> Future<T> run(Step<T> step) {
    if (step instanceof Step.Done<T> d) return Future.succeededFuture(d.value());
    Step.Call<T> c = (Step.Call<T>) step;
    HttpCall call = c.call();
    calls.add(call);
    String url = call.url().startsWith("http") ? call.url() : baseUrl + call.url();
    HttpRequest<Buffer> req = client.requestAbs(HttpMethod.valueOf(call.method()), url).timeout(15_000);
    call.headers().forEach(req::putHeader);
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> f =
        call.body() == null ? req.send() : req.sendBuffer(Buffer.buffer(call.body()));
    return f.compose(resp -> {
      Map<String, String> h = new HashMap<>();
      resp.headers().forEach(e -> h.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
      String body = resp.body() == null ? "" : resp.bodyAsString();
      return run(c.next().apply(new HttpReply(resp.statusCode(), h, body)));
    });
  }
}
