package io.payrouter.simulator;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * Test helper: drives one simulated PSP over raw HTTP, split the way the edge sees it: the set-up
 * calls, the one money-moving call, and the status inquiry. Amount 1999 minor units (approved).
 */
enum PspDriver {
  FATORA("fatora", "SUCCESS") {
    @Override
    Future<JsonObject> prepare(Ctx c, String ref) {
      return Future.succeededFuture(new JsonObject().put("ref", ref));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/fatora/v1/payments/collect-payment")
          .putHeader("api_key", SimCredentials.FATORA_API_KEY)
          .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", p.getString("ref"))
              .put("amount", 19.99));
    }

    @Override
    Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/fatora/v1/payments/verify")
          .putHeader("api_key", SimCredentials.FATORA_API_KEY)
          .sendJsonObject(new JsonObject().put("order_id", p.getString("ref")))
          .map(r -> r.statusCode() == 200
              && "SUCCESS".equals(r.bodyAsJsonObject().getJsonObject("result").getString("payment_status")));
    }
  },

  DINTERO("dintero", "CAPTURED") {
    @Override
    Future<JsonObject> prepare(Ctx c, String ref) {
      String aid = SimCredentials.DINTERO_ACCOUNT_ID;
      return c.http.postAbs(c.base + "/dintero/v1/accounts/" + aid + "/auth/token")
          .putHeader("Authorization", basic(SimCredentials.DINTERO_CLIENT_ID, SimCredentials.DINTERO_CLIENT_SECRET))
          .sendJsonObject(new JsonObject().put("grant_type", "client_credentials")
              .put("audience", "https://api.dintero.com/v1/accounts/" + aid))
          .map(r -> new JsonObject().put("ref", ref)
              .put("bearer", "Bearer " + r.bodyAsJsonObject().getString("access_token")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      JsonObject session = new JsonObject()
          .put("order", new JsonObject().put("amount", 1999).put("currency", "USD")
              .put("merchant_reference", p.getString("ref")))
          .put("customer", new JsonObject().put("tokens", new JsonObject()
              .put("dintero_psp.creditcard", new JsonObject().put("payment_token", "dt_ok"))))
          .put("configuration", new JsonObject().put("auto_capture", true));
      return c.http.postAbs(c.base + "/dintero/v1/sessions/pay")
          .putHeader("Authorization", p.getString("bearer"))
          .putHeader("Dintero-Feature-Toggles", "strict-merchant-reference")
          .sendJsonObject(new JsonObject().put("session", session).put("payment", new JsonObject()
              .put("payment_product_type", "dintero_psp.creditcard").put("operation", "unscheduled_purchase")));
    }

    @Override
    Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/dintero/v1/transactions")
          .addQueryParam("merchant_reference", p.getString("ref"))
          .putHeader("Authorization", p.getString("bearer"))
          .send()
          .map(r -> {
            JsonArray a = r.bodyAsJsonArray();
            return r.statusCode() == 200 && a.size() == 1 && "CAPTURED".equals(a.getJsonObject(0).getString("status"));
          });
    }
  },

  REVIO("revio", "paid") {
    @Override
    Future<JsonObject> prepare(Ctx c, String ref) {
      return c.http.postAbs(c.base + "/revio/api/v1/purchases/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .sendJsonObject(new JsonObject().put("brand_id", SimCredentials.REVIO_BRAND_ID)
              .put("client", new JsonObject().put("email", "a@example.com"))
              .put("purchase", new JsonObject().put("currency", "USD")
                  .put("products", new JsonArray().add(new JsonObject().put("name", "x").put("price", 1999))))
              .put("reference", ref))
          .map(r -> new JsonObject().put("ref", ref).put("id", r.bodyAsJsonObject().getString("id")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/revio/api/v1/purchases/" + p.getString("id") + "/charge/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .sendJsonObject(new JsonObject().put("recurring_token", "rt_ok"));
    }

    @Override
    Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/revio/api/v1/purchases/" + p.getString("id") + "/")
          .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY)
          .send()
          .map(r -> r.statusCode() == 200 && "paid".equals(r.bodyAsJsonObject().getString("status")));
    }
  },

  PAYCORE("paycore", "processed") {
    @Override
    Future<JsonObject> prepare(Ctx c, String ref) {
      return createInvoice(c, ref).map(r -> {
        JsonObject data = r.bodyAsJsonObject().getJsonObject("data");
        return new JsonObject().put("ref", ref).put("id", data.getString("id")).put("sale_token",
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
    Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/paycore/api/payment-invoices/" + p.getString("id"))
          .putHeader("Authorization", basic(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY))
          .send()
          .map(r -> r.statusCode() == 200 && "processed".equals(
              r.bodyAsJsonObject().getJsonObject("data").getJsonObject("attributes").getString("status")));
    }
  },

  PROCESSOUT("processout", "completed") {
    @Override
    Future<JsonObject> prepare(Ctx c, String ref) {
      return c.http.postAbs(c.base + "/processout/invoices")
          .putHeader("Authorization", processOutAuth())
          .sendJsonObject(new JsonObject().put("name", "Order " + ref).put("amount", "19.99")
              .put("currency", "USD").put("order_id", ref))
          .map(r -> new JsonObject().put("ref", ref)
              .put("id", r.bodyAsJsonObject().getJsonObject("invoice").getString("id")));
    }

    @Override
    Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject p) {
      return c.http.postAbs(c.base + "/processout/invoices/" + p.getString("id") + "/capture")
          .putHeader("Authorization", processOutAuth())
          .sendJsonObject(new JsonObject().put("source", "tok_ok"));
    }

    @Override
    Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject p) {
      return c.http.getAbs(c.base + "/processout/invoices/" + p.getString("id"))
          .addQueryParam("expand", "transaction")
          .putHeader("Authorization", processOutAuth())
          .send()
          .map(r -> r.statusCode() == 200 && "completed".equals(
              r.bodyAsJsonObject().getJsonObject("invoice").getJsonObject("transaction").getString("status")));
    }
  };

  /** The simulator server and a client. */
  record Ctx(WebClient http, String base) {}

  final String provider;
  /** The ledger status of an approved charge. */
  final String chargedStatus;

  PspDriver(String provider, String chargedStatus) {
    this.provider = provider;
    this.chargedStatus = chargedStatus;
  }

  /** The calls before the money-moving one (none for Fatora); returns what pay and inquiry need. */
  abstract Future<JsonObject> prepare(Ctx c, String ref);

  /** The money-moving call. */
  abstract Future<HttpResponse<Buffer>> pay(Ctx c, JsonObject prepared);

  /** Whether the PSP's status inquiry endpoint shows the payment as charged. */
  abstract Future<Boolean> inquiryShowsCharge(Ctx c, JsonObject prepared);

  /** PayCore's invoice creation: a set-up call that already writes the ledger (process_pending). */
  static Future<HttpResponse<Buffer>> createInvoice(Ctx c, String ref) {
    return c.http.postAbs(c.base + "/paycore/api/payment-invoices")
        .putHeader("Authorization", basic(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY))
        .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "payment-invoices")
            .put("attributes", new JsonObject().put("reference_id", ref).put("amount", 19.99)
                .put("currency", "USD").put("service", "payment_card_usd_hpp").put("flow", "charge")
                .put("token", "pc_ok").put("customer", new JsonObject().put("reference_id", "cust-1")))));
  }

  static String processOutAuth() {
    return basic(SimCredentials.PROCESSOUT_PROJECT_ID, SimCredentials.PROCESSOUT_PROJECT_SECRET);
  }

  static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }
}
