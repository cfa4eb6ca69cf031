package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.CURRENCIES;
import static io.payrouter.routing.Fixtures.PROVIDERS;
import static io.payrouter.routing.Fixtures.parseYaml;
import static io.payrouter.routing.Fixtures.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Every validation problem class, with its path; all problems reported at once. */
class RulesParserTest {

  /** Asserts the document is rejected with a problem at {@code path} whose message has {@code text}. */
  private static void assertProblem(ParseResult result, String path, String text) {
    assertFalse(result.ok(), "expected problems");
    assertNull(result.rules());
    assertTrue(result.problems().stream().anyMatch(p -> p.path().equals(path) && p.message().contains(text)),
        () -> "no problem at " + path + " containing '" + text + "' in " + result.problems());
  }

  private static void assertOnlyProblem(String yaml, String path, String text) {
    ParseResult result = parseYaml(yaml);
    assertProblem(result, path, text);
    assertEquals(1, result.problems().size(), () -> "expected exactly one problem: " + result.problems());
  }

  /** A one-rule document with {@code body} as the rule's extra lines. */
  private static String oneRule(String body) {
    return "rules:\n  - name: r\n" + body.indent(4);
  }

  // ---- valid documents ----------------------------------------------------------------------

  @Test
  void specExampleParsesWithAllItsSettings() {
    RoutingRules rules = rules("""
        rules:
          - name: nordic
            when: { currency: [NOK, SEK, DKK] }
            strategy: priority
            providers: [dintero, processout]
          - name: usd-mastercard
            when: { currency: [USD], brand: [mastercard], amount: { max: 500000 } }
            strategy: weighted
            providers: [ { name: revio, weight: 70 }, { name: paycore, weight: 30 } ]
            failover: { on_soft_decline: true }
          - name: default
            strategy: adaptive
            providers: [processout, revio, fatora, paycore]
            adaptive: { exploration: 0.05, window_seconds: 60 }
        failover: { max_attempts: 3 }
        """);
    assertEquals(0, rules.version());
    assertEquals(3, rules.rules().size());
    assertEquals(3, rules.maxAttempts());
    assertEquals(60, rules.healthWindowSeconds());
    Rule usd = rules.rule("usd-mastercard");
    assertEquals(Strategy.WEIGHTED, usd.strategy());
    assertEquals(List.of(new RuleProvider("revio", 70), new RuleProvider("paycore", 30)), usd.providers());
    assertTrue(usd.failoverOnSoftDecline());
    assertEquals(500000, usd.when().maxAmount());
    assertEquals(Set.of("USD"), usd.when().currencies());
    Rule def = rules.rule("default");
    assertTrue(def.when().isCatchAll());
    assertEquals(0.05, def.adaptive().exploration());
    assertEquals(60, def.adaptive().windowSeconds());
    assertFalse(rules.rule("nordic").failoverOnSoftDecline());
    assertEquals(7, rules.withVersion(7).version());
  }

  @Test
  void strategyDefaultsToPriority() {
    assertEquals(Strategy.PRIORITY, rules(oneRule("providers: [revio]")).rules().get(0).strategy());
  }

  @Test
  void jsonShapedInputWithLongsAndMapsIsAccepted() {
    Map<String, Object> doc = Map.of(
        "rules", List.of(Map.of(
            "name", "r",
            "when", Map.of("amount", Map.of("min", 1L, "max", 5_000_000_000L), "metadata", Map.of("tier", "gold")),
            "providers", List.of("revio"))),
        "failover", Map.of("max_attempts", 2),
        "version", 12);
    ParseResult result = RulesParser.parse(doc, PROVIDERS, CURRENCIES);
    assertTrue(result.ok(), () -> result.problems().toString());
    assertEquals(5_000_000_000L, result.rules().rules().get(0).when().maxAmount());
    assertEquals(Map.of("tier", Set.of("gold")), result.rules().rules().get(0).when().metadata());
    assertEquals(2, result.rules().maxAttempts());
  }

