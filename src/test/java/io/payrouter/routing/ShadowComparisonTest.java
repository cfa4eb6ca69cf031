package io.payrouter.routing;

import static io.payrouter.routing.Fixtures.allHealthy;
import static io.payrouter.routing.Fixtures.charge;
import static io.payrouter.routing.Fixtures.rules;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What counts as a divergence between the rules in force and shadow rules. */
class ShadowComparisonTest {

  private static final RoutingRules LIVE = rules("""
      rules:
        - name: usd-fatora
          when: { currency: [USD] }
          providers: [fatora, revio]
      """);

  private static Decision decide(RoutingRules r) {
    return RoutingEngine.decide(charge(1000, "USD", "visa"), r, allHealthy(), false);
  }

  @Test
  void anotherFirstProviderIsADivergence() {
    RoutingRules shadow = rules("""
        rules:
          - name: usd-revio
            when: { currency: [USD] }
            providers: [revio, fatora]
        """);
    ShadowComparison c = ShadowComparison.of(decide(LIVE), decide(shadow));
    assertTrue(c.diverged());
    assertEquals("usd-fatora", c.rule());
    assertEquals("usd-revio", c.shadowRule());
    assertEquals("fatora", c.provider());
    assertEquals("revio", c.shadowProvider());
  }

  @Test
  void aRenamedRuleWithTheSameFirstProviderDoesNotDiverge() {
    RoutingRules shadow = rules("""
        rules:
          - name: dollars
            when: { currency: [USD] }
            providers: [fatora]
        """);
    ShadowComparison c = ShadowComparison.of(decide(LIVE), decide(shadow));
    assertFalse(c.diverged(), "only the failover list and the name changed");
    assertEquals("dollars", c.shadowRule());
  }

  @Test
  void noRouteInTheShadowIsADivergenceNamedNone() {
    RoutingRules shadow = rules("""
        rules:
          - name: euro-only
            when: { currency: [EUR] }
            providers: [fatora]
        """);
    ShadowComparison c = ShadowComparison.of(decide(LIVE), decide(shadow));
    assertTrue(c.diverged());
    assertEquals(ShadowComparison.NONE, c.shadowRule());
    assertEquals(ShadowComparison.NONE, c.shadowProvider());
  }
}
