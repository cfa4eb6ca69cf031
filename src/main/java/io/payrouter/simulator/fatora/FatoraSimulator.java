package io.payrouter.simulator.fatora;

import io.payrouter.common.Currencies;
import io.payrouter.simulator.Bounded;
import io.payrouter.simulator.Deferral;
import io.payrouter.simulator.Ledger;
import io.payrouter.simulator.SimContext;
import io.payrouter.simulator.SimCredentials;
import io.payrouter.simulator.SimScenario;
import io.payrouter.simulator.SimulatedPsp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.util.Set;

/**
 * Fatora's API as the router sees it: {@code POST /v1/payments/collect-payment},
 * {@code POST /v1/payments/verify}, {@code POST /api/v1/payments/deactivate-card-token}, with the
 * {@code api_key} header. One account currency (default USD). Fatora does not de-duplicate
 * {@code order_id} (its FAQ): neither does this simulator.
 */
public final class FatoraSimulator implements SimulatedPsp {

  private final String accountCurrency;
  private final Set<String> deactivated = Bounded.set();

  public FatoraSimulator() {
    this("USD");
  }

  public FatoraSimulator(String accountCurrency) {
    this.accountCurrency = accountCurrency;
  }

  @Override
  public String name() {
    return "fatora";
  }

  @Override
  public String serverErrorBody(int status) {
    return new JsonObject().put("status", "FAILURE")
        .put("error", new JsonObject().put("code", status).put("description", "Internal Server Error"))
        .encode();
  }

  @Override
  public boolean movesMoney(HttpMethod method, String path) {
    return method == HttpMethod.POST
        && (path.equals("/v1/payments/collect-payment") || path.equals("/api/v1/payments/refund"));
  }

  @Override
  public Router router(SimContext ctx) {
    Router r = Router.router(ctx.vertx());
    r.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    r.route().handler(rc -> auth(ctx, rc));
    r.post("/v1/payments/collect-payment").handler(rc -> collect(ctx, rc));
    r.post("/v1/payments/verify").handler(rc -> verify(ctx, rc));
    r.post("/api/v1/payments/refund").handler(rc -> refund(ctx, rc));
    r.post("/api/v1/payments/deactivate-card-token").handler(this::deactivate);
    return r;
  }

  private void auth(SimContext ctx, RoutingContext rc) {
    if (!ctx.credentials().fatoraApiKey().equals(rc.request().getHeader("api_key"))) {
      error(rc, 401, "Invalid api_key");
    } else {
      rc.next();
    }
  }

  private void collect(SimContext ctx, RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return;
    String token = req.getString("card_token");
    String orderId = req.getValue("order_id") == null ? null : req.getValue("order_id").toString();
    if (token == null || orderId == null || orderId.isEmpty()) {
      error(rc, 400, "Missing parameter: card_token and order_id are required");
      return;
    }
    long minor;
    try {
      minor = Currencies.toMinor(req.getValue("amount"), accountCurrency);
    } catch (RuntimeException e) {
      error(rc, 400, "Invalid amount");
      return;
    }
    if (SimScenario.tokenRefused(token) || deactivated.contains(token)) {
      answer(rc, "FAILURE", null, "Token invalid");
      return;
    }
    SimScenario sc = ctx.scenario(rc, minor);
    if (sc == SimScenario.SERVER_ERROR) {
      rc.response().setStatusCode(500).putHeader("content-type", "application/json").end(serverErrorBody(500));
      return;
    }
    String txn = ctx.id("");
    Deferral late = ctx.deferral(rc, sc);
    // late_rate / cancel_rate answer as the 77 scenario does: PENDING on collect-payment (the
    // word verify uses), then SUCCESS or FAILURE on verify once settled. No webhook: Fatora has none.
    String status = late != null ? "PENDING" : switch (sc) {
      case APPROVED, SLOW_APPROVED -> "SUCCESS";
      case PENDING_THEN_APPROVED -> "PENDING";
      default -> "FAILURE";
    };
    String description = late != null ? PENDING_DESCRIPTION : description(sc);
    Ledger.Entry e = ctx.ledger().add(new Ledger.Entry(txn, orderId, minor, accountCurrency, token, status,
        new JsonObject().put("description", description)));
    if (late != null) {
      ctx.later(late.afterMs(), () -> settlePending(e, late.charges()));
    } else if (sc == SimScenario.PENDING_THEN_APPROVED) {
      ctx.later(SimScenario.PENDING_SETTLE_MS, () -> settlePending(e, true));
    }
    if (late == null && sc == SimScenario.SLOW_APPROVED) {
      ctx.later(SimScenario.SLOW_ANSWER_MS, () -> answer(rc, status, txn, description));
    } else {
      answer(rc, status, txn, description);
    }
  }

