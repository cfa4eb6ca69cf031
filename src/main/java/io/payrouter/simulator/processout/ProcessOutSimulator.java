package io.payrouter.simulator.processout;

import io.payrouter.common.Currencies;
import io.payrouter.simulator.Bounded;
import io.payrouter.simulator.Deferral;
import io.payrouter.simulator.Ledger;
import io.payrouter.simulator.SimContext;
import io.payrouter.simulator.SimCredentials;
import io.payrouter.simulator.SimScenario;
import io.payrouter.simulator.SimulatedPsp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * ProcessOut as the router sees it (paths relative to the {@code /processout} prefix), HTTP Basic
 * project_id:project_secret of the simulator's credentials (by default
 * {@link SimCredentials#PROCESSOUT_PROJECT_ID}:{@link SimCredentials#PROCESSOUT_PROJECT_SECRET};
 * else 401 {@code request.authentication.invalid}):
 * <ul>
 *   <li>{@code POST /invoices}: JSON {@code name, amount} (decimal string), {@code currency},
 *       optional {@code customer_id, order_id, merchant_initiator_type, webhook_url, metadata}.
 *       Creates the invoice and its transaction in status {@code waiting}.
 *   <li>{@code POST /invoices/{id}/capture} with {@code source}: the charge (kept in the ledger,
 *       reference = the invoice's order_id).
 *   <li>{@code POST /invoices/{id}/void}: voids an invoice that has captured nothing (waiting or
 *       pending); a completed one is refused with 400 {@link #NOT_VOIDABLE}.
 *   <li>{@code GET /invoices/{id}} ({@code transaction_id}; the transaction object too with
 *       {@code expand=transaction}), {@code GET /transactions/{id}}, {@code GET /events/{id}},
 *       {@code DELETE /customers/{cid}/tokens/{tid}}.
 * </ul>
 * {@code Idempotency-Key}: the first answer per (method, path, key) is stored and replayed to any
 * repeat, so a replayed capture never charges twice (a 500 is not stored: nothing happened).
 *
 * <p>Outcomes by the invoice amount ({@link SimScenario}), on capture: declines answer 402
 * {@code {"success":false,"error_type":"card.no-money"|"card.do-not-honor"|"card.expired"|
 * "card.possible-fraud","message"}} and leave the transaction {@code failed}; a token starting
 * with {@code revoked_}/{@code expired_} or deleted earlier answers 404
 * {@code resource.token.not-found} (our convention, {@link #TOKEN_NOT_FOUND}); 91 answers 500
 * with nothing charged; 96 records {@code completed} and answers after 10 s; 77 answers
 * {@code pending}, completes 2 s later and POSTs {@code {"event_id"}} to the invoice's
 * {@code webhook_url}. Every transaction change is kept as an event ({@code transaction.captured},
 * {@code transaction.failed}, {@code transaction.pending}) whose data holds the transaction and
 * the invoice (with {@code order_id}); only the settlement of a pending payment is pushed.
 */
public final class ProcessOutSimulator implements SimulatedPsp {

  /**
   * {@code error_type} of the 404 answering a capture with an unknown, deleted, expired or revoked
   * customer token. Our convention: ProcessOut documents the error body, not this case
   * (src/docs/psps.md, "Our conventions").
   */
  public static final String TOKEN_NOT_FOUND = "resource.token.not-found";

  /**
   * {@code error_type} of the 400 refusing to void an invoice whose transaction is completed,
   * failed or already voided. Our convention: processout-go has the call, not its errors.
   */
  public static final String NOT_VOIDABLE = "request.transaction.not-voidable";

  private record Stored(int status, String body) {}

  /** Per simulator server context. */
  private static final class State {
    final Map<String, JsonObject> invoices = Bounded.map();
    final Map<String, JsonObject> transactions = Bounded.map();
    final Map<String, JsonObject> events = Bounded.map();
    final Map<String, Stored> idempotent = Bounded.map();
    final Set<String> deletedTokens = Bounded.set();
  }

  private final Map<SimContext, State> states = new ConcurrentHashMap<>();

  @Override
  public String name() {
    return "processout";
  }

  @Override
  public String serverErrorBody(int status) {
    return new JsonObject().put("success", false)
        .put("error_type", status == 503 ? "processout.unavailable" : "processout.internal-error")
        .put("message", status == 503 ? "Service unavailable" : "An internal error occurred").encode();
  }

  @Override
  public boolean movesMoney(HttpMethod method, String path) {
    return method == HttpMethod.POST && path.startsWith("/invoices/")
        && (path.endsWith("/capture") || path.endsWith("/refunds"));
  }

  @Override
  public Router router(SimContext ctx) {
    State st = states.computeIfAbsent(ctx, c -> new State());
    Router r = Router.router(ctx.vertx());
    r.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    r.route().handler(rc -> auth(ctx, rc));
    r.post("/invoices").handler(rc -> idempotent(st, rc, x -> createInvoice(ctx, st, x)));
    r.post("/invoices/:id/capture").handler(rc -> idempotent(st, rc, x -> capture(ctx, st, x)));
    r.post("/invoices/:id/void").handler(rc -> idempotent(st, rc, x -> voidInvoice(ctx, st, x)));
    r.post("/invoices/:id/refunds").handler(rc -> idempotent(st, rc, x -> refund(ctx, st, x)));
    r.get("/transactions/:id/refunds").handler(rc -> {
      JsonObject tx = st.transactions.get(rc.pathParam("id"));
      Ledger.Entry e = tx == null ? null : ctx.ledger().get(tx.getString("id"));
      if (tx == null) {
        error(rc, 404, "resource.transaction.not-found", "The transaction could not be found.");
        return;
      }
      JsonArray list = new JsonArray();
      if (e != null) for (Ledger.Refund one : e.visibleRefunds()) list.add(refundJson(tx, e, one));
      send(rc, 200, ok().put("refunds", list).put("has_more", false));
    });
    r.get("/invoices/:id").handler(rc -> getInvoice(ctx, st, rc));
    r.get("/transactions/:id").handler(rc -> {
      JsonObject tx = st.transactions.get(rc.pathParam("id"));
      if (tx == null) error(rc, 404, "resource.transaction.not-found", "The transaction could not be found.");
      else send(rc, 200, ok().put("transaction", replicaView(ctx, tx)));
    });
    r.get("/events/:id").handler(rc -> {
      JsonObject ev = st.events.get(rc.pathParam("id"));
      if (ev == null) error(rc, 404, "resource.event.not-found", "The event could not be found.");
      else send(rc, 200, ok().put("event", ev.copy()));
    });
    r.delete("/customers/:cid/tokens/:tid").handler(rc -> {
      if (st.deletedTokens.add(rc.pathParam("tid"))) send(rc, 200, ok());
      else error(rc, 404, TOKEN_NOT_FOUND, "The customer token could not be found.");
    });
    return r;
  }

  // ---------------------------------------------------------------- auth and idempotency

  private static void auth(SimContext ctx, RoutingContext rc) {
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (ctx.credentials().processOutProjectId() + ":" + ctx.credentials().processOutProjectSecret())
            .getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(rc.request().getHeader("Authorization"))) {
      error(rc, 401, "request.authentication.invalid", "The provided project ID or secret is invalid.");
    } else {
      rc.next();
    }
  }

  /** An answer to send, possibly after a delay (the slow scenario). */
  private record Answer(int status, JsonObject body, long delayMs) {
    Answer(int status, JsonObject body) {
      this(status, body, 0);
    }
  }

  private void idempotent(State st, RoutingContext rc, Function<RoutingContext, Answer> handler) {
    String key = rc.request().getHeader("Idempotency-Key");
    String slot = key == null ? null : rc.request().method().name() + " " + rc.normalizedPath() + " " + key;
    if (slot != null) {
      Stored s = st.idempotent.get(slot);
      if (s != null) {
        rc.response().setStatusCode(s.status()).putHeader("content-type", "application/json").end(s.body());
        return;
      }
    }
    Answer a;
    synchronized (st) {
      Stored again = slot == null ? null : st.idempotent.get(slot);
      if (again != null) {
        a = new Answer(again.status(), new JsonObject(again.body()));
      } else {
        a = handler.apply(rc);
        if (slot != null && a.status() < 500) st.idempotent.put(slot, new Stored(a.status(), a.body().encode()));
      }
    }
    if (a.delayMs() > 0) {
      rc.vertx().setTimer(a.delayMs(), t -> send(rc, a.status(), a.body()));
    } else {
      send(rc, a.status(), a.body());
    }
  }

  // ---------------------------------------------------------------- invoices

  private Answer createInvoice(SimContext ctx, State st, RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return validation("Missing or malformed JSON body");
    String name = req.getValue("name") instanceof String n ? n : null;
    String currency = req.getValue("currency") instanceof String c ? c : null;
    Object amount = req.getValue("amount");
    if (name == null || name.isBlank() || name.length() > 80) return validation("name is required (max 80 characters)");
    if (!Currencies.isKnown(currency)) return validation("currency must be a valid ISO 4217 code");
    if (!(amount instanceof String amountStr)) return validation("amount must be a decimal string");
    long minor;
    try {
      minor = Currencies.toMinor(amountStr, currency);
    } catch (RuntimeException e) {
      return validation("amount is not a valid amount for " + currency);
    }
    if (minor <= 0) return validation("amount must be positive");
    String mit = req.getValue("merchant_initiator_type") instanceof String m ? m : null;
    if (mit != null && !mit.equals("one-off") && !mit.equals("recurring")) {
      return validation("merchant_initiator_type must be one-off or recurring");
    }
    String ivId = ctx.id("iv_");
    String trId = ctx.id("tr_");
    String now = Instant.now().toString();
    JsonObject iv = new JsonObject().put("id", ivId).put("project_id", ctx.credentials().processOutProjectId())
        .put("transaction_id", trId).put("name", name)
        .put("amount", Currencies.toMajorString(minor, currency)).put("currency", currency)
        .put("sandbox", true).put("created_at", now);
    for (String f : new String[] {"customer_id", "order_id", "merchant_initiator_type", "webhook_url", "statement_descriptor"}) {
      if (req.getValue(f) instanceof String v) iv.put(f, v);
    }
    if (req.getValue("metadata") instanceof JsonObject md) iv.put("metadata", md.copy());
    JsonObject tx = new JsonObject().put("id", trId).put("project_id", ctx.credentials().processOutProjectId())
        .put("invoice_id", ivId).put("customer_id", iv.getString("customer_id")).put("name", name)
        .put("amount", iv.getString("amount")).put("currency", currency).put("status", "waiting")
        .put("authorized", false).put("captured", false).put("captured_amount", "0")
        .put("error_code", null).put("sandbox", true).put("created_at", now);
    st.invoices.put(ivId, iv);
    st.transactions.put(trId, tx);
    return new Answer(200, ok().put("invoice", iv.copy()));
  }

  private void getInvoice(SimContext ctx, State st, RoutingContext rc) {
    JsonObject iv = st.invoices.get(rc.pathParam("id"));
    if (iv == null) {
      error(rc, 404, "resource.invoice.not-found", "The invoice could not be found.");
      return;
    }
    JsonObject out = iv.copy();
    String expand = String.join(",", rc.queryParam("expand")) + "," + String.join(",", rc.queryParam("expand[]"));
    if (expand.contains("transaction")) {
      JsonObject tx = st.transactions.get(iv.getString("transaction_id"));
      if (tx != null) out.put("transaction", replicaView(ctx, tx));
    }
    send(rc, 200, ok().put("invoice", out));
  }

  // ---------------------------------------------------------------- capture

  private Answer capture(SimContext ctx, State st, RoutingContext rc) {
    JsonObject iv = st.invoices.get(rc.pathParam("id"));
    if (iv == null) return new Answer(404, err("resource.invoice.not-found", "The invoice could not be found."));
    JsonObject req = json(rc);
    String source = req != null && req.getValue("source") instanceof String s ? s : null;
    if (source == null || source.isBlank()) return validation("source is required");
    JsonObject tx = st.transactions.get(iv.getString("transaction_id"));
    String current;
    synchronized (tx) {
      current = tx.getString("status");
    }
    if (!current.equals("waiting")) {
      return new Answer(400, err("request.invoice.already-processed", "The invoice was already processed."));
    }
    if (SimScenario.tokenRefused(source) || st.deletedTokens.contains(source)) {
      return new Answer(404, err(TOKEN_NOT_FOUND, "The customer token could not be found."));
    }
    String currency = iv.getString("currency");
    long minor = Currencies.toMinor(iv.getString("amount"), currency);
    SimScenario sc = ctx.scenario(rc, minor);
    if (sc == SimScenario.SERVER_ERROR) return new Answer(500, new JsonObject(serverErrorBody(500)));

    Deferral late = ctx.deferral(rc, sc);
    String status = sc.isDecline() ? "failed"
        : late != null || sc == SimScenario.PENDING_THEN_APPROVED ? "pending" : "completed";
    String errorType = switch (sc) {
      case INSUFFICIENT_FUNDS -> "card.no-money";
      case DO_NOT_HONOR -> "card.do-not-honor";
      case EXPIRED_CARD -> "card.expired";
      case FRAUD_SUSPECTED -> "card.possible-fraud";
      default -> null;
    };
    synchronized (tx) {
      tx.put("status", status).put("token_id", source).put("error_code", errorType)
          .put("authorized", status.equals("completed")).put("captured", status.equals("completed"))
          .put("captured_amount", status.equals("completed") ? iv.getString("amount") : "0");
    }
    Ledger.Entry entry = ctx.ledger().add(new Ledger.Entry(tx.getString("id"), iv.getString("order_id"), minor,
        currency, source, status, new JsonObject().put("invoice_id", iv.getString("id"))));
    addEvent(ctx, st, switch (status) {
      case "failed" -> "transaction.failed";
      case "pending" -> "transaction.pending";
      default -> "transaction.captured";
    }, tx, iv);

    if (late != null) {
      // late_rate / cancel_rate: pending now, completed or voided later.
      ctx.later(late.afterMs(), () -> settlePending(ctx, st, tx, iv, entry, late.charges()));
    } else if (sc == SimScenario.PENDING_THEN_APPROVED) {
      ctx.later(SimScenario.PENDING_SETTLE_MS, () -> settlePending(ctx, st, tx, iv, entry, true));
    }
    if (errorType != null) {
      return new Answer(402, err(errorType, switch (errorType) {
        case "card.no-money" -> "The card does not have enough funds.";
        case "card.do-not-honor" -> "The card was declined by the issuer (do not honor).";
        case "card.expired" -> "The card has expired.";
        default -> "The payment was declined: possible fraud.";
      }));
    }
    JsonObject answer = ok().put("transaction", copy(tx));
    return new Answer(200, answer, late == null && sc == SimScenario.SLOW_APPROVED ? SimScenario.SLOW_ANSWER_MS : 0);
  }

  /**
   * A pending transaction settles: {@code completed} ({@code transaction.captured}) or, for the
   * cancel fault, {@code voided} ({@code transaction.voided}), nothing captured; the event is
   * pushed to the invoice's webhook_url. A transaction no longer pending (voided meanwhile by
   * {@code POST /invoices/{id}/void}) is left alone: never captured.
   */
  private static void settlePending(SimContext ctx, State st, JsonObject tx, JsonObject iv, Ledger.Entry entry,
      boolean charge) {
    synchronized (tx) {
      if (!"pending".equals(tx.getString("status"))) return;
      if (charge) {
        tx.put("status", "completed").put("authorized", true).put("captured", true)
            .put("captured_amount", iv.getString("amount"));
      } else {
        tx.put("status", "voided").put("authorized", false).put("captured", false).put("captured_amount", "0");
      }
      entry.status(tx.getString("status"));
    }
    String evId = addEvent(ctx, st, charge ? "transaction.captured" : "transaction.voided", tx, iv);
    String hook = iv.getString("webhook_url");
    if (hook != null) {
      ctx.sendWebhook(HttpMethod.POST, hook, Map.of("content-type", "application/json"),
          new JsonObject().put("event_id", evId).encode());
    }
  }

  // ---------------------------------------------------------------- void

  /**
   * {@code POST /invoices/{id}/void} (processout-go {@code Invoice.Void}): an invoice whose
   * transaction has captured nothing and is still open ({@code waiting} or {@code pending}) is
   * voided, answered {@code {success:true, transaction}}, and its event kept. Any other
   * (completed, failed, voided) is refused with 400 {@link #NOT_VOIDABLE} and left as it is. A
   * waiting invoice voided this way enters the ledger as voided.
   */
  private Answer voidInvoice(SimContext ctx, State st, RoutingContext rc) {
    JsonObject iv = st.invoices.get(rc.pathParam("id"));
    if (iv == null) return new Answer(404, err("resource.invoice.not-found", "The invoice could not be found."));
    JsonObject tx = st.transactions.get(iv.getString("transaction_id"));
    String before;
    synchronized (tx) {
      before = tx.getString("status");
      if (!before.equals("waiting") && !before.equals("pending")) {
        return new Answer(400, err(NOT_VOIDABLE, "The transaction is " + before + " and cannot be voided."));
      }
      tx.put("status", "voided").put("authorized", false).put("captured", false).put("captured_amount", "0");
    }
    Ledger.Entry entry = ctx.ledger().get(tx.getString("id"));
    if (entry == null) {
      String currency = iv.getString("currency");
      ctx.ledger().add(new Ledger.Entry(tx.getString("id"), iv.getString("order_id"),
          Currencies.toMinor(iv.getString("amount"), currency), currency, null, "voided",
          new JsonObject().put("invoice_id", iv.getString("id"))));
    } else {
      entry.status("voided");
    }
    addEvent(ctx, st, "transaction.voided", tx, iv);
    return new Answer(200, ok().put("transaction", copy(tx)));
  }

  // ---------------------------------------------------------------- refunds

  /** Per refund id: what the merchant sent with it (reason, information, metadata). */
  private final Map<String, JsonObject> refundDetails = Bounded.map();

  /**
   * {@code POST /invoices/{id}/refunds} (processout-go {@code Refund.CreateForInvoice}) with
   * {@code amount} (decimal string, at most what is available on the transaction), {@code reason},
   * {@code information}, {@code metadata}. Only a completed transaction can be refunded (400
   * {@code request.transaction.not-refundable}); more than available is 400
   * {@code request.refund.amount-too-high}. The refund amount's last two digits pick the scenario:
   * 91 the PSP's 500 (nothing refunded, nothing stored for the Idempotency-Key), 96 refunded and
   * answered after 10 s; otherwise {@code {success: true, refund}}. An Idempotency-Key replays the
   * first answer, as on capture.
   */
  private Answer refund(SimContext ctx, State st, RoutingContext rc) {
    JsonObject iv = st.invoices.get(rc.pathParam("id"));
    if (iv == null) return new Answer(404, err("resource.invoice.not-found", "The invoice could not be found."));
    JsonObject tx = st.transactions.get(iv.getString("transaction_id"));
    Ledger.Entry e = ctx.ledger().get(tx.getString("id"));
    JsonObject req = json(rc);
    if (req == null || !(req.getValue("amount") instanceof String amountStr)) return validation("amount must be a decimal string");
    long minor;
    try {
      minor = Currencies.toMinor(amountStr, iv.getString("currency"));
    } catch (RuntimeException ex) {
      return validation("amount is not a valid amount for " + iv.getString("currency"));
    }
    if (minor <= 0) return validation("amount must be positive");
    if (e == null || !"completed".equals(e.status())) {
      return new Answer(400, err("request.transaction.not-refundable", "The transaction was not captured."));
    }
    SimScenario sc = SimScenario.of(minor);
    if (sc == SimScenario.SERVER_ERROR) return new Answer(500, new JsonObject(serverErrorBody(500)));
    Ledger.Refund r = e.refund(ctx.id("re_"), minor, Ledger.Refund.SUCCEEDED, null);
    if (r == null) {
      return new Answer(400, err("request.refund.amount-too-high", "The amount is greater than what is available."));
    }
    JsonObject details = new JsonObject();
    for (String f : new String[] {"reason", "information"}) if (req.getValue(f) instanceof String v) details.put(f, v);
    if (req.getValue("metadata") instanceof JsonObject md) details.put("metadata", md.copy());
    refundDetails.put(r.id, details);
    addEvent(ctx, st, "transaction.refunded", tx, iv);
    return new Answer(200, ok().put("refund", refundJson(tx, e, r)), sc == SimScenario.SLOW_APPROVED ? SimScenario.SLOW_ANSWER_MS : 0);
  }

  private JsonObject refundJson(JsonObject tx, Ledger.Entry e, Ledger.Refund r) {
    JsonObject d = refundDetails.getOrDefault(r.id, new JsonObject());
    return new JsonObject().put("id", r.id).put("transaction_id", tx.getString("id"))
        .put("amount", Currencies.toMajorString(r.amount, e.currency)).put("reason", d.getString("reason"))
        .put("information", d.getString("information")).put("metadata", d.getJsonObject("metadata", new JsonObject()))
        .put("has_failed", Ledger.Refund.FAILED.equals(r.status())).put("sandbox", true)
        .put("created_at", Instant.ofEpochMilli(r.createdAt).toString());
  }

  private static String addEvent(SimContext ctx, State st, String name, JsonObject tx, JsonObject iv) {
    String id = ctx.id("ev_");
    JsonObject invoice = new JsonObject().put("id", iv.getString("id")).put("order_id", iv.getString("order_id"))
        .put("name", iv.getString("name")).put("amount", iv.getString("amount")).put("currency", iv.getString("currency"));
    st.events.put(id, new JsonObject().put("id", id).put("project_id", ctx.credentials().processOutProjectId())
        .put("name", name).put("sandbox", true).put("fired_at", Instant.now().toString())
        .put("data", new JsonObject().put("transaction", copy(tx)).put("invoice", invoice)));
    return id;
  }

  /**
   * A transaction as the inquiry endpoints show it: while a lagging read replica has not seen its
   * capture yet (see {@link Ledger.Entry#visible}), still waiting.
   */
  private static JsonObject replicaView(SimContext ctx, JsonObject tx) {
    JsonObject out = copy(tx);
    Ledger.Entry e = ctx.ledger().get(out.getString("id"));
    if (e != null && e.visible() && "completed".equals(e.status())) {
      long refunded = e.visibleRefunded(Ledger.Refund.SUCCEEDED);
      out.put("refunded_amount", Currencies.toMajorString(refunded, e.currency))
          .put("available_amount", Currencies.toMajorString(e.amount - refunded, e.currency));
    }
    if (e == null || e.visible()) return out;
    out.remove("token_id");
    return out.put("status", "waiting").put("authorized", false).put("captured", false)
        .put("captured_amount", "0").putNull("error_code");
  }

  // ---------------------------------------------------------------- helpers

  private static JsonObject copy(JsonObject tx) {
    synchronized (tx) {
      return tx.copy();
    }
  }

  private static JsonObject ok() {
    return new JsonObject().put("success", true);
  }

  private static JsonObject err(String type, String message) {
    return new JsonObject().put("success", false).put("error_type", type).put("message", message);
  }

  private static Answer validation(String message) {
    return new Answer(400, err("request.validation.error", message));
  }

  private static JsonObject json(RoutingContext rc) {
    try {
      return rc.body().asJsonObject();
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void error(RoutingContext rc, int status, String type, String message) {
    send(rc, status, err(type, message));
  }

  private static void send(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().closed() || rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  // ---------------------------------------------------------------- fixtures (PSP registry)

  @Override
  public java.util.Map<String, String> sampleToken(String token) {
    return java.util.Map.of("customer_id", "cust_it", "token_id", token);
  }

  @Override
  public java.util.Map<String, Object> providerConfig(String simulatorUrl) {
    return java.util.Map.of("base_url", simulatorUrl + "/processout",
        "credentials", java.util.Map.of("project_id", SimCredentials.PROCESSOUT_PROJECT_ID,
            "project_secret", SimCredentials.PROCESSOUT_PROJECT_SECRET),
        "options", java.util.Map.of());
  }
}
