package io.payrouter.connector.paycore;

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
import io.payrouter.connector.PspUnavailableException;
import io.payrouter.connector.RefundInput;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.TokenFields;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * PayCore.io / Corefy (JSON:API). Pure mapping, no I/O.
 *
 * <p>Charge = two calls (README "Our conventions", the seed's "write-off by token"):
 * {@code POST /payment-invoices} with {@code flow:"charge"}, the card {@code token} and
 * {@code gateway_options.cardgate.instant:true} (creates the invoice, moves no money), then
 * {@code POST {cardgate_url}/payment/sale} with {@code Authorization: Bearer
 * <flow_data.metadata.token>}, sent only after the invoice id ({@code cpi_...}) is durable
 * (checkpoint), so a timeout is settled by {@code GET /payment-invoices/{cpi_id}}.
 * {@code reference_id} (= the attempt's reference) is unique per account at PayCore. A callback
 * is signature-checked, then confirmed by reading its invoice back from PayCore: the fetched
 * invoice's state is what gets applied, never the callback body.
 *
 * <p>Config: {@code base_url} (e.g. https://com.paycore.io/api), credentials {@code account_id},
 * {@code api_key} (HTTP Basic), {@code callback_secret}; options {@code cardgate_url},
 * {@code services} (currency to service id), optional {@code test_mode} (default true).
 */
public final class PayCoreConnector implements Connector {
  public static final String TYPE = "paycore";

  public static final String TOKEN = "token";
  public static final String CUSTOMER_REFERENCE_ID = "customer_reference_id";

  @Override
  public String type() {
    return TYPE;
  }

  @Override
  public List<FieldError> validateToken(JsonObject token) {
    return TokenFields.requireStrings(token, List.of(TOKEN, CUSTOMER_REFERENCE_ID));
  }

  @Override
  public Step<PspResult> charge(CallContext ctx, ChargeInput in) {
    String token = tokenField(in, TOKEN);
    String customerRef = tokenField(in, CUSTOMER_REFERENCE_ID);
    if (token == null || customerRef == null) {
      return Step.done(PspResult.notSent(NotSentReason.NO_TOKEN, "card has no complete paycore token"));
    }
    String cardgate = cardgateUrl(ctx);
    if (cardgate == null) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "paycore cardgate_url is not configured"));
    }
    if (!Currencies.isKnown(in.currency())) {
      return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "unknown currency"));
    }
    String service = service(ctx, in.currency());
    if (service == null) return Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "no service for currency"));

    JsonObject body = invoiceBody(in, service, token, customerRef, testMode(ctx));
    HttpCall create = HttpCall.post("/payment-invoices", headers(basicAuth(ctx), true), body.encode());
    return Step.call(create, reply -> afterCreate(reply, cardgate));
  }

  /**
   * The JSON:API body of {@code POST /payment-invoices}. The amount is decimal major units as a
   * JSON number with the currency's exponent (19.99 USD, 1000 JPY, 1.234 BHD), from an exact
   * BigDecimal: never a double.
   */
  static JsonObject invoiceBody(ChargeInput in, String service, String token, String customerRef,
      boolean testMode) {
    JsonObject attrs = new JsonObject()
        .put("reference_id", in.reference())
        .put("amount", Currencies.toMajor(in.amount(), in.currency()))
        .put("currency", in.currency())
        .put("service", service)
        .put("flow", "charge")
        .put("token", token)
        .put("customer", new JsonObject().put("reference_id", customerRef))
        .put("test_mode", testMode);
    if (in.description() != null) attrs.put("description", in.description());
    if (in.callbackUrl() != null) attrs.put("callback_url", in.callbackUrl());
    // CONVENTION: "instant" is in the seed's write-off example but in no other source.
    attrs.put("gateway_options", new JsonObject().put("cardgate", new JsonObject().put("instant", true)));
    return new JsonObject().put("data", new JsonObject().put("type", "payment-invoices").put("attributes", attrs));
  }

  /** The body of the cardgate sale (README convention: empty attributes for a token sale). */
  static final String SALE_BODY = new JsonObject().put("data", new JsonObject()
      .put("type", "sale-operation").put("attributes", new JsonObject())).encode();

  private Step<PspResult> afterCreate(HttpReply reply, String cardgate) {
    if (!reply.is2xx()) return Step.done(PayCoreMapping.createFailure(reply));
    JsonObject doc = reply.json();
    JsonObject data = PayCoreMapping.data(doc);
    JsonObject attrs = PayCoreMapping.attributes(doc);
    String cpiId = data == null ? null : PayCoreMapping.string(data, "id");
    if (!PayCoreMapping.isSafeId(cpiId) || attrs == null) {
      return Step.done(PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "unparseable invoice answer"));
    }
    PayCoreMapping.Meaning m = PayCoreMapping.meaning(attrs);
    // Should PayCore ever settle an "instant" invoice at creation (or end it unpaid), trust what it
    // says, through the same status table; only an open invoice goes on to the sale.
    if (m != null && m != PayCoreMapping.Meaning.PENDING) return Step.done(PayCoreMapping.fromInvoice(cpiId, attrs));
    String saleToken = saleToken(attrs);
    if (saleToken == null) {
      // No sale can be made, and nothing moves money without the sale.
      return Step.done(PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL,
          "invoice answer without a sale token").withProviderReference(cpiId));
    }
    HttpCall sale = new HttpCall("POST", cardgate + "/payment/sale",
            headers("Bearer " + saleToken, true), SALE_BODY, false, null)
        .movingMoney()
        .afterCheckpoint(cpiId);
    return Step.call(sale, r -> Step.done(PayCoreMapping.saleResult(cpiId, r)));
  }

  /** {@code flow_data.metadata.token}: the bearer of the cardgate sale. */
  static String saleToken(JsonObject attrs) {
    if (!(attrs.getValue("flow_data") instanceof JsonObject fd)) return null;
    if (!(fd.getValue("metadata") instanceof JsonObject md)) return null;
    return PayCoreMapping.string(md, "token");
  }

  @Override
  public Step<InquiryResult> inquire(CallContext ctx, InquiryInput in) {
    String cpiId = in.providerReference();
    // No cpi id: the sale is only ever sent after the cpi id was made durable.
    if (cpiId == null) return Step.done(InquiryResult.notFound());
    if (!PayCoreMapping.isSafeId(cpiId)) return Step.done(InquiryResult.unknown("bad invoice id"));
    HttpCall get = HttpCall.get("/payment-invoices/" + cpiId, headers(basicAuth(ctx), false));
    return Step.call(get, r -> Step.done(PayCoreMapping.inquiryResult(cpiId, in.reference(), r)));
  }

  /**
   * None: PayCore documents no call that closes an unpaid payment-invoice (the API we know has
   * create, read and refund [README 2]). Only its own final states (expired, terminated) prove
   * that nothing was charged.
   */
  @Override
  public Optional<Step<InquiryResult>> cancel(CallContext ctx, InquiryInput in) {
    return Optional.empty();
  }

  /** Full and partial refunds are documented (repeated partial refunds) [PC-refunds]. */
  @Override
  public Optional<String> refundRefusal(long chargeAmount, Long requested) {
    return Optional.empty();
  }

  /** {@code POST /payment-invoices/{cpi_id}/refund} (see {@link PayCoreRefunds}). */
  @Override
  public Optional<Step<PspResult>> refund(CallContext ctx, RefundInput in) {
    String cpiId = in.chargeProviderReference();
    if (!PayCoreMapping.isSafeId(cpiId)) {
      return Optional.of(Step.done(PspResult.notSent(NotSentReason.UNSUPPORTED, "no invoice id to refund")));
    }
    HttpCall call = HttpCall.post("/payment-invoices/" + cpiId + "/refund", headers(basicAuth(ctx), true),
        PayCoreRefunds.body(cpiId, in).encode()).movingMoney();
    return Optional.of(Step.call(call, r -> Step.done(PayCoreRefunds.refundResult(cpiId, in, r))));
  }

  /** {@code GET /payment-invoices/{cpi_id}}: its {@code refunded_amount} says whether the refund landed. */
  @Override
  public Step<InquiryResult> inquireRefund(CallContext ctx, RefundInput in) {
    String cpiId = in.chargeProviderReference();
    if (!PayCoreMapping.isSafeId(cpiId)) return Step.done(InquiryResult.unknown("no invoice id"));
    return Step.call(HttpCall.get("/payment-invoices/" + cpiId, headers(basicAuth(ctx), false)),
        r -> Step.done(PayCoreRefunds.inquiryResult(cpiId, in, r)));
  }

  /**
   * A callback is a hint, never the truth: after its {@code X-Signature} is checked (as PayCore
   * documents), the invoice it names is read back with {@code GET /payment-invoices/{cpi_id}}
   * (Basic auth, as the inquiry does) and only that answer's state is applied. Callbacks may come
   * batched, duplicated or out of order [README 2], and a leaked callback secret alone cannot
   * settle a charge. A bad or missing signature, a malformed invoice id, an invoice PayCore does
   * not know (404), or a callback whose invoice id or {@code reference_id} differs from the fetched
   * invoice's is rejected; any other failure of the lookup throws {@link PspUnavailableException}
   * so that PayCore retries. A signed document without an invoice id is acknowledged and ignored.
   */
  @Override
  public Step<WebhookEvent> webhook(CallContext ctx, WebhookInput in) {
    String signature = in.header("x-signature");
    if (signature == null || signature.isBlank()) throw new WebhookRejectedException("missing X-Signature");
    String secret = ctx.provider().credential("callback_secret");
    if (secret.isEmpty()) throw new WebhookRejectedException("paycore callback_secret is not configured");
    String body = in.body() == null ? "" : in.body();
    if (!signatureMatches(secret, body, signature)) throw new WebhookRejectedException("bad X-Signature");
    JsonObject callback = new HttpReply(200, Map.of(), body).json();
    JsonObject data = PayCoreMapping.data(callback);
    String cpiId = data == null ? null : PayCoreMapping.string(data, "id");
    if (cpiId == null) return Step.done(WebhookEvent.ignored());
    if (!PayCoreMapping.isSafeId(cpiId)) throw new WebhookRejectedException("malformed invoice id");
    JsonObject claimed = PayCoreMapping.attributes(callback);
    String claimedReference = claimed == null ? null : PayCoreMapping.string(claimed, "reference_id");
    HttpCall get = HttpCall.get("/payment-invoices/" + cpiId, headers(basicAuth(ctx), false));
    return Step.call(get, reply -> {
      if (reply.status() == 404) throw new WebhookRejectedException("paycore does not know this invoice");
      if (!reply.is2xx()) throw new PspUnavailableException("paycore invoice lookup: HTTP " + reply.status());
      JsonObject invoice = reply.json();
      JsonObject fetched = PayCoreMapping.data(invoice);
      if (fetched == null || PayCoreMapping.attributes(invoice) == null) {
        throw new PspUnavailableException("paycore invoice answer unparseable");
      }
      if (!cpiId.equals(PayCoreMapping.string(fetched, "id"))) {
        throw new WebhookRejectedException("fetched invoice is not the one the callback names");
      }
      String reference = PayCoreMapping.string(PayCoreMapping.attributes(invoice), "reference_id");
      if (claimedReference != null && !claimedReference.equals(reference)) {
        throw new WebhookRejectedException("callback reference_id differs from the invoice's");
      }
      return Step.done(PayCoreMapping.webhookEvent(invoice));
    });
  }

  /**
   * {@code X-Signature = base64(sha1(secret + rawBody + secret))}, binary digest [README 2: PC
   * callbacks.md]; compared in constant time.
   */
  static boolean signatureMatches(String secret, String body, String signatureB64) {
    byte[] provided;
    try {
      provided = Base64.getDecoder().decode(signatureB64.trim());
    } catch (IllegalArgumentException e) {
      return false;
    }
    return MessageDigest.isEqual(sign(secret, body), provided);
  }

  static byte[] sign(String secret, String body) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      sha1.update(secret.getBytes(StandardCharsets.UTF_8));
      sha1.update(body.getBytes(StandardCharsets.UTF_8));
      sha1.update(secret.getBytes(StandardCharsets.UTF_8));
      return sha1.digest();
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }

  /** HTTP Basic with Commerce Account ID as user and API key as password [README 2]. */
  static String basicAuth(CallContext ctx) {
    String pair = ctx.provider().credential("account_id") + ":" + ctx.provider().credential("api_key");
    return "Basic " + Base64.getEncoder().encodeToString(pair.getBytes(StandardCharsets.UTF_8));
  }

  static Map<String, String> headers(String authorization, boolean withBody) {
    return withBody
        ? Map.of("Authorization", authorization, "Accept", "application/json",
            "Content-Type", "application/json")
        : Map.of("Authorization", authorization, "Accept", "application/json");
  }

  /** {@code options.services[currency]}: a JSON object (or a map from YAML). */
  static String service(CallContext ctx, String currency) {
    JsonObject options = ctx.provider().options();
    Object services = options == null ? null : options.getValue("services");
    Object v = null;
    if (services instanceof JsonObject o) {
      v = o.getValue(currency);
    } else if (services instanceof Map<?, ?> m) {
      v = m.get(currency);
    } else if (services instanceof String s && s.trim().startsWith("{")) {
      try {
        v = new JsonObject(s).getValue(currency);
      } catch (DecodeException e) {
        v = null;
      }
    }
    return v instanceof String s && !s.isBlank() ? s : null;
  }

  static boolean testMode(CallContext ctx) {
    JsonObject options = ctx.provider().options();
    Object v = options == null ? null : options.getValue("test_mode");
    if (v instanceof Boolean b) return b;
    if (v instanceof String s) return !s.trim().equalsIgnoreCase("false");
    return true;
  }

  static String cardgateUrl(CallContext ctx) {
    String u = ctx.provider().option("cardgate_url", "").trim();
    if (!u.startsWith("http://") && !u.startsWith("https://")) return null;
    while (u.endsWith("/")) u = u.substring(0, u.length() - 1);
    return u;
  }

  private static String tokenField(ChargeInput in, String field) {
    String v = in.token() == null ? null : in.token().get(field);
    return v == null || v.isBlank() ? null : v;
  }
}
