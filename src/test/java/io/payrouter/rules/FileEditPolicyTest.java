package io.payrouter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.rules.FileEditPolicy.Verdict;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class FileEditPolicyTest {
  static final String THIS_FILE = "file:aaa";

  @Test
  void theFirstRulesEverAreApplied() {
    assertEquals(Verdict.APPLY, FileEditPolicy.decide(Optional.empty(), THIS_FILE, false, false));
  }

  @Test
  void anEditAnotherInstanceStoredAlreadyIsAdoptedNotStoredTwice() {
    assertEquals(Verdict.ADOPT, FileEditPolicy.decide(Optional.of(THIS_FILE), THIS_FILE, true, false));
  }

  @Test
  void anEditAfterAnotherFileVersionIsApplied() {
    assertEquals(Verdict.APPLY, FileEditPolicy.decide(Optional.of("file:bbb"), THIS_FILE, false, false));
  }

  @Test
  void anEditAfterAnApiChangeIsRefused() {
    assertEquals(Verdict.REFUSE, FileEditPolicy.decide(Optional.of("api"), THIS_FILE, false, false));
  }

  @Test
  void anEditThatHoldsTheRulesInForceIsAppliedPuttingTheFileBackInCharge() {
    assertEquals(Verdict.APPLY, FileEditPolicy.decide(Optional.of("api"), THIS_FILE, true, false));
  }

  @Test
  void anEditAfterAnApiChangeToTheFilesOwnRulesDiscardsNothingAndIsApplied() {
    assertEquals(Verdict.APPLY, FileEditPolicy.decide(Optional.of("api"), THIS_FILE, false, true));
  }
}
