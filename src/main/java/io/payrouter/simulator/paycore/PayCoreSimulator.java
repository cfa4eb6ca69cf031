package io.payrouter.simulator.paycore;

import io.payrouter.common.Currencies;
import io.payrouter.simulator.Bounded;
import io.payrouter.simulator.Deferral;
import io.payrouter.simulator.Ledger;
import io.payrouter.simulator.SimContext;
import io.payrouter.simulator.SimCredentials;
import io.payrouter.simulator.SimScenario;
import io.payrouter.simulator.SimulatedPsp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;

/**
 * PayCore.io / Corefy (JSON:API) as the router sees it (src/docs/psps.md section 2 and "Our
 * conventions"), under {@code /paycore/api/...} and {@code /paycore/cardgate/...}.
 *
 * <ul>
 *   <li>{@code POST /api/payment-invoices} (Basic auth): creates the invoice ({@code cpi_...},
 *       status {@code process_pending}, {@code flow_data.metadata{sid, token}}). The amount is
 *       decimal major units; more decimals than the currency has is a 422. {@code reference_id}
 *       is unique per account (422 {@code duplicate_reference_id}); a revoked/expired card token
 *       is a 422 {@code invalid_token}.
 *   <li>{@code POST /cardgate/payment/sale} (Bearer = the invoice's metadata token): runs the
 *       charge; the amount's last two digits pick the outcome ({@link SimScenario}); one sale per
 *       invoice (a second is 409).
 *   <li>{@code GET /api/payment-invoices/{id}}: the invoice, its status reflecting the sale.
 *   <li>Callbacks (pending settlement) to {@code callback_url}: the invoice document with
 *       {@code X-Signature = base64(sha1(secret + body + secret))}.
 * </ul>
 *
 * <p>The ledger holds one entry per invoice (id = cpi id, reference = reference_id, amount in
 * minor units, currency, card token, status = the invoice status). An invoice whose sale never
 * came is shown {@code expired} once {@link #INVOICE_TTL_MS} has passed (evaluated on read).
 */
public final class PayCoreSimulator implements SimulatedPsp {
  public static final String NAME = "paycore";

  /** How long an invoice waits for its sale before it expires, by default (a simulator choice). */
  public static final long INVOICE_TTL_MS = 60_000;

  /** This simulator's invoice lifetime (a PayCore account setting in the real world). */
  private final long invoiceTtlMs;

  public PayCoreSimulator() {
    this(INVOICE_TTL_MS);
  }

  /** @param invoiceTtlMs how long an invoice waits for its sale before it expires */
  public PayCoreSimulator(long invoiceTtlMs) {
    this.invoiceTtlMs = invoiceTtlMs;
  }

  private static final SecureRandom RANDOM = new SecureRandom();
  private static final String ALNUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public String serverErrorBody(int status) {
    return error(status == 503 ? "service_unavailable" : "server_error",
        status == 503 ? "service_unavailable" : "internal_server_error");
  }

  @Override
  public boolean movesMoney(HttpMethod method, String path) {
    return method == HttpMethod.POST && (path.equals("/cardgate/payment/sale")
        || path.startsWith("/api/payment-invoices/") && path.endsWith("/refund"));
  }

  @Override
  public Router router(SimContext ctx) {
    return new Api(ctx).router();
  }

  /** The routes of one server instance; invoices live in the ledger. */
  private final class Api {
    private final SimContext ctx;
    /** Cardgate bearer token to invoice id. */
    private final Map<String, String> saleTokens = Bounded.map();
    /** The refunds' reference_id, unique per account like an invoice's. */
    private final java.util.Set<String> refundReferences = Bounded.set();

    Api(SimContext ctx) {
      this.ctx = ctx;
    }

