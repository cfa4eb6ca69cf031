package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A simulator's ledger stays bounded in a long load test: past its capacity the oldest payments go. */
class LedgerCapacityTest {

  static Ledger.Entry entry(String id, String reference) {
    return new Ledger.Entry(id, reference, 1000, "USD", "tok", "approved", null);
  }

  @Test
  void forgetsTheOldestPaymentsPastItsCapacity() {
    Ledger l = new Ledger(3);
    for (int i = 1; i <= 5; i++) l.add(entry("p" + i, "ref-" + i));
    assertEquals(3, l.size());
    assertNull(l.get("p1"));
    assertNull(l.get("p2"));
    assertNotNull(l.get("p5"));
    assertTrue(l.byReference("ref-1").isEmpty(), "forgotten by reference too");
    assertEquals(1, l.byReference("ref-3").size());
    assertEquals(2, l.summary().getLong("evicted"));
  }

  @Test
  void keepsEveryPaymentBelowItsCapacity() {
    Ledger l = new Ledger(10);
    for (int i = 1; i <= 10; i++) l.add(entry("p" + i, "same-ref"));
    assertEquals(10, l.size());
    assertEquals(10, l.byReference("same-ref").size());
    assertEquals(0, l.summary().getLong("evicted"));
  }

  @Test
  void forgettingALaterAttemptForgetsItInTheChargesLookupToo() {
    Ledger l = new Ledger(2);
    l.add(entry("p1", "ch_x-2"));
    l.add(entry("p2", "ch_x"));
    l.add(entry("p3", "ch_x-3"));
    assertEquals(java.util.List.of("p2", "p3"), l.attemptsOf("ch_x").stream().map(e -> e.id).toList());
  }
}
