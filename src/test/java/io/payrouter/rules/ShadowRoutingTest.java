package io.payrouter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.metrics.Metrics;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.RoutingEngine;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** The shadow's per-instance part: pairs counted per charge, the newest diverging charges kept as examples. */
class ShadowRoutingTest {

  static ShadowRouting installed(String shadowProvider) {
    ShadowRouting s = new ShadowRouting(new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    s.install(new ShadowRouting.Installed(4, CanaryRoutingTest.rules(shadowProvider, 9), new JsonObject(),
        Instant.now(), "test"));
    return s;
  }

  static ChargeAttributes charge(String id, String currency) {
    return new ChargeAttributes(id, "m", 1_000, currency, "visa", "US", Map.of(), CanaryRoutingTest.PSPS);
  }

  static void observe(ShadowRouting s, ChargeAttributes a) {
    Decision live = RoutingEngine.decide(a, CanaryRoutingTest.rules("fatora", 3), CanaryRoutingTest.HEALTH, false);
    s.observe(a, live, CanaryRoutingTest.HEALTH);
  }

  @Test
  void everyChargeIsCountedInItsPairAndTheDivergingOnesAsDiverged() {
    ShadowRouting s = installed("revio");
    for (int i = 0; i < 30; i++) observe(s, charge("ch_" + i, "USD"));
    for (int i = 0; i < 5; i++) observe(s, charge("eur_" + i, "EUR"));
    JsonObject counts = s.counts();
    assertEquals(35, counts.getLong("decisions"));
    assertEquals(30, counts.getLong("diverged"));
    Map<String, Long> byPair = counts.getJsonArray("pairs").stream().map(JsonArray.class::cast)
        .collect(Collectors.toMap(p -> p.getString(0) + ">" + p.getString(1) + ":" + p.getString(2) + ">" + p.getString(3),
            p -> p.getLong(4)));
    assertEquals(Map.of("to-fatora>to-revio:fatora>revio", 30L, "to-fatora>to-revio:none>none", 5L), byPair);
  }

  @Test
  void theExamplesAreTheNewestDivergingChargesOldestFirst() {
    ShadowRouting s = installed("revio");
    for (int i = 0; i < 50; i++) {
      observe(s, charge("ch_" + i, "USD"));
      observe(s, charge("same_" + i, "EUR"));
    }
    List<String> ids = s.samples().stream().map(ShadowRouting.Sample::chargeId).toList();
    assertEquals(IntStream.range(30, 50).mapToObj(i -> "ch_" + i).toList(), ids);
  }

  @Test
  void aFewDivergingChargesAreAllKept() {
    ShadowRouting s = installed("revio");
    observe(s, charge("ch_a", "USD"));
    observe(s, charge("ch_b", "USD"));
    List<ShadowRouting.Sample> samples = s.samples();
    assertEquals(List.of("ch_a", "ch_b"), samples.stream().map(ShadowRouting.Sample::chargeId).toList());
    assertTrue(samples.stream().allMatch(x -> x.pair().shadowProvider().equals("revio")));
  }

  @Test
  void aShadowThatAgreesKeepsNoExamples() {
    ShadowRouting s = installed("fatora");
    for (int i = 0; i < 10; i++) observe(s, charge("ch_" + i, "USD"));
    assertEquals(0, s.counts().getLong("diverged"));
    assertEquals(List.of(), s.samples());
  }
}
