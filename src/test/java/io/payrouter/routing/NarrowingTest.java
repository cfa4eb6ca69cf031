package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.CURRENCIES;
import static io.payrouter.routing.Fixtures.allHealthy;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.healthyExcept;
import static io.payrouter.routing.Fixtures.rules;
import static io.payrouter.routing.Fixtures.traceLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Candidates are narrowed to known, tokenised, currency-capable, enabled, closed-circuit PSPs. */
class NarrowingTest {

  private static final RoutingRules RULES = rules("""
      rules:
        - name: all
          strategy: priority
          providers: [revio, paycore, fatora]
      """);

  private static ChargeAttributes withTokens(Set<String> tokens) {
    return new ChargeAttributes("ch_1", "acme", 1000, "USD", "visa", "US", Map.of(), tokens);
  }

  @Test
  void providerWithoutTokenIsDropped() {
    Decision d = RoutingEngine.decide(withTokens(Set.of("revio", "fatora")), RULES, allHealthy());
    assertEquals(List.of("revio", "fatora"), d.candidates());
    TraceLine line = traceLine(d, "candidate", "paycore");
    assertEquals("dropped", line.verdict());
    assertEquals("no token", line.reason());
  }

  @Test
  void providerNotSupportingTheCurrencyIsDropped() {
    HealthSnapshot health = healthyExcept(ProviderHealth.fresh("revio", Set.of("EUR")));
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), RULES, health);
    assertEquals(List.of("paycore", "fatora"), d.candidates());
    assertEquals("currency USD not supported", traceLine(d, "candidate", "revio").reason());
  }

  @Test
  void disabledProviderIsDropped() {
    HealthSnapshot health = healthyExcept(new ProviderHealth("paycore", false, false, CURRENCIES, 1, 0, 0));
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), RULES, health);
    assertEquals(List.of("revio", "fatora"), d.candidates());
    assertEquals("disabled", traceLine(d, "candidate", "paycore").reason());
  }

  @Test
  void providerWithOpenCircuitIsDropped() {
    HealthSnapshot health = healthyExcept(new ProviderHealth("fatora", true, true, CURRENCIES, 1, 0, 0));
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), RULES, health);
    assertEquals(List.of("revio", "paycore"), d.candidates());
    assertEquals("circuit open", traceLine(d, "candidate", "fatora").reason());
  }

  @Test
  void providerMissingFromHealthSnapshotIsDroppedAsUnknown() {
    HealthSnapshot health = HealthSnapshot.of(List.of(
        ProviderHealth.fresh("revio", CURRENCIES), ProviderHealth.fresh("fatora", CURRENCIES)));
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), RULES, health);
    assertEquals(List.of("revio", "fatora"), d.candidates());
    assertEquals("unknown provider", traceLine(d, "candidate", "paycore").reason());
  }

  @Test
  void everyReasonIsListedWhenSeveralApply() {
    HealthSnapshot health = healthyExcept(new ProviderHealth("revio", false, true, Set.of("EUR"), 1, 0, 0));
    Decision d = RoutingEngine.decide(withTokens(Set.of("paycore")), RULES, health);
    assertEquals("no token; currency USD not supported; disabled; circuit open",
        traceLine(d, "candidate", "revio").reason());
  }

  @Test
  void keptCandidatesAreTracedAsKept() {
    Decision d = RoutingEngine.decide(charge(1000, "USD", "visa"), RULES, allHealthy());
    assertEquals("kept", traceLine(d, "candidate", "revio").verdict());
    assertEquals("kept", traceLine(d, "candidate", "fatora").verdict());
  }

  @Test
  void noCandidateLeftGivesEmptyListButNamesTheRule() {
    Decision d = RoutingEngine.decide(withTokens(Set.of("dintero")), RULES, allHealthy());
    assertFalse(d.routed());
    assertEquals("all", d.rule());
    assertEquals("no route", traceLine(d, "result", "all").verdict());
  }

  @Test
  void unknownCardSkipsTheTokenCheck() {
    Decision d = RoutingEngine.decide(withTokens(null), RULES, allHealthy());
    assertEquals(List.of("revio", "paycore", "fatora"), d.candidates());
    assertTrue(traceLine(d, "candidate", "revio").reason().contains("token not checked"));
  }

  // ---------------------------------------------------------------- exclusions (failure_reason)

  @Test
  void exclusionsCarryTheTraceWordsWithCodesAndAreKeptWithoutATrace() {
    HealthSnapshot health = healthyExcept(new ProviderHealth("revio", false, true, Set.of("EUR"), 1, 0, 0));
    Decision traced = RoutingEngine.decide(withTokens(Set.of("paycore")), RULES, health);
    Decision bare = RoutingEngine.decide(withTokens(Set.of("paycore")), RULES, health, false);
    assertEquals(List.of(), bare.trace());
    assertEquals(traced.excluded(), bare.excluded(), "the charge path records what explain shows");
    Exclusion revio = bare.excluded().get(0);
    assertEquals("revio", revio.provider());
    assertEquals(List.of(Exclusion.Reason.NO_TOKEN, Exclusion.Reason.CURRENCY_NOT_SUPPORTED,
        Exclusion.Reason.DISABLED, Exclusion.Reason.CIRCUIT_OPEN), revio.reasons());
    assertEquals("no_token", revio.reason().wire());
    assertEquals(traceLine(traced, "candidate", "revio").reason(), revio.detail());
    assertEquals(List.of("revio", "fatora"), bare.excluded().stream().map(Exclusion::provider).toList());
  }

  @Test
  void aTokenProviderTheRuleDoesNotListIsExcludedAsNotInRule() {
    HealthSnapshot health = healthyExcept(ProviderHealth.fresh("dintero", Set.of("NOK")));
    Decision d = RoutingEngine.decide(withTokens(new java.util.LinkedHashSet<>(List.of("dintero", "revio"))), RULES,
        health, false);
    assertEquals(List.of("revio"), d.candidates());
    Exclusion dintero = d.excluded().stream().filter(e -> e.provider().equals("dintero")).findFirst().orElseThrow();
    assertEquals(List.of(Exclusion.Reason.NOT_IN_RULE, Exclusion.Reason.CURRENCY_NOT_SUPPORTED), dintero.reasons());
    assertEquals("not listed by rule all; currency USD not supported", dintero.detail());
    assertEquals(dintero.detail(), traceLine(RoutingEngine.decide(withTokens(Set.of("dintero", "revio")), RULES, health),
        "candidate", "dintero").reason(), "explain says the same");
  }

  @Test
  void noExclusionsWhenNoRuleMatchesOrNoCardIsKnown() {
    RoutingRules usdOnly = rules("""
        rules:
          - name: usd
            when: { currency: [USD] }
            providers: [revio]
        """);
    assertEquals(List.of(), RoutingEngine.decide(new ChargeAttributes("ch_1", "acme", 1000, "JPY", "visa", "US", Map.of(),
        Set.of("revio")), usdOnly, allHealthy(), false).excluded());
    assertEquals(List.of(), RoutingEngine.decide(withTokens(null), RULES, allHealthy(), false).excluded());
  }
}
