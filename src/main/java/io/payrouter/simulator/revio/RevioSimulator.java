package io.payrouter.simulator.revio;

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
import io.vertx.core.json.Json;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.util.Map;
import java.util.UUID;

/**
 * Revio (CHIP Collect API) as the router sees it, under {@code /revio/api/v1/...}
 * (src/docs/psps.md section 1 and "Our conventions").
 *
 * <ul>
 *   <li>{@code POST /purchases/} creates a purchase ({@code status:"created"}, 201);
 *   <li>{@code POST /purchases/{id}/charge/} charges it once with a {@code recurring_token};
 *       the amount's last two digits pick the outcome ({@link SimScenario}); a second charge of
 *       the same purchase is 409 (Revio de-duplicates by purchase);
 *   <li>{@code POST /purchases/{id}/cancel/} cancels a purchase not paid yet (created or
 *       {@code pending_*}); a paid one is refused with 409 {@code conflict};
 *   <li>{@code GET /purchases/{id}/}, {@code GET /public_key/} (a JSON string holding the PEM),
 *       {@code GET /clients/{id}/recurring_tokens/};
 *   <li>webhooks to {@code success_callback}, signed with RSA PKCS#1 v1.5 SHA-256 in
 *       {@code X-Signature} by a key pair generated when the simulator is built.
 * </ul>
 *
 * <p>The ledger holds one entry per charged or cancelled purchase (id = purchase id, reference,
 * amount in minor units, currency, the recurring token, status). Purchases created but never
 * charged (also after a 500 or a refused token) stay "created" and are kept outside the ledger
 * until they are cancelled.
 */
public final class RevioSimulator implements SimulatedPsp {
  public static final String NAME = "revio";

  private final KeyPair keys;
  private final String publicKeyPem;

  /** Signs with a key pair generated now (2048-bit RSA). */
  public RevioSimulator() {
    this(generateKeys());
  }

  /** Signs with the given key pair (e.g. a fixed test key). */
  public RevioSimulator(KeyPair keys) {
    this.keys = keys;
    this.publicKeyPem = RevioWebhookSignature.pem(keys.getPublic());
  }

  private static KeyPair generateKeys() {
    try {
      KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
      g.initialize(2048);
      return g.generateKeyPair();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("RSA unavailable", e);
    }
  }

  @Override
  public String name() {
    return NAME;
  }

  /** The PEM served at {@code /public_key/} (tests may configure it as {@code options.public_key}). */
  public String publicKeyPem() {
    return publicKeyPem;
  }

  @Override
  public String serverErrorBody(int status) {
    return status == 503
        ? "{\"__all__\":{\"message\":\"Service unavailable\",\"code\":\"service_unavailable\"}}"
        : "{\"__all__\":{\"message\":\"Internal server error\",\"code\":\"server_error\"}}";
  }

  @Override
  public boolean movesMoney(HttpMethod method, String path) {
    return method == HttpMethod.POST && path.startsWith("/api/v1/purchases/")
        && (path.endsWith("/charge/") || path.endsWith("/refund/"));
  }

  @Override
  public Router router(SimContext ctx) {
    return new Api(ctx).router();
  }

  /** The routes of one server instance; charged purchases live in the ledger. */
  private final class Api {
    private final SimContext ctx;
    /** Purchases created and not (successfully) charged yet, by id. */
    private final Map<String, JsonObject> uncharged = Bounded.map();

    Api(SimContext ctx) {
      this.ctx = ctx;
    }

    Router router() {
      Router r = Router.router(ctx.vertx());
      r.route("/api/v1/*").handler(BodyHandler.create().setBodyLimit(64 * 1024));
      r.route("/api/v1/*").handler(this::authenticate);
      r.post("/api/v1/purchases/").handler(this::createPurchase);
      r.post("/api/v1/purchases/:id/charge/").handler(this::charge);
      r.post("/api/v1/purchases/:id/cancel/").handler(this::cancel);
      r.post("/api/v1/purchases/:id/refund/").handler(this::refund);
      r.get("/api/v1/purchases/:id/").handler(this::getPurchase);
      r.get("/api/v1/public_key/").handler(rc -> json(rc, 200, Json.encode(publicKeyPem)));
      r.get("/api/v1/clients/:id/recurring_tokens/").handler(rc -> json(rc, 200,
          new JsonObject().putNull("next").putNull("previous").put("results", new JsonArray()).encode()));
      return r;
    }

    private void authenticate(RoutingContext rc) {
      String auth = rc.request().getHeader("Authorization");
      if (!("Bearer " + ctx.credentials().revioSecretKey()).equals(auth)) {
        json(rc, 401, generic("Invalid token", "unauthorized"));
        return;
      }
      rc.next();
    }

