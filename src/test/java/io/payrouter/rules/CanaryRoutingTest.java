package io.payrouter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.RoutingInfo;
import io.payrouter.metrics.Metrics;
import io.payrouter.routing.CanaryPolicy;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.ProviderHealth;
import io.payrouter.routing.RoutingEngine;
import io.payrouter.routing.RoutingRules;
import io.payrouter.routing.RulesParser;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The canary's per-instance part: arms drawn per customer, decisions marked, tallies as the beacon carries them. */
class CanaryRoutingTest {
  static final Set<String> PSPS = Set.of("fatora", "revio");
  static final HealthSnapshot HEALTH = HealthSnapshot.of(List.of(
      new ProviderHealth("fatora", true, false, Set.of("USD"), 1.0, 0, 10),
      new ProviderHealth("revio", true, false, Set.of("USD"), 1.0, 0, 10)));

  static RoutingRules rules(String provider, long version) {
    return RulesParser.parse(Map.of("rules", List.of(Map.of("name", "to-" + provider, "strategy", "priority",
        "providers", List.of(provider)))), PSPS, Set.of("USD")).rules().withVersion(version);
  }

  static CanaryRouting running(int share, String hashBy) {
    CanaryRouting c = new CanaryRouting(new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    c.install(new CanaryRouting.Running(7, rules("revio", 3), new JsonObject(),
        new CanaryPolicy.Plan(share, 10, 2, 0.95, 60_000, -1), hashBy, 3, Instant.now(), Instant.now().plusSeconds(60), "test"));
    return c;
  }

  static ChargeAttributes charge(String id) {
    return new ChargeAttributes(id, "m", 1_000, "USD", "visa", "US", Map.of(), PSPS);
  }

  static Decision live(ChargeAttributes a) {
    return RoutingEngine.decide(a, rules("fatora", 3), HEALTH, false);
  }

  @Test
  void oneCardGetsOneArmForEveryCharge() {
    CanaryRouting c = running(50, CanaryRouting.BY_CARD);
    Boolean first = null;
    for (int i = 0; i < 50; i++) {
      ChargeAttributes a = charge("ch_" + i);
      Decision d = c.decide(a, "card_42", "ref-" + i, HEALTH, live(a));
      if (first == null) first = d.canary().treated();
      assertEquals(first, d.canary().treated(), "the same card, the same arm");
      assertEquals(d.canary().treated() ? "revio" : "fatora", d.candidates().get(0));
      assertEquals(7, d.canary().generation());
    }
  }

  @Test
  void byMerchantReferenceEachReferenceDrawsAndTheShareIsKept() {
    CanaryRouting c = running(30, CanaryRouting.BY_REFERENCE);
    int treated = 0;
    for (int i = 0; i < 4_000; i++) {
      ChargeAttributes a = charge("ch_" + i);
      if (c.decide(a, "card_42", "ref-" + i, HEALTH, live(a)).canary().treated()) treated++;
    }
    assertTrue(treated > 1_050 && treated < 1_350, "about 30 % of 4,000: " + treated);
  }

  @Test
  void aChargeOnAnotherRulesVersionIsNotInTheCanary() {
    CanaryRouting c = running(50, CanaryRouting.BY_CARD);
    ChargeAttributes a = charge("ch_1");
    Decision other = RoutingEngine.decide(a, rules("fatora", 4), HEALTH, false);
    Decision d = c.decide(a, "card_1", null, HEALTH, other);
    assertSame(other, d);
    assertNull(d.canary());
  }

  @Test
  void answersAreTalliedPerArmWithTheirFeesAndCarriedInTheBeacon() {
    CanaryRouting c = running(50, CanaryRouting.BY_CARD);
    RoutingInfo canary = new RoutingInfo("to-revio", "priority", 3, List.of("revio"), List.of(), Map.of("revio", 59L),
        new RoutingInfo.Canary(7, "canary"));
    RoutingInfo control = new RoutingInfo("to-fatora", "priority", 3, List.of("fatora"), List.of(), Map.of(),
        new RoutingInfo.Canary(7, "control"));
    c.answered(canary, ChargeStatus.SUCCEEDED, "revio", "USD", 20_000_000);
    c.answered(canary, ChargeStatus.DECLINED, "revio", "USD", 10_000_000);
    c.answered(canary, ChargeStatus.PENDING, "revio", "USD", 5_000_000);
    c.answered(control, ChargeStatus.FAILED, null, "USD", 1_000_000);
    c.answered(new RoutingInfo("x", "priority", 3, List.of("revio"), List.of(), Map.of(), new RoutingInfo.Canary(6, "canary")),
        ChargeStatus.SUCCEEDED, "revio", "USD", 1);
    JsonObject beacon = c.counts();
    assertEquals(7, beacon.getLong("generation"));
    CanaryPolicy.Arm k = CanaryRouting.fromJson(beacon.getValue("canary"));
    assertEquals(new CanaryPolicy.Arm(1, 1, 0, 1, 30.0, 500.0), k, "pending apart, another canary's charge not counted");
    assertEquals(new CanaryPolicy.Arm(0, 0, 1, 0, 1.0, 1.0), CanaryRouting.fromJson(beacon.getValue("control")));
    assertEquals("[59,1,0]", beacon.getJsonObject("fees").getJsonObject("canary").getJsonArray("USD").encode());
    JsonObject fleet = CanaryJudge.fees(7, Map.of("a", beacon, "b", beacon));
    assertEquals(new JsonObject().put("total", 118L).put("charges", 2L).put("unknown", 0L).put("per_charge", 59L),
        fleet.getJsonObject("canary").getJsonObject("USD"));
    CanaryPolicy.Arm[] both = CanaryJudge.arms(7, Map.of("a", beacon, "b", beacon));
    assertEquals(2, both[1].succeeded(), "two instances' tallies add up");
  }

  @Test
  void aStoppedCanaryDecidesNothing() {
    CanaryRouting c = running(50, CanaryRouting.BY_CARD);
    c.remove(7);
    assertNull(c.running());
    assertNull(c.counts());
  }
}
