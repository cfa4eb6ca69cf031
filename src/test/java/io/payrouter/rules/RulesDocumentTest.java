package io.payrouter.rules;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.ConfigLoader;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** One shape for the parser whatever the rules were read from; what counts as the same rules. */
class RulesDocumentTest {
  static final String YAML = """
      rules:
        - name: usd-mastercard
          when: { currency: [USD], brand: [mastercard], amount: { min: 100, max: 500000 } }
          strategy: weighted
          providers: [ { name: revio, weight: 70 }, { name: paycore, weight: 30 } ]
          failover: { on_soft_decline: true }
        - name: default
          strategy: adaptive
          providers: [processout, revio]
          adaptive: { exploration: 0.05, window_seconds: 30 }
      failover: { max_attempts: 3 }
      """;

  /** The same rules as the API's strict JSON reader builds them: JsonObject/JsonArray at every level. */
  static JsonObject json() {
    return new JsonObject()
        .put("failover", new JsonObject().put("max_attempts", 3.0))
        .put("rules", new JsonArray()
            .add(new JsonObject().put("name", "usd-mastercard")
                .put("when", new JsonObject().put("currency", new JsonArray().add("USD"))
                    .put("brand", new JsonArray().add("mastercard"))
                    .put("amount", new JsonObject().put("min", 100).put("max", 500000L)))
                .put("strategy", "weighted")
                .put("providers", new JsonArray().add(new JsonObject().put("name", "revio").put("weight", 70))
                    .add(new JsonObject().put("name", "paycore").put("weight", BigInteger.valueOf(30))))
                .put("failover", new JsonObject().put("on_soft_decline", true)))
            .add(new JsonObject().put("name", "default").put("strategy", "adaptive")
                .put("providers", new JsonArray().add("processout").add("revio"))
                .put("adaptive", new JsonObject().put("exploration", 0.05).put("window_seconds", new BigDecimal("30.0")))));
  }

  @Test
  void jsonObjectsAndArraysBecomeMapsAndListsAllTheWayDown() {
    Map<String, Object> doc = RulesDocument.normalize(json().getMap());
    List<?> rules = assertInstanceOf(List.class, doc.get("rules"));
    Map<?, ?> rule = assertInstanceOf(Map.class, rules.get(0));
    Map<?, ?> when = assertInstanceOf(Map.class, rule.get("when"));
    assertInstanceOf(List.class, when.get("currency"));
    Map<?, ?> amount = assertInstanceOf(Map.class, when.get("amount"));
    assertEquals(100L, amount.get("min"));
    assertEquals(500000L, amount.get("max"));
    Map<?, ?> provider = assertInstanceOf(Map.class, assertInstanceOf(List.class, rule.get("providers")).get(1));
    assertEquals(30L, provider.get("weight"), "a BigInteger that fits is a Long");
    assertEquals(3L, ((Map<?, ?>) doc.get("failover")).get("max_attempts"), "an integral double is a Long");
    Map<?, ?> adaptive = (Map<?, ?>) ((Map<?, ?>) rules.get(1)).get("adaptive");
    assertEquals(0.05, adaptive.get("exploration"), "a fraction stays as it came");
    assertEquals(30L, adaptive.get("window_seconds"), "an integral BigDecimal is a Long");
  }

  @Test
  void numbersThatAreNotExactIntegersAreLeftForTheParserToRefuse() {
    Map<String, Object> doc = RulesDocument.normalize(Map.of("a", 10.5, "b", 9007199254740992.0, "c", new BigDecimal("1.5"),
        "d", new BigInteger("99999999999999999999"), "e", Double.NaN));
    assertEquals(10.5, doc.get("a"));
    assertEquals(9007199254740992.0, doc.get("b"), "2^53 as a double may stand for 2^53 + 1: not made a Long");
    assertEquals(new BigDecimal("1.5"), doc.get("c"));
    assertEquals(new BigInteger("99999999999999999999"), doc.get("d"));
    assertTrue(Double.isNaN((Double) doc.get("e")));
  }

  @Test
  void yamlAndJsonSpellingsOfOneDocumentAreTheSameRules() {
    Map<String, Object> yaml = ConfigLoader.readYaml(YAML);
    assertTrue(RulesDocument.sameRules(yaml, json().getMap()));
    assertTrue(RulesDocument.sameRules(json().getMap(), yaml));
    // What PostgreSQL hands back: re-encoded JSON with its keys in another order.
    JsonObject stored = new JsonObject(new JsonObject(RulesDocument.normalize(yaml)).encode());
    assertTrue(RulesDocument.sameRules(stored.getMap(), json().getMap()));
  }

  @Test
  void theIgnoredVersionIsNoDifferenceButAnyOtherChangeIs() {
    Map<String, Object> yaml = ConfigLoader.readYaml(YAML);
    assertTrue(RulesDocument.sameRules(yaml, json().put("version", 41).getMap()));
    assertFalse(RulesDocument.sameRules(yaml, ConfigLoader.readYaml(YAML.replace("[processout, revio]", "[revio, processout]"))),
        "provider order is routing");
    assertFalse(RulesDocument.sameRules(yaml, ConfigLoader.readYaml(YAML.replace("max: 500000", "max: 500001"))));
    assertFalse(RulesDocument.sameRules(yaml, ConfigLoader.readYaml(YAML.replace("- name: default",
        "- name: default\n    description: the rest"))), "a description is shown by GET, so it is kept");
  }

  @Test
  void getAnswerIsUnwrappedToTheDocumentItCarries() {
    JsonObject doc = json();
    JsonObject answer = new JsonObject().put("version", 12).put("source", "file").put("rules", doc);
    assertTrue(RulesDocument.sameRules(doc.getMap(), RulesDocument.fromRequest(answer.getMap())));
    assertEquals(RulesDocument.normalize(doc.getMap()), RulesDocument.fromRequest(answer.getMap()));
    assertEquals(RulesDocument.normalize(doc.getMap()),
        RulesDocument.fromRequest(new JsonObject().put("rules", doc).getMap()), "version and source are optional");
  }

  @Test
  void aDocumentIsTakenAsItIsAndAnythingElseBesideANestedOneIsLeftToTheParser() {
    Map<String, Object> doc = RulesDocument.fromRequest(json().getMap());
    assertInstanceOf(List.class, doc.get("rules"));
    assertEquals(RulesDocument.normalize(json().getMap()), doc);
    JsonObject odd = new JsonObject().put("rules", json()).put("failover", new JsonObject().put("max_attempts", 2));
    Map<String, Object> kept = RulesDocument.fromRequest(odd.getMap());
    assertInstanceOf(Map.class, kept.get("rules"), "not unwrapped: the parser names the problem");
    assertFalse(kept.containsKey("version"));
  }
}
