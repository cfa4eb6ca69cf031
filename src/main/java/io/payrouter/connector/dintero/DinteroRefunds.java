package io.payrouter.connector.dintero;

import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Refunds;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;

/**
 * Dintero refunds, pure mapping. Documented [NODE payments.d.ts {@code transactions_id_refund_post}
 * and the {@code Transaction} events]: {@code POST /v1/transactions/{id}/refund} with
 * {@code {amount (minor units), reason?, refund_reference?}} once the transaction is captured,
 * partial or total; 200 answers the Transaction, 202 ("operation accepted") answers it with the
 * operation still running (an {@code INITIATE_REFUND} event, completed later by a {@code REFUND}
 * event with the same correlation); 400/401/403/404/500/503 are the documented errors. Every
 * event carries {@code event_reference}, which for a refund is its {@code refund_reference}: the
 * router sends its refund id there and finds its own refund's events by it, on the answer and on
 * {@code GET /v1/transactions/{id}} alike. No idempotency header exists: never sent twice.
 */
public final class DinteroRefunds {
  private DinteroRefunds() {}

  static JsonObject body(RefundInput in) {
    JsonObject b = new JsonObject().put("amount", in.amount()).put("refund_reference", in.refundId());
    if (in.reason() != null) b.put("reason", in.reason());
    return b;
  }

  /** Maps the answer of the refund call (it moves the money). */
  public static PspResult refundResult(RefundInput in, HttpReply reply) {
    int s = reply.status();
    JsonObject body = reply.json();
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "dintero refused the access token (" + s + ")",
          DinteroMapping.errorCode(body, s));
    }
    if (s == 200 || s == 202) {
      if (body == null) return PspResult.inDoubt(null, "dintero refund answer not JSON");
      if (!in.chargeReference().equals(DinteroMapping.str(body, "merchant_reference"))) {
        return PspResult.inDoubt(null, "dintero refund answered about another transaction");
      }
      PspResult r = fromEvents(in, body);
      if (r != null) return r;
      // 202 without our event yet: accepted, still running.
      return s == 202 ? PspResult.pending(null, "INITIATE_REFUND") : PspResult.inDoubt(null, "no event of this refund");
    }
    // 400 (not captured, more than is left, ...), 404: refused, nothing refunded. 500, 503
    // ("processor temporarily unavailable", no word on whether the operation ran) and anything else:
    // in doubt, the inquiry settles it.
    if (s == 400 || s == 404) {
      return Refunds.refused(DinteroMapping.errorCode(body, s), "dintero refused the refund (" + s + ")");
    }
    return PspResult.inDoubt(null, "dintero answered " + s);
  }

  /** Maps {@code GET /v1/transactions/{id}} as the answer about one refund. */
  public static InquiryResult inquiryResult(RefundInput in, HttpReply reply) {
    if (!reply.is2xx()) return InquiryResult.unknown("dintero answered " + reply.status());
    JsonObject tx = reply.json();
    if (tx == null) return InquiryResult.unknown("dintero answer not JSON");
    if (!in.chargeReference().equals(DinteroMapping.str(tx, "merchant_reference"))) {
      return InquiryResult.unknown("dintero transaction belongs to another merchant_reference");
    }
    PspResult r = fromEvents(in, tx);
    return r == null ? InquiryResult.notFound() : InquiryResult.found(r);
  }

  /**
   * This refund's events in a transaction: a {@code REFUND} that succeeded (for its amount) is
   * refunded, one that failed is refused; an {@code INITIATE_REFUND} alone is pending; none is null.
   */
  static PspResult fromEvents(RefundInput in, JsonObject tx) {
    if (!(tx.getValue("events") instanceof JsonArray events)) return null;
    boolean initiated = false;
    for (Object o : events) {
      if (!(o instanceof JsonObject e) || !in.refundId().equals(DinteroMapping.str(e, "event_reference"))) continue;
      String name = DinteroMapping.str(e, "event");
      if ("REFUND".equals(name)) {
        if (Boolean.TRUE.equals(e.getValue("success"))) {
          Object amount = e.getValue("amount");
          if (amount instanceof Number n && n.longValue() != in.amount()) {
            return PspResult.inDoubt(null, "dintero refunded another amount (" + n + ")");
          }
          return PspResult.succeeded(DinteroMapping.str(e, "id"));
        }
        JsonObject err = e.getValue("error") instanceof JsonObject x ? x : null;
        String code = err == null ? "REFUND_FAILED" : DinteroMapping.str(err, "code");
        return Refunds.refused(code == null ? "REFUND_FAILED" : code, "dintero failed the refund");
      }
      if ("INITIATE_REFUND".equals(name)) initiated = true;
    }
    return initiated ? PspResult.pending(null, "INITIATE_REFUND") : null;
  }
}
