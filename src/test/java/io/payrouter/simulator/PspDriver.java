package io.payrouter.simulator;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Test helper: drives one simulated PSP over raw HTTP, split the way the edge sees it: the set-up
 * calls, the one money-moving call, and the status inquiry. Amount 1999 minor units (approved)
 * unless {@link #prepare(Ctx, String, long, String)} names another, and no callback URL unless it
 * names one.
 */
enum PspDriver {
  FATORA("fatora", "SUCCESS", "PENDING", "FAILURE") {
    @Override
    Future<JsonObject> prepare(Ctx c, JsonObject p) {
      return Future.succeededFuture(p);
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/fatora/v1/payments/collect-payment")
          .putHeader("api_key", SimCredentials.FATORA_API_KEY)
          .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", p.getString("ref"))
              .put("amount", major(p)));
    }

    @Override
    Future<String> inquiryStatus(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/fatora/v1/payments/verify")
          .putHeader("api_key", SimCredentials.FATORA_API_KEY)
          .sendJsonObject(new JsonObject().put("order_id", p.getString("ref")))
          .map(r -> r.statusCode() == 200
              ? r.bodyAsJsonObject().getJsonObject("result").getString("payment_status") : "HTTP " + r.statusCode());
    }

    @Override
    String answeredStatus(HttpResponse<Buffer> r) {
      return r.bodyAsJsonObject().getString("status");
    }
  },

  DINTERO("dintero", "CAPTURED", "ON_HOLD", "AUTHORIZATION_VOIDED") {
    @Override
    Future<JsonObject> prepare(Ctx c, JsonObject p) {
      String aid = SimCredentials.DINTERO_ACCOUNT_ID;
      return c.http.postAbs(c.base + "/dintero/v1/accounts/" + aid + "/auth/token")
          .putHeader("Authorization", basic(SimCredentials.DINTERO_CLIENT_ID, SimCredentials.DINTERO_CLIENT_SECRET))
          .sendJsonObject(new JsonObject().put("grant_type", "client_credentials")
              .put("audience", "https://api.dintero.com/v1/accounts/" + aid))
          .map(r -> p.put("bearer", "Bearer " + r.bodyAsJsonObject().getString("access_token")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      JsonObject session = new JsonObject()
          .put("order", new JsonObject().put("amount", p.getLong("amount", 1999L)).put("currency", "USD")
              .put("merchant_reference", p.getString("ref")))
          .put("customer", new JsonObject().put("tokens", new JsonObject()
              .put("dintero_psp.creditcard", new JsonObject().put("payment_token", "dt_ok"))))
          .put("configuration", new JsonObject().put("auto_capture", true));
      if (p.getString("callback") != null) session.put("url", new JsonObject().put("callback_url", p.getString("callback")));
      return c.http.postAbs(c.base + "/dintero/v1/sessions/pay")
          .putHeader("Authorization", p.getString("bearer"))
          .putHeader("Dintero-Feature-Toggles", "strict-merchant-reference")
          .sendJsonObject(new JsonObject().put("session", session).put("payment", new JsonObject()
              .put("payment_product_type", "dintero_psp.creditcard").put("operation", "unscheduled_purchase")));
    }

    @Override
    Future<String> inquiryStatus(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/dintero/v1/transactions")
          .addQueryParam("merchant_reference", p.getString("ref"))
          .putHeader("Authorization", p.getString("bearer"))
          .send()
          .map(r -> {
            JsonArray a = r.statusCode() == 200 ? r.bodyAsJsonArray() : null;
            return a == null ? "HTTP " + r.statusCode() : a.size() != 1 ? a.size() + " transactions"
                : a.getJsonObject(0).getString("status");
          });
    }

    @Override
    String answeredStatus(HttpResponse<Buffer> r) {
      return r.bodyAsJsonObject().getString("status");
    }
  },

  REVIO("revio", "paid", "pending_charge", "cancelled") {
    @Override
    Future<JsonObject> prepare(Ctx c, JsonObject p) {
      JsonObject body = new JsonObject().put("brand_id", SimCredentials.REVIO_BRAND_ID)
          .put("client", new JsonObject().put("email", "a@example.com"))
          .put("purchase", new JsonObject().put("currency", "USD")
              .put("products", new JsonArray().add(new JsonObject().put("name", "x").put("price", p.getLong("amount", 1999L)))))
          .put("reference", p.getString("ref"));
      if (p.getString("callback") != null) body.put("success_callback", p.getString("callback"));
      return c.http.postAbs(c.base + "/revio/api/v1/purchases/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .sendJsonObject(body)
          .map(r -> p.put("id", r.bodyAsJsonObject().getString("id")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/revio/api/v1/purchases/" + p.getString("id") + "/charge/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .sendJsonObject(new JsonObject().put("recurring_token", "rt_ok"));
    }

    @Override
    Future<String> inquiryStatus(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/revio/api/v1/purchases/" + p.getString("id") + "/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .send()
          .map(r -> r.statusCode() == 200 ? r.bodyAsJsonObject().getString("status") : "HTTP " + r.statusCode());
    }

    @Override
    String answeredStatus(HttpResponse<Buffer> r) {
      return r.bodyAsJsonObject().getString("status");
    }
  },

  PAYCORE("paycore", "processed", "process_pending", "expired") {
    @Override
    Future<JsonObject> prepare(Ctx c, JsonObject p) {
      return createInvoice(c, p.getString("ref"), p.getLong("amount", 1999L), p.getString("callback")).map(r -> {
        JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
        return p.put("id", data.getString("id")).put("sale_token",
            data.getJsonObject("attributes").getJsonObject("flow_data").getJsonObject("metadata").getString("token"));
      });
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/paycore/cardgate/payment/sale")
          .putHeader("Authorization", "Bearer " + p.getString("sale_token"))
          .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "sale-operation")
              .put("attributes", new JsonObject())));
    }

    @Override
    Future<String> inquiryStatus(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/paycore/api/payment-invoices/" + p.getString("id"))
          .putHeader("Authorization", basic(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY))
          .send()
          .map(r -> r.statusCode() == 200
              ? r.bodyAsJsonObject().getJsonObject("data").getJsonObject("attributes").getString("status")
              : "HTTP " + r.statusCode());
    }

    @Override
    String answeredStatus(HttpResponse<Buffer> r) {
      return r.bodyAsJsonObject().getJsonObject("data").getJsonObject("attributes").getString("status");
    }
  },

  PROCESSOUT("processout", "completed", "pending", "voided") {
    @Override
    Future<JsonObject> prepare(Ctx c, JsonObject p) {
      JsonObject body = new JsonObject().put("name", "Order " + p.getString("ref")).put("amount", major(p).toPlainString())
          .put("currency", "USD").put("order_id", p.getString("ref"));
      if (p.getString("callback") != null) body.put("webhook_url", p.getString("callback"));
      return c.http.postAbs(c.base + "/processout/invoices")
          .putHeader("Authorization", processOutAuth())
          .sendJsonObject(body)
          .map(r -> p.put("id", r.bodyAsJsonObject().getJsonObject("invoice").getString("id")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/processout/invoices/" + p.getString("id") + "/capture")
          .putHeader("Authorization", processOutAuth())
          .sendJsonObject(new JsonObject().put("source", "tok_ok"));
    }

    @Override
    Future<String> inquiryStatus(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/processout/invoices/" + p.getString("id"))
          .addQueryParam("expand", "transaction")
          .putHeader("Authorization", processOutAuth())
          .send()
          .map(r -> r.statusCode() == 200
              ? r.bodyAsJsonObject().getJsonObject("invoice").getJsonObject("transaction").getString("status")
              : "HTTP " + r.statusCode());
    }

    @Override
    String answeredStatus(HttpResponse<Buffer> r) {
      JsonObject b = r.bodyAsJsonObject();
      return b.getJsonObject("transaction") == null ? "HTTP " + r.statusCode() : b.getJsonObject("transaction").getString("status");
    }
  };

  /** The simulator server and a client. */
  record Ctx(WebClient http, String base) {}

  final String provider;
  /** The ledger (and inquiry) status of an approved charge. */
  final String chargedStatus;
  /** The status the PSP documents as pending, which the late and cancel faults answer. */
  final String pendingStatus;
  /** The status of a payment the cancel fault closed unpaid. */
  final String cancelledStatus;

  PspDriver(String provider, String chargedStatus, String pendingStatus, String cancelledStatus) {
    this.provider = provider;
    this.chargedStatus = chargedStatus;
    this.pendingStatus = pendingStatus;
    this.cancelledStatus = cancelledStatus;
  }

  /** The calls before the money-moving one (none for Fatora), amount 1999, no callback. */
  Future<JsonObject> prepare(Ctx c, String ref) {
    return prepare(c, new JsonObject().put("ref", ref));
  }

  /** The calls before the money-moving one for {@code amount} minor units; callback may be null. */
  Future<JsonObject> prepare(Ctx c, String ref, long amount, String callback) {
    return prepare(c, new JsonObject().put("ref", ref).put("amount", amount).put("callback", callback));
  }

  /** {@code p} holds ref, and optionally amount and callback; returns what pay and inquiry need. */
  abstract Future<JsonObject> prepare(Ctx c, JsonObject p);

  /** The money-moving call. */
  abstract Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject prepared);

  /** The payment's status as the PSP's status inquiry endpoint shows it. */
  abstract Future<String> inquiryStatus(Ctx c, JsonObject prepared);

  /** The payment status in the answer to the money-moving call. */
  abstract String answeredStatus(HttpResponse<Buffer> r);

  /** Whether the PSP's status inquiry endpoint shows the payment as charged. */
  Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject prepared) {
    return inquiryStatus(c, prepared).map(chargedStatus::equals);
  }

  static BigDecimal major(JsonObject p) {
    return BigDecimal.valueOf(p.getLong("amount", 1999L), 2);
  }

  /** PayCore's invoice creation: a set-up call that already writes the ledger (process_pending). */
  static Future<HttpResponse<Buffer>> createInvoice(Ctx c, String ref) {
    return createInvoice(c, ref, 1999, null);
  }

  static Future<HttpResponse<Buffer>> createInvoice(Ctx c, String ref, long amount, String callback) {
    JsonObject attributes = new JsonObject().put("reference_id", ref).put("amount", BigDecimal.valueOf(amount, 2))
        .put("currency", "USD").put("service", "payment_card_usd_hpp").put("flow", "charge")
        .put("token", "pc_ok").put("customer", new JsonObject().put("reference_id", "cust-1"));
    if (callback != null) attributes.put("callback_url", callback);
    return c.http.postAbs(c.base + "/paycore/api/payment-invoices")
        .putHeader("Authorization", basic(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY))
        .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "payment-invoices")
            .put("attributes", attributes)));
  }

  static String processOutAuth() {
    return basic(SimCredentials.PROCESSOUT_PROJECT_ID, SimCredentials.PROCESSOUT_PROJECT_SECRET);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
