package io.payrouter.connector.dintero;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Dintero's answers in the router's terms.
 *
 * <p><b>Facts</b> (Dintero Node SDK payments.d.ts / spec-payments.yaml, src/docs/psps.md §4):
 * the twelve transaction statuses; a {@code sessions/pay} decline is HTTP 200 with status
 * {@code FAILED} and details in {@code events[].error{code, message, type, result_code,
 * retry_policy{retry_codes, retry_after}}}; error types include DECLINED, INSUFFICIENT_FUNDS,
 * EXPIRED_CARD, ISSUER_ERROR, PICK_UP_CARD; retry codes DO_NOT_RETRY, RETRY_IMMEDIATELY,
 * RETRY_AFTER_DELAY; other errors are {@code {"error":{code, message, errors[]}}}; with
 * {@code strict-merchant-reference} a duplicate reference is refused with 400;
 * {@code GET /transactions} answers a JSON array.
 *
 * <p><b>Our conventions and readings</b> (kept here, in one place, to correct once Dintero
 * confirms):
 * <ul>
 *   <li>INITIATED, ON_HOLD and UNKNOWN are pending (README: "my reading").
 *   <li>REFUNDED and PARTIALLY_REFUNDED mean the money was captured at some point: the charge
 *       succeeded (a later refund is not a failed charge).
 *   <li>PARTIALLY_CAPTURED and PARTIALLY_CAPTURED_REFUNDED mean less than the charge's amount was
 *       captured (we always ask for {@code auto_capture} of the whole amount): never a success.
 *       They are pending with the status as provider code, so the charge stays visibly pending for
 *       the reconciler and an operator instead of being reported as paid in full.
 *   <li>Error type DECLINED (the issuer's unspecific refusal) is do_not_honor; PICK_UP_CARD is
 *       fraud_suspected; ISSUER_ERROR and anything unknown is generic_decline.
 *   <li>A decline is hard when its code is inherently final (expired card, fraud, invalid token) or
 *       Dintero's {@code retry_codes} contain DO_NOT_RETRY; otherwise soft.
 *   <li>The duplicate-reference 400 carries {@code error.code} {@value #DUPLICATE_REFERENCE}; an
 *       invalid or revoked token is refused with 400 and {@code error.code} {@value #INVALID_TOKEN}
 *       (the simulator answers exactly so). Any other 4xx than 401/403 is in doubt: the
 *       inquiry by merchant_reference settles it, so an unexpected code is never a blind failover.
 * </ul>
 */
public final class DinteroMapping {
  private DinteroMapping() {}

  /** {@code error.code} of the 400 answering a reused merchant_reference (strict toggle). */
  public static final String DUPLICATE_REFERENCE = "DUPLICATE_MERCHANT_REFERENCE";
  /** {@code error.code} of the 400 answering an invalid, expired or revoked token. */
  public static final String INVALID_TOKEN = "INVALID_TOKEN";

  /** Every documented transaction status and what it means for a charge. Exhaustive. */
  public enum Status {
    INITIATED(Outcome.PENDING),
    AUTHORIZED(Outcome.SUCCEEDED),
    AUTHORIZATION_VOIDED(Outcome.DECLINED),
    CAPTURED(Outcome.SUCCEEDED),
    PARTIALLY_CAPTURED(Outcome.PENDING),
    PARTIALLY_CAPTURED_REFUNDED(Outcome.PENDING),
    REFUNDED(Outcome.SUCCEEDED),
    PARTIALLY_REFUNDED(Outcome.SUCCEEDED),
    DECLINED(Outcome.DECLINED),
    FAILED(Outcome.DECLINED),
    UNKNOWN(Outcome.PENDING),
    ON_HOLD(Outcome.PENDING);

    public final Outcome outcome;

    Status(Outcome outcome) {
      this.outcome = outcome;
    }

    /** The status named on the wire, or null when Dintero sent one we do not know. */
    public static Status of(String wire) {
      if (wire == null) return null;
      for (Status s : values()) {
        if (s.name().equals(wire)) return s;
      }
      return null;
    }
  }

  /** {@code events[].error.type} to our decline code. Unknown types are generic declines. */
  static final Map<String, DeclineCode> ERROR_TYPES = Map.of(
      "INSUFFICIENT_FUNDS", DeclineCode.INSUFFICIENT_FUNDS,
      "DECLINED", DeclineCode.DO_NOT_HONOR,
      "EXPIRED_CARD", DeclineCode.EXPIRED_CARD,
      "PICK_UP_CARD", DeclineCode.FRAUD_SUSPECTED,
      "ISSUER_ERROR", DeclineCode.GENERIC_DECLINE);

  /** Codes no other attempt can fix, whatever Dintero's retry policy says. */
  static final Set<DeclineCode> ALWAYS_HARD =
      Set.of(DeclineCode.EXPIRED_CARD, DeclineCode.FRAUD_SUSPECTED, DeclineCode.INVALID_TOKEN);

  static DeclineCode declineCode(String errorType) {
    return errorType == null ? DeclineCode.GENERIC_DECLINE
        : ERROR_TYPES.getOrDefault(errorType, DeclineCode.GENERIC_DECLINE);
  }

  // ---------------------------------------------------------------- transactions

  /** A Dintero Transaction object in the router's terms (unknown status: in doubt). */
  public static PspResult fromTransaction(JsonObject tx) {
    String id = str(tx, "id");
    String wire = str(tx, "status");
    Status st = Status.of(wire);
    if (st == null) return PspResult.inDoubt(id, "dintero status unknown: " + wire);
    return switch (st.outcome) {
      case SUCCEEDED -> st == Status.CAPTURED || st == Status.AUTHORIZED
          ? PspResult.succeeded(id)
          : new PspResult(Outcome.SUCCEEDED, id, null, false, wire, null);
      case PENDING -> PspResult.pending(id, wire);
      default -> declined(id, st, tx);
    };
  }

  private static PspResult declined(String id, Status st, JsonObject tx) {
    JsonObject err = lastError(tx);
    String type = err == null ? null : str(err, "type");
    DeclineCode code = declineCode(type);
    boolean doNotRetry = err != null && retryCodes(err).contains("DO_NOT_RETRY");
    // A void without an error is the end of that authorization: do not push it elsewhere.
    boolean hard = ALWAYS_HARD.contains(code) || doNotRetry
        || (err == null && st == Status.AUTHORIZATION_VOIDED);
    String providerCode = type != null ? type : err != null && str(err, "code") != null ? str(err, "code") : st.name();
    return PspResult.declined(id, code, !hard, providerCode);
  }

  /** The error of the last event that carries one (events are in order of occurrence). */
  static JsonObject lastError(JsonObject tx) {
    if (!(tx.getValue("events") instanceof JsonArray events)) return null;
    JsonObject found = null;
    for (Object e : events) {
      if (e instanceof JsonObject ev && ev.getValue("error") instanceof JsonObject err) found = err;
    }
    return found;
  }

  static List<String> retryCodes(JsonObject err) {
    List<String> out = new ArrayList<>();
    if (err.getValue("retry_policy") instanceof JsonObject rp) {
      Object codes = rp.getValue("retry_codes");
      if (codes instanceof JsonArray a) {
        for (Object c : a) if (c instanceof String s) out.add(s);
      } else if (codes instanceof String s) {
        out.add(s);
      }
    }
    return out;
  }

  // ---------------------------------------------------------------- sessions/pay

  /**
   * Maps the answer to {@code POST /sessions/pay}, Dintero's one call, which moves money. Its
   * documented answers are 200, 400, 401, 403, 500 and a default 4xx [NODE payments.d.ts
   * checkout_session_pay_post]: 401/403 (our access token refused) are not_sent. 429 (documented
   * only for the token call) and 503 ("processor temporarily unavailable", documented only for
   * capture/refund/void/transaction reads) are not documented here: in doubt, like a 5xx, settled
   * by the inquiry by merchant_reference.
   */
  public static PspResult payResult(HttpReply reply) {
    int s = reply.status();
    JsonObject body = reply.json();
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "dintero refused the access token (" + s + ")",
          errorCode(body, s));
    }
    if (reply.is2xx()) {
      if (body == null) return PspResult.inDoubt(null, "dintero answer not JSON");
      return fromTransaction(body);
    }
    String code = errorCode(body, s);
    if (s == 400 && DUPLICATE_REFERENCE.equals(code)) {
      // An earlier call with this reference exists: the inquiry by merchant_reference settles it.
      return new PspResult(Outcome.IN_DOUBT, null, null, false, code, "merchant_reference already used at dintero");
    }
    if (s == 400 && INVALID_TOKEN.equals(code)) {
      return PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, code);
    }
    return new PspResult(Outcome.IN_DOUBT, null, null, false, code, "dintero answered " + s);
  }

  /** {@code error.code} of an error body, else the HTTP status as text. */
  static String errorCode(JsonObject body, int status) {
    if (body != null && body.getValue("error") instanceof JsonObject e && str(e, "code") != null) {
      return str(e, "code");
    }
    return String.valueOf(status);
  }

  // ---------------------------------------------------------------- inquiry

  /**
   * Maps {@code GET /transactions/{id}} for the attempt whose merchant reference is
   * {@code reference}: a transaction naming another (or no) merchant_reference is about another
   * attempt, and says nothing.
   */
  public static InquiryResult transactionInquiry(HttpReply reply, String reference) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (!reply.is2xx()) return InquiryResult.unknown("dintero answered " + reply.status());
    JsonObject tx = reply.json();
    if (tx == null) return InquiryResult.unknown("dintero answer not JSON");
    if (reference == null || !reference.equals(str(tx, "merchant_reference"))) {
      return InquiryResult.unknown("dintero transaction belongs to another merchant_reference");
    }
    return InquiryResult.of(fromTransaction(tx));
  }

  /**
   * Maps {@code GET /transactions?merchant_reference=...} (a JSON array). Only transactions whose
   * merchant_reference is exactly {@code reference} count (never {@code ch_X-2} for {@code ch_X}).
   * With several (possible without the strict toggle), a success wins, then an unknown state, then
   * a pending one; otherwise the last decline. An empty list is "no such payment"; a list that
   * holds only other references (the filter was not applied as asked) cannot say.
   */
  public static InquiryResult listInquiry(HttpReply reply, String reference) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (!reply.is2xx()) return InquiryResult.unknown("dintero answered " + reply.status());
    JsonArray list;
    try {
      String b = reply.body() == null ? "" : reply.body().trim();
      if (!b.startsWith("[")) return InquiryResult.unknown("dintero answer not a JSON array");
      list = new JsonArray(b);
    } catch (RuntimeException e) {
      return InquiryResult.unknown("dintero answer not JSON");
    }
    if (reference == null) return InquiryResult.unknown("no merchant_reference to look for");
    PspResult success = null, doubt = null, pending = null, decline = null;
    for (Object o : list) {
      if (!(o instanceof JsonObject tx) || !reference.equals(str(tx, "merchant_reference"))) continue;
      PspResult r = fromTransaction(tx);
      switch (r.outcome()) {
        case SUCCEEDED -> success = success == null ? r : success;
        case IN_DOUBT -> doubt = r;
        case PENDING -> pending = r;
        default -> decline = r;
      }
    }
    if (success != null) return InquiryResult.found(success);
    if (doubt != null) return new InquiryResult(InquiryResult.Kind.UNKNOWN, doubt);
    if (pending != null) return InquiryResult.found(pending);
    if (decline != null) return InquiryResult.found(decline);
    return list.isEmpty() ? InquiryResult.notFound()
        : InquiryResult.unknown("dintero listed only other merchant references");
  }

  static String str(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v instanceof String s ? s : v == null ? null : v.toString();
  }
}
