package io.payrouter.connector.revio;

import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.WebhookEvent;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Revio (CHIP Collect API) answers mapped to the router's outcomes: the purchase status table, the
 * decline-code table and the error-body reader. Pure functions; every choice that is ours rather
 * than Revio's documented behaviour is marked CONVENTION here, so it can be corrected in one place.
 */
public final class RevioMapping {
  private RevioMapping() {}

  /** What one purchase status proves about the customer's money. */
  public enum Meaning {
    /** The charge was taken (it may have been refunded or charged back since). */
    CHARGED,
    /** The purchase ended without taking money (declined, blocked, closed). */
    FAILED,
    /** Revio is still working on it; the money may still move. */
    IN_PROGRESS,
    /** The purchase exists but no charge was ever made on it. */
    NOT_CHARGED,
    /** A documented status that our flow (create + charge by token) never produces. */
    OUTSIDE_FLOW
  }

  /**
   * Every documented purchase status [README 1: CHIP-java PurchaseStatus + CHIP-cs transient
   * states]. A status missing here is unknown: in doubt on a charge, UNKNOWN on an inquiry.
   */
  public static final Map<String, Meaning> STATUSES = Map.ofEntries(
      // success, and where a success may move later
      Map.entry("paid", Meaning.CHARGED),
      Map.entry("cleared", Meaning.CHARGED),
      Map.entry("settled", Meaning.CHARGED),
      // CONVENTION: a refund or chargeback only follows a paid purchase, so the charge itself
      // did succeed (the refund is a separate money movement, not this charge's outcome).
      Map.entry("refunded", Meaning.CHARGED),
      Map.entry("chargeback", Meaning.CHARGED),
      Map.entry("pending_refund", Meaning.CHARGED),
      // failed / closed
      Map.entry("error", Meaning.FAILED),
      Map.entry("blocked", Meaning.FAILED),
      Map.entry("cancelled", Meaning.FAILED),
      Map.entry("expired", Meaning.FAILED),
      Map.entry("released", Meaning.FAILED),
      // not final
      Map.entry("pending_execute", Meaning.IN_PROGRESS),
      Map.entry("pending_charge", Meaning.IN_PROGRESS),
      Map.entry("pending_capture", Meaning.IN_PROGRESS),
      Map.entry("pending_release", Meaning.IN_PROGRESS),
      Map.entry("hold", Meaning.IN_PROGRESS),
      // CONVENTION: we never send skip_capture, so an authorised-not-captured purchase is
      // unfinished business rather than a success.
      Map.entry("preauthorized", Meaning.IN_PROGRESS),
      // created and never charged
      Map.entry("created", Meaning.NOT_CHARGED),
      // invoice-style states (sent to / viewed by a client, overdue): not reachable by our flow
      Map.entry("sent", Meaning.OUTSIDE_FLOW),
      Map.entry("viewed", Meaning.OUTSIDE_FLOW),
      Map.entry("overdue", Meaning.OUTSIDE_FLOW));

  /** Purchase statuses Revio documents as closed without a payment (no card was declined). */
  static final java.util.Set<String> CLOSED_UNPAID = java.util.Set.of("cancelled", "expired", "released");

  /** True when the purchase carries a card decline (transaction_data.attempts[].error). */
  static boolean hasAttemptError(JsonObject purchase) {
    JsonObject td = purchase.getValue("transaction_data") instanceof JsonObject t ? t : null;
    if (td == null || !(td.getValue("attempts") instanceof io.vertx.core.json.JsonArray attempts)) return false;
    for (Object a : attempts) {
      if (a instanceof JsonObject o && o.getValue("error") != null) return true;
    }
    return false;
  }

  /** A decline's normalized code and whether another PSP might approve. */
  public record Decline(DeclineCode code, boolean soft) {}

  /**
   * CONVENTION (README "Our conventions"): the reason of a decline is
   * {@code transaction_data.attempts[0].error.code}. Funds and do-not-honor are soft (another
   * acquirer or a later try may pass); an expired card, fraud and a dead token are hard.
   */
  public static final Map<String, Decline> DECLINE_CODES = Map.of(
      "insufficient_funds", new Decline(DeclineCode.INSUFFICIENT_FUNDS, true),
      "do_not_honor", new Decline(DeclineCode.DO_NOT_HONOR, true),
      "limit_exceeded", new Decline(DeclineCode.LIMIT_EXCEEDED, true),
      "expired_card", new Decline(DeclineCode.EXPIRED_CARD, false),
      "fraud_suspected", new Decline(DeclineCode.FRAUD_SUSPECTED, false),
      "invalid_recurring_token", new Decline(DeclineCode.INVALID_TOKEN, false));