    Router router() {
      Router r = Router.router(ctx.vertx());
      r.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
      r.route("/api/*").handler(this::basicAuth);
      r.post("/api/payment-invoices").handler(this::createInvoice);
      r.get("/api/payment-invoices/:id").handler(this::getInvoice);
      r.post("/api/payment-invoices/:id/refund").handler(this::refund);
      r.post("/cardgate/payment/sale").handler(this::sale);
      return r;
    }

    private void basicAuth(RoutingContext rc) {
      String expected = "Basic " + Base64.getEncoder().encodeToString(
          (ctx.credentials().payCoreAccountId() + ":" + ctx.credentials().payCoreApiKey())
              .getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(rc.request().getHeader("Authorization"))) {
        json(rc, 401, jsonApiError(401, "unauthorized", "Unauthorized",
            "Invalid Commerce Account ID or API key"));
        return;
      }
      rc.next();
    }

    private void createInvoice(RoutingContext rc) {
      JsonObject doc = bodyObject(rc);
      JsonObject data = doc != null && doc.getValue("data") instanceof JsonObject d ? d : null;
      JsonObject a = data != null && data.getValue("attributes") instanceof JsonObject at ? at : null;
      if (a == null || !"payment-invoices".equals(data.getValue("type"))) {
        json(rc, 422, error("validation_error", "invalid_request"));
        return;
      }
      String reference = str(a, "reference_id");
      String currency = str(a, "currency");
      String service = str(a, "service");
      String token = str(a, "token");
      String customerRef = a.getValue("customer") instanceof JsonObject c ? str(c, "reference_id") : null;
      String missing = reference == null ? "reference_id_required"
          : currency == null ? "currency_required"
          : a.getValue("amount") == null ? "amount_required"
          : service == null ? "service_required"
          : customerRef == null ? "customer_reference_id_required"
          : token == null ? "token_required" : null;
      if (missing != null) {
        json(rc, 422, error("validation_error", missing));
        return;
      }
      if (!Currencies.isKnown(currency)) {
        json(rc, 422, error("validation_error", "invalid_currency"));
        return;
      }
      if (!(a.getValue("amount") instanceof Number)) {
        json(rc, 422, error("validation_error", "invalid_amount"));
        return;
      }
      long minor;
      try {
        minor = Currencies.toMinor(a.getValue("amount"), currency);
      } catch (ArithmeticException | IllegalArgumentException e) {
        // more decimals than the currency's exponent (or not a number at all)
        json(rc, 422, error("validation_error", "invalid_amount"));
        return;
      }
      if (minor < 1) {
        json(rc, 422, error("validation_error", "invalid_amount"));
        return;
      }
      if (!service.equals("payment_card_" + currency.toLowerCase(Locale.ROOT) + "_hpp")) {
        json(rc, 422, error("validation_error", "invalid_service"));
        return;
      }
      Object flow = a.getValue("flow");
      if (flow != null && !"charge".equals(flow)) {
        json(rc, 422, error("validation_error", "unsupported_flow"));
        return;
      }
      // reference_id is unique per account (checked and claimed on this one event loop).
      if (!ctx.ledger().byReference(reference).isEmpty()) {
        json(rc, 422, error("validation_error", "duplicate_reference_id"));
        return;
      }
      if (SimScenario.tokenRefused(token)) {
        json(rc, 422, error("validation_error", "invalid_token"));
        return;
      }
      String cpiId = "cpi_" + random(16);
      long now = nowSeconds();
      String sid = "cgi_" + random(16);
      String saleToken = random(48);
      BigDecimal major = Currencies.toMajor(minor, currency);
      String base = rc.request().absoluteURI();
      String cardgateBase = base.substring(0, base.indexOf("/api/payment-invoices")) + "/cardgate";
      JsonObject attrs = new JsonObject()
          .put("serial_number", cpiId.substring(4))
          .put("status", "process_pending")
          .put("resolution", "ok")
          .put("moderation_required", false)
          .put("amount", major)
          .put("payment_amount", major)
          .put("currency", currency)
          .put("service_currency", currency)
          .put("reference_id", reference)
          .put("test_mode", !Boolean.FALSE.equals(a.getValue("test_mode")))
          .put("fee", 0)
          .put("deposit", major)
          .putNull("processed")
          .putNull("processed_amount")
          .putNull("refunded_amount")
          .putNull("processed_fee")
          .putNull("processed_deposit")
          .put("metadata", new JsonArray())
          .put("flow_data", new JsonObject()
              .put("action", cardgateBase + "/hpp/" + sid)
              .put("method", "GET")
              .put("params", new JsonArray())
              .put("metadata", new JsonObject().put("sid", sid).put("token", saleToken)))
          .put("flow", "hpp")
          .put("payment_flow", "charge")
          .put("created", now)
          .put("updated", now)
          .putNull("payload")
          .put("description", a.getValue("description") instanceof String s ? s : null)
          .put("descriptor", "SIMULATOR:Order №:" + reference)
          .put("callback_url", a.getValue("callback_url") instanceof String s ? s : null)
          .putNull("return_url")
          .putNull("original_data")
          .putNull("rrn")
          .putNull("approval_code");
      JsonObject invoice = new JsonObject()
          .put("type", "payment-invoices")
          .put("id", cpiId)
          .put("attributes", attrs)
          .put("relationships", new JsonObject()
              .put("payment-service", rel("payment-services", service))
              .put("payment-method", rel("payment-methods", "payment_card"))
              .put("customer", rel("customers", "cus_" + UUID.nameUUIDFromBytes(
                  customerRef.getBytes(StandardCharsets.UTF_8)).toString().replace("-", "").substring(0, 16))))
          .put("links", new JsonObject().put("self", "/api/payment-invoices/" + cpiId));
      JsonObject state = new JsonObject().put("invoice", invoice).put("sale_started", false);
      ctx.ledger().add(new Ledger.Entry(cpiId, reference, minor, currency, token, "process_pending", state));
      saleTokens.put(saleToken, cpiId);
      json(rc, 201, document(state));
    }