  static final String PENDING_DESCRIPTION = "Transaction Pending";
  /** The description verify shows for a payment the cancel fault closed unpaid (our wording). */
  static final String CANCELLED_DESCRIPTION = "Transaction Cancelled";

  /** A PENDING payment becomes SUCCESS or, for the cancel fault, FAILURE; any other is left alone. */
  private static void settlePending(Ledger.Entry e, boolean charge) {
    synchronized (e.data) {
      if (!"PENDING".equals(e.status())) return;
      e.data.put("description", charge ? description(SimScenario.APPROVED) : CANCELLED_DESCRIPTION);
      e.status(charge ? "SUCCESS" : "FAILURE");
    }
  }

  private static String description(SimScenario sc) {
    return switch (sc) {
      case INSUFFICIENT_FUNDS -> "Transaction Declined, Insufficient credit - insufficient+Funds";
      case DO_NOT_HONOR -> "Transaction Declined, Contact issuing Bank";
      case EXPIRED_CARD -> "Transaction Declined, Expired Card";
      case FRAUD_SUSPECTED -> "Transaction Blocked";
      case PENDING_THEN_APPROVED -> PENDING_DESCRIPTION;
      default -> "Transaction Successful - Approved";
    };
  }

  private void answer(RoutingContext rc, String status, String txn, String description) {
    if (rc.response().closed()) return;
    JsonObject result = new JsonObject().put("status_code", "FAILURE".equals(status) ? 400 : 200)
        .put("transaction_id", txn).put("auth_code", txn == null ? null : "A" + txn)
        .put("mode", "test").put("description", description);
    rc.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", status).put("result", result).encode());
  }

