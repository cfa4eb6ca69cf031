package io.payrouter.connector.paycore;

import io.payrouter.domain.DeclineCode;
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
    /** Money was taken (it may have been refunded since). */
    CHARGED,
    /** Processing finished without taking money: a decline. */
    FAILED,
    /** Still being processed; the money may still move. */
    IN_PROGRESS,
    /**
     * Part of the amount was processed, not all of it. CONVENTION: never a success; the charge
     * stays pending (provider code {@code partially_processed}) for the reconciler and an operator.
     */
    PARTIAL,
    /** Finished (final) without a payment, and never will be charged. */
    ENDED_UNPAID,
    /** Created, never processed. */
    NOT_CHARGED
  }

  /** Every documented invoice status [README 2: PC payment-invoice.md]. */
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
      Map.entry("created", Meaning.NOT_CHARGED),
      Map.entry("processing", Meaning.IN_PROGRESS),
      Map.entry("process_pending", Meaning.IN_PROGRESS),
      Map.entry("processed", Meaning.CHARGED),
      Map.entry("partially_processed", Meaning.PARTIAL),
      // CONVENTION: process_error is documented as not final (retried up to the max attempts,
      // then process_failed), so it is pending, not a decline.
      Map.entry("process_error", Meaning.IN_PROGRESS),
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

  /** The answer to {@code POST /payment-invoices} when it is not a 2xx. Nothing was charged. */
  public static PspResult createFailure(HttpReply reply) {
    int s = reply.status();
    List<String> codes = errorCodes(reply.json());
    if (s == 422 && codes.contains(INVALID_TOKEN)) {
      // The merchant must see this decline (ask the customer for a new card); no failover.
      return PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, INVALID_TOKEN);
    }
    if (s == 422 && codes.contains(DUPLICATE_REFERENCE_ID)) {
      // An earlier attempt of this charge created an invoice with this reference_id, and its
      // sale may have been sent. We do not know its cpi id here, so we must not call this
      // not_sent: in doubt, the inquiry (with the cpi id the router checkpointed for that
      // earlier attempt, if it ever got that far) settles it. If no cpi id was ever checkpointed,
      // no sale was ever sent for it, and "not found" is then the truth.
      return new PspResult(Outcome.IN_DOUBT, null, null, false,
          DUPLICATE_REFERENCE_ID, "reference_id already used at paycore");
    }
    if (s == 401 || s == 403) return PspResult.notSent("paycore refused the credentials", authCode(s));
    if (s == 429) return PspResult.notSent("paycore rate limited", "rate_limited");
    // Any other 4xx/5xx: no invoice to sell, and nothing moves money without the sale call.
    return PspResult.notSent("invoice not created: HTTP " + s, codes.isEmpty() ? null : codes.get(0));
  }

  /** Maps the answer of {@code POST {cardgate}/payment/sale}. */
  public static PspResult saleResult(String cpiId, HttpReply reply) {
    int s = reply.status();
    if (s == 200 || s == 201) {
      JsonObject attrs = attributes(reply.json());
      String status = attrs == null ? null : string(attrs, "status");
      if (status == null) return PspResult.inDoubt(cpiId, "unparseable sale answer");
      Meaning m = meaning(attrs);
      if (m == null) return PspResult.inDoubt(cpiId, "unknown sale status");
      return switch (m) {
        case CHARGED -> PspResult.succeeded(cpiId);
        case FAILED -> declined(cpiId, attrs);
        case IN_PROGRESS -> PspResult.pending(cpiId, status);
        case PARTIAL -> PspResult.pending(cpiId, PARTIALLY_PROCESSED);
        // A sale answered "created"/"expired"/"terminated" is odd: the inquiry settles it.
        case NOT_CHARGED, ENDED_UNPAID -> PspResult.inDoubt(cpiId, "unexpected sale status " + status);
      };
    }
    List<String> codes = errorCodes(reply.json());
    if (s == 422 && codes.contains(INVALID_TOKEN)) {
      return PspResult.declined(cpiId, DeclineCode.INVALID_TOKEN, false, INVALID_TOKEN);
    }
    if (s == 401 || s == 403) {
      return PspResult.notSent("paycore cardgate refused the sale token", authCode(s))
          .withProviderReference(cpiId);
    }
    if (s == 429 || s == 503) {
      return PspResult.notSent("paycore unavailable: HTTP " + s, s == 429 ? "rate_limited" : "unavailable")
          .withProviderReference(cpiId);
    }
    return PspResult.inDoubt(cpiId, "unexpected sale answer: HTTP " + s);
  }

  /** Maps the answer of {@code GET /payment-invoices/{cpi_id}}. */
  public static InquiryResult inquiryResult(String cpiId, String chargeId, HttpReply reply) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (reply.status() != 200) return InquiryResult.unknown("invoice lookup: HTTP " + reply.status());
    JsonObject attrs = attributes(reply.json());
    String status = attrs == null ? null : string(attrs, "status");
    if (status == null) return InquiryResult.unknown("unparseable invoice");
    String reference = string(attrs, "reference_id");
    if (chargeId != null && reference != null && !reference.equals(chargeId)) {
      return InquiryResult.unknown("invoice belongs to another reference");
    }
    Meaning m = meaning(attrs);
    if (m == null) return InquiryResult.unknown("unknown invoice status");
    return switch (m) {
      case CHARGED -> InquiryResult.found(PspResult.succeeded(cpiId));
      case FAILED -> InquiryResult.found(declined(cpiId, attrs));
      case IN_PROGRESS -> InquiryResult.found(PspResult.pending(cpiId, status));
      case PARTIAL -> InquiryResult.found(PspResult.pending(cpiId, PARTIALLY_PROCESSED));
      // Expired or terminated: PayCore documents these as final, and no money moved: proof.
      case ENDED_UNPAID -> InquiryResult.notCharged("paycore invoice " + status + " without payment");
      // Created, never processed (yet): the sale may still arrive, so no proof either way.
      case NOT_CHARGED -> InquiryResult.notFound();
    };
  }

  /** Maps the invoice document read back from PayCore after a verified callback. */
  public static WebhookEvent webhookEvent(JsonObject doc) {
    JsonObject data = data(doc);
    JsonObject attrs = attributes(doc);
    if (data == null || attrs == null) return WebhookEvent.ignored();
    String cpiId = string(data, "id");
    String reference = string(attrs, "reference_id");
    String status = string(attrs, "status");
    if (reference == null) return WebhookEvent.ignored();
    Meaning m = meaning(attrs);
    WebhookEvent event;
    if (m == null) {
      event = new WebhookEvent(reference, PspResult.inDoubt(cpiId, "unknown invoice status"));
    } else {
      event = switch (m) {
        case CHARGED -> new WebhookEvent(reference, PspResult.succeeded(cpiId));
        case FAILED -> new WebhookEvent(reference, declined(cpiId, attrs));
        case IN_PROGRESS -> new WebhookEvent(reference, PspResult.pending(cpiId, status));
        case PARTIAL -> new WebhookEvent(reference, PspResult.pending(cpiId, PARTIALLY_PROCESSED));
        // expired/terminated: the invoice closed without taking money.
        case ENDED_UNPAID -> new WebhookEvent(reference,
            PspResult.notSent("invoice " + status + " without payment", status).withProviderReference(cpiId));
        case NOT_CHARGED -> null;
      };
      if (event == null) return WebhookEvent.ignored();
    }
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
