package io.payrouter.connector.paycore;

import io.payrouter.common.Currencies;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.connector.Refunds;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Set;

/**
 * PayCore (Corefy) refunds, pure mapping. Documented [PC-refunds: merchant-docs.paycore.io/guides/
 * payments/refunds; GP: docs.gatewaypay.tech/api-10612037]: {@code POST
 * /payment-invoices/{cpi_id}/refund} with {@code {"data":{"type":"refund","id":cpi_id,
 * "attributes":{amount, reference_id, description}}}}: {@code amount} in decimal major units,
 * {@code reference_id} "the unique identifier of the operation on the merchant side" (required:
 * 422 without it); partial refunds may be repeated until nothing is left. The answer is the
 * invoice, its status {@code refunded}/{@code partially_refunded} and its {@code refunded_amount}.
 * The router sends its refund id as {@code reference_id}: PayCore refuses a reused one, so a resend
 * could never refund twice; the router nevertheless never resends, and settles an in-doubt refund
 * by {@code GET /payment-invoices/{cpi_id}}, whose {@code refunded_amount} says what was refunded.
 */
public final class PayCoreRefunds {
  private PayCoreRefunds() {}

  /** Invoice statuses PayCore documents while a refund is being processed (not final). */
  static final Set<String> REFUNDING = Set.of("refunding", "refund_pending", "refund_error");

  static JsonObject body(String cpiId, RefundInput in) {
    JsonObject attrs = new JsonObject().put("amount", Currencies.toMajor(in.amount(), in.currency()))
        .put("reference_id", in.refundId());
    if (in.reason() != null) attrs.put("description", in.reason());
    return new JsonObject().put("data", new JsonObject().put("type", "refund").put("id", cpiId).put("attributes", attrs));
  }

  /** Maps the answer of the refund call (it moves the money). */
  public static PspResult refundResult(String cpiId, RefundInput in, HttpReply reply) {
    int s = reply.status();
    if (reply.is2xx()) {
      JsonObject doc = reply.json();
      JsonObject attrs = PayCoreMapping.attributes(doc);
      if (attrs == null) return PspResult.inDoubt(null, "unparseable refund answer");
      String id = PayCoreMapping.string(PayCoreMapping.data(doc), "id");
      if (id != null && !id.equals(cpiId)) return PspResult.inDoubt(null, "refund answered about another invoice");
      return fromInvoice(in, attrs, false);
    }
    List<String> codes = PayCoreMapping.errorCodes(reply.json());
    String code = codes.isEmpty() ? String.valueOf(s) : codes.get(0);
    if (s == 401 || s == 403) {
      return PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "paycore refused the credentials", code);
    }
    // A reused reference_id (ours are never reused) or 429 ("too many requests or duplicate
    // request detected"): a duplicate may have been processed. In doubt: the inquiry settles it.
    if (s == 429 || codes.contains(PayCoreMapping.DUPLICATE_REFERENCE_ID)) {
      return new PspResult(Outcome.IN_DOUBT, null, null, false, code, "paycore answered " + s + " " + code);
    }
    if (s >= 400 && s < 500) return Refunds.refused(code, "paycore refused the refund: HTTP " + s);
    return PspResult.inDoubt(null, "unexpected refund answer: HTTP " + s);
  }

  /** Maps {@code GET /payment-invoices/{cpi_id}} as the answer about one refund. */
  public static InquiryResult inquiryResult(String cpiId, RefundInput in, HttpReply reply) {
    if (reply.status() != 200) return InquiryResult.unknown("invoice lookup: HTTP " + reply.status());
    JsonObject doc = reply.json();
    JsonObject attrs = PayCoreMapping.attributes(doc);
    if (attrs == null || PayCoreMapping.string(attrs, "status") == null) return InquiryResult.unknown("unparseable invoice");
    if (in.chargeReference() == null || !in.chargeReference().equals(PayCoreMapping.string(attrs, "reference_id"))) {
      return InquiryResult.unknown("invoice belongs to another reference");
    }
    String id = PayCoreMapping.string(PayCoreMapping.data(doc), "id");
    if (id != null && !id.equals(cpiId)) return InquiryResult.unknown("answer is about another invoice");
    PspResult r = fromInvoice(in, attrs, true);
    if (r == null) return InquiryResult.notFound();
    return r.outcome() == Outcome.IN_DOUBT ? InquiryResult.unknown(r.message()) : InquiryResult.found(r);
  }

  /**
   * An invoice in a refund's terms: a refunding status is pending; otherwise its
   * {@code refunded_amount} decides ({@link Refunds#byTotal}). On an inquiry a total that shows
   * nothing of this refund is null ("not found"); on the refund's own answer it is in doubt.
   */
  static PspResult fromInvoice(RefundInput in, JsonObject attrs, boolean inquiry) {
    String status = PayCoreMapping.string(attrs, "status");
    if (status != null && REFUNDING.contains(status)) return PspResult.pending(null, status);
    long total;
    try {
      Object v = attrs.getValue("refunded_amount");
      total = v == null ? 0 : Currencies.toMinor(v, in.currency());
    } catch (RuntimeException e) {
      return PspResult.inDoubt(null, "unreadable refunded_amount");
    }
    if (!inquiry) return Refunds.answerByTotal(total, in, null);
    InquiryResult r = Refunds.byTotal(total, in, null);
    return switch (r.kind()) {
      case FOUND -> r.result();
      case NOT_FOUND -> "refund_failed".equals(status) ? Refunds.refused("refund_failed", "paycore failed the refund")
          : null;
      default -> PspResult.inDoubt(null, r.result().message());
    };
  }
}
