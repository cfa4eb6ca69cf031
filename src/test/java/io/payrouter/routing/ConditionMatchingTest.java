package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.PROVIDERS;
import static io.payrouter.routing.Fixtures.allHealthy;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.rules;
import static io.payrouter.routing.Fixtures.traceLine;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** Each condition type, matching and not matching, through the engine. */
class ConditionMatchingTest {

  /** Rules with one conditioned rule "r" and a catch-all "fallback"; returns the rule chosen. */
  private static Decision decideWith(String when, ChargeAttributes attrs) {
    RoutingRules rules = rules("""
        rules:
          - name: r
            when: %s
            providers: [revio]
          - name: fallback
            providers: [paycore]
        """.formatted(when));
    return RoutingEngine.decide(attrs, rules, allHealthy());
  }

  private static ChargeAttributes attrs(String merchant, String country, Map<String, String> metadata) {
    return new ChargeAttributes("ch_1", merchant, 1000, "USD", "visa", country, metadata, PROVIDERS);
  }

  @Test
  void currencyConditionMatchesListedCurrenciesOnly() {
    String when = "{ currency: [NOK, SEK, DKK] }";
    assertEquals("r", decideWith(when, charge(1000, "SEK", "visa")).rule());
    Decision usd = decideWith(when, charge(1000, "USD", "visa"));
    assertEquals("fallback", usd.rule());
    assertEquals("currency USD not in [NOK, SEK, DKK]", traceLine(usd, "rule", "r").reason());
  }

  @Test
  void brandConditionMatchesListedBrandsOnly() {
    String when = "{ brand: [mastercard, amex] }";
    assertEquals("r", decideWith(when, charge(1000, "USD", "amex")).rule());
    Decision visa = decideWith(when, charge(1000, "USD", "visa"));
    assertEquals("fallback", visa.rule());
    assertTrue(traceLine(visa, "rule", "r").reason().startsWith("brand visa not in"));
  }

  @Test
  void brandOfChargeIsComparedCaseInsensitively() {
    assertEquals("r", decideWith("{ brand: [visa] }", charge(1000, "usd", "VISA")).rule());
  }

  @Test
  void amountBoundsAreInclusiveAtBothEnds() {
    String when = "{ amount: { min: 100, max: 500000 } }";
    assertEquals("r", decideWith(when, charge(100, "USD", "visa")).rule());
    assertEquals("r", decideWith(when, charge(500000, "USD", "visa")).rule());
    assertEquals("fallback", decideWith(when, charge(99, "USD", "visa")).rule());
    Decision above = decideWith(when, charge(500001, "USD", "visa"));
    assertEquals("fallback", above.rule());
    assertEquals("amount 500001 outside [100, 500000]", traceLine(above, "rule", "r").reason());
  }

  @Test
  void amountWithOnlyMaxHasNoLowerBound() {
    String when = "{ amount: { max: 500 } }";
    assertEquals("r", decideWith(when, charge(1, "USD", "visa")).rule());
    assertEquals("fallback", decideWith(when, charge(501, "USD", "visa")).rule());
  }

  @Test
  void merchantConditionMatchesListedMerchantsOnly() {
    String when = "{ merchant: [acme, globex] }";
    assertEquals("r", decideWith(when, attrs("globex", "US", Map.of())).rule());
    Decision other = decideWith(when, attrs("initech", "US", Map.of()));
    assertEquals("fallback", other.rule());
    assertTrue(traceLine(other, "rule", "r").reason().startsWith("merchant initech"));
  }

  @Test
  void issuerCountryConditionMatchesListedCountriesOnly() {
    String when = "{ issuer_country: ['NO', SE] }";
    assertEquals("r", decideWith(when, attrs("acme", "NO", Map.of())).rule());
    assertEquals("fallback", decideWith(when, attrs("acme", "DE", Map.of())).rule());
    assertEquals("fallback", decideWith(when, attrs("acme", null, Map.of())).rule());
  }

  @Test
  void metadataConditionAcceptsOneValueOrAListAndFailsWhenKeyMissing() {
    String when = "{ metadata: { tier: [gold, silver], channel: web } }";
    assertEquals("r", decideWith(when, attrs("acme", "US", Map.of("tier", "silver", "channel", "web"))).rule());
    assertEquals("fallback", decideWith(when, attrs("acme", "US", Map.of("tier", "bronze", "channel", "web"))).rule());
    Decision missing = decideWith(when, attrs("acme", "US", Map.of("tier", "gold")));
    assertEquals("fallback", missing.rule());
    assertTrue(traceLine(missing, "rule", "r").reason().contains("metadata.channel missing"));
  }

  @Test
  void allConditionsMustHoldTogether() {
    String when = "{ currency: [USD], brand: [mastercard], amount: { max: 500000 } }";
    assertEquals("r", decideWith(when, charge(1000, "USD", "mastercard")).rule());
    assertEquals("fallback", decideWith(when, charge(1000, "EUR", "mastercard")).rule());
    assertEquals("fallback", decideWith(when, charge(1000, "USD", "visa")).rule());
    assertEquals("fallback", decideWith(when, charge(600000, "USD", "mastercard")).rule());
  }

  @Test
  void scalarWhereListExpectedActsAsOneElementList() {
    assertEquals("r", decideWith("{ currency: USD, brand: visa }", charge(1000, "USD", "visa")).rule());
    assertEquals("fallback", decideWith("{ currency: USD, brand: visa }", charge(1000, "EUR", "visa")).rule());
  }

  @Test
  void coversDetectsNarrowerConditions() {
    Conditions broad = rules("""
        rules:
          - name: a
            when: { currency: [USD, EUR] }
            providers: [revio]
        """).rules().get(0).when();
    Conditions narrow = rules("""
        rules:
          - name: b
            when: { currency: [USD], brand: [visa], amount: { max: 10 } }
            providers: [revio]
        """).rules().get(0).when();
    assertTrue(broad.covers(narrow));
    assertTrue(!narrow.covers(broad));
    assertTrue(Conditions.ANY.covers(broad));
  }
}