  @Test
  void specificRuleBeforeGeneralRuleIsReachable() {
    ParseResult result = parseYaml("""
        rules:
          - name: usd-visa
            when: { currency: [USD], brand: [visa] }
            providers: [revio]
          - name: usd
            when: { currency: [USD] }
            providers: [paycore]
          - name: default
            providers: [fatora]
        """);
    assertTrue(result.ok(), () -> result.problems().toString());
  }

  // ---- document shape -------------------------------------------------------------------------

  @Test
  void documentThatIsNotAMapIsRejectedAtTheRoot() {
    assertProblem(RulesParser.parse(List.of(), PROVIDERS, CURRENCIES), "$", "must be a map");
    assertProblem(RulesParser.parse(null, PROVIDERS, CURRENCIES), "$", "got nothing");
  }

  @Test
  void missingRulesIsRejected() {
    assertOnlyProblem("failover: { max_attempts: 3 }", "rules", "is required");
  }

  @Test
  void rulesThatIsNotAListIsRejected() {
    assertOnlyProblem("rules: { name: r }", "rules", "must be a list");
  }

  @Test
  void emptyRulesListIsRejected() {
    assertOnlyProblem("rules: []", "rules", "at least one rule");
  }

  @Test
  void ruleThatIsNotAMapIsRejected() {
    assertProblem(parseYaml("rules: [ just-a-string ]"), "rules[0]", "must be a map");
  }

  // ---- unknown keys -----------------------------------------------------------------------------

  @Test
  void unknownTopLevelKeyIsRejectedWithHint() {
    ParseResult result = parseYaml("rules:\n  - { name: r, providers: [revio] }\nfailvoer: { max_attempts: 2 }");
    assertProblem(result, "failvoer", "did you mean 'failover'?");
  }

  @Test
  void misplacedTopLevelKeyPointsToItsSection() {
    assertProblem(parseYaml("rules:\n  - { name: r, providers: [revio] }\nmax_attempts: 2"),
        "max_attempts", "did you mean 'failover.max_attempts'?");
  }

  @Test
  void typoInRuleKeyIsRejectedWithHint() {
    ParseResult result = parseYaml("""
        rules:
          - name: r
            whne: { currency: USD }
            provders: [revio]
        """);
    assertProblem(result, "rules[0].whne", "did you mean 'when'?");
    assertProblem(result, "rules[0].provders", "did you mean 'providers'?");
    assertProblem(result, "rules[0].providers", "is required");
  }

  @Test
  void conditionWrittenAtRuleLevelPointsToWhen() {
    assertProblem(parseYaml(oneRule("issuer_country: [US]\nproviders: [revio]")),
        "rules[0].issuer_country", "did you mean 'when.issuer_country'?");
  }

  @Test
  void unknownConditionKeyIsRejectedWithHint() {
    assertOnlyProblem(oneRule("when: { curency: [USD] }\nproviders: [revio]"),
        "rules[0].when.curency", "did you mean 'currency'?");
  }

  @Test
  void unknownKeysInNestedMapsAreRejected() {
    ParseResult result = parseYaml("""
        rules:
          - name: r
            when: { amount: { max: 5, mx: 6 } }
            strategy: weighted
            providers: [ { name: revio, weight: 1, wieght: 2 } ]
            failover: { on_soft_decline: true, max_attempt: 2 }
          - name: a
            strategy: adaptive
            providers: [revio]
            adaptive: { exploraton: 0.1 }
        """);
    assertProblem(result, "rules[0].when.amount.mx", "unknown key");
    assertProblem(result, "rules[0].providers[0].wieght", "did you mean 'weight'?");
    assertProblem(result, "rules[0].failover.max_attempt", "did you mean 'max_attempts'?");
    assertProblem(result, "rules[1].adaptive.exploraton", "did you mean 'exploration'?");
  }

  // ---- names ------------------------------------------------------------------------------------

  @Test
  void ruleWithoutNameIsRejected() {
    assertOnlyProblem("rules:\n  - providers: [revio]", "rules[0].name", "is required");
  }

  @Test
  void ruleNameThatIsNotAStringIsRejected() {
    assertOnlyProblem("rules:\n  - { name: 42, providers: [revio] }", "rules[0].name", "must be a string");
    assertOnlyProblem("rules:\n  - { name: '  ', providers: [revio] }", "rules[0].name", "must not be empty");
  }

