package io.payrouter.connector.fatora;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;

/**
 * Fatora's answers in the router's terms. Facts from Fatora's docs: {@code status} SUCCESS|FAILURE
 * on collect-payment, the FAILURE reasons' wording, {@code payment_status} SUCCESS|PENDING|FAILURE on
 * verify, the HTTP codes of its responseCode page. Our conventions (src/docs/psps.md): a decline
 * is HTTP 200 FAILURE with the reason in {@code result.description}; PENDING on collect-payment is
 * accepted as pending (verify's vocabulary); "Expired Card" wording for expired cards.
 */
public final class FatoraMapping {
  private FatoraMapping() {}

  /** A FAILURE description's leading words and what they mean. Kept in one place to correct. */
  record Decline(DeclineCode code, boolean soft) {}

  static final Map<String, Decline> DECLINES = Map.of(
      "token invalid", new Decline(DeclineCode.INVALID_TOKEN, false),
      "transaction blocked", new Decline(DeclineCode.FRAUD_SUSPECTED, false),
      "transaction declined, contact issuing bank", new Decline(DeclineCode.DO_NOT_HONOR, true),
      "transaction declined, insufficient credit", new Decline(DeclineCode.INSUFFICIENT_FUNDS, true),
      "transaction declined, expired card", new Decline(DeclineCode.EXPIRED_CARD, false));

  static Decline decline(String description) {
    if (description != null) {
      String d = description.toLowerCase(Locale.ROOT).trim();
      for (var e : DECLINES.entrySet()) {
        if (d.startsWith(e.getKey())) return e.getValue();
      }
    }
    return new Decline(DeclineCode.GENERIC_DECLINE, true);
  }

  /**
   * Maps the answer to collect-payment, Fatora's one call, which moves money. Only answers Fatora
   * documents as refusing the request [FT responseCode] are not_sent: 401 (invalid key) and 403
   * (inactive key), 400 (missing parameter) and 415 (unsupported media type). Fatora documents no
   * 429 and only a generic "5xx": both are in doubt, settled by verify.
   */
  static PspResult collectResult(HttpReply reply) {
    int s = reply.status();
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "fatora rejected the api_key (" + s + ")",
          String.valueOf(s));
    }
    if (s == 400 || s == 415) {
      return PspResult.notSent(NotSentReason.REQUEST_REJECTED, "fatora rejected the request (" + s + ")",
          String.valueOf(s));
    }
    if (s == 422) return PspResult.declined(null, DeclineCode.INVALID_TOKEN, false, "422");
    if (!reply.is2xx()) return PspResult.inDoubt(null, "fatora answered " + s);
    JsonObject body = reply.json();
    if (body == null) return PspResult.inDoubt(null, "fatora answer not JSON");
    JsonObject result = body.getValue("result") instanceof JsonObject r ? r : new JsonObject();
    String txn = result.getValue("transaction_id") == null ? null : result.getValue("transaction_id").toString();
    String status = body.getValue("status") == null ? null : body.getValue("status").toString();
    return fromStatus(status, txn, result.getString("description"));
  }

  /**
   * The status table, shared by collect-payment ({@code status}), verify ({@code payment_status})
   * and relayed callbacks (through verify): SUCCESS succeeded, PENDING pending, FAILURE a decline
   * (its description names the card's refusal). Fatora documents no final unpaid state that is
   * not a refusal.
   */
  static PspResult fromStatus(String status, String txn, String description) {
    if (status == null) return PspResult.inDoubt(txn, "fatora answer without status");
    return switch (status.toUpperCase(Locale.ROOT)) {
      case "SUCCESS" -> PspResult.succeeded(txn);
      case "PENDING" -> PspResult.pending(txn, "PENDING");
      case "FAILURE" -> {
        Decline d = decline(description);
        yield PspResult.declined(txn, d.code(), d.soft(), description);
      }
      default -> PspResult.inDoubt(txn, "fatora status unknown: " + status);
    };
  }

  /**
   * Maps the answer to verify for the attempt whose {@code order_id} is {@code orderId}: a result
   * naming another (or no) {@code order_id} is about another attempt, and says nothing.
   */
  static InquiryResult verifyResult(HttpReply reply, String orderId) {
    if (reply.status() == 404) return InquiryResult.notFound();
    if (!reply.is2xx()) return InquiryResult.unknown("fatora verify answered " + reply.status());
    JsonObject result = verifiedResult(reply);
    if (result == null) return InquiryResult.unknown("fatora verify answer unparseable");
    if (orderId == null || !orderId.equals(verifiedOrderId(result))) {
      return InquiryResult.unknown("fatora verify answered about another order_id");
    }
    String txn = result.getValue("transaction_id") == null ? null : result.getValue("transaction_id").toString();
    return InquiryResult.of(fromStatus(str(result, "payment_status"), txn, str(result, "description")));
  }

  /** {@code result} of a verify answer, or null when there is none. */
  static JsonObject verifiedResult(HttpReply reply) {
    JsonObject body = reply.json();
    return body != null && body.getValue("result") instanceof JsonObject result ? result : null;
  }

  /** The {@code order_id} a verify result names, or null. */
  static String verifiedOrderId(JsonObject result) {
    Object v = result.getValue("order_id");
    return v == null ? null : v.toString();
  }

  private static String str(JsonObject o, String key) {
    return o.getValue(key) instanceof String s ? s : null;
  }
}
