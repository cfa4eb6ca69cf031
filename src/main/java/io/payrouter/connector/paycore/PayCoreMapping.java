package io.payrouter.connector.paycore;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.WebhookEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * PayCore (Corefy, JSON:API) answers mapped to the router's outcomes: the invoice status table,
 * the resolution (decline) table and the error-body reader. Pure functions; every choice that is
 * ours rather than PayCore's documented behaviour is marked CONVENTION, in this one place.
 */
public final class PayCoreMapping {
  private PayCoreMapping() {}

  /** What one payment-invoice status proves about the customer's money. */
  public enum Meaning {
    /** Money was taken (it may have been refunded since): succeeded. */
    CHARGED,
    /** Processing finished without taking money after the card was refused: a decline. */
    FAILED,
    /** A state PayCore documents as not final: the money may still move. Pending. */
    PENDING,
    /**
     * Part of the amount was processed, not all of it. CONVENTION: never a success; the charge
     * stays pending (provider code {@code partially_processed}) for the reconciler and an operator.
     */
    PARTIAL,
    /**
     * PayCore documents the invoice as final and it took no money (expired, terminated): proof
     * that nothing was charged (not_sent {@link NotSentReason#PROVEN_NOT_CHARGED}).
     */
    ENDED_UNPAID
  }

  /**
   * Every documented invoice status [README 2: PC payment-invoice.md], and the one table the
   * invoice answer, the sale answer, the inquiry and the callback all read ({@link #fromInvoice}).
   */
  public static final Map<String, Meaning> STATUSES = Map.ofEntries(
      // final
      Map.entry("expired", Meaning.ENDED_UNPAID),
      Map.entry("terminated", Meaning.ENDED_UNPAID),
      Map.entry("process_failed", Meaning.FAILED),
      // CONVENTION: every refund state follows a processed payment: the charge did take money.
      Map.entry("partially_refunded", Meaning.CHARGED),
      Map.entry("refunded", Meaning.CHARGED),
      Map.entry("refund_failed", Meaning.CHARGED),
      // not final
      // The invoice exists and is open: the sale may still arrive. Never "no such payment".
      Map.entry("created", Meaning.PENDING),
      Map.entry("processing", Meaning.PENDING),
      Map.entry("process_pending", Meaning.PENDING),
      Map.entry("processed", Meaning.CHARGED),
      Map.entry("partially_processed", Meaning.PARTIAL),
      // CONVENTION: process_error is documented as not final (retried up to the max attempts,
      // then process_failed), so it is pending, not a decline.
      Map.entry("process_error", Meaning.PENDING),
      Map.entry("refunding", Meaning.CHARGED),
      Map.entry("refund_pending", Meaning.CHARGED),
      Map.entry("refund_error", Meaning.CHARGED));

  /** A decline's normalized code and whether another PSP might approve. */
  public record Decline(DeclineCode code, boolean soft) {}

  /**
   * CONVENTION: PayCore documents no resolution codes [README 2 "Not found"]; these are the
   * names the simulator uses. Funds, do-not-honor and limits are soft; an expired card, fraud and
   * a dead token are hard.
   */
  public static final Map<String, Decline> RESOLUTIONS = Map.of(
      "insufficient_funds", new Decline(DeclineCode.INSUFFICIENT_FUNDS, true),
      "do_not_honor", new Decline(DeclineCode.DO_NOT_HONOR, true),
      "limit_exceeded", new Decline(DeclineCode.LIMIT_EXCEEDED, true),
      "expired_card", new Decline(DeclineCode.EXPIRED_CARD, false),
      "fraud_suspected", new Decline(DeclineCode.FRAUD_SUSPECTED, false),
      "invalid_token", new Decline(DeclineCode.INVALID_TOKEN, false));

  /** A resolution we do not know (or none): generic, soft. */
  public static final Decline UNKNOWN_DECLINE = new Decline(DeclineCode.GENERIC_DECLINE, true);

  /** CONVENTION: invoice creation refuses a revoked/expired card token: 422 with this code. */
  public static final String INVALID_TOKEN = "invalid_token";

  /** CONVENTION (README): a reused reference_id gets 422 with this code. */
  public static final String DUPLICATE_REFERENCE_ID = "duplicate_reference_id";

  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  public static boolean isSafeId(String id) {
    return id != null && SAFE_ID.matcher(id).matches();
  }

