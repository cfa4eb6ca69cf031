package io.payrouter.simulator.dintero;

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
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Dintero Checkout as the router sees it (paths relative to the {@code /dintero} prefix):
 * <ul>
 *   <li>{@code POST /v1/accounts/{aid}/auth/token}: Basic client_id / client_secret of the
 *       simulator's credentials ({@link SimContext#credentials()}, by default
 *       {@link SimCredentials#DINTERO_CLIENT_ID} / {@link SimCredentials#DINTERO_CLIENT_SECRET} on
 *       account {@link SimCredentials#DINTERO_ACCOUNT_ID}), grant_type client_credentials; answers
 *       {@code {access_token, token_type:"Bearer", expires_in:3600}}. Issuances are counted
 *       ({@link #tokensIssued()}) so a test can prove the router does not fetch one per charge.
 *   <li>{@code POST /v1/sessions/pay} (Bearer): answers the Transaction plus
 *       {@code session_id, success}. Honours {@code Dintero-Feature-Toggles:
 *       strict-merchant-reference} (any earlier session with the reference: 400
 *       {@code DUPLICATE_MERCHANT_REFERENCE}) and {@code strict-success-merchant-reference} (only
 *       a non-failed earlier one counts).
 *   <li>{@code GET /v1/transactions/{id}} and {@code GET /v1/transactions?merchant_reference=}
 *       (a JSON array).
 * </ul>
 * Outcomes by amount ({@link SimScenario}): declines are HTTP 200, status FAILED, with an
 * AUTHORIZE event carrying {@code error{code, message, type, result_code, retry_policy}};
 * {@code revoked_}/{@code expired_} tokens get 400 {@code INVALID_TOKEN} and nothing is recorded
 * (our convention, {@link #INVALID_TOKEN}); 91 answers 500 with nothing recorded; 96 records
 * CAPTURED and answers after 10 s; 77 answers ON_HOLD, settles CAPTURED after 2 s and sends the
 * signed session callback (POST when the callback_url has {@code method=POST}, else GET; the body
 * of a POST is the Transaction), signed as {@link DinteroCallbackSignature} describes.
 */
public final class DinteroSimulator implements SimulatedPsp {

  public static final long TOKEN_TTL_S = 3600;
  /**
   * {@code error.code} of the 400 refusing a reused merchant_reference under a strict toggle. Our
   * convention: Dintero documents the 400, not its code (src/docs/psps.md, "Our conventions").
   */
  public static final String DUPLICATE_REFERENCE = "DUPLICATE_MERCHANT_REFERENCE";
  /** {@code error.code} of the 400 refusing an invalid, expired or revoked token (our convention). */
  public static final String INVALID_TOKEN = "INVALID_TOKEN";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Set<String> PRODUCT_TYPES = Set.of("payex.creditcard", "bambora.creditcard", "dintero_psp.creditcard");
  private static final Set<String> FAILED_STATUSES = Set.of("FAILED", "DECLINED", "AUTHORIZATION_VOIDED");

  /** Per simulator server context: issued bearer tokens and the order of transactions. */
  private static final class State {
    final Map<String, Long> tokens = Bounded.map();
    final Set<String> txIds = Bounded.set();
  }

  private final Map<SimContext, State> states = new ConcurrentHashMap<>();
  private final AtomicInteger tokensIssued = new AtomicInteger();

  @Override
  public String name() {
    return "dintero";
  }

  @Override
  public boolean movesMoney(HttpMethod method, String path) {
    return method == HttpMethod.POST && (path.equals("/v1/sessions/pay")
        || path.startsWith("/v1/transactions/") && path.endsWith("/refund"));
  }

  /** How many access tokens this simulator has issued (all contexts). */
  public int tokensIssued() {
    return tokensIssued.get();
  }

  @Override
  public Router router(SimContext ctx) {
    State st = states.computeIfAbsent(ctx, c -> new State());
    Router r = Router.router(ctx.vertx());
    r.route().handler(BodyHandler.create().setBodyLimit(64 * 1024));
    r.post("/v1/accounts/:aid/auth/token").handler(rc -> token(ctx, st, rc));
    r.post("/v1/sessions/pay").handler(rc -> { if (bearer(st, rc)) pay(ctx, st, rc); });
    r.get("/v1/transactions/:id").handler(rc -> { if (bearer(st, rc)) transaction(ctx, rc); });
    r.get("/v1/transactions").handler(rc -> { if (bearer(st, rc)) list(ctx, st, rc); });
    r.post("/v1/transactions/:id/refund").handler(rc -> { if (bearer(st, rc)) refund(ctx, rc); });
    return r;
  }

  // ---------------------------------------------------------------- auth

  private void token(SimContext ctx, State st, RoutingContext rc) {
    String auth = rc.request().getHeader("Authorization");
    SimCredentials creds = ctx.credentials();
    String expected = "Basic " + Base64.getEncoder().encodeToString(
        (creds.dinteroClientId() + ":" + creds.dinteroClientSecret()).getBytes(StandardCharsets.UTF_8));
    if (!expected.equals(auth)) {
      error(rc, 401, "unauthorized", "Invalid client credentials");
      return;
    }
    if (!creds.dinteroAccountId().equals(rc.pathParam("aid"))) {
      error(rc, 403, "forbidden", "The client has no access to this account");
      return;
    }
    JsonObject body = json(rc);
    if (body == null) return;
    if (!"client_credentials".equals(body.getValue("grant_type"))) {
      error(rc, 400, "invalid_request", "grant_type must be client_credentials");
      return;
    }
    byte[] raw = new byte[24];
    RANDOM.nextBytes(raw);
    String token = "dsim_" + HexFormat.of().formatHex(raw);
    st.tokens.put(token, System.currentTimeMillis() + TOKEN_TTL_S * 1000);
    tokensIssued.incrementAndGet();
    send(rc, 200, new JsonObject().put("access_token", token).put("token_type", "Bearer")
        .put("expires_in", TOKEN_TTL_S));
  }

  private static boolean bearer(State st, RoutingContext rc) {
    String auth = rc.request().getHeader("Authorization");
    if (auth != null && auth.startsWith("Bearer ")) {
      Long exp = st.tokens.get(auth.substring(7).trim());
      if (exp != null && exp > System.currentTimeMillis()) return true;
    }
    error(rc, 401, "unauthorized", "Missing or invalid access token");
    return false;
  }

  // ---------------------------------------------------------------- sessions/pay

  private void pay(SimContext ctx, State st, RoutingContext rc) {
    JsonObject req = json(rc);
    if (req == null) return;
    JsonObject session = req.getValue("session") instanceof JsonObject s ? s : null;
    JsonObject payment = req.getValue("payment") instanceof JsonObject p ? p : null;
    JsonObject order = session != null && session.getValue("order") instanceof JsonObject o ? o : null;
    List<String> problems = new ArrayList<>();
    if (order == null) problems.add("session.order is required");
    if (payment == null) problems.add("payment is required");
    if (!problems.isEmpty()) {
      validation(rc, problems);
      return;
    }
    Object amountV = order.getValue("amount");
    String currency = order.getValue("currency") instanceof String c ? c : null;
    String ref = order.getValue("merchant_reference") instanceof String m ? m : null;
    if (!(amountV instanceof Integer || amountV instanceof Long) || ((Number) amountV).longValue() < 0) {
      problems.add("session.order.amount must be a non-negative integer (minor units)");
    }
    if (!Currencies.isKnown(currency)) problems.add("session.order.currency must be an ISO 4217 code");
    if (ref == null || ref.isEmpty()) problems.add("session.order.merchant_reference is required");
    String ppt = payment.getValue("payment_product_type") instanceof String t ? t : null;
    String operation = payment.getValue("operation") instanceof String t ? t : null;
    if (ppt == null || !PRODUCT_TYPES.contains(ppt)) problems.add("payment.payment_product_type is not supported");
    if (!"unscheduled_purchase".equals(operation) && !"recurring_purchase".equals(operation)) {
      problems.add("payment.operation must be unscheduled_purchase or recurring_purchase");
    }
    JsonObject customer = session.getValue("customer") instanceof JsonObject c ? c : new JsonObject();
    JsonObject tokens = customer.getValue("tokens") instanceof JsonObject t ? t : new JsonObject();
    JsonObject tok = ppt == null ? null : tokens.getValue(ppt) instanceof JsonObject t ? t : null;
    String token = tok == null ? null
        : tok.getValue("recurrence_token") instanceof String rt ? rt
        : tok.getValue("payment_token") instanceof String pt ? pt : null;
    if (token == null) problems.add("session.customer.tokens must hold a token for the payment_product_type");
    if (tok != null && tok.containsKey("recurrence_token") && !"payex.creditcard".equals(ppt)) {
      problems.add("recurrence_token is only supported for payex.creditcard");
    }
    if (!problems.isEmpty()) {
      validation(rc, problems);
      return;
    }
    long amount = ((Number) amountV).longValue();

    String toggles = rc.request().getHeader("Dintero-Feature-Toggles");
    boolean strict = hasToggle(toggles, "strict-merchant-reference");
    boolean strictSuccess = hasToggle(toggles, "strict-success-merchant-reference");
    synchronized (ctx.ledger()) {
      for (Ledger.Entry e : ctx.ledger().byReference(ref)) {
        if (strict || (strictSuccess && !FAILED_STATUSES.contains(e.status()))) {
          error(rc, 400, DUPLICATE_REFERENCE,
              "merchant_reference is already used by an existing session");
          return;
        }
      }
      if (SimScenario.tokenRefused(token)) {
        error(rc, 400, INVALID_TOKEN, "The payment token is invalid, expired or revoked");
        return;
      }
      SimScenario sc = ctx.scenario(rc, amount);
      if (sc == SimScenario.SERVER_ERROR) {
        rc.response().setStatusCode(500).putHeader("content-type", "application/json").end(serverErrorBody(500));
        return;
      }
      boolean autoCapture = session.getValue("configuration") instanceof JsonObject conf
          && Boolean.TRUE.equals(conf.getValue("auto_capture"));
      String approved = autoCapture ? "CAPTURED" : "AUTHORIZED";
      String aid = ctx.credentials().dinteroAccountId();
      String txId = aid + "." + ctx.id("");
      String sessionId = aid + "." + ctx.id("s");
      String now = Instant.now().toString();
      JsonObject tx = new JsonObject().put("id", txId).put("session_id", sessionId)
          .put("amount", amount).put("currency", currency).put("merchant_reference", ref)
          .put("payment_product", ppt.substring(0, ppt.indexOf('.')))
          .put("payment_product_type", ppt).put("payment_operation", operation)
          .put("created_at", now).put("updated_at", now).put("events", new JsonArray());
      if (customer.getValue("email") instanceof String email) tx.put("customer", new JsonObject().put("email", email));
      JsonObject url = session.getValue("url") instanceof JsonObject u ? u : null;
      String callbackUrl = url != null && url.getValue("callback_url") instanceof String cb ? cb : null;
      if (callbackUrl != null) tx.put("url", new JsonObject().put("callback_url", callbackUrl));
      Deferral late = ctx.deferral(rc, sc);
      String status;
      if (sc.isDecline()) {
        status = "FAILED";
        tx.getJsonArray("events").add(declineEvent(sc, amount, now));
      } else if (late != null || sc == SimScenario.PENDING_THEN_APPROVED) {
        status = "ON_HOLD";
        tx.getJsonArray("events").add(event("AUTHORIZE", true, amount, now, "ON_HOLD"));
      } else {
        status = approved;
        addApprovalEvents(tx, amount, now, autoCapture);
      }
      tx.put("status", status);
      Ledger.Entry entry = ctx.ledger().add(new Ledger.Entry(txId, ref, amount, currency, token, status, tx));
      st.txIds.add(txId);
      JsonObject answer = copy(entry).put("session_id", sessionId).put("success", !FAILED_STATUSES.contains(status));
      if (late != null) {
        // late_rate / cancel_rate: ON_HOLD now, approved or voided later.
        ctx.later(late.afterMs(), () -> settle(ctx, entry, late.charges() ? approved : null, autoCapture, callbackUrl));
      } else if (sc == SimScenario.PENDING_THEN_APPROVED) {
        ctx.later(SimScenario.PENDING_SETTLE_MS, () -> settle(ctx, entry, approved, autoCapture, callbackUrl));
      }
      if (late == null && sc == SimScenario.SLOW_APPROVED) {
        ctx.later(SimScenario.SLOW_ANSWER_MS, () -> send(rc, 200, answer));
      } else {
        send(rc, 200, answer);
      }
    }
  }

  private static boolean hasToggle(String header, String toggle) {
    if (header == null) return false;
    for (String t : header.split(",")) {
      if (t.trim().equals(toggle)) return true;
    }
    return false;
  }

  private static void addApprovalEvents(JsonObject tx, long amount, String now, boolean capture) {
    tx.getJsonArray("events").add(event("AUTHORIZE", true, amount, now, "AUTHORIZED"));
    if (capture) tx.getJsonArray("events").add(event("CAPTURE", true, amount, now, "CAPTURED"));
  }

  private static JsonObject event(String name, boolean success, long amount, String at, String txStatus) {
    return new JsonObject().put("id", Long.toString(System.nanoTime(), 36)).put("event", name)
        .put("success", success).put("amount", amount).put("created_at", at)
        .put("transaction_status", txStatus);
  }

  /** The AUTHORIZE event of a decline, with Dintero's error object. */
  static JsonObject declineEvent(SimScenario sc, long amount, String at) {
    String type, message, resultCode;
    boolean doNotRetry;
    switch (sc) {
      case INSUFFICIENT_FUNDS -> { type = "INSUFFICIENT_FUNDS"; message = "Insufficient funds"; resultCode = "51"; doNotRetry = false; }
      case DO_NOT_HONOR -> { type = "DECLINED"; message = "Do not honor"; resultCode = "05"; doNotRetry = false; }
      case EXPIRED_CARD -> { type = "EXPIRED_CARD"; message = "Expired card"; resultCode = "54"; doNotRetry = true; }
      default -> { type = "PICK_UP_CARD"; message = "Pick up card, suspected fraud"; resultCode = "59"; doNotRetry = true; }
    }
    JsonObject retry = new JsonObject().put("retry_codes",
        new JsonArray().add(doNotRetry ? "DO_NOT_RETRY" : "RETRY_AFTER_DELAY"));
    if (!doNotRetry) retry.put("retry_after", 86_400);
    JsonObject error = new JsonObject().put("code", "authorization").put("message", message)
        .put("type", type).put("result_code", resultCode).put("retry_policy", retry);
    return event("AUTHORIZE", false, amount, at, "FAILED").put("error", error);
  }

  /**
   * A payment ON_HOLD settles: {@code approved} (AUTHORIZED or CAPTURED) or, when null (the
   * cancel fault), AUTHORIZATION_VOIDED with a VOID event and no error (closed unpaid). The
   * merchant's callback_url is then called, signed over the URL actually called. A payment no
   * longer ON_HOLD is left alone.
   */
  private void settle(SimContext ctx, Ledger.Entry entry, String approved, boolean autoCapture, String callbackUrl) {
    String now = Instant.now().toString();
    synchronized (entry.data) {
      if (!"ON_HOLD".equals(entry.status())) return;
      JsonArray events = entry.data.getJsonArray("events");
      String status;
      if (approved == null) {
        status = "AUTHORIZATION_VOIDED";
        events.add(event("VOID", true, entry.amount, now, status));
      } else {
        status = approved;
        events.add(event("AUTHORIZE", true, entry.amount, now, "AUTHORIZED"));
        if (autoCapture) events.add(event("CAPTURE", true, entry.amount, now, "CAPTURED"));
      }
      entry.data.put("status", status).put("updated_at", now);
      entry.status(status);
    }
    if (callbackUrl == null) return;
    JsonObject tx = copy(entry);
    String url = ctx.callbackTarget(callbackUrl + (callbackUrl.contains("?") ? "&" : "?")
        + "transaction_id=" + enc(entry.id)
        + "&session_id=" + enc(tx.getString("session_id"))
        + "&merchant_reference=" + enc(entry.reference)
        + "&time=" + enc(tx.getString("created_at"))
        + "&event=" + (approved == null ? "VOID" : autoCapture ? "CAPTURE" : "AUTHORIZE"));
    HttpMethod method = wantsPost(callbackUrl) ? HttpMethod.POST : HttpMethod.GET;
    SimCredentials creds = ctx.credentials();
    String signature = DinteroCallbackSignature.header(creds.dinteroSignatureSecret(),
        creds.dinteroAccountId(), method.name(), url, System.currentTimeMillis() / 1000);
    Map<String, String> headers = method == HttpMethod.POST
        ? Map.of(DinteroCallbackSignature.HEADER, signature, "event-delivery", "callback", "content-type", "application/json")
        : Map.of(DinteroCallbackSignature.HEADER, signature, "event-delivery", "callback");
    ctx.sendWebhook(method, url, headers, method == HttpMethod.POST ? tx.encode() : null);
  }

  private static boolean wantsPost(String callbackUrl) {
    int q = callbackUrl.indexOf('?');
    if (q < 0) return false;
    for (String p : callbackUrl.substring(q + 1).split("&")) {
      if (p.equalsIgnoreCase("method=POST")) return true;
    }
    return false;
  }

  // ---------------------------------------------------------------- refunds

  /**
   * {@code POST /v1/transactions/{id}/refund} with {@code {amount, refund_reference?, reason?}}:
   * a captured transaction is refunded in part or in full, at most what is left (else 400). The
   * refund amount's last two digits pick the scenario: 91 the PSP's 500 (nothing refunded), 96
   * refunded and answered after 10 s, 77 accepted with 202 (an {@code INITIATE_REFUND} event),
   * refunded 2 s later; otherwise 200 with the {@code REFUND} event. Every refund event carries
   * {@code event_reference} = the refund_reference.
   */
  private void refund(SimContext ctx, RoutingContext rc) {
    Ledger.Entry e = ctx.ledger().get(rc.pathParam("id"));
    if (e == null) {
      error(rc, 404, "not_found", "Transaction not found");
      return;
    }
    JsonObject req = json(rc);
    if (req == null) return;
    if (!(req.getValue("amount") instanceof Number n) || n.doubleValue() != n.longValue() || n.longValue() < 1) {
      validation(rc, List.of("amount must be a positive integer in minor units"));
      return;
    }
    long amount = ((Number) req.getValue("amount")).longValue();
    if (!"CAPTURED".equals(e.status())) {
      error(rc, 400, "bad_request", "Only a captured transaction can be refunded (status " + e.status() + ")");
      return;
    }
    SimScenario sc = SimScenario.of(amount);
    if (sc == SimScenario.SERVER_ERROR) {
      rc.response().setStatusCode(500).putHeader("content-type", "application/json").end(serverErrorBody(500));
      return;
    }
    boolean pending = sc == SimScenario.PENDING_THEN_APPROVED;
    String reference = req.getValue("refund_reference") instanceof String r ? r : null;
    Ledger.Refund refund = e.refund(Long.toString(System.nanoTime(), 36), amount,
        pending ? Ledger.Refund.PENDING : Ledger.Refund.SUCCEEDED, reference);
    if (refund == null) {
      error(rc, 400, "bad_request", "The amount exceeds what is left to refund (" + e.refundable() + ")");
      return;
    }
    if (pending) {
      ctx.later(SimScenario.PENDING_SETTLE_MS, () -> e.settleRefund(refund, Ledger.Refund.SUCCEEDED));
      send(rc, 202, copy(e));
      return;
    }
    JsonObject answer = copy(e);
    if (sc == SimScenario.SLOW_APPROVED) {
      ctx.later(SimScenario.SLOW_ANSWER_MS, () -> send(rc, 200, answer));
    } else {
      send(rc, 200, answer);
    }
  }

  // ---------------------------------------------------------------- transactions

  private void transaction(SimContext ctx, RoutingContext rc) {
    Ledger.Entry e = ctx.ledger().replicaGet(rc.pathParam("id"));
    if (e == null) {
      error(rc, 404, "not_found", "Transaction not found");
      return;
    }
    send(rc, 200, copy(e));
  }

  private void list(SimContext ctx, State st, RoutingContext rc) {
    String ref = rc.request().getParam("merchant_reference");
    List<String> sessionIds = rc.queryParam("session_id");
    JsonArray out = new JsonArray();
    List<Ledger.Entry> entries = new ArrayList<>();
    if (ref != null) {
      entries.addAll(ctx.ledger().replicaByReference(ref));
    } else {
      for (String id : Bounded.snapshot(st.txIds)) {
        Ledger.Entry e = ctx.ledger().replicaGet(id);
        if (e != null) entries.add(e);
      }
    }
    int limit = 100;
    try {
      String l = rc.request().getParam("limit");
      if (l != null) limit = Math.max(1, Math.min(1000, Integer.parseInt(l)));
    } catch (NumberFormatException ignored) {
      // default limit
    }
    for (Ledger.Entry e : entries) {
      JsonObject tx = copy(e);
      if (!sessionIds.isEmpty() && !sessionIds.contains(tx.getString("session_id"))) continue;
      if (out.size() >= limit) break;
      out.add(tx);
    }
    rc.response().setStatusCode(200).putHeader("content-type", "application/json").end(out.encode());
  }

  /**
   * A transaction as Dintero shows it now, with its refunds (those inquiries see) as events:
   * {@code INITIATE_REFUND} for each refund, then {@code REFUND} once it settled; the status
   * {@code PARTIALLY_REFUNDED} or {@code REFUNDED} once refunds succeeded.
   */
  private static JsonObject copy(Ledger.Entry e) {
    JsonObject tx;
    synchronized (e.data) {
      tx = e.data.copy();
    }
    List<Ledger.Refund> refunds = e.visibleRefunds();
    if (refunds.isEmpty() || !"CAPTURED".equals(e.status())) return tx;
    JsonArray events = tx.getJsonArray("events", new JsonArray());
    long refunded = 0;
    for (Ledger.Refund r : refunds) {
      String at = Instant.ofEpochMilli(r.createdAt).toString();
      String correlation = "rq_" + r.id;
      events.add(event("INITIATE_REFUND", true, r.amount, at, "CAPTURED").put("event_reference", r.reference)
          .put("request_id", correlation));
      if (Ledger.Refund.PENDING.equals(r.status())) continue;
      boolean ok = Ledger.Refund.SUCCEEDED.equals(r.status());
      if (ok) refunded += r.amount;
      events.add(event("REFUND", ok, r.amount, at, refunded >= e.amount ? "REFUNDED" : "PARTIALLY_REFUNDED")
          .put("id", r.id).put("event_reference", r.reference).put("correlation_request_id", correlation));
    }
    tx.put("events", events);
    if (refunded > 0) tx.put("status", refunded >= e.amount ? "REFUNDED" : "PARTIALLY_REFUNDED");
    return tx;
  }

  // ---------------------------------------------------------------- helpers

  private static JsonObject json(RoutingContext rc) {
    try {
      JsonObject o = rc.body().asJsonObject();
      if (o == null) error(rc, 400, "invalid_request", "Missing request body");
      return o;
    } catch (RuntimeException e) {
      error(rc, 400, "invalid_request", "Malformed JSON");
      return null;
    }
  }

  private static void validation(RoutingContext rc, List<String> problems) {
    JsonArray errors = new JsonArray();
    problems.forEach(p -> errors.add(new JsonObject().put("message", p)));
    rc.response().setStatusCode(400).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", "validation_error")
            .put("message", "Invalid request").put("errors", errors)).encode());
  }

  private static void error(RoutingContext rc, int status, String code, String message) {
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", new JsonObject().put("code", code).put("message", message)).encode());
  }

  private static void send(RoutingContext rc, int status, JsonObject body) {
    if (rc.response().closed() || rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("content-type", "application/json").end(body.encode());
  }

  private static String enc(String s) {
    return URLEncoder.encode(s == null ? "" : s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  // ---------------------------------------------------------------- fixtures (PSP registry)

  @Override
  public String sampleCurrency() {
    return "NOK";
  }

  @Override
  public java.util.Map<String, String> sampleToken(String token) {
    return java.util.Map.of("payment_product_type", "dintero_psp.creditcard", "payment_token", token);
  }

  @Override
  public java.util.Map<String, Object> providerConfig(String simulatorUrl) {
    return java.util.Map.of("base_url", simulatorUrl + "/dintero/v1",
        "credentials", java.util.Map.of("client_id", SimCredentials.DINTERO_CLIENT_ID,
            "client_secret", SimCredentials.DINTERO_CLIENT_SECRET,
            "signature_secret", SimCredentials.DINTERO_SIGNATURE_SECRET),
        "options", java.util.Map.of("account_id", SimCredentials.DINTERO_ACCOUNT_ID,
            "auth_url", simulatorUrl + "/dintero/v1"));
  }
}