  @Test
  void duplicateRuleNameIsRejected() {
    ParseResult result = parseYaml("""
        rules:
          - { name: r, when: { currency: USD }, providers: [revio] }
          - { name: r, when: { currency: EUR }, providers: [revio] }
        """);
    assertProblem(result, "rules[1].name", "duplicate rule name 'r' (also rules[0])");
    assertEquals(1, result.problems().size());
  }

  // ---- providers --------------------------------------------------------------------------------

  @Test
  void unknownProviderIsRejectedWithHint() {
    assertOnlyProblem(oneRule("providers: [revio, paycroe]"), "rules[0].providers[1]",
        "unknown provider 'paycroe' (did you mean 'paycore'?)");
  }

  @Test
  void duplicateProviderInOneRuleIsRejected() {
    assertOnlyProblem(oneRule("providers: [revio, fatora, revio]"), "rules[0].providers[2]",
        "duplicate provider 'revio' (also rules[0].providers[0])");
  }

  @Test
  void emptyOrMissingProvidersAreRejected() {
    assertOnlyProblem(oneRule("providers: []"), "rules[0].providers", "at least one provider");
    assertOnlyProblem(oneRule("strategy: priority"), "rules[0].providers", "is required");
    assertOnlyProblem(oneRule("providers: 5"), "rules[0].providers", "must be a list");
  }

  @Test
  void providerEntryOfWrongShapeIsRejected() {
    assertOnlyProblem(oneRule("providers: [ [revio] ]"), "rules[0].providers[0]", "must be a provider name");
    assertOnlyProblem(oneRule("providers: [ { weight: 3 } ]\nstrategy: weighted"),
        "rules[0].providers[0].name", "is required");
  }

  @Test
  void singleProviderNameIsAcceptedAsOneElementList() {
    assertEquals(List.of(new RuleProvider("revio", 1)),
        rules(oneRule("providers: revio")).rules().get(0).providers());
  }

  // ---- conditions -------------------------------------------------------------------------------

  @Test
  void unknownCurrencyIsRejectedWithPathAndHint() {
    ParseResult result = parseYaml(oneRule("when: { currency: [USD, usd, XYZ] }\nproviders: [revio]"));
    assertProblem(result, "rules[0].when.currency[1]", "unknown currency 'usd' (did you mean 'USD'?)");
    assertProblem(result, "rules[0].when.currency[2]", "unknown currency 'XYZ'");
    assertEquals(2, result.problems().size());
  }

  @Test
  void unknownBrandIsRejectedWithHint() {
    assertOnlyProblem(oneRule("when: { brand: [visa, mastercrad] }\nproviders: [revio]"),
        "rules[0].when.brand[1]", "unknown brand 'mastercrad' (did you mean 'mastercard'?)");
    assertOnlyProblem(oneRule("when: { brand: Visa }\nproviders: [revio]"),
        "rules[0].when.brand", "did you mean 'visa'?");
  }

  @Test
  void emptyConditionListIsRejected() {
    assertOnlyProblem(oneRule("when: { currency: [] }\nproviders: [revio]"),
        "rules[0].when.currency", "must not be empty");
  }

  @Test
  void amountBoundsMustBeNonNegativeIntegers() {
    assertOnlyProblem(oneRule("when: { amount: { min: -1 } }\nproviders: [revio]"),
        "rules[0].when.amount.min", "non-negative integer");
    assertOnlyProblem(oneRule("when: { amount: { max: 10.5 } }\nproviders: [revio]"),
        "rules[0].when.amount.max", "non-negative integer");
    assertOnlyProblem(oneRule("when: { amount: { max: '100' } }\nproviders: [revio]"),
        "rules[0].when.amount.max", "non-negative integer");
  }

  @Test
  void amountMinAboveMaxIsRejected() {
    assertOnlyProblem(oneRule("when: { amount: { min: 500, max: 100 } }\nproviders: [revio]"),
        "rules[0].when.amount", "min 500 is greater than max 100");
  }

