package io.payrouter.connector.fatora;

import io.payrouter.domain.WebhookRejectedException;

import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.Connector;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.RefundInput;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.TokenFields;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.connector.Signatures;
import io.payrouter.config.ProviderConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Fatora (api.fatora.io): {@code api_key} header, {@code POST /v1/payments/collect-payment} with
 * {@code card_token}, {@code order_id} (= the attempt's reference) and a decimal {@code amount} in
 * the account's currency; {@code POST /v1/payments/verify} for status;
 * {@code POST /api/v1/payments/deactivate-card-token} when a card is deleted. Fatora documents no
 * server webhooks: a relayed callback must carry an HMAC-SHA256 {@code X-Signature} (contract rule)
 * and is then confirmed by verify, never trusted on its own: only verify's answer (its status,
 * amount and currency, for the same {@code order_id}) is applied; a verify that fails is retried.
 *
 * <p>Config: credentials {@code api_key}, {@code webhook_secret}; options {@code account_currency}
 * (required: Fatora accounts have one currency; a charge in another currency is not sent, and a
 * provider whose {@code currencies} list another currency is refused at start).
 */
public final class FatoraConnector implements Connector {

  @Override
  public String type() {
    return "fatora";
  }

  @Override
  public List<FieldError> validateToken(JsonObject token) {
    return TokenFields.requireStrings(token, List.of("card_token"));
  }

  private static Map<String, String> headers(ProviderConfig p) {
    return Map.of("api_key", p.credential("api_key"), "Content-Type", "application/json",
        "Accept", "application/json");
  }

  /**
   * A Fatora account has one currency and collect-payment takes no currency field, so an amount in
   * any other currency would be taken as that many units of the account's currency. The provider
   * must name {@code options.account_currency} and be routed in that currency alone.
   */
  @Override
  public List<String> configProblems(ProviderConfig p) {
    String prefix = "providers." + p.name() + ".";
    String account = accountCurrency(p);
    if (account == null) {
      return List.of(prefix + "options.account_currency: required (a Fatora account has one currency)");
    }
    if (!Currencies.isKnown(account)) {
      return List.of(prefix + "options.account_currency: unknown currency '" + account + "'");
    }
    List<String> others = p.currencies().stream().filter(c -> !c.equals(account)).sorted().toList();
    if (others.isEmpty()) return List.of();
    return List.of(prefix + "currencies: " + String.join(", ", others) + " cannot be charged on a Fatora account in "
        + account + " (options.account_currency); list only " + account);
  }

  /** {@code options.account_currency}, or null when not set. */
  static String accountCurrency(ProviderConfig p) {
    Object v = p.options() == null ? null : p.options().getValue("account_currency");
    return v instanceof String s && !s.isBlank() ? s.trim() : null;
  }

