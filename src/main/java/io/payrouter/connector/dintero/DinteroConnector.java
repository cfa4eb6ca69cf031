package io.payrouter.connector.dintero;

import io.payrouter.domain.WebhookRejectedException;

import io.payrouter.common.FieldError;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.AccessToken;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.Connector;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Step;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonObject;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Dintero Checkout: client-credentials token, then merchant-initiated {@code POST /sessions/pay}
 * with a stored card token, inquiry by transaction id or merchant_reference, signed session
 * callbacks confirmed by fetching the transaction.
 *
 * <p><b>Config:</b> {@code base_url} = the checkout API base, e.g. {@code https://checkout.dintero.com/v1};
 * options {@code account_id} (T... sandbox, P... production), {@code auth_url} (base of the token
 * call; default the base_url, real {@code https://api.dintero.com/v1}), {@code audience} (default
 * {@code https://api.dintero.com/v1/accounts/{account_id}}); credentials {@code client_id},
 * {@code client_secret}, {@code signature_secret}.
 *
 * <p><b>Card token fields:</b> {@code payment_product_type} (payex.creditcard, bambora.creditcard or
 * dintero_psp.creditcard) and exactly one of {@code payment_token} or {@code recurrence_token}
 * (the latter only for payex.creditcard, as Dintero documents).
 *
 * <p><b>Money safety:</b> the single {@code sessions/pay} call moves money; it carries
 * {@code Dintero-Feature-Toggles: strict-merchant-reference} with {@code merchant_reference} = the
 * attempt's reference ({@code ch_X}, {@code ch_X-2}), so a repeated call cannot charge twice, and
 * the inquiry finds the payment by that reference (no checkpoint needed).
 *
 * <p>Pure mapping: no I/O. The clock (signature window, token expiry) is injected.
 */
public final class DinteroConnector implements Connector {

  public static final String TYPE = "dintero";
  static final String FEATURE_TOGGLES = "strict-merchant-reference";
  static final Set<String> PRODUCT_TYPES = Set.of("payex.creditcard", "bambora.creditcard", "dintero_psp.creditcard");
  /** Used when the token answer carries no expires_in: refresh soon rather than trust it long. */
  static final long DEFAULT_EXPIRES_IN_S = 60;
  private static final Set<String> TOKEN_FIELDS = Set.of("payment_product_type", "payment_token", "recurrence_token");

  private final Clock clock;

  public DinteroConnector() {
    this(Clock.systemUTC());
  }

  public DinteroConnector(Clock clock) {
    this.clock = clock;
  }

  @Override
  public String type() {
    return TYPE;
  }

  // ---------------------------------------------------------------- token fields

  @Override
  public List<FieldError> validateToken(JsonObject token) {
    List<FieldError> errors = new ArrayList<>();
    if (token == null) {
      errors.add(FieldError.required("payment_product_type"));
      return errors;
    }
    for (String k : token.fieldNames()) {
      if (!TOKEN_FIELDS.contains(k)) errors.add(FieldError.unknownField(k));
    }
    Object ppt = token.getValue("payment_product_type");
    if (ppt == null) {
      errors.add(FieldError.required("payment_product_type"));
    } else if (!(ppt instanceof String s) || !PRODUCT_TYPES.contains(s)) {
      errors.add(new FieldError("payment_product_type",
          "payment_product_type must be one of payex.creditcard, bambora.creditcard, dintero_psp.creditcard"));
    }
    boolean hasPayment = checkTokenString(token, "payment_token", errors);
    boolean hasRecurrence = checkTokenString(token, "recurrence_token", errors);
    if (hasPayment && hasRecurrence) {
      errors.add(new FieldError("recurrence_token", "recurrence_token cannot be given with payment_token: give exactly one of them"));
    } else if (!hasPayment && !hasRecurrence && !token.containsKey("payment_token")
        && !token.containsKey("recurrence_token")) {
      errors.add(new FieldError("payment_token", "payment_token or recurrence_token is required"));
    }
    if (hasRecurrence && ppt instanceof String s && PRODUCT_TYPES.contains(s) && !s.equals("payex.creditcard")) {
      errors.add(new FieldError("recurrence_token", "recurrence_token is accepted only with payment_product_type payex.creditcard"));
    }
    return errors;
  }

  private static boolean checkTokenString(JsonObject token, String field, List<FieldError> errors) {
    if (!token.containsKey(field)) return false;
    if (!(token.getValue(field) instanceof String s) || s.isBlank() || s.length() > 1024) {
      errors.add(new FieldError(field, field + " must be a string of 1 to 1024 characters, not only spaces"));
      return false;
    }
    return true;
  }

  // ---------------------------------------------------------------- auth

  /**
   * {@code POST {auth_url}/accounts/{aid}/auth/token} with Basic client_id:client_secret and
   * {@code {"grant_type":"client_credentials","audience":...}}.
   *
   * <p>On a non-2xx or unusable answer the next-function <b>throws
   * {@link PspUnavailableException}</b> ("auth failed: 401", ...): no token is produced, so the
   * dispatcher sends no charge and treats the attempt as not_sent (a failed auth never moves
   * money). A 2xx yields {@code AccessToken(access_token, now + expires_in * 1000)}.
   */
  @Override
  public Optional<Step<AccessToken>> authenticate(CallContext ctx) {
    ProviderConfig p = ctx.provider();
    String aid = p.option("account_id", "");
    String authBase = p.option("auth_url", null);
    String path = "/accounts/" + enc(aid) + "/auth/token";
    String url = authBase == null || authBase.isBlank() ? path : stripSlash(authBase) + path;
    String audience = p.option("audience", "https://api.dintero.com/v1/accounts/" + aid);
    String basic = Base64.getEncoder().encodeToString(
        (p.credential("client_id") + ":" + p.credential("client_secret")).getBytes(StandardCharsets.UTF_8));
    Map<String, String> headers = Map.of("Authorization", "Basic " + basic,
        "Content-Type", "application/json", "Accept", "application/json");
    String body = new JsonObject().put("grant_type", "client_credentials").put("audience", audience).encode();
    return Optional.of(Step.call(HttpCall.post(url, headers, body), reply -> {
      if (!reply.is2xx()) throw new PspUnavailableException("auth failed: " + reply.status());
      JsonObject j = reply.json();
      if (j == null || !(j.getValue("access_token") instanceof String token) || token.isBlank()) {
        throw new PspUnavailableException("auth failed: no access_token in answer");
      }
      long expiresIn = j.getValue("expires_in") instanceof Number n && n.longValue() > 0
          ? n.longValue() : DEFAULT_EXPIRES_IN_S;
      return Step.done(new AccessToken(token, clock.millis() + expiresIn * 1000L));
    }));
  }

  // ---------------------------------------------------------------- charge

  @Override
  public Step<PspResult> charge(CallContext ctx, ChargeInput in) {
    if (ctx.accessToken() == null || ctx.accessToken().isBlank()) {
      return Step.done(PspResult.notSent(NotSentReason.AUTHENTICATION_FAILED, "no dintero access token"));
    }
    Map<String, String> tok = in.token();
    String ppt = tok == null ? null : tok.get("payment_product_type");
    String recurrence = tok == null ? null : tok.get("recurrence_token");
    String payment = tok == null ? null : tok.get("payment_token");
    if (ppt == null || !PRODUCT_TYPES.contains(ppt) || (recurrence == null) == (payment == null)) {
      return Step.done(PspResult.notSent(NotSentReason.NO_TOKEN, "dintero token fields incomplete"));
    }
    return Step.call(HttpCall.post("/sessions/pay", payHeaders(ctx), payBody(in).encode()).movingMoney(),
        reply -> Step.done(DinteroMapping.payResult(reply)));
  }

  static Map<String, String> payHeaders(CallContext ctx) {
    return Map.of("Authorization", "Bearer " + ctx.accessToken(),
        "Content-Type", "application/json", "Accept", "application/json",
        "Dintero-Feature-Toggles", FEATURE_TOGGLES);
  }

  /** The {@code sessions/pay} body (see the class comment and src/docs/psps.md §4). */
  static JsonObject payBody(ChargeInput in) {
    Map<String, String> tok = in.token();
    String ppt = tok.get("payment_product_type");
    boolean recurring = tok.get("recurrence_token") != null;
    JsonObject tokenObj = recurring
        ? new JsonObject().put("recurrence_token", tok.get("recurrence_token"))
        : new JsonObject().put("payment_token", tok.get("payment_token"));
    JsonObject customer = new JsonObject();
    if (in.customerEmail() != null) customer.put("email", in.customerEmail());
    customer.put("tokens", new JsonObject().put(ppt, tokenObj));
    JsonObject session = new JsonObject()
        .put("order", new JsonObject().put("amount", in.amount()).put("currency", in.currency())
            .put("merchant_reference", in.reference()))
        .put("customer", customer);
    if (in.callbackUrl() != null) {
      session.put("url", new JsonObject().put("callback_url", callbackUrl(in.callbackUrl())));
    }
    session.put("configuration", new JsonObject().put("auto_capture", true));
    return new JsonObject().put("session", session).put("payment", new JsonObject()
        .put("payment_product_type", ppt)
        .put("operation", recurring ? "recurring_purchase" : "unscheduled_purchase"));
  }

  /** Asks Dintero to POST the callback (documented: {@code method=POST} in the callback URL). */
  static String callbackUrl(String routerUrl) {
    return routerUrl + (routerUrl.contains("?") ? "&" : "?") + "method=POST";
  }

  // ---------------------------------------------------------------- inquiry

  /**
   * {@code GET /transactions/{id}} when the transaction id is known, else
   * {@code GET /transactions?merchant_reference={reference}} (empty list: not found).
   */
  @Override
  public Step<InquiryResult> inquire(CallContext ctx, InquiryInput in) {
    if (ctx.accessToken() == null || ctx.accessToken().isBlank()) {
      return Step.done(InquiryResult.unknown("no dintero access token"));
    }
    Map<String, String> h = readHeaders(ctx);
    if (in.providerReference() != null) {
      return Step.call(HttpCall.get("/transactions/" + enc(in.providerReference()), h),
          reply -> Step.done(DinteroMapping.transactionInquiry(reply, in.reference())));
    }
    return Step.call(HttpCall.get("/transactions?merchant_reference=" + enc(in.reference()), h),
        reply -> Step.done(DinteroMapping.listInquiry(reply, in.reference())));
  }

  /**
   * None: Dintero's {@code POST /v1/transactions/{id}/void} cancels the authorization of a
   * transaction, by its id, "at any moment before capture" [NODE payments.d.ts
   * transactions_id_void_post]. We charge with {@code auto_capture}, so a payment that could be
   * closed unpaid is one Dintero has not authorized, and an in-doubt {@code sessions/pay} left us
   * no transaction id; Dintero documents no call that closes a payment by merchant_reference.
   */
  @Override
  public Optional<Step<InquiryResult>> cancel(CallContext ctx, InquiryInput in) {
    return Optional.empty();
  }

  /** Partial and total refunds are documented [NODE transactions_id_refund_post]. */
  @Override
  public Optional<String> refundRefusal(long chargeAmount, Long requested) {
    return Optional.empty();
  }

  /** {@code POST /transactions/{id}/refund} with our refund id as refund_reference (see {@link DinteroRefunds}). */
  @Override
  public Optional<Step<PspResult>> refund(CallContext ctx, RefundInput in) {
    if (ctx.accessToken() == null || ctx.accessToken().isBlank()) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.AUTHENTICATION_FAILED, "no dintero access token")));
    }
    if (in.chargeProviderReference() == null) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "no dintero transaction id to refund")));
    }
    Map<String, String> h = Map.of("Authorization", "Bearer " + ctx.accessToken(),
        "Content-Type", "application/json", "Accept", "application/json");
    HttpCall call = HttpCall.post("/transactions/" + enc(in.chargeProviderReference()) + "/refund", h,
        DinteroRefunds.body(in).encode()).movingMoney();
    return Optional.of(Step.call(call, r -> Step.done(DinteroRefunds.refundResult(in, r))));
  }

  /** {@code GET /transactions/{id}}: this refund's events, by its refund_reference. */
  @Override
  public Step<InquiryResult> inquireRefund(CallContext ctx, RefundInput in) {
    if (ctx.accessToken() == null || ctx.accessToken().isBlank()) {
      return Step.done(InquiryResult.unknown("no dintero access token"));
    }
    if (in.chargeProviderReference() == null) return Step.done(InquiryResult.unknown("no dintero transaction id"));
    return Step.call(HttpCall.get("/transactions/" + enc(in.chargeProviderReference()), readHeaders(ctx)),
        r -> Step.done(DinteroRefunds.inquiryResult(in, r)));
  }

  static Map<String, String> readHeaders(CallContext ctx) {
    return Map.of("Authorization", "Bearer " + ctx.accessToken(), "Accept", "application/json");
  }

  // ---------------------------------------------------------------- webhook

  /**
   * Verifies {@code Dintero-Signature} (see {@link DinteroSignature}) against the injected clock,
   * then fetches {@code GET /transactions/{transaction_id}}: the callback itself is only a hint.
   * A bad, missing or stale signature throws {@link WebhookRejectedException} at once; an unknown
   * transaction (404) or a merchant_reference that does not match the transaction's is rejected
   * too; any other failure of the fetch throws {@link PspUnavailableException} (Dintero retries).
   * A callback without {@code transaction_id} (e.g. {@code report_error}) is acknowledged and
   * ignored. The parameters are read from the signed URL itself ({@link DinteroSignature#params}),
   * not from {@code WebhookInput.query()}.
   */
  @Override
  public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput in) {
    ProviderConfig p = ctx.provider();
    DinteroSignature.verify(in.header(DinteroSignature.HEADER), p.credential("signature_secret"),
        p.option("account_id", ""), in.method(), in.url(), clock.millis());
    Map<String, String> query = DinteroSignature.params(in.url());
    String txId = query.get("transaction_id");
    if (txId == null || txId.isBlank()) return Step.done(WebhookEvent.ignored());
    if (ctx.accessToken() == null || ctx.accessToken().isBlank()) {
      throw new PspUnavailableException("no dintero access token");
    }
    String queryRef = query.get("merchant_reference");
    return Step.call(HttpCall.get("/transactions/" + enc(txId), readHeaders(ctx)), reply -> {
      if (reply.status() == 404) throw new WebhookRejectedException("unknown dintero transaction");
      if (!reply.is2xx()) throw new PspUnavailableException("dintero answered " + reply.status());
      JsonObject tx = reply.json();
      if (tx == null) throw new PspUnavailableException("dintero answer not JSON");
      // The event names the attempt by the merchant_reference the fetched transaction carries.
      String ref = DinteroMapping.str(tx, "merchant_reference");
      if (queryRef != null && !queryRef.equals(ref)) {
        throw new WebhookRejectedException("merchant_reference does not match the transaction");
      }
      if (ref == null) return Step.done(WebhookEvent.ignored());
      // The transaction's amount: integer minor units, as the session was created [README 4].
      return Step.done(new WebhookEvent(ref, DinteroMapping.fromTransaction(tx))
          .withAmount(tx.getValue("amount"), DinteroMapping.str(tx, "currency"), false));
    });
  }

  // ---------------------------------------------------------------- helpers

  static String enc(String s) {
    return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }
}
