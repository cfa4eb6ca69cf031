package io.payrouter.connector.revio;

import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Refunds;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonObject;
import java.util.List;

/**
 * Revio (CHIP Collect) refunds, pure mapping. Documented [CHIP-refund: docs.chip-in.asia/
 * chip-collect/api-reference/purchases/refund; CHIP-php {@code refundPurchase}]: {@code POST
 * /purchases/{id}/refund/} with an optional {@code amount} in minor units (absent: a full refund;
 * "should not be more than Purchase.refundable_amount"); the answer is the Payment the refund
 * generated, or, when the acquirer is slow, the Purchase in {@code pending_refund}; a processing
 * error is 400 {@code purchase_refund_error}. There is no idempotency mechanism: a refund is never
 * sent twice; an in-doubt one is settled by {@code GET /purchases/{id}/}, whose
 * {@code refundable_amount} tells what has been refunded so far.
 */
public final class RevioRefunds {
  private RevioRefunds() {}

  /** The error code CHIP documents for a refund the acquirer refused. */
  public static final String REFUND_ERROR = "purchase_refund_error";

  /**
   * The body: the amount always, even for a whole refund, so that the PSP refunds exactly what the
   * router reserved (never "the rest" as the PSP counts it).
   */
  static JsonObject body(RefundInput in) {
    return new JsonObject().put("amount", in.amount());
  }

  /** Maps the answer of {@code POST /purchases/{id}/refund/} (the call that moves the money). */
  public static PspResult refundResult(String purchaseId, RefundInput in, HttpReply reply) {
    int s = reply.status();
    JsonObject body = reply.json();
    if (s == 200 || s == 201) {
      if (body == null) return PspResult.inDoubt(null, "unparseable refund answer");
      String status = RevioMapping.status(body);
      if ("pending_refund".equals(status)) return PspResult.pending(null, "pending_refund");
      if (status != null) {
        // A Purchase (not the documented Payment): judged by what it shows refunded.
        Long total = refundedTotal(body);
        return total == null ? PspResult.inDoubt(null, "refund answered purchase " + status)
            : Refunds.answerByTotal(total, in, null);
      }
      return payment(purchaseId, in, body);
    }
    List<String> codes = RevioMapping.errorCodes(body);
    String code = codes.isEmpty() ? String.valueOf(s) : codes.get(0);
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "revio refused the credentials", code);
    }
    if (s == 429) {
      // rate_limited: a throttled request, not carried out (see psps.md, "429 and 503").
      return PspResult.notSent(NotSentReason.PSP_UNAVAILABLE, "revio rate limited the refund", "rate_limited");
    }
    // 400 purchase_refund_error (the acquirer refused it), other 400s, 404, 409 (wrong state),
    // 422: the request was refused, nothing refunded. We never send a refund twice, so a refusal
    // cannot be about an earlier call of ours.
    if (s >= 400 && s < 500) return Refunds.refused(code, "revio refused the refund: HTTP " + s);
    return PspResult.inDoubt(null, "unexpected refund answer: HTTP " + s);
  }

  /** The documented answer, a Payment: for this purchase and this amount, else in doubt. */
  static PspResult payment(String purchaseId, RefundInput in, JsonObject body) {
    String id = RevioMapping.string(body, "id");
    JsonObject related = body.getValue("related_to") instanceof JsonObject r ? r : null;
    if (related != null && RevioMapping.string(related, "id") != null
        && !purchaseId.equals(RevioMapping.string(related, "id"))) {
      return PspResult.inDoubt(id, "refund answered about another purchase");
    }
    JsonObject payment = body.getValue("payment") instanceof JsonObject p ? p : null;
    Object amount = payment == null ? null : payment.getValue("amount");
    if (id == null || !(amount instanceof Number n) || n.longValue() != in.amount()) {
      return PspResult.inDoubt(id, "refund answer without this refund's payment");
    }
    return PspResult.succeeded(id);
  }

  /**
   * Maps {@code GET /purchases/{id}/} as the answer about one refund: the purchase must be the
   * charge's (its reference and id); {@code pending_refund} is pending; otherwise its refunded
   * total ({@code purchase.total} less {@code refundable_amount}) decides ({@link Refunds#byTotal}).
   */
  public static InquiryResult inquiryResult(String purchaseId, RefundInput in, HttpReply reply) {
    if (reply.status() != 200) return InquiryResult.unknown("purchase lookup: HTTP " + reply.status());
    JsonObject purchase = reply.json();
    if (purchase == null || RevioMapping.status(purchase) == null) return InquiryResult.unknown("unparseable purchase");
    if (!RevioMapping.sameReference(in.chargeReference(), RevioMapping.string(purchase, "reference"))) {
      return InquiryResult.unknown("purchase belongs to another reference");
    }
    String id = RevioMapping.string(purchase, "id");
    if (id != null && !id.equals(purchaseId)) return InquiryResult.unknown("answer is about another purchase");
    if ("pending_refund".equals(RevioMapping.status(purchase))) {
      return InquiryResult.found(PspResult.pending(null, "pending_refund"));
    }
    Long total = refundedTotal(purchase);
    return total == null ? InquiryResult.unknown("purchase without a refundable_amount")
        : Refunds.byTotal(total, in, null);
  }

  /** {@code purchase.total - refundable_amount} of a paid purchase, or null when not shown. */
  static Long refundedTotal(JsonObject purchase) {
    JsonObject p = purchase.getValue("purchase") instanceof JsonObject o ? o : null;
    Object total = p == null ? null : p.getValue("total");
    Object refundable = purchase.getValue("refundable_amount");
    if (!(total instanceof Number t) || !(refundable instanceof Number r)) return null;
    return t.longValue() - r.longValue();
  }
}
