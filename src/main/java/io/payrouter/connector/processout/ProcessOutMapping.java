package io.payrouter.connector.processout;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Map;
import java.util.Set;

/**
 * ProcessOut's answers in the router's terms.
 *
 * <p><b>Facts</b> (processout/documentation, processout-go; src/docs/psps.md §5): the fifteen
 * transaction statuses and which are final/pending; the error body
 * {@code {"success":false,"error_type","message"}}; the soft and hard decline codes; the test-card
 * codes card.no-money, card.do-not-honor, card.expired, card.possible-fraud; 401 is an
 * authentication error.
 *
 * <p><b>Our conventions and readings</b> (kept here, in one place, to correct once ProcessOut
 * confirms):
 * <ul>
 *   <li>A decline answers the capture call with HTTP 402 and the error body (README convention).
 *   <li>An unknown, deleted, expired or revoked customer token answers the capture with HTTP 404
 *       and {@code error_type} {@value #TOKEN_NOT_FOUND}; card.invalid and card.revoked (documented
 *       hard codes) mean the same in any 4xx. All are invalid_token, hard.
 *   <li>{@code authorized} is pending (the invoice is captured later), as are waiting, pending,
 *       pending-capture and in-review.
 *   <li>refunded, retrieval-request, fraud-notification, chargeback-initiated, solved and reversed
 *       all follow a capture: the charge succeeded (a later refund or dispute is not a failed
 *       charge; calling it in doubt would leave the charge pending for ever).
 *   <li>A {@code completed} transaction whose {@code captured_amount} is below its {@code amount} is
 *       a partial capture: pending (provider code {@code completed}), never a success.
 *   <li>A failed transaction without {@code error_code} is a soft generic decline; blocked
 *       (ProcessOut's own rules) without a code is a hard generic decline. Unknown codes are soft
 *       generic declines.
 *   <li>{@code voided} is final (documented) and unpaid: the authorization was released, nothing
 *       was captured, and a void is the merchant's (our cancel's) act, not a card refusal. It is
 *       proof nothing was charged (not_sent PROVEN_NOT_CHARGED; NOT_CHARGED on inquiry).
 *   <li>{@code waiting} is pending on every path: the invoice's transaction exists and our capture
 *       may still land on it. Only a 404 is "no such payment".
 *   <li>Any other 4xx on capture (e.g. the invoice is unknown) is in doubt: the inquiry by invoice
 *       id settles it, never a blind failover.
 * </ul>
 */
public final class ProcessOutMapping {
  private ProcessOutMapping() {}

  /** error_type of the answer to a capture with an unusable customer token (our convention). */
  public static final String TOKEN_NOT_FOUND = "resource.token.not-found";

  /** Every documented transaction status and what it means for a charge. Exhaustive. */
  public enum Status {
    WAITING("waiting", Outcome.PENDING),
    PENDING("pending", Outcome.PENDING),
    AUTHORIZED("authorized", Outcome.PENDING),
    PENDING_CAPTURE("pending-capture", Outcome.PENDING),
    COMPLETED("completed", Outcome.SUCCEEDED),
    FAILED("failed", Outcome.DECLINED),
    VOIDED("voided", Outcome.NOT_SENT),
    REFUNDED("refunded", Outcome.SUCCEEDED),
    IN_REVIEW("in-review", Outcome.PENDING),
    BLOCKED("blocked", Outcome.DECLINED),
    RETRIEVAL_REQUEST("retrieval-request", Outcome.SUCCEEDED),
    FRAUD_NOTIFICATION("fraud-notification", Outcome.SUCCEEDED),
    CHARGEBACK_INITIATED("chargeback-initiated", Outcome.SUCCEEDED),
    SOLVED("solved", Outcome.SUCCEEDED),
    REVERSED("reversed", Outcome.SUCCEEDED);

    public final String wire;
    public final Outcome outcome;

    Status(String wire, Outcome outcome) {
      this.wire = wire;
      this.outcome = outcome;
    }

    /** The status named on the wire, or null when ProcessOut sent one we do not know. */
    public static Status of(String wire) {
      if (wire == null) return null;
      for (Status s : values()) {
        if (s.wire.equals(wire)) return s;
      }
      return null;
    }
  }

