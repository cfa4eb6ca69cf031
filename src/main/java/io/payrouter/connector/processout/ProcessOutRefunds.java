package io.payrouter.connector.processout;

import io.payrouter.common.Currencies;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Refunds;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * ProcessOut refunds, pure mapping. Documented [PO-go refund.go]: {@code POST
 * /invoices/{id}/refunds} ({@code Refund.CreateForInvoice}; also {@code POST
 * /transactions/{id}/refunds}) with {@code amount} (a decimal string, "must not be greater than the
 * amount still available on the transaction"), {@code reason} (customer_request, duplicate, fraud
 * or other), {@code information} and {@code metadata}; the answer is {@code {success}} (errors
 * {@code {success: false, error_type, message}}); {@code GET /transactions/{id}/refunds} lists a
 * transaction's refunds, each with {@code id}, {@code amount}, {@code metadata} and
 * {@code has_failed} ("true if the refund was asynchronously failed").
 *
 * <p>The router sends its refund id as the {@code Idempotency-Key} (ProcessOut replays the first
 * answer to a repeat, so a resend could never refund twice) and as {@code metadata.refund_id}, by
 * which the inquiry finds exactly this refund in the transaction's list. It still never resends:
 * an in-doubt refund is settled by that inquiry. CONVENTION: a {@code refund} object in the
 * answer (not in the SDK's answer type) is read for the refund's id when present.
 */
public final class ProcessOutRefunds {
  private ProcessOutRefunds() {}

  /** The metadata key that carries the router's refund id. */
  public static final String REFUND_ID = "refund_id";

  static JsonObject body(RefundInput in) {
    JsonObject b = new JsonObject().put("amount", Currencies.toMajorString(in.amount(), in.currency()))
        .put("reason", "customer_request").put("metadata", new JsonObject().put(REFUND_ID, in.refundId()));
    if (in.reason() != null) b.put("information", in.reason());
    return b;
  }

  /** Maps the answer of the refund call (it moves the money). */
  public static PspResult refundResult(HttpReply reply) {
    int s = reply.status();
    JsonObject body = reply.json();
    String errorType = ProcessOutMapping.errorType(body);
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "processout refused the credentials (" + s + ")",
          errorType != null ? errorType : String.valueOf(s));
    }
    if (body == null) return PspResult.inDoubt(null, "processout refund answer not JSON (" + s + ")");
    if (reply.is2xx() && Boolean.TRUE.equals(body.getValue("success"))) {
      String id = body.getValue("refund") instanceof JsonObject r ? ProcessOutMapping.str(r, "id") : null;
      return PspResult.succeeded(id);
    }
    // A validation error (more than is available, not captured, ...) or not-found: refused, nothing
    // refunded. 5xx and anything else: in doubt.
    if (s >= 400 && s < 500 && Boolean.FALSE.equals(body.getValue("success"))) {
      return Refunds.refused(errorType != null ? errorType : String.valueOf(s), "processout refused the refund (" + s + ")");
    }
    return PspResult.inDoubt(null, "processout answered " + s);
  }

  /**
   * Maps {@code GET /transactions/{id}/refunds} as the answer about one refund: the refund whose
   * {@code metadata.refund_id} is ours, failed or not (and of our amount); none is not found.
   */
  public static InquiryResult listResult(RefundInput in, HttpReply reply) {
    if (!reply.is2xx()) return InquiryResult.unknown("processout answered " + reply.status());
    JsonObject body = reply.json();
    if (body == null || !(body.getValue("refunds") instanceof JsonArray refunds)) {
      return InquiryResult.unknown("processout refund list unparseable");
    }
    for (Object o : refunds) {
      if (!(o instanceof JsonObject r) || !(r.getValue("metadata") instanceof JsonObject md)
          || !in.refundId().equals(ProcessOutMapping.str(md, REFUND_ID))) {
        continue;
      }
      if (Boolean.TRUE.equals(r.getValue("has_failed"))) {
        return InquiryResult.found(Refunds.refused("has_failed", "processout failed the refund"));
      }
      try {
        if (Currencies.toMinor(r.getValue("amount"), in.currency()) != in.amount()) {
          return InquiryResult.unknown("processout refunded another amount");
        }
      } catch (RuntimeException e) {
        return InquiryResult.unknown("processout refund amount unreadable");
      }
      return InquiryResult.found(PspResult.succeeded(ProcessOutMapping.str(r, "id")));
    }
    return InquiryResult.notFound();
  }
}
