package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.payrouter.common.ProblemException;
import io.payrouter.store.StoreUnavailableException;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Every error the API answers, as RFC 9457 problem+json: mapped once, here. */
public final class Problems {
  private static final Logger log = LoggerFactory.getLogger(Problems.class);
  static final String TYPE_BASE = "https://payment-router.dev/problems/";

  private Problems() {}

  /** The router's failure handler: maps typed exceptions and framework status codes. */
  public static void handle(RoutingContext rc) {
    Throwable t = rc.failure();
    ProblemException p;
    if (t instanceof ProblemException pe) {
      p = pe;
    } else if (t instanceof io.payrouter.connector.PspUnavailableException) {
      p = ProblemException.unavailable("the provider could not be reached; retry later");
    } else if (t instanceof StoreUnavailableException) {
      p = ProblemException.unavailable("the database is unavailable; nothing was changed, retry later");
    } else if (t instanceof DecodeException || t instanceof ClassCastException) {
      p = ProblemException.badRequest("the body is not a valid JSON object");
    } else if (rc.statusCode() == 413) {
      p = new ProblemException(413, "payload-too-large", "Payload too large", "the body exceeds 64 KiB", null);
    } else if (rc.statusCode() == 404) {
      p = ProblemException.notFound("resource");
    } else if (rc.statusCode() == 405) {
      p = new ProblemException(405, "method-not-allowed", "Method not allowed", "method not allowed on this path", null);
    } else if (rc.statusCode() >= 400 && rc.statusCode() < 500) {
      p = new ProblemException(rc.statusCode(), "bad-request", "Bad request", "the request could not be processed", null);
    } else {
      log.error("unhandled error on {} {}", rc.request().method(), rc.normalizedPath(), t);
      p = new ProblemException(500, "internal-error", "Internal error", "an unexpected error occurred", null);
    }
    send(rc, p);
  }

  public static void send(RoutingContext rc, ProblemException p) {
    if (rc.response().ended()) return;
    JsonObject body = new JsonObject().put("type", TYPE_BASE + p.type()).put("title", p.title())
        .put("status", p.status()).put("detail", p.getMessage());
    if (!p.errors().isEmpty()) {
      JsonArray errors = new JsonArray();
      for (FieldError e : p.errors()) errors.add(new JsonObject().put("field", e.field()).put("message", e.message()));
      body.put("errors", errors);
    }
    if (p.status() == 401) rc.response().putHeader("WWW-Authenticate", "Bearer");
    if (p.status() == 503) rc.response().putHeader("Retry-After", "1");
    rc.response().setStatusCode(p.status()).putHeader("Content-Type", "application/problem+json").end(body.encode());
  }
}
