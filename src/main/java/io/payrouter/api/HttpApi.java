package io.payrouter.api;

import io.payrouter.charge.CardService;
import io.payrouter.charge.ChargeService;
import io.payrouter.charge.WebhookService;
import io.payrouter.merchant.MerchantService;
import io.payrouter.metrics.Metrics;
import io.payrouter.rules.RoutingAdmin;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * The HTTP API verticle (deployed once per event loop). Routes are declared here; each handler is
 * a short method elsewhere; every error goes through {@link Problems}.
 */
public final class HttpApi extends VerticleBase {
  /** The Prometheus text exposition format, as Micrometer renders it. */
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
  public static final int BODY_LIMIT = 64 * 1024;
  /**
   * Routing context key: who is calling the operations API when it is not the admin key itself
   * (the console's guard puts its session's name here); recorded with each routing version.
   */
  public static final String ACTOR = "operationsActor";

  /**
   * Something served beside the API that reaches the operations API under a prefix of its own,
   * through its own guard instead of the admin key: the SRE console ({@code /console/api/*}).
   * It mounts its own routes; the operations API's routes are mounted again under
   * {@link #adminPrefix()}, the same handlers, behind {@link #guard}.
   */
  public interface OperationsSurface {
    /** Where the operations API is mounted again, e.g. {@code /console/api}. */
    String adminPrefix();

    /** Mounts the surface's own routes (called once per HTTP verticle). */
    void mount(io.vertx.core.Vertx vertx, Router router);

    /** Authorises a call under {@link #adminPrefix()}: {@code rc.next()} or a problem. */
    void guard(io.vertx.ext.web.RoutingContext rc);
  }

  /** Everything the handlers share (thread-safe services built once by the application). */
  public record Services(ChargeService charges, CardService cards, WebhookService webhooks,
      MerchantService merchants, RoutingAdmin routing, JsonObject openApi, String openApiText, Metrics metrics,
      java.util.function.Supplier<Future<Readiness>> readiness, Drain drain, java.util.List<String> warnings,
      io.payrouter.cluster.Fleet fleet, java.util.List<OperationsSurface> surfaces,
      io.payrouter.refund.RefundService refunds, io.payrouter.webhook.WebhookEndpoints webhookEndpoints,
      boolean webhookAllowHttp) {
    public Services {
      warnings = java.util.List.copyOf(warnings);
      surfaces = java.util.List.copyOf(surfaces);
    }
  }

  private final Services s;
  private final String host;
  private final int port;
  private HttpServer server;

  public HttpApi(Services services, String host, int port) {
    this.s = services;
    this.host = host;
    this.port = port;
  }

  @Override
  public Future<?> start() {
    RequestValidator validator = new RequestValidator(s.openApi());
    ApiKeys keys = new ApiKeys(s.merchants());
    CardHandlers cards = new CardHandlers(s.cards(), validator);
    ChargeHandlers charges = new ChargeHandlers(s.charges(), validator, cards, s.drain());
    RefundHandlers refunds = new RefundHandlers(s.refunds(), validator, s.drain());
    AdminHandlers admin = new AdminHandlers(s.merchants(), s.routing(), validator);
    WebhookHandler webhooks = new WebhookHandler(s.webhooks());
    WebhookEndpointHandlers endpoints = new WebhookEndpointHandlers(s.webhookEndpoints(), validator, s.webhookAllowHttp());

    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create(false).setBodyLimit(BODY_LIMIT));

    r.post("/v1/cards").handler(keys::merchant).handler(cards::create);
    r.get("/v1/cards/:id").handler(keys::merchant).handler(cards::get);
    r.delete("/v1/cards/:id").handler(keys::merchant).handler(cards::delete);
    r.post("/v1/charges").handler(keys::merchant).handler(charges::create);
    r.get("/v1/charges").handler(keys::merchant).handler(charges::list);
    r.get("/v1/charges/:id").handler(keys::merchant).handler(charges::get);
    r.post("/v1/charges/:id/refunds").handler(keys::merchant).handler(refunds::create);
    r.get("/v1/charges/:id/refunds").handler(keys::merchant).handler(refunds::list);
    r.post("/v1/webhook_endpoints").handler(keys::merchant).handler(endpoints::create);
    r.get("/v1/webhook_endpoints").handler(keys::merchant).handler(endpoints::list);
    r.get("/v1/webhook_endpoints/:id").handler(keys::merchant).handler(endpoints::get);
    r.delete("/v1/webhook_endpoints/:id").handler(keys::merchant).handler(endpoints::delete);
    r.post("/v1/webhook_endpoints/:id/rotate_secret").handler(keys::merchant).handler(endpoints::rotate);
    r.post("/v1/webhook_endpoints/:id/enable").handler(keys::merchant).handler(endpoints::enable);
    r.get("/v1/webhook_endpoints/:id/deliveries").handler(keys::merchant).handler(endpoints::deliveries);
    r.post("/v1/webhook_endpoints/:id/deliveries/:delivery_id/resend").handler(keys::merchant).handler(endpoints::resend);
    r.post("/v1/webhooks/:provider").handler(webhooks::handle);

