package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.ChargeInput;
import io.payrouter.domain.DeclineCode;
import io.payrouter.connector.HttpCall;
import io.payrouter.connector.HttpReply;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.connector.Step;
import io.payrouter.connector.StepRunner;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.WebhookRejectedException;
import io.payrouter.connector.paycore.PayCoreConnector;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** The PayCore connector against the PayCore simulator, over real HTTP on loopback. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class PayCoreSimulatorTest {
  static SimulatorServer sim;
  static WebClient http;
  final PayCoreConnector connector = new PayCoreConnector();

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new RevioSimulator(), new PayCoreSimulator()));
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeedingThenComplete());
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  @Test
  void approvedChargeSucceedsWithTheInvoiceIdAndIsInTheLedgerOnce(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "USD", "tok_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      assertTrue(r.providerReference().startsWith("cpi_"));
      assertEquals(2, runner.calls.size());
      assertEquals(r.providerReference(), runner.calls.get(1).checkpoint());
      assertTrue(runner.calls.get(1).movesMoney());
      List<Ledger.Entry> entries = ledger().byReference(chargeId);
      assertEquals(1, entries.size());
      assertEquals("processed", entries.get(0).status());
      assertEquals("tok_ok", entries.get(0).token);
      tc.completeNow();
    })));
  }

  @ParameterizedTest(name = "{0} {1} travels as decimal major units and back exactly")
  @CsvSource({"1999, USD", "1000, JPY", "1234, BHD", "1, BHD"})
  void decimalAmountRoundTripsToTheSameMinorUnits(long amount, String currency, Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, amount, currency, "tok_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      Ledger.Entry e = ledger().byReference(chargeId).get(0);
      assertEquals(amount, e.amount);
      assertEquals(currency, e.currency);
      tc.completeNow();
    })));
  }

  @Test
  void inquiryAfterApprovalFindsItSucceeded(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 2500, "EUR", "tok_ok", null)))
        .compose(r -> runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 2500, "EUR"))))
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(InquiryResult.Kind.FOUND, q.kind());
          assertEquals(Outcome.SUCCEEDED, q.result().outcome());
          tc.completeNow();
        })));
  }

  @ParameterizedTest(name = "amount {0} -> {1} soft={2}")
  @CsvSource({
    "1051, INSUFFICIENT_FUNDS, true", "1005, DO_NOT_HONOR, true",
    "1054, EXPIRED_CARD, false", "1059, FRAUD_SUSPECTED, false"
  })
  void declineScenariosAreDeclinedWithTheirResolution(long amount, DeclineCode code, boolean soft, Vertx vertx,
      VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, amount, "USD", "tok_ok", null)))
        .compose(r -> {
          tc.verify(() -> {
            assertEquals(Outcome.DECLINED, r.outcome());
            assertEquals(code, r.declineCode());
            assertEquals(soft, r.softDecline());
            assertEquals("process_failed", ledger().byReference(chargeId).get(0).status());
          });
          return runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), amount, "USD")));
        })
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(Outcome.DECLINED, q.result().outcome());
          assertEquals(code, q.result().declineCode());
          tc.completeNow();
        })));
  }

  @ParameterizedTest(name = "token {0} -> invalid_token, hard, at invoice creation")
  @ValueSource(strings = {"revoked_tok", "expired_tok"})
  void refusedTokenIsAHardInvalidTokenDeclineAtInvoiceCreation(String token, Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "USD", token, null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
      assertFalse(r.softDecline());
      assertEquals(1, runner.calls.size());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void wrongApiKeyIsNotSentAfterTheFirstCall(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    CallContext wrong = ctx(Map.of("account_id", SimCredentials.PAYCORE_ACCOUNT_ID, "api_key", "wrong",
        "callback_secret", SimCredentials.PAYCORE_CALLBACK_SECRET));
    runner.run(connector.charge(wrong, input(chargeId, 1999, "USD", "tok_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("unauthorized", r.providerCode());
      assertEquals(1, runner.calls.size());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void currencyWithoutServiceIsNotSentWithoutAnyCall(Vertx vertx, VertxTestContext tc) {
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId(), 1999, "GBP", "tok_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertTrue(runner.calls.isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void serverErrorIsInDoubtAndTheInquiryProvesTheInvoiceEndedUnpaid(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1091, "USD", "tok_ok", null)))
        .compose(r -> {
          tc.verify(() -> {
            assertEquals(Outcome.IN_DOUBT, r.outcome());
            assertEquals("terminated", ledger().byReference(chargeId).get(0).status());
          });
          return runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 1091, "USD")));
        })
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          // "terminated" is documented as final: proof that this PSP did not and will not charge.
          assertEquals(InquiryResult.Kind.NOT_CHARGED, q.kind());
          tc.completeNow();
        })));
  }

  @Test
  void reusedReferenceIsInDoubtWithoutProviderReferenceAndChargesNothingMore(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "USD", "tok_ok", null)))
        .compose(first -> runner.run(connector.charge(ctx(), input(chargeId, 1999, "USD", "tok_ok", null))))
        .onComplete(tc.succeeding(second -> tc.verify(() -> {
          assertEquals(Outcome.IN_DOUBT, second.outcome());
          assertNull(second.providerReference());
          assertEquals("duplicate_reference_id", second.providerCode());
          assertEquals(1, ledger().byReference(chargeId).size());
          tc.completeNow();
        })));
  }

  @Test
  void pendingChargeIsSettledBySignedCallbackAndInquiry(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    Promise<WebhookInput> received = Promise.promise();
    Map<String, PspResult> seen = new HashMap<>();
    receiver(vertx, received)
        .compose(port -> runner.run(connector.charge(ctx(),
            input(chargeId, 1077, "USD", "tok_ok", "http://127.0.0.1:" + port + "/v1/webhooks/paycore"))))
        .compose(r -> {
          seen.put("charge", r);
          return received.future();
        })
        .compose(hook -> runner.run(connector.webhook(ctx(), hook)).map(ev -> {
          tc.verify(() -> {
            assertEquals(chargeId, ev.chargeId());
            assertEquals(Outcome.SUCCEEDED, ev.result().outcome());
            assertEquals(seen.get("charge").providerReference(), ev.result().providerReference());
          });
          return ev;
        }))
        .compose(ev -> runner.run(connector.inquire(ctx(),
            new InquiryInput(chargeId, chargeId, seen.get("charge").providerReference(), 1077, "USD"))))
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(Outcome.PENDING, seen.get("charge").outcome());
          assertEquals(Outcome.SUCCEEDED, q.result().outcome());
          assertEquals("processed", ledger().byReference(chargeId).get(0).status());
          tc.completeNow();
        })));
  }

  @Test
  void forgedCallbackIsRejected(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 1999, "USD", "tok_ok", null)))
        .compose(r -> http.getAbs(sim.baseUrl() + "/paycore/api/payment-invoices/" + r.providerReference())
            .basicAuthentication(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY).send())
        .compose(resp -> {
          // a genuine invoice document, signed with a secret that is not PayCore's
          String body = resp.bodyAsString();
          return Future.succeededFuture().compose(v ->
              runner(vertx).run(connector.webhook(ctx(), hook(body, sha1Signature("guessed_secret", body)))));
        })
        .onComplete(tc.failing(err -> tc.verify(() -> {
          assertInstanceOf(WebhookRejectedException.class, err);
          tc.completeNow();
        })));
  }

  @Test
  void amountWithMoreDecimalsThanTheCurrencyIsRefused(VertxTestContext tc) {
    JsonObject doc = invoiceDocument(chargeId(), "19.999", "USD");
    post("/paycore/api/payment-invoices", doc)
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(422, resp.statusCode());
          assertEquals(new JsonArray().add("invalid_amount"), resp.bodyAsJsonObject().getJsonArray("error_codes"));
          tc.completeNow();
        })));
  }

  @Test
  void invoiceAnswerHasTheDocumentedShape(VertxTestContext tc) {
    String ref = chargeId();
    post("/paycore/api/payment-invoices", invoiceDocument(ref, "1.234", "BHD"))
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(201, resp.statusCode());
          JsonObject data = resp.bodyAsJsonObject().getJsonObject("data");
          assertEquals("payment-invoices", data.getString("type"));
          assertTrue(data.getString("id").startsWith("cpi_"));
          JsonObject a = data.getJsonObject("attributes");
          assertEquals("process_pending", a.getString("status"));
          assertEquals("ok", a.getString("resolution"));
          assertEquals(ref, a.getString("reference_id"));
          assertTrue(resp.bodyAsString().contains("\"amount\":1.234"));
          JsonObject md = a.getJsonObject("flow_data").getJsonObject("metadata");
          assertTrue(md.getString("sid").startsWith("cgi_"));
          assertFalse(md.getString("token").isEmpty());
          assertEquals("/api/payment-invoices/" + data.getString("id"),
              data.getJsonObject("links").getString("self"));
          tc.completeNow();
        })));
  }

  @Test
  void saleWithAnUnknownBearerIsUnauthorized(VertxTestContext tc) {
    http.postAbs(sim.baseUrl() + "/paycore/cardgate/payment/sale")
        .putHeader("Authorization", "Bearer not-an-invoice-token")
        .sendJsonObject(new JsonObject().put("data", new JsonObject().put("type", "sale-operation")
            .put("attributes", new JsonObject())))
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(401, resp.statusCode());
          assertEquals("unauthorized",
              resp.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"));
          tc.completeNow();
        })));
  }

  @Test
  void missingBasicAuthGetsUnauthorized(VertxTestContext tc) {
    http.getAbs(sim.baseUrl() + "/paycore/api/payment-invoices/cpi_nothing").send()
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(401, resp.statusCode());
          assertEquals("unauthorized",
              resp.bodyAsJsonObject().getJsonArray("errors").getJsonObject(0).getString("code"));
          tc.completeNow();
        })));
  }

  @Test
  void controlApiListsTheChargeByReference(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 4200, "USD", "tok_ok", null)))
        .compose(r -> http.getAbs(sim.baseUrl() + "/_sim/paycore/ledger?reference=" + chargeId).send())
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          JsonArray entries = resp.bodyAsJsonArray();
          assertEquals(1, entries.size());
          JsonObject e = entries.getJsonObject(0);
          assertEquals(4200L, e.getLong("amount"));
          assertEquals("USD", e.getString("currency"));
          assertEquals("tok_ok", e.getString("token"));
          assertEquals("processed", e.getString("status"));
          tc.completeNow();
        })));
  }

  /**
   * Amount ending in 96: the PSP charges at once and answers 10 s later. The caller gives up
   * after 300 ms (in doubt); the status inquiry by the checkpointed id finds the payment.
   */
  @Test
  void slowChargeIsTakenBeforeTheAnswerSoATimedOutCallerFindsItByInquiry(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    Step.Call<PspResult> create = (Step.Call<PspResult>) connector.charge(ctx(), input(chargeId, 1096, "USD", "tok_ok", null));
    send(create.call(), 5000)
        .compose(reply -> {
          Step.Call<PspResult> charge = (Step.Call<PspResult>) create.next().apply(reply);
          String checkpoint = charge.call().checkpoint();
          return send(charge.call(), 300).transform(ar -> {
            tc.verify(() -> assertTrue(ar.failed(), "the slow answer must not arrive within 300 ms"));
            return runner(vertx).run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, checkpoint, 1096, "USD")));
          });
        })
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(InquiryResult.Kind.FOUND, q.kind());
          assertEquals(Outcome.SUCCEEDED, q.result().outcome());
          assertEquals("processed", ledger().byReference(chargeId).get(0).status());
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  static Ledger ledger() {
    return sim.context("paycore").ledger();
  }

  static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }

  static StepRunner runner(Vertx vertx) {
    return new StepRunner(vertx, sim.baseUrl() + "/paycore/api");
  }

  static CallContext ctx() {
    return ctx(Map.of("account_id", SimCredentials.PAYCORE_ACCOUNT_ID, "api_key", SimCredentials.PAYCORE_API_KEY,
        "callback_secret", SimCredentials.PAYCORE_CALLBACK_SECRET));
  }

  static CallContext ctx(Map<String, String> credentials) {
    JsonObject options = new JsonObject()
        .put("cardgate_url", sim.baseUrl() + "/paycore/cardgate")
        .put("services", new JsonObject().put("USD", "payment_card_usd_hpp").put("EUR", "payment_card_eur_hpp")
            .put("JPY", "payment_card_jpy_hpp").put("BHD", "payment_card_bhd_hpp"));
    return new CallContext(new ProviderConfig("paycore", "paycore", true, sim.baseUrl() + "/paycore/api",
        credentials, Set.of("USD", "EUR", "JPY", "BHD"), 5000, BreakerConfig.DEFAULT, options), null);
  }

  static ChargeInput input(String chargeId, long amount, String currency, String token, String callbackUrl) {
    return new ChargeInput(chargeId, "att_" + chargeId, chargeId, amount, currency, "visa",
        Map.of("token", token, "customer_reference_id", "cust-1"), "Order " + chargeId, "cust-42", null,
        callbackUrl);
  }

  static JsonObject invoiceDocument(String ref, String amountLiteral, String currency) {
    JsonObject attrs = new JsonObject().put("reference_id", ref)
        .put("amount", new java.math.BigDecimal(amountLiteral)).put("currency", currency)
        .put("service", "payment_card_" + currency.toLowerCase(java.util.Locale.ROOT) + "_hpp")
        .put("flow", "charge").put("token", "tok_ok")
        .put("customer", new JsonObject().put("reference_id", "cust-1"));
    return new JsonObject().put("data", new JsonObject().put("type", "payment-invoices").put("attributes", attrs));
  }

  static Future<io.vertx.ext.web.client.HttpResponse<Buffer>> post(String path, JsonObject doc) {
    return http.postAbs(sim.baseUrl() + path)
        .basicAuthentication(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(doc.encode()));
  }

  static String sha1Signature(String secret, String body) {
    try {
      byte[] d = MessageDigest.getInstance("SHA-1").digest((secret + body + secret).getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(d);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  static WebhookInput hook(String body, String signature) {
    return new WebhookInput("POST", "http://127.0.0.1/v1/webhooks/paycore", Map.of(),
        Map.of("x-signature", signature, "content-type", "application/json"), body);
  }

  /** A tiny loopback server standing in for the router's webhook endpoint; answers 200. */
  static Future<Integer> receiver(Vertx vertx, Promise<WebhookInput> received) {
    return vertx.createHttpServer()
        .requestHandler(req -> req.body().onSuccess(buf -> {
          Map<String, String> headers = new HashMap<>();
          req.headers().forEach(h -> headers.put(h.getKey().toLowerCase(java.util.Locale.ROOT), h.getValue()));
          received.tryComplete(new WebhookInput(req.method().name(), req.absoluteURI(), Map.of(), headers,
              buf.toString(StandardCharsets.UTF_8)));
          req.response().setStatusCode(200).end();
        }))
        .listen(0, "127.0.0.1")
        .map(HttpServer::actualPort);
  }
  /** Sends one connector call with its own timeout (StepRunner's is 15 s). */
  static Future<HttpReply> send(HttpCall call, long timeoutMs) {
    String url = call.url().startsWith("http") ? call.url() : sim.baseUrl() + "/paycore/api" + call.url();
    var req = http.requestAbs(io.vertx.core.http.HttpMethod.valueOf(call.method()), url).timeout(timeoutMs);
    call.headers().forEach(req::putHeader);
    return (call.body() == null ? req.send() : req.sendBuffer(io.vertx.core.buffer.Buffer.buffer(call.body())))
        .map(resp -> {
          Map<String, String> h = new HashMap<>();
          resp.headers().forEach(e -> h.put(e.getKey().toLowerCase(java.util.Locale.ROOT), e.getValue()));
          return new HttpReply(resp.statusCode(), h, resp.body() == null ? "" : resp.bodyAsString());
        });
  }
}