  /** An error code we do not know, or a failed purchase without one: generic, soft. */
  public static final Decline UNKNOWN_DECLINE = new Decline(DeclineCode.GENERIC_DECLINE, true);

  /** The documented charge error for a token that cannot be used [CHIP-err, CHIP-woo]. */
  public static final String INVALID_RECURRING_TOKEN = "invalid_recurring_token";

  /** Purchase ids are UUIDs; anything else is not put into a URL path. */
  private static final Pattern SAFE_ID = Pattern.compile("[A-Za-z0-9_-]{1,100}");

  public static boolean isSafeId(String id) {
    return id != null && SAFE_ID.matcher(id).matches();
  }

  /** The meaning of a status, or null when the status is not documented. */
  public static Meaning meaning(String status) {
    return status == null ? null : STATUSES.get(status);
  }

  /** The status of a purchase body, or null when absent or not a string. */
  public static String status(JsonObject purchase) {
    return purchase == null ? null : string(purchase, "status");
  }

  /** Maps the answer of {@code POST /purchases/{id}/charge/}. */
  public static PspResult chargeResult(String purchaseId, HttpReply reply) {
    int s = reply.status();
    if (s == 200 || s == 201) {
      JsonObject purchase = reply.json();
      String status = status(purchase);
      if (status == null) return PspResult.inDoubt(purchaseId, "unparseable charge answer");
      Meaning m = meaning(status);
      if (m == null) return PspResult.inDoubt(purchaseId, "unknown purchase status");
      return switch (m) {
        case CHARGED -> PspResult.succeeded(purchaseId);
        case FAILED -> failed(purchaseId, status, purchase);
        // The brief's rule: a purchase still "created" after our charge call is pending.
        case IN_PROGRESS, NOT_CHARGED -> PspResult.pending(purchaseId, status);
        case OUTSIDE_FLOW -> PspResult.inDoubt(purchaseId, "unexpected purchase status " + status);
      };
    }
    if (s == 400 && errorCodes(reply.json()).contains(INVALID_RECURRING_TOKEN)) {
      return PspResult.declined(purchaseId, DeclineCode.INVALID_TOKEN, false, INVALID_RECURRING_TOKEN);
    }
    if (s == 401 || s == 403) {
      return PspResult.notSent("revio refused the credentials", authCode(s))
          .withProviderReference(purchaseId);
    }
    if (s == 429 || s == 503) {
      return PspResult.notSent("revio unavailable: HTTP " + s, s == 429 ? "rate_limited" : "unavailable")
          .withProviderReference(purchaseId);
    }
    // 500/502/504, 404, 409 (wrong state: maybe already charged), other 4xx and 2xx: a status
    // inquiry by the purchase id settles it.
    return PspResult.inDoubt(purchaseId, "unexpected charge answer: HTTP " + s);
  }

  /** Maps the answer of {@code POST /purchases/} (nothing was charged yet: never in doubt). */
  public static PspResult createFailure(HttpReply reply) {
    int s = reply.status();
    if (s == 401 || s == 403) return PspResult.notSent("revio refused the credentials", authCode(s));
    if (s == 429) return PspResult.notSent("revio rate limited", "rate_limited");
    List<String> codes = errorCodes(reply.json());
    return PspResult.notSent("purchase not created: HTTP " + s, codes.isEmpty() ? null : codes.get(0));
  }

