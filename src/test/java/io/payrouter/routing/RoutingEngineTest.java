package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.allHealthy;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.rules;
import static io.payrouter.routing.Fixtures.traceLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Rule order, the default rule, no route, and what a decision carries. */
class RoutingEngineTest {

  private static final String SPEC_RULES = """
      rules:
        - name: nordic
          when: { currency: [NOK, SEK, DKK] }
          strategy: priority
          providers: [dintero, processout]
        - name: usd-mastercard
          when: { currency: [USD], brand: [mastercard], amount: { max: 500000 } }
          strategy: weighted
          providers: [ { name: revio, weight: 70 }, { name: paycore, weight: 30 } ]
          failover: { on_soft_decline: true, max_attempts: 2 }
        - name: default
          strategy: adaptive
          providers: [processout, revio, fatora, paycore]
      failover: { max_attempts: 3 }
      """;

  @Test
  void firstMatchingRuleWinsOverLaterMatchingRules() {
    RoutingRules rules = rules("""
        rules:
          - name: usd-any
            when: { currency: [USD] }
            providers: [revio]
          - name: visa
            when: { brand: [visa] }
            providers: [paycore]
        """);
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), rules, allHealthy());
    assertEquals("usd-any", d.rule());
    assertEquals(List.of("revio"), d.candidates());
  }

  @Test
  void defaultRuleCatchesChargesNoOtherRuleMatches() {
    Decision d = RoutingEngine.decide(charge(1000, "EUR", "visa"), rules(SPEC_RULES), allHealthy());
    assertEquals("default", d.rule());
    assertEquals("adaptive", d.strategy());
    assertEquals(4, d.candidates().size());
    assertEquals("not matched", traceLine(d, "rule", "nordic").verdict());
    assertEquals("not matched", traceLine(d, "rule", "usd-mastercard").verdict());
    assertEquals("matched", traceLine(d, "rule", "default").verdict());
  }

  @Test
  void priorityKeepsTheListedOrder() {
    Decision d = RoutingEngine.decide(charge(1000, "NOK", "visa"), rules(SPEC_RULES), allHealthy());
    assertEquals("nordic", d.rule());
    assertEquals("priority", d.strategy());
    assertEquals(List.of("dintero", "processout"), d.candidates());
  }

  @Test
  void noMatchingRuleGivesEmptyCandidatesAndSaysWhy() {
    RoutingRules rules = rules("""
        rules:
          - name: only-usd
            when: { currency: USD }
            providers: [revio]
        """);
    Decision d = RoutingEngine.decide(charge(1000, "EUR", "visa"), rules, allHealthy());
    assertFalse(d.routed());
    assertNull(d.rule());
    assertTrue(d.candidates().isEmpty());
    assertEquals("no rule matched", traceLine(d, "result", "-").reason());
  }

  @Test
  void decisionCarriesVersionAndGlobalFailoverSettings() {
    RoutingRules rules = rules(SPEC_RULES).withVersion(42);
    Decision d = RoutingEngine.decide(charge(1000, "NOK", "visa"), rules, allHealthy());
    assertEquals(42, d.configVersion());
    assertEquals(3, d.maxAttempts());
    assertFalse(d.failoverOnSoftDecline());
  }

  @Test
  void ruleFailoverOverridesGlobalSettings() {
    Decision d = RoutingEngine.decide(charge("ch_9", 1000, "USD", "mastercard"), rules(SPEC_RULES), allHealthy());
    assertEquals("usd-mastercard", d.rule());
    assertEquals(2, d.maxAttempts());
    assertTrue(d.failoverOnSoftDecline());
  }

  @Test
  void maxAttemptsDefaultsToThreeWhenFailoverOmitted() {
    RoutingRules rules = rules("""
        rules:
          - name: all
            providers: [revio]
        """);
    assertEquals(RulesParser.DEFAULT_MAX_ATTEMPTS, rules.maxAttempts());
    assertEquals(3, RoutingEngine.decide(charge(1, "USD", "visa"), rules, allHealthy()).maxAttempts());
  }

  @Test
  void withoutTraceTheDecisionIsTheSameButTheTraceIsEmpty() {
    RoutingRules rules = rules(SPEC_RULES);
    for (int i = 0; i < 200; i++) {
      ChargeAttributes a = charge("ch_" + i, 1000 + i, i % 2 == 0 ? "USD" : "EUR", "mastercard");
      Decision traced = RoutingEngine.decide(a, rules, allHealthy(), true);
      Decision plain = RoutingEngine.decide(a, rules, allHealthy(), false);
      assertEquals(traced.candidates(), plain.candidates());
      assertEquals(traced.rule(), plain.rule());
      assertTrue(plain.trace().isEmpty());
      assertFalse(traced.trace().isEmpty());
    }
  }

  @Test
  void theChoiceAloneIsTheSameRuleAndCandidatesWithoutReasonsOrFees() {
    RoutingRules rules = rules(SPEC_RULES);
    HealthSnapshot revioOpen = Fixtures.healthyExcept(new ProviderHealth("revio", true, true, Fixtures.CURRENCIES, 1.0, 0, 0));
    String[] currencies = {"USD", "EUR", "NOK"};
    int withReasons = 0;
    for (int i = 0; i < 300; i++) {
      ChargeAttributes a = charge("ch_" + i, 1000 + i, currencies[i % 3], i % 2 == 0 ? "visa" : "mastercard");
      Decision full = RoutingEngine.decide(a, rules, revioOpen, RoutingEngine.Detail.CHARGE);
      Decision choice = RoutingEngine.decide(a, rules, revioOpen, RoutingEngine.Detail.CHOICE);
      assertEquals(full.rule(), choice.rule());
      assertEquals(full.candidates(), choice.candidates());
      assertEquals(full.maxAttempts(), choice.maxAttempts());
      assertTrue(choice.excluded().isEmpty() && choice.fees().isEmpty() && choice.trace().isEmpty());
      if (!full.excluded().isEmpty()) withReasons++;
    }
    assertEquals(300, withReasons, "every charge here has providers left out (revio's circuit, or not listed)");
  }
}
