package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The router sends one merchant reference per attempt: its charge id {@code ch_X} first, then
 * {@code ch_X-2}, {@code ch_X-3}, ... The control API's ledger lookup gathers a charge's attempts;
 * the PSPs themselves treat every attempt's reference as a reference of its own.
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 15, timeUnit = TimeUnit.SECONDS)
class SimulatorAttemptReferenceTest {
  static SimulatorServer sim;
  static WebClient http;
  static PspDriver.Ctx c;

  @BeforeAll
  static void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new PayCoreSimulator(), new FatoraSimulator(), new DinteroSimulator()));
    http = WebClient.create(vertx);
    sim.start(0).onComplete(tc.succeeding(s -> {
      c = new PspDriver.Ctx(http, sim.baseUrl());
      tc.completeNow();
    }));
  }

  @AfterAll
  static void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  @Test
  void ledgerLookupByTheChargeIdFindsEveryAttemptAndNoOtherCharge(VertxTestContext tc) {
    String x = chargeId();
    List<String> attempts = List.of(x, x + "-2", x + "-3", x + "-10");
    List<String> others = List.of(x + "a", x + "-", x + "-2a", x + "-2-3", "z" + x);
    List<String> all = new ArrayList<>(attempts);
    all.addAll(others);
    Future<Void> chain = Future.succeededFuture();
    for (String ref : all) chain = chain.compose(v -> PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref)).mapEmpty());
    chain.compose(v -> ledger("fatora", x)).onComplete(tc.succeeding(entries -> tc.verify(() -> {
      assertEquals(attempts, references(entries), "in the order charged");
      tc.completeNow();
    })));
  }

  @Test
  void ledgerLookupByALaterAttemptsReferenceFindsThatAttemptOnly(VertxTestContext tc) {
    String x = chargeId();
    Future<Void> chain = Future.succeededFuture();
    for (String ref : List.of(x, x + "-2", x + "-3")) {
      chain = chain.compose(v -> PspDriver.FATORA.pay(c, new JsonObject().put("ref", ref)).mapEmpty());
    }
    chain.compose(v -> ledger("fatora", x + "-2")).onComplete(tc.succeeding(entries -> tc.verify(() -> {
      assertEquals(List.of(x + "-2"), references(entries));
      tc.completeNow();
    })));
  }

  @Test
  void payCoreTakesALaterAttemptsReferenceIdAsANewOneAndStillRefusesItsRepeat(VertxTestContext tc) {
    String x = chargeId();
    PspDriver.createInvoice(c, x)
        .compose(first -> PspDriver.createInvoice(c, x + "-2").compose(second -> PspDriver.createInvoice(c, x + "-2")
            .map(again -> List.of(first, second, again))))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(201, r.get(0).statusCode());
          assertEquals(201, r.get(1).statusCode(), r.get(1).bodyAsString());
          assertEquals(422, r.get(2).statusCode());
          assertEquals(new JsonArray().add("duplicate_reference_id"), r.get(2).bodyAsJsonObject().getJsonArray("error_codes"));
          tc.completeNow();
        })));
  }

  @Test
  void dinteroStrictMerchantReferenceTakesALaterAttemptAsANewReferenceAndStillRefusesItsRepeat(VertxTestContext tc) {
    String x = chargeId();
    PspDriver d = PspDriver.DINTERO;
    d.prepare(c, x).compose(p -> d.pay(c, p)
            .compose(first -> d.pay(c, p.copy().put("ref", x + "-2"))
                .compose(second -> d.pay(c, p.copy().put("ref", x + "-2")).map(again -> List.of(first, second, again)))))
        .onComplete(tc.succeeding(r -> tc.verify(() -> {
          assertEquals(200, r.get(0).statusCode());
          assertEquals(200, r.get(1).statusCode(), r.get(1).bodyAsString());
          assertEquals("CAPTURED", r.get(1).bodyAsJsonObject().getString("status"));
          assertEquals(400, r.get(2).statusCode());
          assertEquals(DinteroSimulator.DUPLICATE_REFERENCE, r.get(2).bodyAsJsonObject().getJsonObject("error").getString("code"));
          tc.completeNow();
        })));
  }

  static Future<JsonArray> ledger(String provider, String reference) {
    return http.getAbs(sim.baseUrl() + "/_sim/" + provider + "/ledger").addQueryParam("reference", reference).send()
        .map(r -> r.bodyAsJsonArray());
  }

  static List<String> references(JsonArray entries) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < entries.size(); i++) out.add(entries.getJsonObject(i).getString("reference"));
    return out;
  }

  static String chargeId() {
    return "ch_" + UUID.randomUUID().toString().replace("-", "");
  }
}