  @Override
  public Step<PspResult> charge(CallContext ctx, ChargeInput in) {
    ProviderConfig p = ctx.provider();
    // Never a call in any other currency than the account's: Fatora would take the amount as that
    // many units of its own currency. (The router refuses such a configuration at start, too.)
    String accountCurrency = accountCurrency(p);
    if (accountCurrency == null) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "fatora account_currency is not configured"));
    }
    if (!accountCurrency.equals(in.currency())) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "fatora account currency is " + accountCurrency));
    }
    String cardToken = in.token() == null ? null : in.token().get("card_token");
    if (cardToken == null || cardToken.isBlank()) {
      return Step.done(PspResult.notSent(NotSentReason.NO_TOKEN, "card has no fatora card_token"));
    }
    String body = new JsonObject()
        .put("card_token", cardToken)
        .put("order_id", in.reference())
        .put("amount", Currencies.toMajor(in.amount(), in.currency()))
        .encode();
    HttpCall call = HttpCall.post("/v1/payments/collect-payment", headers(p), body).movingMoney();
    return Step.call(call, reply -> Step.done(FatoraMapping.collectResult(reply)));
  }

  @Override
  public Step<InquiryResult> inquire(CallContext ctx, InquiryInput in) {
    JsonObject body = new JsonObject().put("order_id", in.reference());
    if (in.providerReference() != null) body.put("transaction_id", in.providerReference());
    return Step.call(HttpCall.post("/v1/payments/verify", headers(ctx.provider()), body.encode()),
        reply -> Step.done(FatoraMapping.verifyResult(reply, in.reference())));
  }

  /**
   * None: Fatora documents no call that closes an unpaid payment by {@code order_id} (collect,
   * verify, refund of a transaction, and token deactivation only [README 3]).
   */
  @Override
  public Optional<Step<InquiryResult>> cancel(CallContext ctx, InquiryInput in) {
    return Optional.empty();
  }

  /** Full refunds only (see {@link FatoraRefunds}). */
  @Override
  public Optional<String> refundRefusal(long chargeAmount, Long requested) {
    return Optional.ofNullable(FatoraRefunds.refusal(chargeAmount, requested));
  }

  /** {@code POST /api/v1/payments/refund} with the charge's transaction_id and order_id. */
  @Override
  public Optional<Step<PspResult>> refund(CallContext ctx, RefundInput in) {
    if (!in.full()) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "fatora refunds whole payments only")));
    }
    if (in.chargeProviderReference() == null) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "no fatora transaction_id to refund")));
    }
    HttpCall call = HttpCall.post("/api/v1/payments/refund", headers(ctx.provider()), FatoraRefunds.body(in).encode())
        .movingMoney();
    return Optional.of(Step.call(call, r -> Step.done(FatoraRefunds.refundResult(r))));
  }

  /** {@code POST /v1/payments/verify} for the charge's order (CONVENTION: its refund_status). */
  @Override
  public Step<InquiryResult> inquireRefund(CallContext ctx, RefundInput in) {
    JsonObject body = new JsonObject().put("order_id", in.chargeReference());
    if (in.chargeProviderReference() != null) body.put("transaction_id", in.chargeProviderReference());
    return Step.call(HttpCall.post("/v1/payments/verify", headers(ctx.provider()), body.encode()),
        reply -> Step.done(FatoraRefunds.inquiryResult(reply, in)));
  }

  @Override
  public Optional<Step<Boolean>> deactivateToken(CallContext ctx, Map<String, String> token) {
    String body = new JsonObject().put("card_token", token.get("card_token"))
        .put("order_id", "deactivate").encode();
    return Optional.of(Step.call(
        HttpCall.post("/api/v1/payments/deactivate-card-token", headers(ctx.provider()), body),
        // 422: "token already deactivated": the goal is reached.
        reply -> Step.done(reply.is2xx() || reply.status() == 422)));
  }

  @Override
  public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput in) {
    String secret = ctx.provider().credential("webhook_secret");
    if (secret.isEmpty() || !Signatures.hmacSha256HexMatches(secret, in.body(), in.header("X-Signature"))) {
      throw new WebhookRejectedException("bad signature");
    }
    JsonObject body;
    try {
      body = new JsonObject(in.body());
    } catch (RuntimeException e) {
      throw new WebhookRejectedException("body is not JSON");
    }
    String orderId = body.getString("order_id");
    if (orderId == null) return Step.done(WebhookEvent.ignored());
    // The callback only says "look at this order": verify is the documented source of truth.
    return Step.call(HttpCall.post("/v1/payments/verify", headers(ctx.provider()),
            new JsonObject().put("order_id", orderId).encode()),
        reply -> {
          // A verify that could not be made must be retried by the relay, never acknowledged.
          if (reply.status() != 404 && !reply.is2xx()) {
            throw new PspUnavailableException("fatora verify answered " + reply.status());
          }
          JsonObject result = reply.is2xx() ? FatoraMapping.verifiedResult(reply) : null;
          // The event names the attempt by the order_id verify echoes, and only one that is the
          // order the callback asked about.
          if (result != null && !orderId.equals(FatoraMapping.verifiedOrderId(result))) {
            throw new WebhookRejectedException("verify answered about another order");
          }
          InquiryResult r = FatoraMapping.verifyResult(reply, orderId);
          if (r.kind() != InquiryResult.Kind.FOUND) return Step.done(WebhookEvent.ignored());
          // verify's amount is decimal major units; its currency, else the account's (one per account).
          String currency = result.getValue("currency") instanceof String c && !c.isBlank() ? c
              : ctx.provider().option("account_currency", null);
          return Step.done(new WebhookEvent(FatoraMapping.verifiedOrderId(result), r.result())
              .withAmount(result.getValue("amount"), currency, true));
        });
  }
}
