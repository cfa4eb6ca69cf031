package io.payrouter.recovery;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The lease and fencing rule that PostgreSQL applies to takeovers and checkpoints. */
class OwnershipTest {
  static final long T = 3_000;

  @Test
  void aLiveOwnersChargeIsNotTakenOver() {
    assertFalse(Ownership.mayTakeOver(false, true, 1_000, 60_000, T));
  }

  @Test
  void aLapsedOwnersChargeIsTakenOverByAnInstanceThatHasBeatenLongEnough() {
    assertTrue(Ownership.mayTakeOver(false, true, 3_500, 60_000, T));
    assertFalse(Ownership.mayTakeOver(false, true, 3_500, 1_000, T), "a taker just back from an outage waits");
  }

  @Test
  void aTakeoverRaisesTheEpochButTakingOnesOwnDoesNot() {
    assertEquals(2, Ownership.epochAfterTake(false, 1));
    assertEquals(1, Ownership.epochAfterTake(true, 1));
  }

  @Test
  void anOwnerPastItsLeaseMayNotSendMoney() {
    assertFalse(Ownership.mayCheckpoint(true, true, true, 3_001, T));
    assertTrue(Ownership.mayCheckpoint(true, true, true, 2_000, T));
  }

  @Test
  void anOwnerWhoseEpochWasRaisedMayNotSendMoney() {
    assertFalse(Ownership.mayCheckpoint(true, false, true, 0, T));
  }

  @Test
  void theLeaseHoldsUpToTheTimeoutItself() {
    assertTrue(Ownership.mayCheckpoint(true, true, true, T, T));
    assertFalse(Ownership.mayTakeOver(false, true, T, T, T), "a beat exactly one timeout old is still alive");
    assertTrue(Ownership.mayTakeOver(false, true, T + 1, T, T), "a taker that has beaten exactly one timeout may take");
  }

  @Test
  void aChargeWhoseOwnerStoppedCleanlyOrIsThisInstanceIsTakenAtOnce() {
    assertTrue(Ownership.mayTakeOver(false, false, 0, 0, T));
    assertTrue(Ownership.mayTakeOver(true, true, 0, 0, T));
  }
}