  /** A decline code and whether another PSP might approve. */
  public record Decline(DeclineCode code, boolean soft) {}

  /** ProcessOut error codes (error_type / transaction error_code) in our terms. */
  static final Map<String, Decline> DECLINES = Map.ofEntries(
      Map.entry("card.no-money", new Decline(DeclineCode.INSUFFICIENT_FUNDS, true)),
      Map.entry("card.do-not-honor", new Decline(DeclineCode.DO_NOT_HONOR, true)),
      Map.entry("card.exceeded-limits", new Decline(DeclineCode.LIMIT_EXCEEDED, true)),
      Map.entry("payment.declined", new Decline(DeclineCode.GENERIC_DECLINE, true)),
      Map.entry("card.declined", new Decline(DeclineCode.GENERIC_DECLINE, true)),
      Map.entry("card.needs-authentication", new Decline(DeclineCode.GENERIC_DECLINE, true)),
      Map.entry("card.issuer-down", new Decline(DeclineCode.GENERIC_DECLINE, true)),
      Map.entry("card.expired", new Decline(DeclineCode.EXPIRED_CARD, false)),
      Map.entry("card.possible-fraud", new Decline(DeclineCode.FRAUD_SUSPECTED, false)),
      Map.entry("card.stolen", new Decline(DeclineCode.FRAUD_SUSPECTED, false)),
      Map.entry("card.lost", new Decline(DeclineCode.FRAUD_SUSPECTED, false)),
      Map.entry("card.blacklisted", new Decline(DeclineCode.FRAUD_SUSPECTED, false)),
      Map.entry("card.invalid", new Decline(DeclineCode.INVALID_TOKEN, false)),
      Map.entry("card.revoked", new Decline(DeclineCode.INVALID_TOKEN, false)),
      Map.entry("card.dont-retry", new Decline(DeclineCode.GENERIC_DECLINE, false)),
      Map.entry(TOKEN_NOT_FOUND, new Decline(DeclineCode.INVALID_TOKEN, false)));

  /** error_types that mean the stored token can never be charged, in any 4xx. */
  static final Set<String> INVALID_TOKEN_ERRORS = Set.of(TOKEN_NOT_FOUND, "card.invalid", "card.revoked");

  public static Decline decline(String code) {
    Decline d = code == null ? null : DECLINES.get(code);
    return d != null ? d : new Decline(DeclineCode.GENERIC_DECLINE, true);
  }

  // ---------------------------------------------------------------- transactions