    ClusterHandler cluster = new ClusterHandler(s.fleet());
    ConflictHandlers conflicts = new ConflictHandlers(s.charges());
    OperationsReads reads = new OperationsReads(s.charges());
    java.util.function.BiConsumer<String, io.vertx.core.Handler<io.vertx.ext.web.RoutingContext>> operations =
        (prefix, guard) -> {
          r.route(prefix + "/*").handler(guard);
          r.post(prefix + "/merchants").handler(admin::createMerchant);
          r.post(prefix + "/merchants/:id/keys").handler(admin::createKey);
          r.delete(prefix + "/merchants/:id/keys/:key_id").handler(admin::deleteKey);
          r.get(prefix + "/routing").handler(admin::getRouting);
          r.put(prefix + "/routing").handler(admin::putRouting);
          r.post(prefix + "/routing/explain").handler(admin::explain);
          r.put(prefix + "/routing/shadow").handler(admin::putShadow);
          r.post(prefix + "/routing/backtest").handler(admin::backtest);
          r.get(prefix + "/routing/shadow").handler(admin::getShadow);
          r.delete(prefix + "/routing/shadow").handler(admin::deleteShadow);
          r.post(prefix + "/routing/canary").handler(admin::postCanary);
          r.get(prefix + "/routing/canary").handler(admin::getCanary);
          r.delete(prefix + "/routing/canary").handler(admin::deleteCanary);
          r.get(prefix + "/routing/versions").handler(admin::routingVersions);
          r.get(prefix + "/routing/versions/:version").handler(admin::routingVersion);
          r.get(prefix + "/providers").handler(admin::providers);
          r.get(prefix + "/cluster").handler(cluster::get);
          r.get(prefix + "/conflicts").handler(conflicts::list);
          r.get(prefix + "/charges").handler(reads::charges);
          r.get(prefix + "/unsettled").handler(reads::unsettled);
          r.get(prefix + "/dead-letters").handler(reads::deadLetters);
          r.post(prefix + "/providers/:name/disable").handler(rc -> admin.setEnabled(rc, false));
          r.post(prefix + "/providers/:name/enable").handler(rc -> admin.setEnabled(rc, true));
        };
    operations.accept("/admin", keys::admin);
    for (OperationsSurface surface : s.surfaces()) {
      surface.mount(vertx, r);
      operations.accept(surface.adminPrefix(), surface::guard);
    }

    r.get("/health/live").handler(rc -> Json.send(rc, 200, new JsonObject().put("status", "UP")));
    r.get("/health/ready").handler(rc -> readiness()
        .onSuccess(ready -> Json.send(rc, ready.up() ? 200 : 503, readyBody(ready, s.warnings())))
        .onFailure(err -> Json.send(rc, 503, readyBody(new Readiness(java.util.List.of(
            new Readiness.Check("readiness", false, "could not be checked: " + err.getMessage()))), s.warnings()))));
    // router_ready is what the readiness checks find at each scrape (at most 1 s: the database
    // ping's bound). Rendering the registry takes 30-40 ms (a histogram per timer and tag set): on
    // a worker thread, so that a scrape never stalls the charges that share this event loop.
    r.get("/metrics").handler(rc -> readiness().transform(x -> rc.vertx().executeBlocking(() -> s.metrics().registry().scrape(), false))
        .onSuccess(text -> rc.response().putHeader("Content-Type", PROMETHEUS_TEXT).end(text))
        .onFailure(rc::fail));
    r.get("/openapi.yaml").handler(rc -> rc.response().putHeader("Content-Type", "application/yaml").end(s.openApiText()));

    r.route().last().handler(rc -> rc.fail(404));
    r.route().failureHandler(Problems::handle);

    return vertx.createHttpServer(new HttpServerOptions().setHost(host).setPort(port).setTcpNoDelay(true)
            .setIdleTimeout(120).setCompressionSupported(false))
        .requestHandler(new EdgeGuard(r)).invalidRequestHandler(EdgeGuard::invalid)
        .webSocketHandshakeHandler(EdgeGuard::webSocket)
        .listen().onSuccess(srv -> server = srv);
  }

  /** Runs the readiness checks; what they found is also router_ready. */
  private Future<Readiness> readiness() {
    return s.readiness().get().onComplete(ar -> s.metrics().ready(ar.succeeded() && ar.result().up()));
  }

  /**
   * The body of {@code GET /health/ready}: {@code status} (UP or DOWN), {@code database} (UP or
   * DOWN) and {@code config} (LOADED or NOT_LOADED) as the checks found them, every check with what
   * it saw ({@code checks}), and when DOWN the first failed check as {@code reason} and all of them
   * as {@code reasons}; when a rehearsal setting is on, also {@code rehearsal: true} and the
   * {@code warnings} saying what is relaxed.
   */
  static JsonObject readyBody(Readiness ready, java.util.List<String> warnings) {
    JsonObject b = new JsonObject().put("status", ready.up() ? "UP" : "DOWN");
    b.put("database", ready.check("database").map(c -> c.ok() ? "UP" : "DOWN").orElse("UNKNOWN"));
    b.put("config", ready.check("routing_rules").map(c -> c.ok() ? "LOADED" : "NOT_LOADED").orElse("UNKNOWN"));
    io.vertx.core.json.JsonObject checks = new JsonObject();
    io.vertx.core.json.JsonArray reasons = new io.vertx.core.json.JsonArray();
    for (Readiness.Check c : ready.checks()) {
      checks.put(c.name(), new JsonObject().put("status", c.ok() ? "UP" : "DOWN").put("detail", c.detail()));
      if (!c.ok()) reasons.add(c.name() + ": " + c.detail());
    }
    b.put("checks", checks);
    ready.reason().ifPresent(r -> b.put("reason", r).put("reasons", reasons));
    if (!warnings.isEmpty()) b.put("rehearsal", true).put("warnings", new io.vertx.core.json.JsonArray(new java.util.ArrayList<>(warnings)));
    return b;
  }

  public int actualPort() {
    return server.actualPort();
  }
}