    private void createPurchase(RoutingContext rc) {
      JsonObject body = bodyObject(rc);
      if (body == null) {
        json(rc, 400, generic("Invalid JSON body", "invalid_request"));
        return;
      }
      Object brand = body.getValue("brand_id");
      if (!(brand instanceof String) || ((String) brand).isEmpty()) {
        json(rc, 400, field("brand_id", "This field is required.", "required"));
        return;
      }
      if (!ctx.credentials().revioBrandId().equals(brand)) {
        json(rc, 400, field("brand_id", "Brand with this id does not exist.", "does_not_exist"));
        return;
      }
      String clientId = body.getValue("client_id") instanceof String s && !s.isEmpty() ? s : null;
      if (clientId == null && !(body.getValue("client") instanceof JsonObject)) {
        json(rc, 400, field("client_id", "Either client_id or client is required.", "required"));
        return;
      }
      if (!(body.getValue("purchase") instanceof JsonObject p)) {
        json(rc, 400, field("purchase", "This field is required.", "required"));
        return;
      }
      String currency = p.getValue("currency") instanceof String c ? c : null;
      if (!Currencies.isKnown(currency)) {
        json(rc, 400, field("purchase", "Unknown or missing currency.", "invalid_currency"));
        return;
      }
      if (!(p.getValue("products") instanceof JsonArray products) || products.isEmpty()) {
        json(rc, 400, field("purchase", "At least one product is required.", "required"));
        return;
      }
      long total = 0;
      JsonArray cleanProducts = new JsonArray();
      for (Object o : products) {
        if (!(o instanceof JsonObject prod)
            || !(prod.getValue("name") instanceof String name) || name.isEmpty()
            || !isInteger(prod.getValue("price")) || ((Number) prod.getValue("price")).longValue() < 0
            || (prod.getValue("quantity") != null && !isInteger(prod.getValue("quantity")))) {
          json(rc, 400, field("purchase",
              "Each product needs a name and an integer price in minor units.", "invalid"));
          return;
        }
        long price = ((Number) prod.getValue("price")).longValue();
        long qty = prod.getValue("quantity") == null ? 1 : ((Number) prod.getValue("quantity")).longValue();
        if (qty < 1) {
          json(rc, 400, field("purchase", "Quantity must be at least 1.", "invalid"));
          return;
        }
        total = Math.addExact(total, Math.multiplyExact(price, qty));
        cleanProducts.add(new JsonObject().put("name", name).put("price", price).put("quantity", qty));
      }
      if (total < 1) {
        json(rc, 400, field("purchase", "The total must be positive.", "invalid"));
        return;
      }
      long now = nowSeconds();
      String id = UUID.randomUUID().toString();
      JsonObject purchase = new JsonObject()
          .put("id", id)
          .put("type", "purchase")
          .put("created_on", now)
          .put("updated_on", now)
          .put("brand_id", brand)
          .put("client_id", clientId)
          .put("client", body.getValue("client") instanceof JsonObject c ? c.copy() : new JsonObject())
          .put("purchase", new JsonObject()
              .put("currency", currency)
              .put("products", cleanProducts)
              .put("total", total))
          .put("payment", null)
          .put("transaction_data", new JsonObject().put("attempts", new JsonArray()))
          .put("status", "created")
          .put("status_history", new JsonArray().add(history("created", now)))
          .put("reference", body.getValue("reference") instanceof String ref ? ref : "")
          .put("success_callback", body.getValue("success_callback") instanceof String cb ? cb : "")
          .put("is_test", true)
          .put("is_recurring_token", false)
          .put("recurring_token", null)
          .put("refundable_amount", 0);
      uncharged.put(id, purchase);
      json(rc, 201, purchase.encode());
    }

