package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.pgclient.PgException;
import java.net.ConnectException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** Which database failures are worth retrying (outcomes) or answering 503 (new charges). */
class DbErrorsTest {
  static PgException pg(String state) {
    return new PgException("x", "FATAL", state, "detail");
  }

  @ParameterizedTest
  @ValueSource(strings = {"57P01", "57P02", "57P03", "53300", "53200", "08006", "08001", "40001", "40P01", "55P03",
      "57014"})
  void serverSideTransientStatesAreRetried(String state) {
    assertTrue(DbErrors.isTransient(pg(state)), state);
  }

  @ParameterizedTest
  @ValueSource(strings = {"23505", "23503", "22021", "22P02", "42P01", "23514"})
  void refusalsOfTheStatementItselfAreNot(String state) {
    assertFalse(DbErrors.isTransient(pg(state)), state);
  }

  @Test
  void aRefusedOrLostConnectionIsTransient() {
    assertTrue(DbErrors.isTransient(new ConnectException("Connection refused")));
    assertTrue(DbErrors.isTransient(new io.vertx.core.VertxException("Connection closed", true)));
  }

  @Test
  void aBugIsNeverTakenForAnOutage() {
    assertFalse(DbErrors.isTransient(new NullPointerException("row mapping")));
    assertFalse(DbErrors.isTransient(new IllegalStateException("bug")));
  }
}