  public static Meaning meaning(String status) {
    return status == null ? null : STATUSES.get(status);
  }

  /** The provider code of a partial payment (the documented status name). */
  public static final String PARTIALLY_PROCESSED = "partially_processed";

  /**
   * The meaning of an invoice's attributes: its status, except that a {@code processed} invoice
   * whose {@code processed_amount} is below its {@code amount} (same currency) is {@link
   * Meaning#PARTIAL}, whatever its status says.
   */
  public static Meaning meaning(JsonObject attrs) {
    Meaning m = meaning(string(attrs, "status"));
    return m == Meaning.CHARGED && "processed".equals(string(attrs, "status")) && lessProcessedThanAsked(attrs)
        ? Meaning.PARTIAL : m;
  }

  static boolean lessProcessedThanAsked(JsonObject attrs) {
    Object processed = attrs.getValue("processed_amount");
    Object asked = attrs.getValue("amount");
    if (!(processed instanceof Number || processed instanceof String) || !(asked instanceof Number || asked instanceof String)) {
      return false;
    }
    String currency = string(attrs, "currency");
    String serviceCurrency = string(attrs, "service_currency");
    // Processed in another (service) currency: the two amounts cannot be compared.
    if (currency != null && serviceCurrency != null && !currency.equals(serviceCurrency)) return false;
    try {
      return new BigDecimal(processed.toString().trim()).compareTo(new BigDecimal(asked.toString().trim())) < 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** {@code data} of a JSON:API document, or null. */
  public static JsonObject data(JsonObject doc) {
    return doc != null && doc.getValue("data") instanceof JsonObject d ? d : null;
  }

  /** {@code data.attributes} of a JSON:API document, or null. */
  public static JsonObject attributes(JsonObject doc) {
    JsonObject d = data(doc);
    return d != null && d.getValue("attributes") instanceof JsonObject a ? a : null;
  }

  /**
   * An invoice's (or a sale operation's) attributes in the router's terms, from {@link #STATUSES}:
   * the one mapping the sale answer, the inquiry ({@link InquiryResult#of}) and callbacks share.
   */
  public static PspResult fromInvoice(String cpiId, JsonObject attrs) {
    String status = attrs == null ? null : string(attrs, "status");
    if (status == null) return PspResult.inDoubt(cpiId, "invoice without a status");
    Meaning m = meaning(attrs);
    if (m == null) return PspResult.inDoubt(cpiId, "unknown invoice status");
    return switch (m) {
      case CHARGED -> PspResult.succeeded(cpiId);
      case FAILED -> declined(cpiId, attrs);
      case PENDING -> PspResult.pending(cpiId, status);
      case PARTIAL -> PspResult.pending(cpiId, PARTIALLY_PROCESSED);
      case ENDED_UNPAID -> PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED,
          "paycore invoice " + status + " without payment", status).withProviderReference(cpiId);
    };
  }

  /** The answer to {@code POST /payment-invoices} when it is not a 2xx. Nothing was charged. */
  public static PspResult createFailure(HttpReply reply) {
    int s = reply.status();
    List<String> codes = errorCodes(reply.json());
    if (s == 422 && codes.contains(INVALID_TOKEN)) {
      // The merchant must see this decline (ask the customer for a new card); no failover.
      return PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, INVALID_TOKEN);
    }
    if (s == 422 && codes.contains(DUPLICATE_REFERENCE_ID)) {
      // An earlier attempt with this reference_id created an invoice, and its sale may have been
      // sent. We do not know its cpi id here, so we must not call this not_sent: in doubt, the
      // inquiry (with the cpi id the router checkpointed for that earlier attempt, if it ever got
      // that far) settles it. If no cpi id was ever checkpointed, no sale was ever sent for it,
      // and "not found" is then the truth.
      return new PspResult(Outcome.IN_DOUBT, null, null, false,
          DUPLICATE_REFERENCE_ID, "reference_id already used at paycore");
    }
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "paycore refused the credentials", authCode(s));
    }
    if (s == 429) {
      // "Too many requests or duplicate request detected" [PC play-with-api.md]: not documented
      // as "not processed", but this call only creates the invoice; no sale follows it.
      return PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "paycore rate limited", "rate_limited");
    }
    String code = codes.isEmpty() ? null : codes.get(0);
    // Any other 4xx/5xx: no invoice to sell, and nothing moves money without the sale call.
    if (s >= 400 && s < 500) {
      return PspResult.notSent(NotSentReason.REQUEST_REJECTED, "invoice not created: HTTP " + s, code);
    }
    return PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "invoice not created: HTTP " + s, code);
  }

  /** Maps the answer of {@code POST {cardgate}/payment/sale} (the call that moves money). */
  public static PspResult saleResult(String cpiId, HttpReply reply) {
    int s = reply.status();
    if (s == 200 || s == 201) {
      JsonObject attrs = attributes(reply.json());
      if (attrs == null) return PspResult.inDoubt(cpiId, "unparseable sale answer");
      return fromInvoice(cpiId, attrs);
    }
    List<String> codes = errorCodes(reply.json());
    if (s == 422 && codes.contains(INVALID_TOKEN)) {
      return PspResult.declined(cpiId, DeclineCode.INVALID_TOKEN, false, INVALID_TOKEN);
    }
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "paycore cardgate refused the sale token",
          authCode(s)).withProviderReference(cpiId);
    }
    // 429 is documented as "too many requests or duplicate request detected" [PC play-with-api.md]:
    // a duplicate may mean the sale was processed, so it is no proof. 503 is not documented at all.
    // Both, like a 5xx, are settled by the inquiry by cpi id.
    return PspResult.inDoubt(cpiId, "unexpected sale answer: HTTP " + s);
  }

  /**
   * Maps the answer of {@code GET /payment-invoices/{cpi_id}} for the attempt whose merchant
   * reference is {@code reference}: an invoice naming another (or no) {@code reference_id}, or
   * another id, is about another attempt.
   */
  public static InquiryResult inquiryResult(String cpiId, String reference, HttpReply reply) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (reply.status() != 200) return InquiryResult.unknown("invoice lookup: HTTP " + reply.status());
    JsonObject doc = reply.json();
    JsonObject attrs = attributes(doc);
    if (attrs == null || string(attrs, "status") == null) return InquiryResult.unknown("unparseable invoice");
    String echoed = string(attrs, "reference_id");
    if (reference == null || !reference.equals(echoed)) {
      return InquiryResult.unknown("invoice belongs to another reference");
    }
    String id = string(data(doc), "id");
    if (id != null && !id.equals(cpiId)) return InquiryResult.unknown("answer is about another invoice");
    return InquiryResult.of(fromInvoice(cpiId, attrs));
  }

  /** Maps the invoice document read back from PayCore after a verified callback. */
  public static WebhookEvent webhookEvent(JsonObject doc) {
    JsonObject data = data(doc);
    JsonObject attrs = attributes(doc);
    if (data == null || attrs == null) return WebhookEvent.ignored();
    String cpiId = string(data, "id");
    String reference = string(attrs, "reference_id");
    if (reference == null) return WebhookEvent.ignored();
    WebhookEvent event = new WebhookEvent(reference, fromInvoice(cpiId, attrs));
    // The invoice's amount: decimal major units with the currency's exponent [README 2].
    return event.withAmount(attrs.getValue("amount"), string(attrs, "currency"), true);
  }

  /** A process_failed invoice or sale as a decline, its resolution mapped. */
  static PspResult declined(String cpiId, JsonObject attrs) {
    String resolution = string(attrs, "resolution");
    Decline d = resolution == null ? UNKNOWN_DECLINE : RESOLUTIONS.getOrDefault(resolution, UNKNOWN_DECLINE);
    return PspResult.declined(cpiId, d.code(), d.soft(), resolution == null ? "process_failed" : resolution);
  }

  /**
   * The codes of a PayCore error body: {@code error_codes[]} of a 422 [README 2], or
   * {@code errors[].code} of a JSON:API error document.
   */
  public static List<String> errorCodes(JsonObject body) {
    List<String> codes = new ArrayList<>();
    if (body == null) return codes;
    if (body.getValue("error_codes") instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof String s) codes.add(s);
      }
    }
    if (body.getValue("errors") instanceof JsonArray a) {
      for (Object o : a) {
        if (o instanceof JsonObject e && string(e, "code") != null) codes.add(string(e, "code"));
      }
    }
    return codes;
  }

  private static String authCode(int status) {
    return status == 401 ? "unauthorized" : "forbidden";
  }

  static String string(JsonObject o, String key) {
    return o.getValue(key) instanceof String s && !s.isEmpty() ? s : null;
  }
}