    private void getInvoice(RoutingContext rc) {
      Ledger.Entry e = ctx.ledger().get(rc.pathParam("id"));
      if (e == null) {
        json(rc, 404, error("not_found", "not_found"));
        return;
      }
      expireIfStale(e);
      json(rc, 200, e.visible() ? document(e) : beforeSale(e.data));
    }

    /**
     * {@code POST /api/payment-invoices/{id}/refund} with {@code {"data":{"type":"refund","id",
     * "attributes":{amount, reference_id, description}}}}: the amount in decimal major units (at most
     * what is left to refund), {@code reference_id} required and unique per account (422
     * {@code duplicate_reference_id}). Only a processed invoice can be refunded (422
     * {@code invoice_not_refundable}); more than is left is 422 {@code refund_amount_exceeded}.
     * The refund amount's last two digits pick the scenario: 91 the PSP's 500 (nothing refunded),
     * 96 refunded and answered after 10 s, 77 {@code refund_pending}, refunded 2 s later. The
     * answer is the invoice: {@code partially_refunded} or {@code refunded}, with {@code refunded_amount}.
     */
    private void refund(RoutingContext rc) {
      Ledger.Entry e = ctx.ledger().get(rc.pathParam("id"));
      if (e == null) {
        json(rc, 404, error("not_found", "not_found"));
        return;
      }
      JsonObject doc = bodyObject(rc);
      JsonObject data = doc != null && doc.getValue("data") instanceof JsonObject d ? d : null;
      JsonObject a = data != null && data.getValue("attributes") instanceof JsonObject at ? at : null;
      if (a == null || !"refund".equals(data.getValue("type"))) {
        json(rc, 422, error("validation_error", "invalid_request"));
        return;
      }
      String reference = str(a, "reference_id");
      if (reference == null) {
        json(rc, 422, error("validation_error", "reference_id_required"));
        return;
      }
      long minor;
      try {
        minor = Currencies.toMinor(a.getValue("amount"), e.currency);
      } catch (RuntimeException ex) {
        json(rc, 422, error("validation_error", "invalid_amount"));
        return;
      }
      if (minor < 1) {
        json(rc, 422, error("validation_error", "invalid_amount"));
        return;
      }
      if (!"processed".equals(e.status())) {
        json(rc, 422, error("validation_error", "invoice_not_refundable"));
        return;
      }
      if (!refundReferences.add(reference)) {
        json(rc, 422, error("validation_error", "duplicate_reference_id"));
        return;
      }
      SimScenario scenario = SimScenario.of(minor);
      if (scenario == SimScenario.SERVER_ERROR) {
        refundReferences.remove(reference);
        json(rc, 500, serverErrorBody(500));
        return;
      }
      boolean pending = scenario == SimScenario.PENDING_THEN_APPROVED;
      Ledger.Refund refund = e.refund("cpr_" + random(16), minor, pending ? Ledger.Refund.PENDING : Ledger.Refund.SUCCEEDED,
          reference);
      if (refund == null) {
        refundReferences.remove(reference);
        json(rc, 422, error("validation_error", "refund_amount_exceeded"));
        return;
      }
      if (pending) ctx.later(SimScenario.PENDING_SETTLE_MS, () -> e.settleRefund(refund, Ledger.Refund.SUCCEEDED));
      String answer = document(e);
      if (scenario == SimScenario.SLOW_APPROVED) {
        ctx.later(SimScenario.SLOW_ANSWER_MS, () -> json(rc, 200, answer));
      } else {
        json(rc, 200, answer);
      }
    }

