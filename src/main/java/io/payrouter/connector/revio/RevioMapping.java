package io.payrouter.connector.revio;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
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
    /** The charge was taken (it may have been refunded or charged back since): succeeded. */
    CHARGED,
    /** The purchase ended refused (a card error, Revio's fraud block): declined. */
    FAILED,
    /**
     * Revio documents the purchase as closed without a payment (cancelled, expired, released):
     * final and unpaid. Without a card error on it, that is proof nothing was charged (not_sent
     * {@link NotSentReason#PROVEN_NOT_CHARGED}); with one, it is that card refusal (declined).
     */
    CLOSED_UNPAID,
    /** A state Revio documents as pending: the money may still move. */
    PENDING,
    /** A documented status that our flow (create + charge by token) never produces: in doubt. */
    OUTSIDE_FLOW
  }

  /**
   * Every documented purchase status [README 1: CHIP-java PurchaseStatus + CHIP-cs transient
   * states], and the one table the charge answer, the inquiry, the cancel answer and webhooks all
   * read ({@link #fromPurchase}). A status missing here is unknown: in doubt.
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
      // refused
      Map.entry("error", Meaning.FAILED),
      Map.entry("blocked", Meaning.FAILED),
      // closed without payment [README 1: "Failed/closed"]
      Map.entry("cancelled", Meaning.CLOSED_UNPAID),
      Map.entry("expired", Meaning.CLOSED_UNPAID),
      Map.entry("released", Meaning.CLOSED_UNPAID),
      // pending [README 1: "Pending: the pending_* states, created, hold"]
      Map.entry("pending_execute", Meaning.PENDING),
      Map.entry("pending_charge", Meaning.PENDING),
      Map.entry("pending_capture", Meaning.PENDING),
      Map.entry("pending_release", Meaning.PENDING),
      Map.entry("hold", Meaning.PENDING),
      // The purchase exists and is open: our charge call may still land on it. Never "no such
      // payment": only a cancel (or Revio's own expiry) closes it.
      Map.entry("created", Meaning.PENDING),
      // CONVENTION: we never send skip_capture, so an authorised-not-captured purchase is
      // unfinished business rather than a success.
      Map.entry("preauthorized", Meaning.PENDING),
      // invoice-style states (sent to / viewed by a client, overdue): not reachable by our flow
      Map.entry("sent", Meaning.OUTSIDE_FLOW),
      Map.entry("viewed", Meaning.OUTSIDE_FLOW),
      Map.entry("overdue", Meaning.OUTSIDE_FLOW));

  /** True when the purchase carries a card decline (transaction_data.attempts[].error). */
  static boolean hasAttemptError(JsonObject purchase) {
    JsonObject td = purchase.getValue("transaction_data") instanceof JsonObject t ? t : null;
    if (td == null || !(td.getValue("attempts") instanceof JsonArray attempts)) return false;
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

  /**
   * A purchase in the router's terms, from {@link #STATUSES}: the one mapping the charge answer,
   * the inquiry ({@link InquiryResult#of}), the cancel answer and webhooks share.
   */
  public static PspResult fromPurchase(String purchaseId, JsonObject purchase) {
    String status = status(purchase);
    if (status == null) return PspResult.inDoubt(purchaseId, "purchase without a status");
    Meaning m = meaning(status);
    if (m == null) return PspResult.inDoubt(purchaseId, "unknown purchase status");
    return switch (m) {
      case CHARGED -> PspResult.succeeded(purchaseId);
      case FAILED -> declined(purchaseId, status, purchase);
      case CLOSED_UNPAID -> hasAttemptError(purchase)
          ? declined(purchaseId, status, purchase)
          : PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, "revio purchase " + status + " without payment",
              status).withProviderReference(purchaseId);
      case PENDING -> PspResult.pending(purchaseId, status);
      case OUTSIDE_FLOW -> PspResult.inDoubt(purchaseId, "unexpected purchase status " + status);
    };
  }

  /** Maps the answer of {@code POST /purchases/{id}/charge/} (the call that moves money). */
  public static PspResult chargeResult(String purchaseId, HttpReply reply) {
    int s = reply.status();
    if (s == 200 || s == 201) {
      JsonObject purchase = reply.json();
      if (purchase == null) return PspResult.inDoubt(purchaseId, "unparseable charge answer");
      return fromPurchase(purchaseId, purchase);
    }
    if (s == 400 && errorCodes(reply.json()).contains(INVALID_RECURRING_TOKEN)) {
      return PspResult.declined(purchaseId, DeclineCode.INVALID_TOKEN, false, INVALID_RECURRING_TOKEN);
    }
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "revio refused the credentials", authCode(s))
          .withProviderReference(purchaseId);
    }
    if (s == 429) {
      // CHIP documents 429 as `rate_limited`, "too many requests in a short window: back off and
      // retry, honour Retry-After" [CHIP-err]: a throttled request, to be sent again later, with
      // no duplicate semantics (contrast its 500: "safe to retry with idempotency"). Revio has no
      // idempotency mechanism, so "retry" is only sound advice for a request that was not done.
      return PspResult.notSent(NotSentReason.PSP_UNAVAILABLE, "revio rate limited the charge", "rate_limited")
          .withProviderReference(purchaseId);
    }
    // 500/502/503/504, 404, 409 (wrong state: maybe already charged), other 4xx and 2xx: a status
    // inquiry by the purchase id settles it. 503 is not in CHIP's error table: no proof.
    return PspResult.inDoubt(purchaseId, "unexpected charge answer: HTTP " + s);
  }

  /** Maps a non-2xx answer of {@code POST /purchases/} (creates the purchase, moves no money). */
  public static PspResult createFailure(HttpReply reply) {
    int s = reply.status();
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "revio refused the credentials", authCode(s));
    }
    if (s == 429) return PspResult.notSent(NotSentReason.PSP_UNAVAILABLE, "revio rate limited", "rate_limited");
    List<String> codes = errorCodes(reply.json());
    String code = codes.isEmpty() ? null : codes.get(0);
    if (s >= 400 && s < 500) {
      return PspResult.notSent(NotSentReason.REQUEST_REJECTED, "purchase not created: HTTP " + s, code);
    }
    return PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "purchase not created: HTTP " + s, code);
  }

  /**
   * Maps the answer of {@code GET /purchases/{id}/} for the attempt whose merchant reference is
   * {@code reference}: a purchase naming another (or no) reference is about another attempt.
   */
  public static InquiryResult inquiryResult(String purchaseId, String reference, HttpReply reply) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (reply.status() != 200) return InquiryResult.unknown("purchase lookup: HTTP " + reply.status());
    return purchaseAnswer(purchaseId, reference, reply.json());
  }

  /**
   * A purchase answer (inquiry or cancel) as an inquiry result: the reference and id checks, then
   * the status table.
   */
  static InquiryResult purchaseAnswer(String purchaseId, String reference, JsonObject purchase) {
    if (purchase == null || status(purchase) == null) return InquiryResult.unknown("unparseable purchase");
    if (!sameReference(reference, string(purchase, "reference"))) {
      return InquiryResult.unknown("purchase belongs to another reference");
    }
    String id = string(purchase, "id");
    if (id != null && !id.equals(purchaseId)) return InquiryResult.unknown("answer is about another purchase");
    return InquiryResult.of(fromPurchase(purchaseId, purchase));
  }

  /** True only when the PSP echoes exactly the attempt's reference. */
  static boolean sameReference(String expected, String echoed) {
    return expected != null && expected.equals(echoed);
  }

  /**
   * Maps the answer of {@code POST /purchases/{id}/cancel/}: a purchase (the cancelled one, or the
   * state that kept it from being cancelled) as an inquiry would; null when the call was refused
   * or the answer cannot be read, so that the flow reads the purchase back instead. A refused
   * cancel is never proof of anything.
   */
  public static InquiryResult cancelAnswer(String purchaseId, String reference, HttpReply reply) {
    if (!reply.is2xx()) return null;
    JsonObject purchase = reply.json();
    if (purchase == null || status(purchase) == null) return null;
    return purchaseAnswer(purchaseId, reference, purchase);
  }

  /** Maps a verified webhook body (a Purchase with {@code event_type}), through the same table. */
  public static WebhookEvent webhookEvent(JsonObject purchase) {
    if (purchase == null) return WebhookEvent.ignored();
    String reference = string(purchase, "reference");
    String id = string(purchase, "id");
    if (reference == null || id == null) return WebhookEvent.ignored();
    WebhookEvent event = new WebhookEvent(reference, fromPurchase(id, purchase));
    // The purchase's total and currency, integer minor units as the charge was created [README 1].
    JsonObject p = purchase.getValue("purchase") instanceof JsonObject o ? o : new JsonObject();
    return event.withAmount(p.getValue("total"), string(p, "currency"), false);
  }

  /** A refused (or closed-with-a-card-error) purchase as a decline. */
  static PspResult declined(String purchaseId, String status, JsonObject purchase) {
    if ("blocked".equals(status)) {
      // Revio's fraud checks blocked it [README 1]: hard, another PSP must not be tried blind.
      return PspResult.declined(purchaseId, DeclineCode.FRAUD_SUSPECTED, false, "blocked");
    }
    String code = attemptErrorCode(purchase);
    Decline d = code == null ? UNKNOWN_DECLINE : DECLINE_CODES.getOrDefault(code, UNKNOWN_DECLINE);
    return PspResult.declined(purchaseId, d.code(), d.soft(), code == null ? status : code);
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
