package io.payrouter.connector.revio;

import io.payrouter.domain.WebhookRejectedException;

import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.Connector;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Step;
import io.payrouter.connector.TokenFields;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.security.PublicKey;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Revio (gate.reviopay.com, the CHIP Collect API). Pure mapping, no I/O.
 *
 * <p>Charge = two calls [README 1]: {@code POST /purchases/} (creates the purchase, moves no
 * money), then {@code POST /purchases/{id}/charge/} with the card's {@code recurring_token}, sent
 * only after the purchase id is durable (checkpoint), so a timeout is settled by
 * {@code GET /purchases/{id}/}. Revio has no idempotency header; the unit of de-duplication is the
 * purchase, and a purchase is charged at most once.
 *
 * <p>Config: {@code base_url} (e.g. https://gate.reviopay.com/api/v1), credential
 * {@code secret_key}, option {@code brand_id}, optional option {@code public_key} (PEM of the
 * webhook key; without it the webhook flow fetches {@code GET /public_key/}).
 */
public final class RevioConnector implements Connector {
  public static final String TYPE = "revio";

  public static final String CLIENT_ID = "client_id";
  public static final String RECURRING_TOKEN = "recurring_token";

  /** CHIP limits a product name to 256 characters. */
  static final int MAX_PRODUCT_NAME = 256;

  /** A fetched key that fails a signature is re-fetched (rotation), at most this often. */
  static final long KEY_REFETCH_MIN_INTERVAL_MS = 60_000;

  private final Map<String, PublicKey> configuredKeys = new ConcurrentHashMap<>();
  private final Map<String, FetchedKey> fetchedKeys = new ConcurrentHashMap<>();

  private record FetchedKey(PublicKey key, long fetchedAtMs) {}

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<FieldError> validateToken(JsonObject token) {
    return TokenFields.requireStrings(token, List.of(CLIENT_ID, RECURRING_TOKEN));
  }

  @Override
  public Step<PspResult> charge(CallContext ctx, ChargeInput in) {
    String clientId = tokenField(in, CLIENT_ID);
    String recurringToken = tokenField(in, RECURRING_TOKEN);
    if (clientId == null || recurringToken == null) {
      return Step.done(PspResult.notSent(NotSentReason.NO_TOKEN, "card has no complete revio token"));
    }
    String brandId = ctx.provider().option("brand_id", "");
    if (brandId.isBlank()) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "revio brand_id is not configured"));
    }
    if (!Currencies.isKnown(in.currency())) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "unknown currency"));
    }

    HttpCall create = HttpCall.post("/purchases/", headers(ctx, true),
        purchaseBody(in, brandId, clientId).encode());
    return Step.call(create, reply -> afterCreate(ctx, reply, recurringToken));
  }

  /** The body of {@code POST /purchases/}: amounts in integer minor units [README 1]. */
  static JsonObject purchaseBody(ChargeInput in, String brandId, String clientId) {
    JsonObject product = new JsonObject()
        .put("name", productName(in))
        .put("price", in.amount())
        .put("quantity", 1);
    JsonObject body = new JsonObject()
        .put("brand_id", brandId)
        .put("client_id", clientId)
        .put("purchase", new JsonObject()
            .put("currency", in.currency())
            .put("products", new JsonArray().add(product)))
        .put("reference", in.reference());
    if (in.callbackUrl() != null) body.put("success_callback", in.callbackUrl());
    return body;
  }

  private static String productName(ChargeInput in) {
    String name = in.description() == null || in.description().isBlank()
        ? "Charge " + in.chargeId() : in.description();
    return name.length() > MAX_PRODUCT_NAME ? name.substring(0, MAX_PRODUCT_NAME) : name;
  }

  private Step<PspResult> afterCreate(CallContext ctx, HttpReply reply, String recurringToken) {
    if (!reply.is2xx()) return Step.done(RevioMapping.createFailure(reply));
    JsonObject purchase = reply.json();
    String purchaseId = purchase == null ? null : RevioMapping.string(purchase, "id");
    if (!RevioMapping.isSafeId(purchaseId)) {
      // Nothing was charged: the purchase (if any) was never charged and never will be.
      return Step.done(PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "unparseable purchase answer"));
    }
    HttpCall charge = HttpCall.post("/purchases/" + purchaseId + "/charge/", headers(ctx, true),
            new JsonObject().put(RECURRING_TOKEN, recurringToken).encode())
        .movingMoney()
        .afterCheckpoint(purchaseId);
    return Step.call(charge, r -> Step.done(RevioMapping.chargeResult(purchaseId, r)));
  }

  @Override
  public Step<InquiryResult> inquire(CallContext ctx, InquiryInput in) {
    String purchaseId = in.providerReference();
    // No purchase id: the charge call is only ever sent after the id was made durable.
    if (purchaseId == null) return Step.done(InquiryResult.notFound());
    if (!RevioMapping.isSafeId(purchaseId)) return Step.done(InquiryResult.unknown("bad purchase id"));
    HttpCall get = HttpCall.get("/purchases/" + purchaseId + "/", headers(ctx, false));
    return Step.call(get, r -> Step.done(RevioMapping.inquiryResult(purchaseId, in.reference(), r)));
  }

  /**
   * Closes the attempt's purchase with {@code POST /purchases/{id}/cancel/} ("Cancel a pending
   * purchase": CHIP-php Traits/Api/Purchase.php cancelPurchase, docs.chip-in.asia
   * chip-collect/api-reference/purchases/cancel), which answers the Purchase. {@code cancelled}
   * (without a card error) is proof nothing was charged; any other state is mapped as an inquiry
   * would (a purchase paid meanwhile is a success). A refused cancel (e.g. 4xx because it is paid
   * already) or an unreadable answer proves nothing: the flow then reads the purchase back with
   * {@code GET /purchases/{id}/} and maps that. Without a purchase id there is nothing to cancel,
   * and nothing can be said.
   */
  @Override
  public Optional<Step<InquiryResult>> cancel(CallContext ctx, InquiryInput in) {
    String purchaseId = in.providerReference();
    if (purchaseId == null) return Optional.of(Step.done(InquiryResult.unknown("no purchase id to cancel")));
    if (!RevioMapping.isSafeId(purchaseId)) return Optional.of(Step.done(InquiryResult.unknown("bad purchase id")));
    HttpCall cancel = HttpCall.post("/purchases/" + purchaseId + "/cancel/", headers(ctx, false), null);
    return Optional.of(Step.call(cancel, reply -> {
      InquiryResult answered = RevioMapping.cancelAnswer(purchaseId, in.reference(), reply);
      if (answered != null) return Step.done(answered);
      HttpCall get = HttpCall.get("/purchases/" + purchaseId + "/", headers(ctx, false));
      return Step.call(get, r -> Step.done(RevioMapping.inquiryResult(purchaseId, in.reference(), r)));
    }));
  }

  /** Full and partial refunds are documented (an optional amount) [CHIP-refund]. */
  @Override
  public Optional<String> refundRefusal(long chargeAmount, Long requested) {
    return Optional.empty();
  }

  /** {@code POST /purchases/{id}/refund/} with the amount (see {@link RevioRefunds}). */
  @Override
  public Optional<Step<PspResult>> refund(CallContext ctx, RefundInput in) {
    String purchaseId = in.chargeProviderReference();
    if (!RevioMapping.isSafeId(purchaseId)) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "no purchase id to refund")));
    }
    HttpCall call = HttpCall.post("/purchases/" + purchaseId + "/refund/", headers(ctx, true),
        RevioRefunds.body(in).encode()).movingMoney();
    return Optional.of(Step.call(call, r -> Step.done(RevioRefunds.refundResult(purchaseId, in, r))));
  }

  /** {@code GET /purchases/{id}/}: its refunded total says whether the refund landed. */
  @Override
  public Step<InquiryResult> inquireRefund(CallContext ctx, RefundInput in) {
    String purchaseId = in.chargeProviderReference();
    if (!RevioMapping.isSafeId(purchaseId)) return Step.done(InquiryResult.unknown("no purchase id"));
    return Step.call(HttpCall.get("/purchases/" + purchaseId + "/", headers(ctx, false)),
        r -> Step.done(RevioRefunds.inquiryResult(purchaseId, in, r)));
  }

  @Override
  public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput in) {
    String signature = in.header("x-signature");
    if (signature == null || signature.isBlank()) {
      throw new WebhookRejectedException("missing X-Signature");
    }
    String body = in.body() == null ? "" : in.body();
    String pem = ctx.provider().option("public_key", "");
    if (!pem.isBlank()) {
      PublicKey key;
      try {
        key = configuredKeys.computeIfAbsent(pem, RevioSignature::parsePublicKey);
      } catch (IllegalArgumentException e) {
        throw new WebhookRejectedException("configured revio public_key is not an RSA key");
      }
      return Step.done(verified(key, body, signature));
    }
    String cacheKey = ctx.provider().baseUrl();
    FetchedKey cached = fetchedKeys.get(cacheKey);
    if (cached != null) {
      if (RevioSignature.verify(cached.key(), body, signature)) {
        return Step.done(RevioMapping.webhookEvent(jsonObject(body)));
      }
      if (System.currentTimeMillis() - cached.fetchedAtMs() < KEY_REFETCH_MIN_INTERVAL_MS) {
        throw new WebhookRejectedException("bad X-Signature");
      }
    }
    HttpCall fetch = HttpCall.get("/public_key/", headers(ctx, false));
    return Step.call(fetch, reply -> {
      if (!reply.is2xx()) throw new PspUnavailableException("revio public key: HTTP " + reply.status());
      PublicKey key;
      try {
        key = RevioSignature.parsePublicKey(RevioSignature.pemFromAnswer(reply.body()));
      } catch (IllegalArgumentException e) {
        throw new PspUnavailableException("revio public key answer is not an RSA key");
      }
      fetchedKeys.put(cacheKey, new FetchedKey(key, System.currentTimeMillis()));
      return Step.done(verified(key, body, signature));
    });
  }

  private static WebhookEvent verified(PublicKey key, String body, String signature) {
    if (!RevioSignature.verify(key, body, signature)) {
      throw new WebhookRejectedException("bad X-Signature");
    }
    return RevioMapping.webhookEvent(jsonObject(body));
  }

  /** The body as a JSON object, or null (a signed body that is not one is acknowledged, ignored). */
  private static JsonObject jsonObject(String body) {
    return new HttpReply(200, Map.of(), body).json();
  }

  /** Bearer auth [README 1]; JSON content type on calls with a body. */
  static Map<String, String> headers(CallContext ctx, boolean withBody) {
    String auth = "Bearer " + ctx.provider().credential("secret_key");
    return withBody
        ? Map.of("Authorization", auth, "Accept", "application/json",
            "Content-Type", "application/json")
        : Map.of("Authorization", auth, "Accept", "application/json");
  }

  private static String tokenField(ChargeInput in, String field) {
    String v = in.token() == null ? null : in.token().get(field);
    return v == null || v.isBlank() ? null : v;
  }
}
