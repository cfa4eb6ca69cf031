package io.payrouter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** How the fleet's shadow counts add up. */
class ShadowReportTest {

  private static JsonObject counts(long generation, long fatoraToRevio, long fatoraToFatora) {
    return new JsonObject().put("generation", generation).put("decisions", fatoraToRevio + fatoraToFatora)
        .put("diverged", fatoraToRevio)
        .put("pairs", new JsonArray()
            .add(new JsonArray().add("usd").add("usd-new").add("fatora").add("revio").add(fatoraToRevio))
            .add(new JsonArray().add("usd").add("usd-new").add("fatora").add("fatora").add(fatoraToFatora)));
  }

  @Test
  void instancesOfTheSameGenerationAreAddedUp() {
    Map<String, JsonObject> by = new LinkedHashMap<>();
    by.put("r1", counts(7, 30, 10));
    by.put("r2", counts(7, 5, 55));
    JsonObject r = ShadowReport.of(7, by);
    assertEquals(100, r.getLong("decisions"));
    assertEquals(35, r.getLong("diverged"));
    assertEquals(0.35, r.getDouble("diverged_share"));
    JsonObject top = r.getJsonArray("pairs").getJsonObject(0);
    assertEquals("fatora", top.getString("shadow_provider"), "the most frequent pair first: " + r.encode());
    assertEquals(65, top.getLong("decisions"));
    assertFalse(top.getBoolean("diverged"));
    JsonObject rules = r.getJsonArray("rule_pairs").getJsonObject(0);
    assertEquals(100, rules.getLong("decisions"));
    assertEquals(35, rules.getLong("diverged"));
    assertEquals(2, r.getJsonArray("provider_pairs").size());
  }

  @Test
  void anInstanceOnAnotherGenerationIsNamedButNotCounted() {
    Map<String, JsonObject> by = new LinkedHashMap<>();
    by.put("r1", counts(7, 30, 10));
    by.put("r2", counts(6, 1000, 0));
    by.put("r3", null);
    JsonObject r = ShadowReport.of(7, by);
    assertEquals(40, r.getLong("decisions"));
    JsonArray inst = r.getJsonArray("instances");
    assertTrue(inst.getJsonObject(0).getBoolean("counted"));
    assertFalse(inst.getJsonObject(1).getBoolean("counted"));
    assertEquals(6, inst.getJsonObject(1).getLong("generation"));
    assertEquals(0, inst.getJsonObject(2).getLong("generation"));
  }
}
