package io.payrouter.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AgreementTest {

  @Test
  void membersOnTheNewestVersionAreNotBehind() {
    assertTrue(new Agreement().observe(0, Map.of("a", 3L, "b", 3L)).isEmpty());
  }

  @Test
  void aMemberBehindIsCatchingUpForFiveSecondsThenDisagrees() {
    Agreement g = new Agreement();
    List<Agreement.Behind> first = g.observe(1_000, Map.of("a", 4L, "b", 3L));
    assertEquals(1, first.size());
    assertEquals("b", first.get(0).instance());
    assertEquals(4, first.get(0).newest());
    assertFalse(first.get(0).disagrees());
    assertFalse(g.observe(6_000, Map.of("a", 4L, "b", 3L)).get(0).disagrees(), "exactly 5 s is still tolerated");
    assertTrue(g.observe(6_001, Map.of("a", 4L, "b", 3L)).get(0).disagrees());
  }

  @Test
  void catchingUpToANewerVersionRestartsTheCount() {
    Agreement g = new Agreement();
    g.observe(0, Map.of("a", 4L, "b", 3L));
    g.observe(4_000, Map.of("a", 5L, "b", 4L));
    Agreement.Behind b = g.observe(8_000, Map.of("a", 5L, "b", 4L)).get(0);
    assertEquals(4_000, b.sinceMs());
    assertFalse(b.disagrees());
  }

  @Test
  void aMemberStuckOnOneVersionDisagreesHoweverOftenTheRulesChange() {
    Agreement g = new Agreement();
    g.observe(0, Map.of("a", 4L, "b", 3L));
    g.observe(3_000, Map.of("a", 5L, "b", 3L));
    assertTrue(g.observe(5_500, Map.of("a", 6L, "b", 3L)).get(0).disagrees());
  }

  @Test
  void aMemberThatCaughtUpAgreesAndAGoneMemberIsForgotten() {
    Agreement g = new Agreement();
    g.observe(0, Map.of("a", 4L, "b", 3L, "c", 3L));
    assertTrue(g.observe(1_000, Map.of("a", 4L, "b", 4L)).isEmpty());
    Agreement.Behind c = g.observe(2_000, Map.of("a", 4L, "c", 3L)).get(0);
    assertEquals(2_000, c.sinceMs(), "c came back: counted afresh");
  }
}
