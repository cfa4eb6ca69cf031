package io.payrouter.simulator;

import io.payrouter.connector.WebhookInput;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/** Test helper: a tiny HTTP server on 127.0.0.1 that captures the callbacks it receives. */
final class WebhookReceiver {
  private final Promise<WebhookInput> first = Promise.promise();
  private final java.util.List<WebhookInput> all = new java.util.concurrent.CopyOnWriteArrayList<>();
  private HttpServer server;

  static Future<WebhookReceiver> start(Vertx vertx) {
    WebhookReceiver r = new WebhookReceiver();
    return vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(buf -> {
          Map<String, String> q = new LinkedHashMap<>();
          req.params().forEach(e -> q.putIfAbsent(e.getKey(), e.getValue()));
          Map<String, String> h = new HashMap<>();
          req.headers().forEach(e -> h.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
          WebhookInput in = new WebhookInput(req.method().name(), req.absoluteURI(), q, h, buf.toString());
          r.all.add(in);
          r.first.tryComplete(in);
          req.response().setStatusCode(200).end();
        }))
        .listen(0, "127.0.0.1")
        .map(s -> {
          r.server = s;
          return r;
        });
  }

  String url(String path) {
    return "http://127.0.0.1:" + server.actualPort() + path;
  }

  Future<WebhookInput> first() {
    return first.future();
  }

  /** Every callback received so far, in order. */
  java.util.List<WebhookInput> all() {
    return java.util.List.copyOf(all);
  }

  /** {@code http://127.0.0.1:<port>}. */
  String origin() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  Future<Void> close() {
    return server == null ? Future.succeededFuture() : server.close();
  }
}
