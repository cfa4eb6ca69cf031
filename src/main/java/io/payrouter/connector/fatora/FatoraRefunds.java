package io.payrouter.connector.fatora;

import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Refunds;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonObject;
import java.util.Locale;

/**
 * Fatora refunds, pure mapping. Documented [FT-refund: fatora.io/api/refund.php]: {@code POST
 * /api/v1/payments/refund} with {@code {transaction_id, order_id}} and no amount: the whole
 * payment goes back to the card; the answer is {@code {status: "SUCCESS", result: {refund_status:
 * ...}}}. Partial refunds are not documented, so the router refuses them (422) before anything is
 * sent. Fatora has no idempotency mechanism (order_id is not even checked for uniqueness): the
 * refund is never sent twice.
 *
 * <p>CONVENTION (Fatora documents no refund inquiry): {@code POST /v1/payments/verify} for the
 * charge's order carries the refund's {@code refund_status} in its result once a refund was made
 * (the same field the refund answer has; absent while none was): {@code completed} refunded,
 * {@code pending} not yet. The published example is cut off after {@code refund_status: "co"};
 * {@code completed} is our reading of it, kept in {@link #COMPLETED} to correct in one place.
 */
public final class FatoraRefunds {
  private FatoraRefunds() {}

  /** CONVENTION: the {@code refund_status} of a refund that went back to the card. */
  public static final String COMPLETED = "completed";
  /** CONVENTION: the {@code refund_status} of a refund the bank has not completed yet. */
  public static final String PENDING = "pending";

  /** Full refunds only: the documented call takes no amount. */
  static String refusal(long chargeAmount, Long requested) {
    if (requested == null || requested == chargeAmount) return null;
    return "Fatora documents full refunds only (its refund call takes no amount): refund the whole charge"
        + " (leave amount out, or give " + chargeAmount + ")";
  }

  static JsonObject body(RefundInput in) {
    return new JsonObject().put("transaction_id", in.chargeProviderReference()).put("order_id", in.chargeReference());
  }

  /** Maps the answer of the refund call (it moves the money). */
  public static PspResult refundResult(HttpReply reply) {
    int s = reply.status();
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "fatora rejected the api_key (" + s + ")",
          String.valueOf(s));
    }
    if (reply.is2xx()) {
      JsonObject body = reply.json();
      if (body == null || body.getValue("status") == null) return PspResult.inDoubt(null, "fatora refund answer unreadable");
      JsonObject result = body.getValue("result") instanceof JsonObject r ? r : new JsonObject();
      String status = body.getValue("status").toString().toUpperCase(Locale.ROOT);
      if ("FAILURE".equals(status)) {
        String why = result.getValue("description") instanceof String d ? d : "FAILURE";
        return Refunds.refused(why, "fatora refused the refund");
      }
      if (!"SUCCESS".equals(status)) return PspResult.inDoubt(null, "fatora refund status unknown: " + status);
      return PENDING.equals(refundStatus(result)) ? PspResult.pending(null, PENDING) : PspResult.succeeded(null);
    }
    // The documented refusals (400 missing parameter, 404 payment not found, 409, 415, 422): the
    // request was refused, nothing refunded. 5xx and anything undocumented: in doubt.
    if (s == 400 || s == 404 || s == 409 || s == 415 || s == 422) {
      return Refunds.refused(String.valueOf(s), "fatora refused the refund (" + s + ")");
    }
    return PspResult.inDoubt(null, "fatora answered " + s);
  }

  /** Maps {@code verify} for the charge's order as the answer about its refund (CONVENTION above). */
  public static InquiryResult inquiryResult(HttpReply reply, RefundInput in) {
    if (!reply.is2xx()) return InquiryResult.unknown("fatora verify answered " + reply.status());
    JsonObject result = FatoraMapping.verifiedResult(reply);
    if (result == null) return InquiryResult.unknown("fatora verify answer unparseable");
    if (in.chargeReference() == null || !in.chargeReference().equals(FatoraMapping.verifiedOrderId(result))) {
      return InquiryResult.unknown("fatora verify answered about another order_id");
    }
    String rs = refundStatus(result);
    if (rs == null) return InquiryResult.notFound();
    if (COMPLETED.equals(rs)) return InquiryResult.found(PspResult.succeeded(null));
    if (PENDING.equals(rs)) return InquiryResult.found(PspResult.pending(null, PENDING));
    return InquiryResult.unknown("fatora refund_status unknown: " + rs);
  }

  static String refundStatus(JsonObject result) {
    return result.getValue("refund_status") instanceof String rs && !rs.isBlank() ? rs.toLowerCase(Locale.ROOT) : null;
  }
}
