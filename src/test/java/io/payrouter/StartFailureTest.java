package io.payrouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.it.RouterHarness;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class StartFailureTest {

  @Test
  void aTakenPortIsNamedInOneLine() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
      int port = taken.getLocalPort();
      StartFailure f = assertThrows(StartFailure.class, () -> RouterHarness.start(Files.createTempDirectory("router-port"),
          "rules: [ { name: all, providers: [fatora] } ]\n", 1000,
          yaml -> yaml.replace("port: 0, instances: 2", "port: " + port + ", instances: 2")));
      assertEquals("port " + port + " on 127.0.0.1 is already in use (http.port, --port or ROUTER_PORT): another router or"
          + " program listens there", f.getMessage());
    }
  }

  @Test
  void anUnreachableDatabaseIsNamedWithWhyAndNoPassword() {
    RuntimeException flyway = new RuntimeException("Unable to obtain connection from database",
        new RuntimeException("Connection to db.internal:5432 refused.", new ConnectException("Connection refused")));
    StartFailure f = StartFailure.database("db.internal:5432/router", flyway);
    assertEquals("cannot use PostgreSQL at db.internal:5432/router: connection refused (is PostgreSQL running there?"
        + " database.url / ROUTER_DATABASE_URL)", f.getMessage());
  }

  @Test
  void anotherDatabaseFailureGivesItsInnermostMessage() {
    RuntimeException e = new RuntimeException("Unable to obtain connection", new RuntimeException(
        "FATAL: password authentication failed for user \"router\"\n  Position: 1"));
    assertTrue(StartFailure.database("h:5432/router", e).getMessage()
        .endsWith(": FATAL: password authentication failed for user \"router\""));
  }
}
