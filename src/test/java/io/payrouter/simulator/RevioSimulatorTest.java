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
import io.payrouter.connector.revio.RevioConnector;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.nio.charset.StandardCharsets;
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

/** The Revio connector against the Revio simulator, over real HTTP on loopback. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 10, timeUnit = TimeUnit.SECONDS)
class RevioSimulatorTest {
  static SimulatorServer sim;
  static WebClient http;
  final RevioConnector connector = new RevioConnector();

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
  void approvedChargeSucceedsWithThePurchaseIdAndIsInTheLedgerOnce(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "rt_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.SUCCEEDED, r.outcome());
      assertEquals(2, runner.calls.size());
      assertEquals(r.providerReference(), runner.calls.get(1).checkpoint());
      List<Ledger.Entry> entries = ledger().byReference(chargeId);
      assertEquals(1, entries.size());
      Ledger.Entry e = entries.get(0);
      assertEquals(r.providerReference(), e.id);
      assertEquals("paid", e.status());
      assertEquals(1999, e.amount);
      assertEquals("USD", e.currency);
      assertEquals("rt_ok", e.token);
      tc.completeNow();
    })));
  }

  @Test
  void inquiryAfterApprovalFindsItSucceeded(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 2500, "rt_ok", null)))
        .compose(r -> runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 2500, "USD"))))
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
  void declineScenariosAreDeclinedWithTheirCode(long amount, DeclineCode code, boolean soft, Vertx vertx,
      VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, amount, "rt_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(code, r.declineCode());
      assertEquals(soft, r.softDecline());
      assertEquals("error", ledger().byReference(chargeId).get(0).status());
      tc.completeNow();
    })));
  }

  @ParameterizedTest(name = "token {0} -> invalid_token, hard")
  @ValueSource(strings = {"revoked_rt1", "expired_rt1"})
  void refusedTokenIsAHardInvalidTokenDeclineAndChargesNothing(String token, Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 1999, token, null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.DECLINED, r.outcome());
      assertEquals(DeclineCode.INVALID_TOKEN, r.declineCode());
      assertFalse(r.softDecline());
      assertEquals("invalid_recurring_token", r.providerCode());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void wrongSecretKeyIsNotSentAfterTheFirstCall(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    CallContext wrong = ctx(Map.of("secret_key", "wrong"), options());
    runner.run(connector.charge(wrong, input(chargeId, 1999, "rt_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("unauthorized", r.providerCode());
      assertEquals(1, runner.calls.size());
      assertTrue(ledger().byReference(chargeId).isEmpty());
      tc.completeNow();
    })));
  }

  @Test
  void unknownBrandIsNotSent(Vertx vertx, VertxTestContext tc) {
    CallContext c = ctx(Map.of("secret_key", SimCredentials.REVIO_SECRET_KEY),
        new JsonObject().put("brand_id", "00000000-0000-0000-0000-000000000000"));
    runner(vertx).run(connector.charge(c, input(chargeId(), 1999, "rt_ok", null))).onComplete(tc.succeeding(r -> tc.verify(() -> {
      assertEquals(Outcome.NOT_SENT, r.outcome());
      assertEquals("does_not_exist", r.providerCode());
      tc.completeNow();
    })));
  }

  @Test
  void serverErrorIsInDoubtAndTheInquiryShowsThePurchaseOpen(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    runner.run(connector.charge(ctx(), input(chargeId, 1091, "rt_ok", null)))
        .compose(r -> {
          tc.verify(() -> {
            assertEquals(Outcome.IN_DOUBT, r.outcome());
            assertTrue(ledger().byReference(chargeId).isEmpty());
          });
          return runner.run(connector.inquire(ctx(), new InquiryInput(chargeId, chargeId, r.providerReference(), 1091, "USD")));
        })
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(InquiryResult.Kind.FOUND, q.kind());
          assertEquals(Outcome.PENDING, q.result().outcome(), "open and unpaid: pending, not \"no such payment\"");
          tc.completeNow();
        })));
  }

  @Test
  void pendingChargeIsSettledBySignedWebhookAndInquiry(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    Promise<WebhookInput> received = Promise.promise();
    Map<String, PspResult> seen = new HashMap<>();
    receiver(vertx, received)
        .compose(port -> runner.run(connector.charge(ctx(),
            input(chargeId, 1077, "rt_ok", "http://127.0.0.1:" + port + "/v1/webhooks/revio"))))
        .compose(r -> {
          seen.put("charge", r);
          return received.future();
        })
        // no public_key configured: the flow fetches GET /public_key/ first
        .compose(hook -> runner.run(connector.webhook(ctx(), hook)).map(ev -> {
          tc.verify(() -> {
            assertEquals(chargeId, ev.chargeId());
            assertEquals(Outcome.SUCCEEDED, ev.result().outcome());
            assertEquals("purchase.paid", new JsonObject(hook.body()).getString("event_type"));
          });
          return ev;
        }))
        .compose(ev -> runner.run(connector.inquire(ctx(),
            new InquiryInput(chargeId, chargeId, seen.get("charge").providerReference(), 1077, "USD"))))
        .onComplete(tc.succeeding(q -> tc.verify(() -> {
          assertEquals(Outcome.PENDING, seen.get("charge").outcome());
          assertEquals(Outcome.SUCCEEDED, q.result().outcome());
          assertEquals("paid", ledger().byReference(chargeId).get(0).status());
          assertEquals("/public_key/", runner.calls.get(2).url());
          tc.completeNow();
        })));
  }

  @Test
  void forgedWebhookIsRejected(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    StepRunner runner = runner(vertx);
    byte[] forgedSignature = new byte[256];
    new java.security.SecureRandom().nextBytes(forgedSignature);
    runner.run(connector.charge(ctx(), input(chargeId, 1999, "rt_ok", null)))
        .compose(r -> http.getAbs(sim.baseUrl() + "/revio/api/v1/purchases/" + r.providerReference() + "/")
            .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY).send())
        .compose(resp -> {
          // a genuine purchase body, with a signature the simulator never made
          String body = resp.bodyAsJsonObject().put("event_type", "purchase.paid").encode();
          String sig = Base64.getEncoder().encodeToString(forgedSignature);
          return runner.run(connector.webhook(ctx(), hook(body, sig)));
        })
        .onComplete(tc.failing(err -> tc.verify(() -> {
          assertInstanceOf(WebhookRejectedException.class, err);
          tc.completeNow();
        })));
  }

  @Test
  void secondChargeOfTheSamePurchaseIsAConflict(VertxTestContext tc) {
    String bearer = "Bearer " + SimCredentials.REVIO_SECRET_KEY;
    String base = sim.baseUrl() + "/revio/api/v1";
    JsonObject create = new JsonObject().put("brand_id", SimCredentials.REVIO_BRAND_ID)
        .put("client_id", "c1").put("reference", chargeId())
        .put("purchase", new JsonObject().put("currency", "USD")
            .put("products", new JsonArray().add(new JsonObject().put("name", "x").put("price", 1999))));
    JsonObject charge = new JsonObject().put("recurring_token", "rt_ok");
    http.postAbs(base + "/purchases/").putHeader("Authorization", bearer).sendJsonObject(create)
        .compose(created -> {
          tc.verify(() -> assertEquals(201, created.statusCode()));
          String url = base + "/purchases/" + created.bodyAsJsonObject().getString("id") + "/charge/";
          return http.postAbs(url).putHeader("Authorization", bearer).sendJsonObject(charge)
              .compose(first -> {
                tc.verify(() -> assertEquals("paid", first.bodyAsJsonObject().getString("status")));
                return http.postAbs(url).putHeader("Authorization", bearer).sendJsonObject(charge);
              });
        })
        .onComplete(tc.succeeding(second -> tc.verify(() -> {
          assertEquals(409, second.statusCode());
          assertEquals("conflict", second.bodyAsJsonObject().getJsonObject("__all__").getString("code"));
          tc.completeNow();
        })));
  }

  @Test
  void missingBearerGetsRevioUnauthorizedBody(VertxTestContext tc) {
    http.getAbs(sim.baseUrl() + "/revio/api/v1/clients/c1/recurring_tokens/").send()
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(401, resp.statusCode());
          assertEquals(new JsonObject().put("__all__", new JsonObject()
              .put("message", "Invalid token").put("code", "unauthorized")), resp.bodyAsJsonObject());
          tc.completeNow();
        })));
  }

  @Test
  void recurringTokensListIsAPage(VertxTestContext tc) {
    http.getAbs(sim.baseUrl() + "/revio/api/v1/clients/c1/recurring_tokens/")
        .putHeader("Authorization", "Bearer " + SimCredentials.REVIO_SECRET_KEY).send()
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          assertEquals(200, resp.statusCode());
          JsonObject page = resp.bodyAsJsonObject();
          assertNull(page.getValue("next"));
          assertEquals(new JsonArray(), page.getJsonArray("results"));
          tc.completeNow();
        })));
  }

  @Test
  void controlApiListsTheChargeByReference(Vertx vertx, VertxTestContext tc) {
    String chargeId = chargeId();
    runner(vertx).run(connector.charge(ctx(), input(chargeId, 4200, "rt_ok", null)))
        .compose(r -> http.getAbs(sim.baseUrl() + "/_sim/revio/ledger?reference=" + chargeId).send())
        .onComplete(tc.succeeding(resp -> tc.verify(() -> {
          JsonArray entries = resp.bodyAsJsonArray();
          assertEquals(1, entries.size());
          JsonObject e = entries.getJsonObject(0);
          assertEquals(chargeId, e.getString("reference"));
          assertEquals(4200L, e.getLong("amount"));
          assertEquals("USD", e.getString("currency"));
          assertEquals("rt_ok", e.getString("token"));
          assertEquals("paid", e.getString("status"));
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
    Step.Call<PspResult> create = (Step.Call<PspResult>) connector.charge(ctx(), input(chargeId, 1096, "rt_ok", null));
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
          assertEquals("paid", ledger().byReference(chargeId).get(0).status());
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  static Ledger ledger() {
    return sim.context("revio").ledger();
  }

  static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }

  static StepRunner runner(Vertx vertx) {
    return new StepRunner(vertx, sim.baseUrl() + "/revio/api/v1");
  }

  static JsonObject options() {
    return new JsonObject().put("brand_id", SimCredentials.REVIO_BRAND_ID);
  }

  static CallContext ctx() {
    return ctx(Map.of("secret_key", SimCredentials.REVIO_SECRET_KEY), options());
  }

  static CallContext ctx(Map<String, String> credentials, JsonObject options) {
    return new CallContext(new ProviderConfig("revio", "revio", true, sim.baseUrl() + "/revio/api/v1",
        credentials, Set.of("USD"), 5000, BreakerConfig.DEFAULT, options), null);
  }

  static ChargeInput input(String chargeId, long amount, String recurringToken, String callbackUrl) {
    return new ChargeInput(chargeId, "att_" + chargeId, chargeId, amount, "USD", "mastercard",
        Map.of("client_id", "client-1", "recurring_token", recurringToken), "Order " + chargeId,
        "cust-42", null, callbackUrl);
  }

  static WebhookInput hook(String body, String signature) {
    return new WebhookInput("POST", "http://127.0.0.1/v1/webhooks/revio", Map.of(),
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
    String url = call.url().startsWith("http") ? call.url() : sim.baseUrl() + "/revio/api/v1" + call.url();
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
