package io.payrouter.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each attempt's merchant reference, and the way back from a reference to its charge and attempt. */
class AttemptReferenceTest {

  @Test
  void theFirstAttemptIsTheChargeIdItself() {
    assertEquals("ch_A", AttemptReference.of("ch_A", 1));
  }

  @Test
  void laterAttemptsCarryTheirNumber() {
    assertEquals("ch_A-2", AttemptReference.of("ch_A", 2));
    assertEquals("ch_A-12", AttemptReference.of("ch_A", 12));
  }

  @Test
  void thereIsNoAttemptZero() {
    assertThrows(IllegalArgumentException.class, () -> AttemptReference.of("ch_A", 0));
  }

  @Test
  void aReferenceLeadsBackToItsChargeAndAttempt() {
    assertEquals("ch_A", AttemptReference.chargeId("ch_A-3"));
    assertEquals(3, AttemptReference.seq("ch_A-3"));
    assertEquals("ch_A", AttemptReference.chargeId("ch_A"));
    assertEquals(1, AttemptReference.seq("ch_A"));
  }

  @Test
  void aDashNotFollowedByDigitsIsPartOfTheId() {
    assertEquals("order-x", AttemptReference.chargeId("order-x"));
    assertEquals("order-", AttemptReference.chargeId("order-"));
    assertEquals("-5", AttemptReference.chargeId("-5"));
    assertEquals(1, AttemptReference.seq("order-x"));
  }

  @Test
  void noReferenceIsNoCharge() {
    assertNull(AttemptReference.chargeId(null));
  }

  @Test
  void onlyThePspsOwnFailuresCountAgainstIt() {
    assertTrue(NotSentReason.CONNECTION_REFUSED.countsAgainstPsp());
    assertTrue(NotSentReason.PSP_UNAVAILABLE.countsAgainstPsp());
    assertTrue(NotSentReason.CREDENTIALS_REFUSED.countsAgainstPsp());
    assertFalse(NotSentReason.NO_TOKEN.countsAgainstPsp());
    assertFalse(NotSentReason.FENCED.countsAgainstPsp());
    assertFalse(NotSentReason.CHECKPOINT_FAILED.countsAgainstPsp());
    assertFalse(NotSentReason.CIRCUIT_OPEN.countsAgainstPsp());
  }
}