  /** Maps the answer of {@code GET /purchases/{id}/}. */
  public static InquiryResult inquiryResult(String purchaseId, String chargeId, HttpReply reply) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (reply.status() != 200) return InquiryResult.unknown("purchase lookup: HTTP " + reply.status());
    JsonObject purchase = reply.json();
    String status = status(purchase);
    if (status == null) return InquiryResult.unknown("unparseable purchase");
    String reference = string(purchase, "reference");
    if (chargeId != null && reference != null && !reference.equals(chargeId)) {
      return InquiryResult.unknown("purchase belongs to another reference");
    }
    Meaning m = meaning(status);
    if (m == null) return InquiryResult.unknown("unknown purchase status");
    return switch (m) {
      case CHARGED -> InquiryResult.found(PspResult.succeeded(purchaseId));
      // Closed without payment (cancelled, expired, released): final, and no money moved: proof.
      case FAILED -> CLOSED_UNPAID.contains(status) && !hasAttemptError(purchase)
          ? InquiryResult.notCharged("revio purchase " + status + " without payment")
          : InquiryResult.found(failed(purchaseId, status, purchase));
      case IN_PROGRESS -> InquiryResult.found(PspResult.pending(purchaseId, status));
      // Created and not charged (yet): the charge call may still land, so no proof either way.
      case NOT_CHARGED -> InquiryResult.notFound();
      case OUTSIDE_FLOW -> InquiryResult.unknown("unexpected purchase status " + status);
    };
  }

  /** Maps a verified webhook body (a Purchase with {@code event_type}). */
  public static WebhookEvent webhookEvent(JsonObject purchase) {
    if (purchase == null) return WebhookEvent.ignored();
    String reference = string(purchase, "reference");
    String id = string(purchase, "id");
    String status = status(purchase);
    if (reference == null || id == null) return WebhookEvent.ignored();
    Meaning m = meaning(status);
    WebhookEvent event;
    if (m == null) {
      event = new WebhookEvent(reference, PspResult.inDoubt(id, "unknown purchase status"));
    } else {
      event = switch (m) {
        case CHARGED -> new WebhookEvent(reference, PspResult.succeeded(id));
        case FAILED -> new WebhookEvent(reference, failed(id, status, purchase));
        case IN_PROGRESS -> new WebhookEvent(reference, PspResult.pending(id, status));
        // purchase.created and invoice-style events say nothing about a charge
        case NOT_CHARGED, OUTSIDE_FLOW -> null;
      };
      if (event == null) return WebhookEvent.ignored();
    }
    // The purchase's total and currency, integer minor units as the charge was created [README 1].
    JsonObject p = purchase.getValue("purchase") instanceof JsonObject o ? o : new JsonObject();
    return event.withAmount(p.getValue("total"), string(p, "currency"), false);
  }

  /** A failed purchase as a decline. */
  static PspResult failed(String purchaseId, String status, JsonObject purchase) {
    if ("blocked".equals(status)) {
      // Revio's fraud checks blocked it [README 1]: hard, another PSP must not be tried blind.
      return PspResult.declined(purchaseId, DeclineCode.FRAUD_SUSPECTED, false, "blocked");
    }
    if ("error".equals(status)) {
      String code = attemptErrorCode(purchase);
      Decline d = code == null ? UNKNOWN_DECLINE : DECLINE_CODES.getOrDefault(code, UNKNOWN_DECLINE);
      return PspResult.declined(purchaseId, d.code(), d.soft(), code == null ? "error" : code);
    }
    // cancelled / expired / released: closed without a card refusal; generic and soft.
    return PspResult.declined(purchaseId, DeclineCode.GENERIC_DECLINE, true, status);
  }

  /** {@code transaction_data.attempts[0].error.code}, else the first attempt carrying one. */
  static String attemptErrorCode(JsonObject purchase) {
    if (!(purchase.getValue("transaction_data") instanceof JsonObject td)) return null;
    if (!(td.getValue("attempts") instanceof JsonArray attempts)) return null;
    for (Object a : attempts) {
      if (a instanceof JsonObject attempt && attempt.getValue("error") instanceof JsonObject err) {
        String code = string(err, "code");
        if (code != null) return code;
      }
    }
    return null;
  }

  /**
   * Every {@code code} in a Revio error body: {@code {"__all__":{"code"}}},
   * {@code {"__all__":[{"code"}]}} and field errors {@code {"brand_id":{"code"}}}.
   */
  public static List<String> errorCodes(JsonObject body) {
    List<String> codes = new ArrayList<>();
    if (body == null) return codes;
    for (String field : body.fieldNames()) {
      Object v = body.getValue(field);
      if (v instanceof JsonObject o) {
        addCode(codes, o);
      } else if (v instanceof JsonArray a) {
        for (Object e : a) {
          if (e instanceof JsonObject o) addCode(codes, o);
        }
      }
    }
    return codes;
  }

  private static void addCode(List<String> codes, JsonObject o) {
    String c = string(o, "code");
    if (c != null) codes.add(c);
  }

  private static String authCode(int status) {
    return status == 401 ? "unauthorized" : "forbidden";
  }

  static String string(JsonObject o, String key) {
    return o.getValue(key) instanceof String s && !s.isEmpty() ? s : null;
  }
}