    private void sale(RoutingContext rc) {
      String auth = rc.request().getHeader("Authorization");
      String cpiId = auth != null && auth.startsWith("Bearer ") ? saleTokens.get(auth.substring(7)) : null;
      if (cpiId == null) {
        json(rc, 401, jsonApiError(401, "unauthorized", "Unauthorized", "Invalid or expired token"));
        return;
      }
      JsonObject doc = bodyObject(rc);
      if (doc == null || !(doc.getValue("data") instanceof JsonObject d) || !"sale-operation".equals(d.getValue("type"))) {
        json(rc, 422, error("validation_error", "invalid_request"));
        return;
      }
      Ledger.Entry e = ctx.ledger().get(cpiId);
      if (e == null) {
        json(rc, 404, error("not_found", "not_found"));
        return;
      }
      expireIfStale(e);
      synchronized (e.data) {
        if (e.data.getBoolean("sale_started") || !"process_pending".equals(e.status())) {
          json(rc, 409, error("conflict", "expired".equals(e.status()) ? "invoice_expired" : "operation_already_exists"));
          return;
        }
        e.data.put("sale_started", true);
      }
      String opId = "cgo_" + random(16);
      SimScenario scenario = ctx.scenario(rc, e.amount);
      Deferral late = ctx.deferral(rc, scenario);
      if (late != null) {
        // late_rate / cancel_rate: pending now, processed or expired later.
        json(rc, 201, saleAnswer(opId, setStatus(e, "process_pending", "ok")));
        ctx.later(late.afterMs(), () -> settlePending(e, late.charges()));
        return;
      }
      switch (scenario) {
        case SERVER_ERROR -> {
          setStatus(e, "terminated", "internal_error");
          json(rc, 500, serverErrorBody(500));
        }
        case INSUFFICIENT_FUNDS -> json(rc, 201, saleAnswer(opId, setStatus(e, "process_failed", "insufficient_funds")));
        case DO_NOT_HONOR -> json(rc, 201, saleAnswer(opId, setStatus(e, "process_failed", "do_not_honor")));
        case EXPIRED_CARD -> json(rc, 201, saleAnswer(opId, setStatus(e, "process_failed", "expired_card")));
        case FRAUD_SUSPECTED -> json(rc, 201, saleAnswer(opId, setStatus(e, "process_failed", "fraud_suspected")));
        case SLOW_APPROVED -> {
          String answer = saleAnswer(opId, processed(e));
          ctx.later(SimScenario.SLOW_ANSWER_MS, () -> json(rc, 201, answer));
        }
        case PENDING_THEN_APPROVED -> {
          json(rc, 201, saleAnswer(opId, setStatus(e, "process_pending", "ok")));
          ctx.later(SimScenario.PENDING_SETTLE_MS, () -> settlePending(e, true));
        }
        default -> json(rc, 201, saleAnswer(opId, processed(e)));
      }
    }