  @Test
  void amountWithoutBoundsOrNotAMapIsRejected() {
    assertOnlyProblem(oneRule("when: { amount: {} }\nproviders: [revio]"), "rules[0].when.amount", "min and/or max");
    assertOnlyProblem(oneRule("when: { amount: 100 }\nproviders: [revio]"), "rules[0].when.amount", "must be a map");
  }

  @Test
  void issuerCountryMustBeTwoUpperCaseLetters() {
    ParseResult result = parseYaml(oneRule("when: { issuer_country: [US, us, USA] }\nproviders: [revio]"));
    assertProblem(result, "rules[0].when.issuer_country[1]", "did you mean 'US'?");
    assertProblem(result, "rules[0].when.issuer_country[2]", "2 upper-case letters");
    assertEquals(2, result.problems().size());
  }

  @Test
  void unquotedNorwayReadByYamlAsBooleanGetsAQuotingHint() {
    assertOnlyProblem(oneRule("when: { issuer_country: [NO] }\nproviders: [revio]"),
        "rules[0].when.issuer_country[0]", "quote it");
  }

  @Test
  void merchantValuesMustBeStrings() {
    assertOnlyProblem(oneRule("when: { merchant: [acme, 7] }\nproviders: [revio]"),
        "rules[0].when.merchant[1]", "must be a string");
  }

  @Test
  void metadataMustBeANonEmptyMapOfStrings() {
    assertOnlyProblem(oneRule("when: { metadata: {} }\nproviders: [revio]"), "rules[0].when.metadata", "must not be empty");
    assertOnlyProblem(oneRule("when: { metadata: [tier] }\nproviders: [revio]"), "rules[0].when.metadata", "must be a map");
    assertOnlyProblem(oneRule("when: { metadata: { recurring: yes } }\nproviders: [revio]"),
        "rules[0].when.metadata.recurring", "quote it");
  }

  @Test
  void whenThatIsNotAMapIsRejected() {
    assertOnlyProblem(oneRule("when: [USD]\nproviders: [revio]"), "rules[0].when", "must be a map");
  }

  // ---- strategies and weights ---------------------------------------------------------------

  @Test
  void unknownStrategyIsRejectedWithHint() {
    assertOnlyProblem(oneRule("strategy: weigthed\nproviders: [revio]"), "rules[0].strategy",
        "unknown strategy 'weigthed' (did you mean 'weighted'?)");
    assertOnlyProblem(oneRule("strategy: 3\nproviders: [revio]"), "rules[0].strategy", "must be one of");
  }

  @Test
  void weightedRuleNeedsAWeightOnEveryProvider() {
    assertOnlyProblem(oneRule("strategy: weighted\nproviders: [ { name: revio, weight: 70 }, paycore ]"),
        "rules[0].providers[1]", "needs a weight");
  }

  @Test
  void weightMustBeANonNegativeInteger() {
    ParseResult result = parseYaml(oneRule("""
        strategy: weighted
        providers:
          - { name: revio, weight: 2.5 }
          - { name: paycore, weight: -1 }
          - { name: fatora, weight: '3' }
          - { name: dintero, weight: 10 }
        """));
    assertProblem(result, "rules[0].providers[0].weight", "must be an integer");
    assertProblem(result, "rules[0].providers[1].weight", "must be an integer");
    assertProblem(result, "rules[0].providers[2].weight", "must be an integer");
    assertEquals(3, result.problems().size());
  }

  @Test
  void weightsMustNotAllBeZero() {
    assertOnlyProblem(oneRule("strategy: weighted\nproviders: [ { name: revio, weight: 0 }, { name: paycore, weight: 0 } ]"),
        "rules[0].providers", "must not all be 0");
  }

  @Test
  void weightOnNonWeightedRuleIsRejected() {
    assertOnlyProblem(oneRule("strategy: priority\nproviders: [ { name: revio, weight: 70 } ]"),
        "rules[0].providers[0].weight", "only used by strategy weighted");
    assertOnlyProblem(oneRule("providers: [ { name: revio, weight: 70 } ]"),
        "rules[0].providers[0].weight", "only used by strategy weighted");
  }

