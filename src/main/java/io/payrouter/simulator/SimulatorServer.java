package io.payrouter.simulator;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * All simulated PSPs on one loopback port, each under its own prefix ({@code /revio/...},
 * {@code /paycore/...}), plus the control API under {@code /_sim/{provider}} and a receiver for the
 * router's merchant webhooks under {@code /_sim/webhook-sink/{name}} ({@link WebhookSink}).
 */
public final class SimulatorServer {

  /** The largest request body any simulated PSP reads (the PSPs' own limit too). */
  static final int BODY_LIMIT = 64 * 1024;

  private final Vertx vertx;
  private final Map<String, SimulatedPsp> psps = new LinkedHashMap<>();
  private final Map<String, SimContext> contexts = new LinkedHashMap<>();
  private final SimEdge edge;
  private final WebhookSink sink = new WebhookSink();
  private HttpServer server;

  /** The simulators, accepting the built-in default credentials ({@link SimCredentials#DEFAULTS}). */
  public SimulatorServer(Vertx vertx, List<SimulatedPsp> simulators) {
    this(vertx, simulators, SimCredentials.DEFAULTS);
  }

  /** The simulators, each accepting only its credentials in {@code credentials}. */
  public SimulatorServer(Vertx vertx, List<SimulatedPsp> simulators, SimCredentials credentials) {
    this.vertx = vertx;
    this.edge = new SimEdge(vertx);
    for (SimulatedPsp p : simulators) {
      psps.put(p.name(), p);
      contexts.put(p.name(), new SimContext(vertx, p.name(), credentials));
    }
  }

  public SimContext context(String provider) {
    return contexts.get(provider);
  }

  /** Starts on 127.0.0.1:port (0 = any free port). */
  public Future<SimulatorServer> start(int port) {
    Router router = Router.router(vertx);
    // The merchant-webhook sink first: it reads its own bodies (no BodyHandler on the hot path),
    // and a sink named like a control route ("faults") is still the sink's.
    router.post("/_sim/webhook-sink/:name").handler(sink::receive);
    router.get("/_sim/webhook-sink/:name").handler(sink::list);
    router.delete("/_sim/webhook-sink/:name").handler(sink::clear);
    router.route("/_sim/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
    router.post("/_sim/:provider/faults").handler(this::setFaults);
    router.delete("/_sim/:provider/faults").handler(rc -> withCtx(rc, c -> {
      c.faults(Faults.NONE);
      json(rc, 200, faultsAnswer(c));
    }));
    router.get("/_sim/:provider/faults").handler(rc -> withCtx(rc, c -> json(rc, 200, faultsAnswer(c))));
    router.get("/_sim/:provider/ledger/summary").handler(rc -> withCtx(rc, c -> json(rc, 200, c.ledger().summary())));
    router.get("/_sim/:provider/ledger").handler(rc -> withCtx(rc, c ->
        rc.response().putHeader("content-type", "application/json")
            .end(c.ledger().toJson(rc.request().getParam("reference")).encode())));
    router.delete("/_sim/:provider/ledger").handler(rc -> withCtx(rc, c -> {
      c.ledger().clear();
      rc.response().setStatusCode(204).end();
    }));

    for (SimulatedPsp p : psps.values()) {
      SimContext ctx = contexts.get(p.name());
      // The body is read as the request arrives, before the edge may hold the call back (see
      // SimEdge#handle); the PSPs' own BodyHandlers then find it read and pass.
      router.route("/" + p.name() + "/*").handler(BodyHandler.create().setBodyLimit(BODY_LIMIT));
      router.route("/" + p.name() + "/*").handler(rc -> edge.handle(rc, p, ctx));
      router.route("/" + p.name() + "/*").subRouter(p.router(ctx));
    }
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(port)
            .setTcpNoDelay(true).setIdleTimeout(60))
        .requestHandler(router)
        .listen()
        .map(s -> {
          this.server = s;
          edge.start(s.actualPort());
          return this;
        });
  }

  /** The merchant-webhook sink (tests). */
  WebhookSink sink() {
    return sink;
  }

  public int port() {
    return server.actualPort();
  }

  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  public Future<Void> close() {
    contexts.values().forEach(SimContext::close);
    edge.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  private void setFaults(RoutingContext rc) {
    withCtx(rc, c -> {
      try {
        JsonObject body = rc.body().asJsonObject();
        c.faults(Faults.fromJson(body == null ? new JsonObject() : body));
        json(rc, 200, faultsAnswer(c));
      } catch (RuntimeException e) {
        json(rc, 400, new JsonObject().put("error", String.valueOf(e.getMessage())));
      }
    });
  }

  /** Every fault in force (defaults included) and the faults injected so far, per kind. */
  private static JsonObject faultsAnswer(SimContext c) {
    return c.faults().toJson().put("injected", c.injected().toJson());
  }

  private void withCtx(RoutingContext rc, java.util.function.Consumer<SimContext> action) {
    SimContext c = contexts.get(rc.pathParam("provider"));
    if (c == null) {
      json(rc, 404, new JsonObject().put("error", "no such simulator"));
    } else {
      action.accept(c);
    }
  }

  private static void json(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }
}