  private void verify(SimContext ctx, RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return;
    String orderId = req.getValue("order_id") == null ? null : req.getValue("order_id").toString();
    if (orderId == null) {
      error(rc, 400, "Missing parameter: order_id");
      return;
    }
    var entries = ctx.ledger().replicaByReference(orderId);
    Object txnWanted = req.getValue("transaction_id");
    Ledger.Entry e = null;
    for (Ledger.Entry x : entries) {
      if (txnWanted == null || txnWanted.toString().equals(x.id)) e = x;
    }
    if (e == null) {
      error(rc, 404, "Payment not found");
      return;
    }
    String status;
    String description;
    synchronized (e.data) {
      status = e.status();
      description = e.data.getString("description");
    }
    JsonObject result = new JsonObject().put("order_id", orderId).put("transaction_id", e.id)
        .put("amount", Currencies.toMajor(e.amount, e.currency)).put("currency", e.currency)
        .put("payment_status", status).put("mode", "test").put("auth_code", "A" + e.id)
        .put("description", description);
    // CONVENTION (src/docs/psps.md, Fatora refunds): a refunded payment's verify shows its refund_status.
    for (Ledger.Refund r : e.visibleRefunds()) {
      if (!Ledger.Refund.FAILED.equals(r.status())) result.put("refund_status", refundStatus(r));
    }
    rc.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "SUCCESS").put("result", result).encode());
  }

  /**
   * {@code POST /api/v1/payments/refund} with {@code {transaction_id, order_id}}: the whole payment
   * goes back (Fatora documents no partial refund). Only a SUCCESS payment not refunded yet can be
   * refunded; otherwise 200 {@code FAILURE} with the reason. The payment amount's last two digits
   * pick the scenario: 91 the PSP's 500 (nothing refunded), 96 refunded and answered after 10 s,
   * 77 {@code refund_status: pending}, completed 2 s later; otherwise {@code SUCCESS} with
   * {@code refund_status: completed}.
   */
  private void refund(SimContext ctx, RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return;
    String orderId = req.getValue("order_id") == null ? null : req.getValue("order_id").toString();
    Object txn = req.getValue("transaction_id");
    if (orderId == null || txn == null) {
      error(rc, 400, "Missing parameter: transaction_id and order_id are required");
      return;
    }
    Ledger.Entry e = null;
    for (Ledger.Entry x : ctx.ledger().byReference(orderId)) if (txn.toString().equals(x.id)) e = x;
    if (e == null) {
      error(rc, 404, "Payment not found");
      return;
    }
    if (!"SUCCESS".equals(e.status())) {
      refundAnswer(rc, "FAILURE", e, null, "Transaction cannot be refunded: it is not successful");
      return;
    }
    SimScenario sc = SimScenario.of(e.amount);
    if (sc == SimScenario.SERVER_ERROR) {
      rc.response().setStatusCode(500).putHeader("content-type", "application/json").end(serverErrorBody(500));
      return;
    }
    boolean pending = sc == SimScenario.PENDING_THEN_APPROVED;
    Ledger.Refund r = e.refund(ctx.id("rf"), e.amount, pending ? Ledger.Refund.PENDING : Ledger.Refund.SUCCEEDED, null);
    if (r == null) {
      refundAnswer(rc, "FAILURE", e, null, "Transaction already refunded");
      return;
    }
    Ledger.Entry paid = e;
    if (pending) ctx.later(SimScenario.PENDING_SETTLE_MS, () -> paid.settleRefund(r, Ledger.Refund.SUCCEEDED));
    if (sc == SimScenario.SLOW_APPROVED) {
      ctx.later(SimScenario.SLOW_ANSWER_MS, () -> refundAnswer(rc, "SUCCESS", paid, r, "Refund Successful"));
    } else {
      refundAnswer(rc, "SUCCESS", paid, r, pending ? "Refund Pending" : "Refund Successful");
    }
  }

  /** CONVENTION: {@code completed} once refunded, {@code pending} until then. */
  private static String refundStatus(Ledger.Refund r) {
    return Ledger.Refund.PENDING.equals(r.status()) ? "pending" : "completed";
  }

  private static void refundAnswer(RoutingContext rc, String status, Ledger.Entry e, Ledger.Refund r, String description) {
    if (rc.response().closed()) return;
    JsonObject result = new JsonObject().put("order_id", e.reference).put("transaction_id", e.id)
        .put("description", description);
    if (r != null) result.put("refund_status", refundStatus(r)).put("amount", Currencies.toMajor(r.amount, e.currency));
    rc.response().putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", status).put("result", result).encode());
  }

  private void deactivate(RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return;
    String token = req.getString("card_token");
    if (token == null || req.getValue("order_id") == null) {
      error(rc, 400, "Missing parameter: card_token and order_id are required");
    } else if (!deactivated.add(token)) {
      error(rc, 422, "Token already deactivated");
    } else {
      rc.response().setStatusCode(204).end();
    }
  }

  private JsonObject json(RoutingContext rc) {
    try {
      JsonObject o = rc.body().asJsonObject();
      if (o == null) error(rc, 400, "Missing request body");
      return o;
    } catch (RuntimeException e) {
      error(rc, 400, "Malformed JSON");
      return null;
    }
  }

  private static void error(RoutingContext rc, int status, String description) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("status", "FAILURE")
            .put("error", new JsonObject().put("code", status).put("description", description)).encode());
  }

  // ---------------------------------------------------------------- fixtures (PSP registry)

  @Override
  public java.util.Map<String, String> sampleToken(String token) {
    return java.util.Map.of("card_token", token);
  }

  @Override
  public java.util.Map<String, Object> providerConfig(String simulatorUrl) {
    return java.util.Map.of("base_url", simulatorUrl + "/fatora",
        "credentials", java.util.Map.of("api_key", SimCredentials.FATORA_API_KEY,
            "webhook_secret", SimCredentials.FATORA_WEBHOOK_SECRET),
        "options", java.util.Map.of("account_currency", "USD"));
  }
}
