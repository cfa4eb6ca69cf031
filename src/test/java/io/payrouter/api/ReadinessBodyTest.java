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

  @Test
  void withoutARehearsalSettingTheBodyIsUnchanged() {
    assertEquals(new JsonObject().put("status", "UP").put("database", "UP").put("config", "LOADED"),
        HttpApi.readyBody(true, null, List.of()));
    assertEquals(new JsonObject().put("status", "DOWN").put("reason", "database unavailable"),
        HttpApi.readyBody(false, "database unavailable", List.of()));
  }

  @Test
  void aRehearsalAddsTheFlagAndItsWarningsUpOrDown() {
    List<String> w = List.of("http.allow_loopback_public_url is on: ...");
    JsonObject up = HttpApi.readyBody(true, null, w);
    assertEquals("UP", up.getString("status"));
    assertEquals("UP", up.getString("database"));
    assertEquals("LOADED", up.getString("config"));
    assertTrue(up.getBoolean("rehearsal"));
    assertEquals(new JsonArray().add(w.get(0)), up.getJsonArray("warnings"));
    JsonObject down = HttpApi.readyBody(false, "shutting down: draining the charges in flight", w);
    assertEquals("DOWN", down.getString("status"));
    assertEquals("shutting down: draining the charges in flight", down.getString("reason"));
    assertTrue(down.getBoolean("rehearsal"));
    assertFalse(HttpApi.readyBody(true, null, List.of()).containsKey("rehearsal"));
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