    private void charge(RoutingContext rc) {
      String id = rc.pathParam("id");
      if (ctx.ledger().get(id) != null) {
        // Charged before (paid, pending or failed): one charge per purchase.
        json(rc, 409, generic("Purchase is not in a chargeable state.", "conflict"));
        return;
      }
      JsonObject purchase = uncharged.get(id);
      if (purchase == null) {
        json(rc, 404, generic("Not found.", "not_found"));
        return;
      }
      JsonObject body = bodyObject(rc);
      String token = body != null && body.getValue("recurring_token") instanceof String t && !t.isEmpty() ? t : null;
      if (token == null) {
        json(rc, 400, field("recurring_token", "This field is required.", "required"));
        return;
      }
      if (SimScenario.tokenRefused(token)) {
        json(rc, 400, new JsonObject().put("__all__", new JsonArray().add(new JsonObject()
            .put("code", "invalid_recurring_token")
            .put("message", "Recurring token is invalid or was deleted; ask the client for a new card.")))
            .encode());
        return;
      }
      long total = purchase.getJsonObject("purchase").getLong("total");
      String currency = purchase.getJsonObject("purchase").getString("currency");
      SimScenario scenario = ctx.scenario(rc, total);
      if (scenario == SimScenario.SERVER_ERROR) {
        // Revio's own 500; the purchase stays "created", nothing charged.
        json(rc, 500, serverErrorBody(500));
        return;
      }
      if (uncharged.remove(id) == null) {
        json(rc, 409, generic("Purchase is not in a chargeable state.", "conflict"));
        return;
      }
      Ledger.Entry entry = new Ledger.Entry(id, emptyToNull(purchase.getString("reference")), total,
          currency, token, "created", purchase);
      purchase.put("recurring_token", token);
      ctx.ledger().add(entry);

      Deferral late = ctx.deferral(rc, scenario);
      if (late != null) {
        // late_rate / cancel_rate: pending now, charged or closed unpaid later.
        json(rc, 200, setStatus(entry, "pending_charge", null));
        ctx.later(late.afterMs(), () -> settlePending(entry, late.charges()));
        return;
      }
      switch (scenario) {
        case INSUFFICIENT_FUNDS -> decline(rc, entry, "insufficient_funds", "Insufficient funds.");
        case DO_NOT_HONOR -> decline(rc, entry, "do_not_honor", "Do not honor.");
        case EXPIRED_CARD -> decline(rc, entry, "expired_card", "Expired card.");
        case FRAUD_SUSPECTED -> decline(rc, entry, "fraud_suspected", "Suspected fraud.");
        case SLOW_APPROVED -> {
          String answer = paid(entry);
          ctx.later(SimScenario.SLOW_ANSWER_MS, () -> json(rc, 200, answer));
        }
        case PENDING_THEN_APPROVED -> {
          json(rc, 200, setStatus(entry, "pending_charge", null));
          ctx.later(SimScenario.PENDING_SETTLE_MS, () -> settlePending(entry, true));
        }
        default -> json(rc, 200, paid(entry));
      }
    }

    /**
     * A pending purchase settles: paid (and the {@code purchase.paid} webhook) or, for the cancel
     * fault, cancelled (and {@code purchase.cancelled}). A purchase no longer pending, e.g.
     * cancelled meanwhile by {@code POST /purchases/{id}/cancel/}, is left as it is: never charged.
     */
    private void settlePending(Ledger.Entry entry, boolean charge) {
      synchronized (entry.data) {
        if (!entry.status().startsWith("pending_")) return;
        if (charge) {
          paid(entry);
        } else {
          setStatus(entry, "cancelled", null);
        }
      }
      sendWebhook(entry, charge ? "purchase.paid" : "purchase.cancelled");
    }

    /**
     * {@code POST /purchases/{id}/cancel/} (CHIP "Cancel a pending purchase"): a purchase not paid
     * yet ({@code created}, {@code pending_*}) becomes {@code cancelled} and the answer is the
     * Purchase. Any other (paid, failed, already cancelled) is refused with 409 {@code conflict}
     * and left as it is. A created purchase cancelled this way enters the ledger as cancelled.
     */
    private void cancel(RoutingContext rc) {
      String id = rc.pathParam("id");
      JsonObject created = uncharged.remove(id);
      if (created != null) {
        Ledger.Entry entry = new Ledger.Entry(id, emptyToNull(created.getString("reference")),
            created.getJsonObject("purchase").getLong("total"), created.getJsonObject("purchase").getString("currency"),
            null, "created", created);
        ctx.ledger().add(entry);
        json(rc, 200, setStatus(entry, "cancelled", null));
        return;
      }
      Ledger.Entry entry = ctx.ledger().get(id);
      if (entry == null) {
        json(rc, 404, generic("Not found.", "not_found"));
        return;
      }
      String answer;
      String refused = null;
      synchronized (entry.data) {
        if (entry.status().startsWith("pending_")) {
          answer = setStatus(entry, "cancelled", null);
        } else {
          answer = null;
          refused = entry.status();
        }
      }
      if (answer != null) {
        json(rc, 200, answer);
      } else {
        json(rc, 409, generic("Purchase is " + refused + " and cannot be cancelled.", "conflict"));
      }
    }

