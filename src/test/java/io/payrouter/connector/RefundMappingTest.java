package io.payrouter.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.connector.dintero.DinteroRefunds;
import io.payrouter.connector.fatora.FatoraRefunds;
import io.payrouter.connector.paycore.PayCoreRefunds;
import io.payrouter.connector.processout.ProcessOutRefunds;
import io.payrouter.connector.revio.RevioRefunds;
import io.payrouter.domain.Outcome;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Each PSP's refund answers and inquiries, as pure mapping: what is a refund made, pending,
 * refused or in doubt, and what an inquiry proves. The same cases run end to end against the
 * simulators in {@code it/RefundContractTest}.
 */
class RefundMappingTest {
  /** 1,000 of a 4,200 charge of which 500 was refunded before. */
  static final RefundInput IN = new RefundInput("re_1", "ch_1", "ch_1-2", "pid_1", 1000, "USD", 4200, 500, null);

  static HttpReply reply(int status, Object body) {
    return new HttpReply(status, Map.of(), body == null ? "" : body.toString());
  }

  static InquiryResult.Kind kind(InquiryResult r) {
    return r.kind();
  }

  @Test
  void revio() {
    JsonObject payment = new JsonObject().put("type", "payment").put("id", "pay_9")
        .put("payment", new JsonObject().put("amount", 1000)).put("related_to", new JsonObject().put("id", "pid_1"));
    assertEquals(Outcome.SUCCEEDED, RevioRefunds.refundResult("pid_1", IN, reply(200, payment)).outcome());
    assertEquals("pay_9", RevioRefunds.refundResult("pid_1", IN, reply(200, payment)).providerReference());
    assertEquals(Outcome.IN_DOUBT, RevioRefunds.refundResult("pid_1", IN, reply(200, payment.copy()
        .put("payment", new JsonObject().put("amount", 999)))).outcome(), "another amount");
    assertEquals(Outcome.IN_DOUBT, RevioRefunds.refundResult("pid_1", IN, reply(200, payment.copy()
        .put("related_to", new JsonObject().put("id", "pid_2")))).outcome(), "another purchase");
    assertEquals(Outcome.PENDING, RevioRefunds.refundResult("pid_1", IN,
        reply(200, new JsonObject().put("status", "pending_refund"))).outcome());
    assertEquals(Outcome.DECLINED, RevioRefunds.refundResult("pid_1", IN,
        reply(400, "{\"__all__\":{\"code\":\"purchase_refund_error\",\"message\":\"x\"}}")).outcome());
    assertEquals(Outcome.NOT_SENT, RevioRefunds.refundResult("pid_1", IN, reply(401, "{}")).outcome());
    assertEquals(Outcome.IN_DOUBT, RevioRefunds.refundResult("pid_1", IN, reply(502, "<html>")).outcome());
    assertEquals(Outcome.IN_DOUBT, RevioRefunds.refundResult("pid_1", IN, reply(200, "not json")).outcome());

    JsonObject purchase = new JsonObject().put("id", "pid_1").put("reference", "ch_1-2").put("status", "paid")
        .put("purchase", new JsonObject().put("total", 4200));
    assertEquals(InquiryResult.Kind.FOUND, kind(RevioRefunds.inquiryResult("pid_1", IN,
        reply(200, purchase.copy().put("refundable_amount", 2700)))), "500 + 1000 refunded: it landed");
    assertEquals(InquiryResult.Kind.NOT_FOUND, kind(RevioRefunds.inquiryResult("pid_1", IN,
        reply(200, purchase.copy().put("refundable_amount", 3700)))), "only the 500 before");
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(RevioRefunds.inquiryResult("pid_1", IN,
        reply(200, purchase.copy().put("refundable_amount", 3000)))), "someone else refunded");
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(RevioRefunds.inquiryResult("pid_1", IN,
        reply(200, purchase.copy().put("reference", "ch_1").put("refundable_amount", 2700)))), "another attempt");
    assertEquals(Outcome.PENDING, RevioRefunds.inquiryResult("pid_1", IN,
        reply(200, purchase.copy().put("status", "pending_refund"))).result().outcome());
  }

  @Test
  void payCore() {
    JsonObject invoice = new JsonObject().put("data", new JsonObject().put("id", "pid_1").put("attributes",
        new JsonObject().put("status", "partially_refunded").put("refunded_amount", 15.00).put("reference_id", "ch_1-2")));
    assertEquals(Outcome.SUCCEEDED, PayCoreRefunds.refundResult("pid_1", IN, reply(200, invoice)).outcome());
    JsonObject pending = invoice.copy();
    pending.getJsonObject("data").getJsonObject("attributes").put("status", "refund_pending").put("refunded_amount", 5.00);
    assertEquals(Outcome.PENDING, PayCoreRefunds.refundResult("pid_1", IN, reply(200, pending)).outcome());
    assertEquals(Outcome.IN_DOUBT, PayCoreRefunds.refundResult("pid_1", IN,
        reply(422, "{\"error_codes\":[\"duplicate_reference_id\"]}")).outcome());
    assertEquals(Outcome.DECLINED, PayCoreRefunds.refundResult("pid_1", IN,
        reply(422, "{\"error_codes\":[\"refund_amount_exceeded\"]}")).outcome());
    assertEquals(Outcome.IN_DOUBT, PayCoreRefunds.refundResult("pid_1", IN, reply(429, "{}")).outcome());
    assertEquals(InquiryResult.Kind.FOUND, kind(PayCoreRefunds.inquiryResult("pid_1", IN, reply(200, invoice))));
    JsonObject before = invoice.copy();
    before.getJsonObject("data").getJsonObject("attributes").put("status", "partially_refunded").put("refunded_amount", 5.00);
    assertEquals(InquiryResult.Kind.NOT_FOUND, kind(PayCoreRefunds.inquiryResult("pid_1", IN, reply(200, before))));
    JsonObject other = invoice.copy();
    other.getJsonObject("data").getJsonObject("attributes").put("reference_id", "ch_9");
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(PayCoreRefunds.inquiryResult("pid_1", IN, reply(200, other))));
  }

  @Test
  void fatoraRefundsWholePaymentsOnly() {
    assertEquals("refund the whole charge", new io.payrouter.connector.fatora.FatoraConnector()
        .refundRefusal(4200, 1000L).map(s -> s.contains("refund the whole charge") ? "refund the whole charge" : s).orElse(""));
    assertEquals(java.util.Optional.empty(), new io.payrouter.connector.fatora.FatoraConnector().refundRefusal(4200, null));
    assertEquals(java.util.Optional.empty(), new io.payrouter.connector.fatora.FatoraConnector().refundRefusal(4200, 4200L));
    RefundInput whole = new RefundInput("re_1", "ch_1", "ch_1", "txn_1", 4200, "USD", 4200, 0, null);
    assertEquals(Outcome.SUCCEEDED, FatoraRefunds.refundResult(reply(200,
        "{\"status\":\"SUCCESS\",\"result\":{\"refund_status\":\"completed\"}}")).outcome());
    assertEquals(Outcome.PENDING, FatoraRefunds.refundResult(reply(200,
        "{\"status\":\"SUCCESS\",\"result\":{\"refund_status\":\"pending\"}}")).outcome());
    assertEquals(Outcome.DECLINED, FatoraRefunds.refundResult(reply(200,
        "{\"status\":\"FAILURE\",\"result\":{\"description\":\"Transaction already refunded\"}}")).outcome());
    assertEquals(Outcome.IN_DOUBT, FatoraRefunds.refundResult(reply(500, "{}")).outcome());
    String verify = "{\"status\":\"SUCCESS\",\"result\":{\"order_id\":\"ch_1\",\"payment_status\":\"SUCCESS\"%s}}";
    assertEquals(InquiryResult.Kind.FOUND, kind(FatoraRefunds.inquiryResult(reply(200,
        verify.formatted(",\"refund_status\":\"completed\"")), whole)));
    assertEquals(InquiryResult.Kind.NOT_FOUND, kind(FatoraRefunds.inquiryResult(reply(200, verify.formatted("")), whole)));
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(FatoraRefunds.inquiryResult(reply(404, "{}"), whole)));
  }

  @Test
  void dinteroFindsItsOwnRefundByRefundReference() {
    JsonObject tx = new JsonObject().put("id", "pid_1").put("merchant_reference", "ch_1-2").put("events", new JsonArray()
        .add(new JsonObject().put("event", "REFUND").put("success", true).put("amount", 500).put("event_reference", "re_0"))
        .add(new JsonObject().put("event", "REFUND").put("success", true).put("amount", 1000).put("event_reference", "re_1")
            .put("id", "ev_1")));
    assertEquals(Outcome.SUCCEEDED, DinteroRefunds.refundResult(IN, reply(200, tx)).outcome());
    assertEquals("ev_1", DinteroRefunds.refundResult(IN, reply(200, tx)).providerReference());
    JsonObject initiated = tx.copy().put("events", new JsonArray().add(new JsonObject().put("event", "INITIATE_REFUND")
        .put("event_reference", "re_1")));
    assertEquals(Outcome.PENDING, DinteroRefunds.refundResult(IN, reply(202, initiated)).outcome());
    JsonObject failed = tx.copy().put("events", new JsonArray().add(new JsonObject().put("event", "REFUND")
        .put("success", false).put("event_reference", "re_1").put("error", new JsonObject().put("code", "declined"))));
    assertEquals(Outcome.DECLINED, DinteroRefunds.refundResult(IN, reply(200, failed)).outcome());
    assertEquals(Outcome.DECLINED, DinteroRefunds.refundResult(IN, reply(400, "{\"error\":{\"code\":\"bad\"}}")).outcome());
    assertEquals(Outcome.IN_DOUBT, DinteroRefunds.refundResult(IN, reply(503, "{}")).outcome());
    JsonObject none = tx.copy().put("events", new JsonArray());
    assertEquals(InquiryResult.Kind.NOT_FOUND, kind(DinteroRefunds.inquiryResult(IN, reply(200, none))));
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(DinteroRefunds.inquiryResult(IN,
        reply(200, tx.copy().put("merchant_reference", "ch_1")))));
  }

  @Test
  void processOutFindsItsOwnRefundByMetadata() {
    assertEquals(Outcome.SUCCEEDED, ProcessOutRefunds.refundResult(reply(200,
        "{\"success\":true,\"refund\":{\"id\":\"re_po\"}}")).outcome());
    assertEquals(Outcome.DECLINED, ProcessOutRefunds.refundResult(reply(400,
        "{\"success\":false,\"error_type\":\"request.refund.amount-too-high\"}")).outcome());
    assertEquals(Outcome.IN_DOUBT, ProcessOutRefunds.refundResult(reply(500, "{\"success\":false}")).outcome());
    JsonObject ours = new JsonObject().put("id", "re_po").put("amount", "10.00").put("has_failed", false)
        .put("metadata", new JsonObject().put("refund_id", "re_1"));
    JsonObject theirs = ours.copy().put("metadata", new JsonObject().put("refund_id", "re_0"));
    assertEquals(InquiryResult.Kind.FOUND, kind(ProcessOutRefunds.listResult(IN, reply(200,
        new JsonObject().put("refunds", new JsonArray().add(theirs).add(ours))))));
    assertEquals(InquiryResult.Kind.NOT_FOUND, kind(ProcessOutRefunds.listResult(IN, reply(200,
        new JsonObject().put("refunds", new JsonArray().add(theirs))))));
    assertEquals(Outcome.DECLINED, ProcessOutRefunds.listResult(IN, reply(200, new JsonObject().put("refunds",
        new JsonArray().add(ours.copy().put("has_failed", true))))).result().outcome());
    assertEquals(InquiryResult.Kind.UNKNOWN, kind(ProcessOutRefunds.listResult(IN, reply(200, new JsonObject()
        .put("refunds", new JsonArray().add(ours.copy().put("amount", "9.99")))))));
  }
}