    /**
     * A pending sale settles: the invoice is {@code processed} or, for the cancel fault, closed
     * unpaid as {@code expired} (a final status PayCore documents); the signed callback follows.
     * An invoice no longer pending is left alone.
     */
    private void settlePending(Ledger.Entry e, boolean charge) {
      synchronized (e.data) {
        if (!"process_pending".equals(e.status())) return;
        if (charge) {
          processed(e);
        } else {
          setStatus(e, "expired", "expired");
        }
      }
      sendCallback(e);
    }

    private JsonObject processed(Ledger.Entry e) {
      synchronized (e.data) {
        JsonObject attrs = attrs(e);
        BigDecimal major = Currencies.toMajor(e.amount, e.currency);
        attrs.put("processed", nowSeconds())
            .put("processed_amount", major)
            .put("processed_fee", 0)
            .put("processed_deposit", major)
            .put("rrn", random(12))
            .put("approval_code", String.format("%06d", RANDOM.nextInt(1_000_000)));
        return setStatus(e, "processed", "ok");
      }
    }

    /** Sets the invoice status and resolution; returns a copy of the attributes. */
    private JsonObject setStatus(Ledger.Entry e, String status, String resolution) {
      synchronized (e.data) {
        e.status(status);
        JsonObject attrs = attrs(e);
        attrs.put("status", status).put("resolution", resolution).put("updated", nowSeconds());
        return attrs.copy();
      }
    }

    private void expireIfStale(Ledger.Entry e) {
      synchronized (e.data) {
        if (!e.data.getBoolean("sale_started") && "process_pending".equals(e.status())
            && System.currentTimeMillis() - e.createdAt > invoiceTtlMs) {
          setStatus(e, "expired", "expired");
        }
      }
    }

    private void sendCallback(Ledger.Entry e) {
      String url;
      String body;
      synchronized (e.data) {
        url = attrs(e).getString("callback_url");
        body = document(e.data);
      }
      if (url == null || url.isEmpty()) return;
      ctx.sendWebhook(HttpMethod.POST, url,
          Map.of("Content-Type", "application/json", PayCoreCallbackSignature.HEADER,
              PayCoreCallbackSignature.sign(ctx.credentials().payCoreCallbackSecret(), body)), body);
    }
  }

  private static JsonObject attrs(Ledger.Entry e) {
    return e.data.getJsonObject("invoice").getJsonObject("attributes");
  }

  /** The JSON:API document of an invoice. */
  private static String document(JsonObject state) {
    synchronized (state) {
      return new JsonObject().put("data", state.getJsonObject("invoice")).encode();
    }
  }

