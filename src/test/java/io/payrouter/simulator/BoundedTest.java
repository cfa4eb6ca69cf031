package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The simulators' per-payment maps keep their newest keys only. */
class BoundedTest {

  @Test
  void aMapPastItsCapacityForgetsTheOldestInsertedKey() {
    Map<String, Integer> m = Bounded.map(3);
    for (int i = 1; i <= 5; i++) m.put("k" + i, i);
    assertEquals(3, m.size());
    assertFalse(m.containsKey("k2"));
    assertEquals(List.of("k3", "k4", "k5"), List.copyOf(m.keySet()));
  }

  @Test
  void readingAKeyDoesNotSaveItFromEviction() {
    Map<String, Integer> m = Bounded.map(2);
    m.put("a", 1);
    m.put("b", 2);
    assertEquals(1, m.get("a"));
    m.put("c", 3);
    assertFalse(m.containsKey("a"), "insertion order, not access order");
    assertTrue(m.containsKey("b") && m.containsKey("c"));
  }

  @Test
  void aSetKeepsItsNewestElementsInArrivalOrder() {
    Set<String> s = Bounded.set(2);
    assertTrue(s.add("x"));
    assertFalse(s.add("x"));
    s.add("y");
    s.add("z");
    assertEquals(List.of("y", "z"), Bounded.snapshot(s));
  }
}
