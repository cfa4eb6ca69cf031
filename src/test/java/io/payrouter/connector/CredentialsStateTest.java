package io.payrouter.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class CredentialsStateTest {

  @Test
  void aRefusalOfTheCredentialsOrOfTheAccessTokenSaysRefused() {
    assertEquals(Optional.of(true), Dispatcher.credentialsRefused(PspResult.notSent(NotSentReason.CREDENTIALS_REFUSED, "401")));
    assertEquals(Optional.of(true), Dispatcher.credentialsRefused(PspResult.notSent(NotSentReason.AUTHENTICATION_FAILED, "no token")));
  }

  @Test
  void anAnswerThePspProcessedSaysAccepted() {
    assertEquals(Optional.of(false), Dispatcher.credentialsRefused(PspResult.succeeded("ref")));
    assertEquals(Optional.of(false), Dispatcher.credentialsRefused(PspResult.declined("ref", DeclineCode.values()[0], false, "51")));
  }

  @Test
  void inDoubtAndOtherNotSentReasonsSayNothing() {
    assertEquals(Optional.empty(), Dispatcher.credentialsRefused(PspResult.inDoubt("ref", "timeout")));
    assertEquals(Optional.empty(), Dispatcher.credentialsRefused(PspResult.notSent(NotSentReason.CIRCUIT_OPEN, "open")));
  }
}