  /**
   * The JSON:API document of an invoice with its refunds as inquiries see them: {@code
   * refund_pending} while one settles, else {@code partially_refunded} or {@code refunded}, and
   * {@code refunded_amount} in decimal major units.
   */
  private static String document(Ledger.Entry e) {
    JsonObject invoice;
    synchronized (e.data) {
      invoice = e.data.getJsonObject("invoice").copy();
    }
    if (!"processed".equals(e.status()) || e.refunds().isEmpty()) return new JsonObject().put("data", invoice).encode();
    JsonObject attrs = invoice.getJsonObject("attributes");
    long refunded = e.visibleRefunded(Ledger.Refund.SUCCEEDED);
    boolean settling = e.visibleRefunded(Ledger.Refund.PENDING) > 0;
    if (refunded > 0) attrs.put("refunded_amount", Currencies.toMajor(refunded, e.currency)).put("refunded_fee", 0);
    if (settling) {
      attrs.put("status", "refund_pending");
    } else if (refunded > 0) {
      attrs.put("status", refunded >= e.amount ? "refunded" : "partially_refunded");
    }
    return new JsonObject().put("data", invoice).encode();
  }

  /** The invoice as a lagging read replica still shows it: waiting for its sale. */
  private static String beforeSale(JsonObject state) {
    JsonObject invoice;
    synchronized (state) {
      invoice = state.getJsonObject("invoice").copy();
    }
    JsonObject attrs = invoice.getJsonObject("attributes");
    attrs.put("status", "process_pending").put("resolution", "ok").put("updated", attrs.getValue("created"));
    for (String k : new String[] {"processed", "processed_amount", "processed_fee", "processed_deposit", "rrn", "approval_code"}) {
      attrs.putNull(k);
    }
    return new JsonObject().put("data", invoice).encode();
  }

  private static String saleAnswer(String opId, JsonObject attrs) {
    return new JsonObject().put("data", new JsonObject()
        .put("type", "sale-operation")
        .put("id", opId)
        .put("attributes", new JsonObject()
            .put("status", attrs.getString("status"))
            .put("resolution", attrs.getString("resolution"))
            .putNull("auth_payload"))).encode();
  }

  private static JsonObject rel(String type, String id) {
    return new JsonObject().put("data", new JsonObject().put("type", type).put("id", id));
  }

  /** PayCore's error body [README 2]: {@code request_id}, {@code error_type}, {@code error_codes}. */
  private static String error(String type, String code) {
    return new JsonObject()
        .put("request_id", UUID.randomUUID().toString())
        .put("error_type", type)
        .put("error_codes", new JsonArray().add(code)).encode();
  }

  private static String jsonApiError(int status, String code, String title, String detail) {
    return new JsonObject()
        .put("request_id", UUID.randomUUID().toString())
        .put("errors", new JsonArray().add(new JsonObject()
            .put("status", String.valueOf(status)).put("code", code).put("title", title)
            .put("detail", detail))).encode();
  }

  private static String str(JsonObject o, String key) {
    return o.getValue(key) instanceof String s && !s.isEmpty() ? s : null;
  }

  private static String random(int n) {
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) b.append(ALNUM.charAt(RANDOM.nextInt(ALNUM.length())));
    return b.toString();
  }

  private static JsonObject bodyObject(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static long nowSeconds() {
    return System.currentTimeMillis() / 1000;
  }

  private static void json(RoutingContext rc, int status, String body) {
    if (rc.response().closed() || rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body);
  }

  // ---------------------------------------------------------------- fixtures (PSP registry)

  @Override
  public java.util.Map<String, String> sampleToken(String token) {
    return java.util.Map.of("token", token, "customer_reference_id", "my_customer_1");
  }

  @Override
  public java.util.Map<String, Object> providerConfig(String simulatorUrl) {
    return java.util.Map.of("base_url", simulatorUrl + "/paycore/api",
        "credentials", java.util.Map.of("account_id", SimCredentials.PAYCORE_ACCOUNT_ID,
            "api_key", SimCredentials.PAYCORE_API_KEY, "callback_secret", SimCredentials.PAYCORE_CALLBACK_SECRET),
        "options", java.util.Map.of("cardgate_url", simulatorUrl + "/paycore/cardgate",
            "services", java.util.Map.of("USD", "payment_card_usd_hpp", "EUR", "payment_card_eur_hpp")));
  }
}
