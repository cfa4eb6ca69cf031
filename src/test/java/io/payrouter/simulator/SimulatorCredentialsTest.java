package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.simulator.dintero.DinteroCallbackSignature;
import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.payrouter.simulator.paycore.PayCoreCallbackSignature;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.payrouter.simulator.revio.RevioWebhookSignature;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Simulators started with configured credentials ({@code simulators --credentials FILE}) accept
 * only those: the built-in defaults are refused the PSP's own way, and callbacks are signed with
 * the configured secrets. Over real HTTP on loopback.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SimulatorCredentialsTest {
  static final SimCredentials CREDS = SimCredentials.parse(SimCredentialsTest.FULL, "test");

  static SimulatorServer sim;
  static WebClient http;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new RevioSimulator(), new PayCoreSimulator(), new FatoraSimulator(),
        new DinteroSimulator(), new ProcessOutSimulator()), CREDS);
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- Revio

  @Test
  void revioRefusesTheDefaultSecretKeyWithItsOwn401(VertxTestContext tc) {
    revioCreate(SimCredentials.REVIO_SECRET_KEY, CREDS.revioBrandId(), null).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(401, r.statusCode());
      assertEquals("unauthorized", r.bodyAsJsonObject().getJsonObject("__all__").getString("code"));
      tc.completeNow();
    })));
  }

  @Test
  void revioRefusesTheDefaultBrandIdAsAnUnknownBrand(VertxTestContext tc) {
    revioCreate(CREDS.revioSecretKey(), SimCredentials.REVIO_BRAND_ID, null).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(400, r.statusCode());
      assertEquals("does_not_exist", r.bodyAsJsonObject().getJsonObject("brand_id").getString("code"));
      tc.completeNow();
    })));
  }

  @Test
  void revioTakesTheConfiguredKeyAndBrandAndStillSignsItsWebhookWithItsRsaKey(Vertx vertx, VertxTestContext tc) {
    WebhookReceiver.start(vertx).compose(hooks -> revioCreate(CREDS.revioSecretKey(), CREDS.revioBrandId(), hooks.url("/hook"))
            .compose(created -> {
              tc.verify(() -> assertEquals(201, created.statusCode(), created.bodyAsString()));
              return http.postAbs(sim.baseUrl() + "/revio/api/v1/purchases/" + created.bodyAsJsonObject().getString("id") + "/charge/")
                  .putHeader("Authorization", "Bearer " + CREDS.revioSecretKey())
                  .sendJsonObject(new JsonObject().put("recurring_token", "rt_ok"));
            })
            .compose(charged -> {
              tc.verify(() -> assertEquals("pending_charge", charged.bodyAsJsonObject().getString("status")));
              return hooks.first();
            })
            .compose(hook -> http.getAbs(sim.baseUrl() + "/revio/api/v1/public_key/")
                .putHeader("Authorization", "Bearer " + CREDS.revioSecretKey()).send()
                .map(pem -> {
                  tc.verify(() -> assertTrue(rsaVerifies(pem.bodyAsJson(String.class), hook.body(),
                      hook.header(RevioWebhookSignature.HEADER)), "X-Signature verifies with /public_key/"));
                  return hooks;
                }))
            .compose(WebhookReceiver::close))
        .onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- PayCore

  @Test
  void payCoreRefusesTheDefaultAccountAndKeyWithItsOwn401(VertxTestContext tc) {
    payCoreCreate(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY, 1999, null)
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(401, r.statusCode());
          assertEquals("unauthorized", r.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"));
          tc.completeNow();
        })));
  }

  @Test
  void payCoreTakesTheConfiguredAccountAndSignsCallbacksWithTheConfiguredSecret(Vertx vertx, VertxTestContext tc) {
    WebhookReceiver.start(vertx).compose(hooks -> payCoreCreate(CREDS.payCoreAccountId(), CREDS.payCoreApiKey(), 1077, hooks.url("/hook"))
            .compose(created -> {
              tc.verify(() -> assertEquals(201, created.statusCode(), created.bodyAsString()));
              String token = created.bodyAsJsonObject().getJsonObject("data").getJsonObject("attributes")
                  .getJsonObject("flow_data").getJsonObject("metadata").getString("token");
              return http.postAbs(sim.baseUrl() + "/paycore/cardgate/payment/sale").putHeader("Authorization", "Bearer " + token)
                  .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "sale-operation")
                      .put("attributes", new JsonObject())));
            })
            .compose(sale -> hooks.first())
            .map(hook -> {
              tc.verify(() -> assertEquals(PayCoreCallbackSignature.sign(CREDS.payCoreCallbackSecret(), hook.body()),
                  hook.header(PayCoreCallbackSignature.HEADER)));
              return hooks;
            })
            .compose(WebhookReceiver::close))
        .onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- Fatora

  @Test
  void fatoraRefusesTheDefaultApiKeyAndTakesTheConfiguredOne(VertxTestContext tc) {
    fatoraCollect(SimCredentials.FATORA_API_KEY)
        .compose(refused -> fatoraCollect(CREDS.fatoraApiKey()).map(ok -> List.of(refused, ok)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(401, r.get(0).statusCode());
          assertEquals("FAILURE", r.get(0).bodyAsJsonObject().getString("status"));
          assertEquals(200, r.get(1).statusCode());
          assertEquals("SUCCESS", r.get(1).bodyAsJsonObject().getString("status"));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- Dintero

  @Test
  void dinteroRefusesTheDefaultClientWithItsOwn401(VertxTestContext tc) {
    dinteroToken(CREDS.dinteroAccountId(), SimCredentials.DINTERO_CLIENT_ID, SimCredentials.DINTERO_CLIENT_SECRET)
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(401, r.statusCode());
          assertEquals("unauthorized", r.bodyAsJsonObject().getJsonObject("error").getString("code"));
          tc.completeNow();
        })));
  }

  @Test
  void dinteroRefusesTheConfiguredClientOnTheDefaultAccountWith403(VertxTestContext tc) {
    dinteroToken(SimCredentials.DINTERO_ACCOUNT_ID, CREDS.dinteroClientId(), CREDS.dinteroClientSecret())
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(403, r.statusCode());
          tc.completeNow();
        })));
  }

  @Test
  void dinteroTakesTheConfiguredClientAndSignsItsCallbackWithTheConfiguredSecret(Vertx vertx, VertxTestContext tc) {
    String ref = ref();
    WebhookReceiver.start(vertx).compose(hooks -> dinteroToken(CREDS.dinteroAccountId(), CREDS.dinteroClientId(), CREDS.dinteroClientSecret())
            .compose(token -> {
              tc.verify(() -> assertEquals(200, token.statusCode(), token.bodyAsString()));
              JsonObject session = new JsonObject()
                  .put("order", new JsonObject().put("amount", 1077).put("currency", "NOK").put("merchant_reference", ref))
                  .put("customer", new JsonObject().put("tokens", new JsonObject()
                      .put("dintero_psp.creditcard", new JsonObject().put("payment_token", "dt_ok"))))
                  .put("url", new JsonObject().put("callback_url", hooks.url("/hook")));
              return http.postAbs(sim.baseUrl() + "/dintero/v1/sessions/pay")
                  .putHeader("Authorization", "Bearer " + token.bodyAsJsonObject().getString("access_token"))
                  .sendJsonObject(new JsonObject().put("session", session).put("payment", new JsonObject()
                      .put("payment_product_type", "dintero_psp.creditcard").put("operation", "unscheduled_purchase")));
            })
            .compose(paid -> {
              tc.verify(() -> assertTrue(paid.bodyAsJsonObject().getString("id").startsWith(CREDS.dinteroAccountId() + "."),
                  "transaction ids carry the configured account"));
              return hooks.first();
            })
            .map(hook -> {
              tc.verify(() -> {
                String header = hook.header(DinteroCallbackSignature.HEADER);
                long ts = Long.parseLong(header.substring(2, header.indexOf(',')));
                assertEquals(DinteroCallbackSignature.header(CREDS.dinteroSignatureSecret(), CREDS.dinteroAccountId(),
                    hook.method(), hook.url(), ts), header);
              });
              return hooks;
            })
            .compose(WebhookReceiver::close))
        .onComplete(tc.succeedingThenComplete());
  }

  // ---------------------------------------------------------------- ProcessOut

  @Test
  void processOutRefusesTheDefaultProjectAndTakesTheConfiguredOne(VertxTestContext tc) {
    processOutInvoice(SimCredentials.PROCESSOUT_PROJECT_ID, SimCredentials.PROCESSOUT_PROJECT_SECRET)
        .compose(refused -> processOutInvoice(CREDS.processOutProjectId(), CREDS.processOutProjectSecret())
            .map(ok -> List.of(refused, ok)))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(401, r.get(0).statusCode());
          assertEquals("request.authentication.invalid", r.get(0).bodyAsJsonObject().getString("error_type"));
          assertEquals(200, r.get(1).statusCode());
          assertEquals(CREDS.processOutProjectId(), r.get(1).bodyAsJsonObject().getJsonObject("invoice").getString("project_id"));
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  static Future<HttpResponse<Buffer>> revioCreate(String key, String brand, String callback) {
    JsonObject body = new JsonObject().put("brand_id", brand).put("client", new JsonObject().put("email", "a@example.com"))
        .put("purchase", new JsonObject().put("currency", "USD")
            .put("products", new JsonArray().add(new JsonObject().put("name", "x").put("price", 1077))))
        .put("reference", ref());
    if (callback != null) body.put("success_callback", callback);
    return http.postAbs(sim.baseUrl() + "/revio/api/v1/purchases/").putHeader("Authorization", "Bearer " + key)
        .sendJsonObject(body);
  }

  static Future<HttpResponse<Buffer>> payCoreCreate(String account, String key, long amount, String callback) {
    JsonObject attributes = new JsonObject().put("reference_id", ref()).put("amount", amount / 100.0)
        .put("currency", "USD").put("service", "payment_card_usd_hpp").put("flow", "charge")
        .put("token", "pc_ok").put("customer", new JsonObject().put("reference_id", "cust-1"));
    if (callback != null) attributes.put("callback_url", callback);
    return http.postAbs(sim.baseUrl() + "/paycore/api/payment-invoices").putHeader("Authorization", PspDriver.basic(account, key))
        .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "payment-invoices").put("attributes", attributes)));
  }

  static Future<HttpResponse<Buffer>> fatoraCollect(String key) {
    return http.postAbs(sim.baseUrl() + "/fatora/v1/payments/collect-payment").putHeader("api_key", key)
        .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", ref()).put("amount", 19.99));
  }

  static Future<HttpResponse<Buffer>> dinteroToken(String aid, String id, String secret) {
    return http.postAbs(sim.baseUrl() + "/dintero/v1/accounts/" + aid + "/auth/token")
        .putHeader("Authorization", PspDriver.basic(id, secret))
        .sendJsonObject(new JsonObject().put("grant_type", "client_credentials")
            .put("audience", "https://api.dintero.com/v1/accounts/" + aid));
  }

  static Future<HttpResponse<Buffer>> processOutInvoice(String project, String secret) {
    return http.postAbs(sim.baseUrl() + "/processout/invoices").putHeader("Authorization", PspDriver.basic(project, secret))
        .sendJsonObject(new JsonObject().put("name", "Order").put("amount", "19.99").put("currency", "USD").put("order_id", ref()));
  }

  static boolean rsaVerifies(String pem, String body, String signature) throws Exception {
    String b64 = pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", "");
    Signature v = Signature.getInstance("SHA256withRSA");
    v.initVerify(KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(Base64.getDecoder().decode(b64))));
    v.update(body.getBytes(StandardCharsets.UTF_8));
    return v.verify(Base64.getDecoder().decode(signature));
  }

  static String ref() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }
}