    /**
     * {@code POST /purchases/{id}/refund/} (CHIP "Refund a paid purchase"): an optional integer
     * {@code amount} in minor units (absent: everything refundable), at most the purchase's
     * {@code refundable_amount}. The refund amount's last two digits pick the scenario like a
     * charge's: 91 the PSP's 500 (nothing refunded), 96 refunded and answered after 10 s, 77 the
     * Purchase in {@code pending_refund}, refunded 2 s later; otherwise the Payment the refund
     * generated. A purchase not paid, or fully refunded, is refused with 400
     * {@code purchase_refund_error}; more than refundable with 400 on {@code amount}.
     */
    private void refund(RoutingContext rc) {
      String id = rc.pathParam("id");
      Ledger.Entry entry = ctx.ledger().get(id);
      if (entry == null) {
        if (uncharged.containsKey(id)) {
          json(rc, 400, generic("Purchase is not paid and cannot be refunded.", RevioRefundCode.ERROR));
        } else {
          json(rc, 404, generic("Not found.", "not_found"));
        }
        return;
      }
      JsonObject body = rc.body() == null || rc.body().length() == 0 ? new JsonObject() : bodyObject(rc);
      if (body == null || (body.getValue("amount") != null
          && (!isInteger(body.getValue("amount")) || ((Number) body.getValue("amount")).longValue() < 1))) {
        json(rc, 400, field("amount", "A positive integer amount in minor units is expected.", "invalid"));
        return;
      }
      synchronized (entry.data) {
        if (!"paid".equals(entry.status())) {
          json(rc, 400, generic("Purchase is " + entry.status() + " and cannot be refunded.", RevioRefundCode.ERROR));
          return;
        }
      }
      long amount = body.getValue("amount") == null ? entry.refundable() : ((Number) body.getValue("amount")).longValue();
      if (amount < 1) {
        json(rc, 400, generic("Purchase is refunded in full.", RevioRefundCode.ERROR));
        return;
      }
      SimScenario scenario = SimScenario.of(amount);
      if (scenario == SimScenario.SERVER_ERROR) {
        json(rc, 500, serverErrorBody(500));
        return;
      }
      boolean pending = scenario == SimScenario.PENDING_THEN_APPROVED;
      Ledger.Refund refund = entry.refund(UUID.randomUUID().toString(), amount,
          pending ? Ledger.Refund.PENDING : Ledger.Refund.SUCCEEDED, null);
      if (refund == null) {
        json(rc, 400, field("amount", "Amount exceeds the refundable amount (" + entry.refundable() + ").", "invalid"));
        return;
      }
      if (pending) {
        json(rc, 200, purchaseView(entry).encode());
        ctx.later(SimScenario.PENDING_SETTLE_MS, () -> entry.settleRefund(refund, Ledger.Refund.SUCCEEDED));
        return;
      }
      String answer = refundPayment(entry, refund).encode();
      if (scenario == SimScenario.SLOW_APPROVED) {
        ctx.later(SimScenario.SLOW_ANSWER_MS, () -> json(rc, 200, answer));
      } else {
        json(rc, 200, answer);
      }
    }

    private void decline(RoutingContext rc, Ledger.Entry entry, String code, String message) {
      JsonObject attempt = new JsonObject()
          .put("type", "execute")
          .put("successful", false)
          .put("payment_method", "card")
          .put("country", "US")
          .put("error", new JsonObject().put("code", code).put("message", message))
          .put("processing_time", nowSeconds());
      json(rc, 200, setStatus(entry, "error", attempt));
    }

    private String paid(Ledger.Entry entry) {
      JsonObject attempt = new JsonObject()
          .put("type", "execute")
          .put("successful", true)
          .put("payment_method", "card")
          .put("country", "US")
          .put("error", null)
          .put("processing_time", nowSeconds());
      synchronized (entry.data) {
        entry.data.put("payment", new JsonObject()
            .put("is_outgoing", false)
            .put("payment_type", "purchase")
            .put("amount", entry.amount)
            .put("currency", entry.currency)
            .put("net_amount", entry.amount)
            .put("fee_amount", 0)
            .put("paid_on", nowSeconds()));
        entry.data.put("refundable_amount", entry.amount);
      }
      return setStatus(entry, "paid", attempt);
    }

    /** Moves a charged purchase to a status (ledger and body together); returns the body text. */
    private String setStatus(Ledger.Entry entry, String status, JsonObject attempt) {
      synchronized (entry.data) {
        long now = nowSeconds();
        entry.status(status);
        entry.data.put("status", status).put("updated_on", now);
        entry.data.getJsonArray("status_history").add(history(status, now));
        if (attempt != null) entry.data.getJsonObject("transaction_data").getJsonArray("attempts").add(attempt);
        return entry.data.encode();
      }
    }

