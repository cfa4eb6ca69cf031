package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code GET /health/ready}'s body: the same fields as always, plus the rehearsal flag when on. */
class ReadinessBodyTest {

  static final Readiness UP = new Readiness(List.of(new Readiness.Check("shutdown", true, "not shutting down"),
      new Readiness.Check("routing_rules", true, "version 3 in force (api)"),
      new Readiness.Check("database", true, "answered in 2 ms")));
  static final Readiness DB_DOWN = new Readiness(List.of(new Readiness.Check("shutdown", true, "not shutting down"),
      new Readiness.Check("routing_rules", true, "version 3 in force (api)"),
      new Readiness.Check("database", false, "database unavailable: no answer within 1 s")));

  @Test
  void readyReportsEveryCheckWithWhatItSaw() {
    JsonObject b = HttpApi.readyBody(UP, List.of());
    assertEquals("UP", b.getString("status"));
    assertEquals("UP", b.getString("database"));
    assertEquals("LOADED", b.getString("config"));
    assertEquals("version 3 in force (api)", b.getJsonObject("checks").getJsonObject("routing_rules").getString("detail"));
    assertEquals("answered in 2 ms", b.getJsonObject("checks").getJsonObject("database").getString("detail"));
    assertFalse(b.containsKey("reason"));
  }

  @Test
  void downNamesEachFailedCheckAndTheDatabaseFieldSaysWhatWasFound() {
    JsonObject b = HttpApi.readyBody(DB_DOWN, List.of());
    assertEquals("DOWN", b.getString("status"));
    assertEquals("DOWN", b.getString("database"), "not a fixed string");
    assertEquals("database: database unavailable: no answer within 1 s", b.getString("reason"));
    assertEquals(new JsonArray().add("database: database unavailable: no answer within 1 s"), b.getJsonArray("reasons"));
    assertEquals("DOWN", b.getJsonObject("checks").getJsonObject("database").getString("status"));
  }

  @Test
  void aRehearsalAddsTheFlagAndItsWarningsUpOrDown() {
    List<String> w = List.of("http.allow_loopback_public_url is on: ...");
    JsonObject up = HttpApi.readyBody(UP, w);
    assertEquals("UP", up.getString("status"));
    assertTrue(up.getBoolean("rehearsal"));
    assertEquals(new JsonArray().add(w.get(0)), up.getJsonArray("warnings"));
    JsonObject down = HttpApi.readyBody(DB_DOWN, w);
    assertEquals("DOWN", down.getString("status"));
    assertTrue(down.getBoolean("rehearsal"));
    assertFalse(HttpApi.readyBody(UP, List.of()).containsKey("rehearsal"));
  }

  @Test
  void theDrainLetsRequestsThroughUntilItBeginsAndCountsThem() {
    Drain d = new Drain();
    assertTrue(d.enter());
    assertTrue(d.enter());
    assertEquals(2, d.inFlight());
    d.begin();
    assertTrue(d.draining());
    assertFalse(d.enter(), "refused once draining");
    assertEquals(2, d.inFlight(), "a refused request is not counted");
    d.exit();
    d.exit();
    assertEquals(0, d.inFlight());
  }
}