  /** A ProcessOut Transaction in the router's terms; {@code invoiceId} is our provider reference. */
  public static PspResult fromTransaction(JsonObject tx, String invoiceId) {
    String wire = str(tx, "status");
    Status st = Status.of(wire);
    if (st == null) return PspResult.inDoubt(invoiceId, "processout status unknown: " + wire);
    if (st == Status.COMPLETED && lessCapturedThanAmount(tx)) {
      return new PspResult(Outcome.PENDING, invoiceId, null, false, wire, "partial capture: captured_amount below amount");
    }
    return switch (st.outcome) {
      case SUCCEEDED -> st == Status.COMPLETED ? PspResult.succeeded(invoiceId)
          : new PspResult(Outcome.SUCCEEDED, invoiceId, null, false, wire, null);
      case PENDING -> PspResult.pending(invoiceId, wire);
      case NOT_SENT -> {
        // A void releases an authorization; a transaction that shows captured money and says
        // "voided" contradicts itself: no proof.
        if (capturedSomething(tx)) yield PspResult.inDoubt(invoiceId, "processout transaction " + wire + " shows a capture");
        String code = str(tx, "error_code");
        yield PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, "processout transaction " + wire + " without capture",
            code != null && !code.isBlank() ? code : wire).withProviderReference(invoiceId);
      }
      default -> {
        String code = str(tx, "error_code");
        if (code != null && !code.isBlank()) {
          Decline d = decline(code);
          yield PspResult.declined(invoiceId, d.code(), d.soft(), code);
        }
        yield PspResult.declined(invoiceId, DeclineCode.GENERIC_DECLINE, st == Status.FAILED, wire);
      }
    };
  }

  /**
   * A fetched event's transaction as a webhook event for the attempt named by {@code reference}
   * (the invoice's {@code order_id} as ProcessOut echoes it), with the transaction's
   * amount (a decimal string in major units [README 5]) and currency.
   */
  public static WebhookEvent webhookEvent(String reference, JsonObject tx, String invoiceId) {
    return new WebhookEvent(reference, fromTransaction(tx, invoiceId))
        .withAmount(tx.getValue("amount"), str(tx, "currency"), true);
  }

  // ---------------------------------------------------------------- capture

  /**
   * Maps the answer to {@code POST /invoices/{id}/capture} (the call that moves money). 401/403
   * (credentials refused: the Go SDK's authentication error) are not_sent. ProcessOut documents
   * no 429 and no 503 semantics (the SDK treats every 5xx alike as an internal error, other 4xx as
   * validation): both are in doubt, settled by the inquiry by invoice id.
   */
  public static PspResult captureResult(HttpReply reply, String invoiceId) {
    int s = reply.status();
    JsonObject body = reply.json();
    String errorType = errorType(body);
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "processout refused the credentials (" + s + ")",
          errorType != null ? errorType : String.valueOf(s)).withProviderReference(invoiceId);
    }
    if (body == null) return PspResult.inDoubt(invoiceId, "processout answer not JSON (" + s + ")");
    if (reply.is2xx() && !Boolean.FALSE.equals(body.getValue("success"))) {
      if (!(body.getValue("transaction") instanceof JsonObject tx)) {
        return PspResult.inDoubt(invoiceId, "processout answer without transaction");
      }
      return fromTransaction(tx, invoiceId);
    }
    if (errorType != null && (s == 402 || (s >= 400 && s < 500 && INVALID_TOKEN_ERRORS.contains(errorType)))) {
      Decline d = decline(errorType);
      return PspResult.declined(invoiceId, d.code(), d.soft(), errorType);
    }
    return new PspResult(Outcome.IN_DOUBT, invoiceId, null, false, errorType, "processout answered " + s);
  }

  static String errorType(JsonObject body) {
    return body == null ? null : str(body, "error_type");
  }

  // ---------------------------------------------------------------- inquiry

  /**
   * true when the transaction states a {@code captured_amount} below its {@code amount} (both
   * decimal strings in the transaction's currency): a partial capture. Unreadable amounts compare
   * as not partial (the status decides).
   */
  static boolean lessCapturedThanAmount(JsonObject tx) {
    Object captured = tx.getValue("captured_amount");
    Object amount = tx.getValue("amount");
    if (captured == null || amount == null) return false;
    try {
      return new BigDecimal(captured.toString().trim()).compareTo(new BigDecimal(amount.toString().trim())) < 0;
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** true when the transaction shows any captured money. */
  static boolean capturedSomething(JsonObject tx) {
    if (Boolean.TRUE.equals(tx.getValue("captured"))) return true;
    Object amt = tx.getValue("captured_amount");
    if (amt == null) return false;
    try {
      return new BigDecimal(amt.toString().trim()).signum() > 0;
    } catch (NumberFormatException e) {
      return true; // cannot tell: do not claim "nothing happened"
    }
  }

  /**
   * An invoice's transaction as an inquiry (or void) answer, through the same status table as the
   * capture answer and webhooks: {@code waiting} is pending, {@code voided} is NOT_CHARGED.
   */
  public static InquiryResult inquiryFromTransaction(JsonObject tx, String invoiceId) {
    return InquiryResult.of(fromTransaction(tx, invoiceId));
  }

  /**
   * True when a transaction names another invoice, or (where it carries one) another
   * {@code order_id}, than the attempt's: then it is about another attempt.
   */
  static boolean aboutAnotherAttempt(JsonObject tx, String invoiceId, String reference) {
    String iv = str(tx, "invoice_id");
    if (iv != null && !iv.equals(invoiceId)) return true;
    String order = str(tx, "order_id");
    return order != null && !order.equals(reference);
  }

  static String str(JsonObject o, String key) {
    Object v = o == null ? null : o.getValue(key);
    return v instanceof String s ? s : v == null ? null : v.toString();
  }
}