    private void sendWebhook(Ledger.Entry entry, String eventType) {
      String url;
      String body;
      synchronized (entry.data) {
        url = emptyToNull(entry.data.getString("success_callback"));
        body = entry.data.copy().put("event_type", eventType).encode();
      }
      if (url == null) return;
      ctx.sendWebhook(HttpMethod.POST, url,
          Map.of("Content-Type", "application/json", RevioWebhookSignature.HEADER, sign(body)), body);
    }

    private void getPurchase(RoutingContext rc) {
      String id = rc.pathParam("id");
      Ledger.Entry e = ctx.ledger().get(id);
      if (e != null) {
        json(rc, 200, (e.visible() ? purchaseView(e) : asCreated(purchaseView(e))).encode());
        return;
      }
      JsonObject p = uncharged.get(id);
      if (p == null) {
        json(rc, 404, generic("Not found.", "not_found"));
      } else {
        json(rc, 200, p.encode());
      }
    }
  }

  /** The error code CHIP documents for a refund that could not be made. */
  static final class RevioRefundCode {
    static final String ERROR = "purchase_refund_error";
  }

  /**
   * A charged purchase as Revio shows it now, its refunds (those inquiries see) included:
   * {@code pending_refund} while one is settling, {@code refunded} once refunded in full, and
   * {@code refundable_amount} less what was refunded.
   */
  static JsonObject purchaseView(Ledger.Entry e) {
    JsonObject p;
    synchronized (e.data) {
      p = e.data.copy();
    }
    if (!"paid".equals(e.status())) return p;
    long refunded = e.visibleRefunded(Ledger.Refund.SUCCEEDED);
    boolean settling = e.visibleRefunded(Ledger.Refund.PENDING) > 0;
    p.put("refundable_amount", e.amount - refunded);
    if (settling) {
      p.put("status", "pending_refund");
    } else if (refunded >= e.amount) {
      p.put("status", "refunded");
    }
    return p;
  }

  /** The Payment a refund generated (CHIP's documented refund answer). */
  static JsonObject refundPayment(Ledger.Entry e, Ledger.Refund r) {
    long now = nowSeconds();
    return new JsonObject().put("type", "payment").put("id", r.id).put("created_on", now).put("updated_on", now)
        .put("payment", new JsonObject().put("is_outgoing", true).put("payment_type", "refund").put("amount", r.amount)
            .put("currency", e.currency).put("net_amount", r.amount).put("fee_amount", 0).put("paid_on", now))
        .put("transaction_data", new JsonObject().put("attempts", new JsonArray()))
        .put("related_to", new JsonObject().put("type", "purchase").put("id", e.id))
        .put("reference", e.reference == null ? "" : e.reference).put("is_test", true);
  }

  /** base64 RSA PKCS#1 v1.5 SHA-256 over the body bytes, as CHIP signs callbacks. */
  String sign(String body) {
    return RevioWebhookSignature.sign(keys.getPrivate(), body);
  }

  /** A charged purchase as a lagging read replica still shows it: created, not charged. */
  private static JsonObject asCreated(JsonObject p) {
    JsonArray history = p.getJsonArray("status_history");
    return p.put("status", "created").put("updated_on", p.getValue("created_on"))
        .putNull("payment").putNull("recurring_token").put("refundable_amount", 0)
        .put("transaction_data", new JsonObject().put("attempts", new JsonArray()))
        .put("status_history", new JsonArray().add(history.getValue(0)));
  }

  private static JsonObject history(String status, long ts) {
    return new JsonObject().put("status", status).put("timestamp", ts);
  }

  private static String generic(String message, String code) {
    return new JsonObject().put("__all__", new JsonObject().put("message", message).put("code", code)).encode();
  }

  private static String field(String name, String message, String code) {
    return new JsonObject().put(name, new JsonObject().put("message", message).put("code", code)).encode();
  }

  private static boolean isInteger(Object v) {
    return v instanceof Integer || v instanceof Long;
  }

  private static JsonObject bodyObject(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (DecodeException | ClassCastException e) {
      return null;
    }
  }

  private static String emptyToNull(String s) {
    return s == null || s.isEmpty() ? null : s;
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
    return java.util.Map.of("client_id", "98e9cf98-dbd4", "recurring_token", token);
  }

  @Override
  public java.util.Map<String, Object> providerConfig(String simulatorUrl) {
    return java.util.Map.of("base_url", simulatorUrl + "/revio/api/v1",
        "credentials", java.util.Map.of("secret_key", SimCredentials.REVIO_SECRET_KEY),
        "options", java.util.Map.of("brand_id", SimCredentials.REVIO_BRAND_ID));
  }
}