  @Test
  void adaptiveSettingsOnNonAdaptiveRuleAreRejected() {
    assertOnlyProblem(oneRule("strategy: priority\nproviders: [revio]\nadaptive: { exploration: 0.1 }"),
        "rules[0].adaptive", "only used by strategy adaptive");
  }

  @Test
  void adaptiveSettingsOutOfRangeAreRejected() {
    ParseResult result = parseYaml(oneRule("""
        strategy: adaptive
        providers: [revio]
        adaptive: { exploration: 0.9, window_seconds: 1, tolerance: -1, latency_penalty: fast }
        """));
    assertProblem(result, "rules[0].adaptive.exploration", "0.0..0.5");
    assertProblem(result, "rules[0].adaptive.window_seconds", "5..300");
    assertProblem(result, "rules[0].adaptive.tolerance", "must be a number");
    assertProblem(result, "rules[0].adaptive.latency_penalty", "must be a number");
    assertEquals(4, result.problems().size());
  }

  @Test
  void adaptiveRulesWithDifferentWindowsAreRejected() {
    ParseResult result = parseYaml("""
        rules:
          - { name: a, when: { currency: USD }, strategy: adaptive, providers: [revio], adaptive: { window_seconds: 60 } }
          - { name: b, strategy: adaptive, providers: [revio], adaptive: { window_seconds: 30 } }
        """);
    assertProblem(result, "rules[1].adaptive.window_seconds", "share one window");
  }

  // ---- reachability -------------------------------------------------------------------------

  @Test
  void ruleAfterCatchAllIsUnreachable() {
    ParseResult result = parseYaml("""
        rules:
          - { name: default, providers: [revio] }
          - { name: usd, when: { currency: USD }, providers: [paycore] }
          - { name: eur, when: { currency: EUR }, providers: [paycore] }
        """);
    assertProblem(result, "rules[1]", "unreachable: rule 'default' (rules[0]) before it has no conditions");
    assertProblem(result, "rules[2]", "unreachable");
    assertEquals(2, result.problems().size());
  }

  @Test
  void ruleWithSameConditionsAsEarlierRuleIsUnreachable() {
    assertOnlyProblem("""
        rules:
          - { name: a, when: { currency: [USD, EUR], brand: visa }, providers: [revio] }
          - { name: b, when: { brand: [visa], currency: [EUR, USD] }, providers: [paycore] }
        """, "rules[1].when", "same conditions as rule 'a' (rules[0])");
  }

  @Test
  void ruleCoveredByBroaderEarlierRuleIsUnreachable() {
    assertOnlyProblem("""
        rules:
          - { name: usd, when: { currency: [USD, EUR] }, providers: [revio] }
          - { name: usd-visa-small, when: { currency: USD, brand: visa, amount: { max: 100 } }, providers: [paycore] }
        """, "rules[1].when", "already matched by rule 'usd' (rules[0])");
  }

  @Test
  void overlappingButNotCoveredRuleIsReachable() {
    ParseResult result = parseYaml("""
        rules:
          - { name: small, when: { amount: { max: 100 } }, providers: [revio] }
          - { name: mid, when: { amount: { min: 50, max: 500 } }, providers: [paycore] }
          - { name: meta, when: { metadata: { tier: gold } }, providers: [paycore] }
          - { name: meta2, when: { metadata: { tier: [gold, silver] } }, providers: [paycore] }
        """);
    assertTrue(result.ok(), () -> result.problems().toString());
  }

  // ---- failover -----------------------------------------------------------------------------

  @Test
  void maxAttemptsMustBeAnIntegerFromOneToTen() {
    String rule = "rules:\n  - { name: r, providers: [revio] }\n";
    assertOnlyProblem(rule + "failover: { max_attempts: 0 }", "failover.max_attempts", "1..10");
    assertOnlyProblem(rule + "failover: { max_attempts: 11 }", "failover.max_attempts", "1..10");
    assertOnlyProblem(rule + "failover: { max_attempts: '3' }", "failover.max_attempts", "1..10");
    assertOnlyProblem(rule + "failover: { max_attempts: 2.5 }", "failover.max_attempts", "1..10");
    assertEquals(10, rules(rule + "failover: { max_attempts: 10 }").maxAttempts());
    assertEquals(1, rules(rule + "failover: { max_attempts: 1 }").maxAttempts());
  }

