package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.payrouter.domain.CardDeletedException;
import io.payrouter.domain.DomainException;
import io.payrouter.domain.IdempotencyKeyInProgressException;
import io.payrouter.domain.IdempotencyKeyReusedException;
import io.payrouter.domain.InvalidRoutingRulesException;
import io.payrouter.domain.MerchantExistsException;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.UnavailableException;
import io.payrouter.domain.WebhookRejectedException;
import io.vertx.core.Future;
import io.vertx.core.http.HttpServerResponse;
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
    } else if (t instanceof DomainException de) {
      p = of(de);
    } else if (t instanceof DecodeException || t instanceof ClassCastException) {
      p = ProblemException.badRequest("the body is not a valid JSON object");
    } else if (t instanceof IllegalArgumentException && fromFramework(t)) {
      // Vert.x decoding what the client sent (a parameter, a header): the request is at fault.
      p = ProblemException.badRequest("the request could not be decoded");
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

  private static boolean fromFramework(Throwable t) {
    StackTraceElement[] st = t.getStackTrace();
    return st.length > 0 && (st[0].getClassName().startsWith("io.vertx.") || st[0].getClassName().startsWith("io.netty."));
  }

  /** The one mapping of domain failures to HTTP problems. */
  static ProblemException of(DomainException e) {
    if (e instanceof NotFoundException) return new ProblemException(404, "not-found", "Not found", e.getMessage(), null);
    if (e instanceof UnavailableException u) return ProblemException.unavailable(u.publicDetail());
    if (e instanceof IdempotencyKeyReusedException) {
      return ProblemException.unprocessable("idempotency-key-reused", e.getMessage(), null);
    }
    if (e instanceof IdempotencyKeyInProgressException) {
      return ProblemException.conflict("idempotency-key-in-progress", e.getMessage());
    }
    if (e instanceof CardDeletedException) return ProblemException.conflict("card-deleted", e.getMessage());
    if (e instanceof io.payrouter.domain.ChargeNotRefundableException) {
      return ProblemException.conflict("charge-not-refundable", e.getMessage());
    }
    if (e instanceof io.payrouter.domain.RefundInProgressException) {
      return ProblemException.conflict("refund-in-progress", e.getMessage());
    }
    if (e instanceof io.payrouter.domain.RefundExceedsChargeException) {
      return ProblemException.unprocessable("refund-exceeds-charge", e.getMessage(),
          java.util.List.of(new FieldError("amount", e.getMessage())));
    }
    if (e instanceof io.payrouter.domain.RefundUnsupportedException) {
      return ProblemException.unprocessable("refund-unsupported", e.getMessage(), null);
    }
    if (e instanceof MerchantExistsException) return ProblemException.conflict("merchant-exists", e.getMessage());
    if (e instanceof io.payrouter.domain.CanaryConflictException) return ProblemException.conflict("canary-conflict", e.getMessage());
    if (e instanceof InvalidRoutingRulesException r) {
      return ProblemException.unprocessable("invalid-routing", e.getMessage(), r.problems());
    }
    if (e instanceof WebhookRejectedException) {
      log.warn("webhook rejected: {}", e.getMessage());
      return new ProblemException(401, "webhook-rejected", "Unauthorized", "the webhook could not be authenticated", null);
    }
    log.error("domain failure without an HTTP mapping", e);
    return new ProblemException(500, "internal-error", "Internal error", "an unexpected error occurred", null);
  }

  public static void send(RoutingContext rc, ProblemException p) {
    if (rc.response().ended()) return;
    send(rc.response(), p);
  }

  /** Writes the problem on a bare response (the edge guard and the HTTP decoder's failures use it). */
  static Future<Void> send(HttpServerResponse response, ProblemException p) {
    if (response.ended()) return Future.succeededFuture();
    JsonObject body = new JsonObject().put("type", TYPE_BASE + p.type()).put("title", p.title())
        .put("status", p.status()).put("detail", p.getMessage());
    if (!p.errors().isEmpty()) {
      JsonArray errors = new JsonArray();
      for (FieldError e : p.errors()) {
        JsonObject o = new JsonObject().put("field", e.field()).put("message", e.message());
        if (e.line() != null) o.put("line", e.line());
        errors.add(o);
      }
      body.put("errors", errors);
    }
    if (p.status() == 401) response.putHeader("WWW-Authenticate", "Bearer");
    if (p.status() == 503) response.putHeader("Retry-After", "1");
    return response.setStatusCode(p.status()).putHeader("Content-Type", "application/problem+json").end(body.encode());
  }
}