  @Test
  void ruleLevelFailoverIsValidatedAndOverridesGlobal() {
    assertOnlyProblem(oneRule("providers: [revio]\nfailover: { max_attempts: 20 }"),
        "rules[0].failover.max_attempts", "1..10");
    assertOnlyProblem(oneRule("providers: [revio]\nfailover: { on_soft_decline: maybe }"),
        "rules[0].failover.on_soft_decline", "true or false");
    RoutingRules rules = rules("""
        rules:
          - { name: r, providers: [revio], failover: { max_attempts: 1 } }
        failover: { max_attempts: 4, on_soft_decline: true }
        """);
    assertEquals(1, rules.rules().get(0).maxAttempts());
    assertTrue(rules.rules().get(0).failoverOnSoftDecline(), "inherits global on_soft_decline");
    assertEquals(4, rules.maxAttempts());
  }

  @Test
  void failoverThatIsNotAMapIsRejected() {
    assertOnlyProblem("rules:\n  - { name: r, providers: [revio] }\nfailover: 3", "failover", "must be a map");
  }

  // ---- all at once --------------------------------------------------------------------------

  @Test
  void everyProblemInTheDocumentIsReportedAtOnce() {
    ParseResult result = parseYaml("""
        rules:
          - name: nordic
            when: { currency: [NOK, SEKK], issuer_country: [no] }
            strategy: priority
            provders: [dintero]
          - name: nordic
            when: { brand: [visa], amount: { min: 10, max: 1 } }
            strategy: weighted
            providers: [ { name: revio, weight: 70 }, { name: revio, weight: 30 }, { name: stripe, weight: 1 } ]
          - name: default
            strategy: fastest
            providers: [processout]
          - name: after-default
            when: { currency: USD }
            providers: [fatora]
        failover: { max_attempts: 99 }
        extra: true
        """);
    List<String> paths = result.problems().stream().map(RuleProblem::path).toList();
    assertEquals(List.of(
        "extra",
        "failover.max_attempts",
        "rules[0].provders",
        "rules[0].when.currency[1]",
        "rules[0].when.issuer_country[0]",
        "rules[0].providers",
        "rules[1].when.amount",
        "rules[1].providers[1]",
        "rules[1].providers[2]",
        "rules[2].strategy",
        "rules[1].name",
        "rules[3]"), paths);
  }

  // ---- JSON-shaped documents ----------------------------------------------------------------

  /** A map of alternating keys and values, in order (Map.of refuses nulls and loses order). */
  private static Map<String, Object> map(Object... kv) {
    Map<String, Object> m = new java.util.LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put((String) kv[i], kv[i + 1]);
    return m;
  }

  /** The README example as a JSON reader hands it over: numbers as Integer, Long and Double. */
  private static Map<String, Object> jsonShaped(Object max, Object weight, Object attempts) {
    return map(
        "rules", List.of(
            map("name", "nordic", "when", map("currency", List.of("NOK", "SEK", "DKK")),
                "strategy", "priority", "providers", List.of("dintero", "processout")),
            map("name", "usd-mastercard",
                "when", map("currency", List.of("USD"), "brand", List.of("mastercard"),
                    "amount", map("min", 100, "max", max)),
                "strategy", "weighted",
                "providers", List.of(map("name", "revio", "weight", 70L), map("name", "paycore", "weight", weight)),
                "failover", map("max_attempts", attempts, "on_soft_decline", true)),
            map("name", "default", "strategy", "adaptive", "providers", List.of("processout", "revio", "fatora", "paycore"),
                "adaptive", map("exploration", 0.05, "window_seconds", 30))),
        "failover", map("max_attempts", 3, "on_soft_decline", false),
        "version", 7.0);
  }

  @Test
  void jsonShapedDocumentParsesLikeTheSameRulesInYaml() {
    String yaml = """
        rules:
          - name: nordic
            when: { currency: [NOK, SEK, DKK] }
            strategy: priority
            providers: [dintero, processout]
          - name: usd-mastercard
            when: { currency: [USD], brand: [mastercard], amount: { min: 100, max: 500000 } }
            strategy: weighted
            providers: [ { name: revio, weight: 70 }, { name: paycore, weight: 30 } ]
            failover: { max_attempts: 2, on_soft_decline: true }
          - name: default
            strategy: adaptive
            providers: [processout, revio, fatora, paycore]
            adaptive: { exploration: 0.05, window_seconds: 30 }
        failover: { max_attempts: 3, on_soft_decline: false }
        """;
    RoutingRules expected = rules(yaml);
    for (Object[] numbers : List.of(new Object[] {500000, 30, 2}, new Object[] {500000L, 30L, 2L},
        new Object[] {500000.0, 30.0, 2.0}, new Object[] {new java.math.BigDecimal("500000.00"),
            java.math.BigInteger.valueOf(30), 2})) {
      ParseResult result = RulesParser.parse(jsonShaped(numbers[0], numbers[1], numbers[2]), PROVIDERS, CURRENCIES);
      assertTrue(result.ok(), () -> List.of(numbers) + ": " + result.problems());
      assertEquals(expected, result.rules(), () -> "numbers read as " + List.of(numbers));
      Rule usd = result.rules().rule("usd-mastercard");
      assertEquals(100, usd.when().minAmount());
      assertEquals(500000, usd.when().maxAmount());
      assertEquals(List.of(new RuleProvider("revio", 70), new RuleProvider("paycore", 30)), usd.providers());
      assertEquals(2, usd.maxAttempts());
      assertTrue(usd.failoverOnSoftDecline());
    }
  }

  @Test
  void integerFieldsRefuseFractionsAndInexactDoublesSayingWhy() {
    ParseResult fraction = RulesParser.parse(jsonShaped(500000.5, 30.5, 2.5), PROVIDERS, CURRENCIES);
    assertProblem(fraction, "rules[1].when.amount.max", "non-negative integer in minor units, got a number 500000.5 (a fraction");
    assertProblem(fraction, "rules[1].providers[1].weight", "got a number 30.5 (a fraction");
    assertProblem(fraction, "rules[1].failover.max_attempts", "got a number 2.5 (a fraction");
    assertEquals(3, fraction.problems().size(), () -> fraction.problems().toString());

    assertProblem(RulesParser.parse(jsonShaped(new java.math.BigDecimal("10.5"), 30, 2), PROVIDERS, CURRENCIES),
        "rules[1].when.amount.max", "(a fraction");
    // 2^53 + 1 written as 9007199254740993.0 reads as the double 2^53: not the amount written, so refused.
    assertProblem(RulesParser.parse(jsonShaped(9007199254740993.0, 30, 2), PROVIDERS, CURRENCIES),
        "rules[1].when.amount.max", "is not exact");
    assertProblem(RulesParser.parse(jsonShaped(1e30, 30, 2), PROVIDERS, CURRENCIES),
        "rules[1].when.amount.max", "is not exact");
    assertProblem(RulesParser.parse(jsonShaped(-1.0, 30, 2), PROVIDERS, CURRENCIES),
        "rules[1].when.amount.max", "(negative)");
    assertProblem(RulesParser.parse(jsonShaped(Double.NaN, 30, 2), PROVIDERS, CURRENCIES),
        "rules[1].when.amount.max", "non-negative integer");
    ParseResult largest = RulesParser.parse(jsonShaped(9007199254740991.0, 30, 2), PROVIDERS, CURRENCIES);
    assertTrue(largest.ok(), () -> largest.problems().toString());
    assertEquals(9007199254740991L, largest.rules().rule("usd-mastercard").when().maxAmount());
  }

  @Test
  void aWholeDocumentNestedUnderRulesIsNamedAsSuch() {
    Map<String, Object> nested = map("rules", map("rules", List.of(map("name", "r", "providers", List.of("revio")))),
        "failover", map("max_attempts", 3));
    assertProblem(RulesParser.parse(nested, PROVIDERS, CURRENCIES), "rules", "a whole document nested under 'rules'");
  }
}
