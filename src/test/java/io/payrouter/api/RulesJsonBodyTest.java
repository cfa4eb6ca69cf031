package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.common.Currencies;
import io.payrouter.config.ConfigLoader;
import io.payrouter.routing.ParseResult;
import io.payrouter.routing.RoutingRules;
import io.payrouter.routing.RulesParser;
import io.payrouter.rules.RulesDocument;
import io.payrouter.testsupport.DocExamples;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Rules sent as JSON, read by the API's own strict body parser ({@link Json#parseObject}), reach the
 * rules parser as the same rules as their YAML: nested {@code when}, an amount range, weighted
 * providers, failover maps, numbers written as {@code 500000.0}.
 */
class RulesJsonBodyTest {
  static final Set<String> PROVIDERS = Set.of("dintero", "processout", "revio", "paycore", "fatora");

  static final String YAML = """
      rules:
        - name: nordic
          when: { currency: [NOK, SEK, DKK] }
          strategy: priority
          providers: [dintero, processout]
        - name: usd-mastercard
          when: { currency: [USD], brand: [mastercard], amount: { min: 100, max: 500000 } }
          strategy: weighted
          providers: [ { name: revio, weight: 70 }, { name: paycore, weight: 30 } ]
          failover: { on_soft_decline: true, max_attempts: 2 }
        - name: default
          strategy: adaptive
          providers: [processout, revio, fatora, paycore]
          adaptive: { exploration: 0.05, window_seconds: 30 }
      failover: { max_attempts: 3, on_soft_decline: false }
      """;

  static final String JSON = """
      { "rules": [
          { "name": "nordic", "when": { "currency": ["NOK", "SEK", "DKK"] },
            "strategy": "priority", "providers": ["dintero", "processout"] },
          { "name": "usd-mastercard",
            "when": { "currency": ["USD"], "brand": ["mastercard"], "amount": { "min": 100, "max": 500000.0 } },
            "strategy": "weighted",
            "providers": [ { "name": "revio", "weight": 70 }, { "name": "paycore", "weight": 30 } ],
            "failover": { "on_soft_decline": true, "max_attempts": 2 } },
          { "name": "default", "strategy": "adaptive", "providers": ["processout", "revio", "fatora", "paycore"],
            "adaptive": { "exploration": 0.05, "window_seconds": 30 } } ],
        "failover": { "max_attempts": 3, "on_soft_decline": false } }
      """;

  static ParseResult parse(Object doc) {
    return RulesParser.parse(doc, PROVIDERS, Currencies.known());
  }

  @Test
  void theStrictBodyParserNestsJsonTypesWhichIsWhyRulesAreNormalised() {
    JsonObject body = Json.parseObject(JSON);
    assertInstanceOf(JsonArray.class, body.getMap().get("rules"), "getMap() unwraps the top level only");
    assertInstanceOf(JsonObject.class, body.getMap().get("failover"));
    ParseResult raw = parse(body.getMap());
    assertFalse(raw.ok(), "the parser reads maps and lists, not Vert.x JSON types");
  }

  @Test
  void jsonBodyParsesToTheSameRulesAsItsYaml() {
    RoutingRules fromYaml = parse(RulesDocument.normalize(ConfigLoader.readYaml(YAML))).rules();
    ParseResult fromJson = parse(RulesDocument.normalize(Json.parseObject(JSON).getMap()));
    assertTrue(fromJson.ok(), () -> fromJson.problems().toString());
    assertEquals(fromYaml, fromJson.rules());
    assertEquals(500000, fromJson.rules().rule("usd-mastercard").when().maxAmount());
    assertEquals(100, fromJson.rules().rule("usd-mastercard").when().minAmount());
    assertEquals(2, fromJson.rules().rule("usd-mastercard").maxAttempts());
    assertTrue(RulesDocument.sameRules(ConfigLoader.readYaml(YAML), Json.parseObject(JSON).getMap()));
  }

  @Test
  void aFractionInAJsonIntegerFieldIsAProblemNamedAtItsPath() {
    ParseResult r = parse(RulesDocument.normalize(Json.parseObject(JSON.replace("\"max\": 500000.0", "\"max\": 500000.25")
        .replace("\"weight\": 30", "\"weight\": 30.5")).getMap()));
    assertFalse(r.ok());
    assertTrue(r.problems().stream().anyMatch(p -> p.path().equals("rules[1].when.amount.max")
        && p.message().contains("500000.25 (a fraction")), r.problems().toString());
    assertTrue(r.problems().stream().anyMatch(p -> p.path().equals("rules[1].providers[1].weight")
        && p.message().contains("30.5 (a fraction")), r.problems().toString());
    assertEquals(2, r.problems().size(), r.problems().toString());
  }

  /** The documentation's examples, each as the JSON body an SRE would send. */
  static Map<String, JsonObject> documentedExamples() {
    return Map.of(
        "README routing guide", new JsonObject(RulesDocument.normalize(ConfigLoader.readYaml(DocExamples.readmeRules()))),
        "config/routing.yaml", new JsonObject(RulesDocument.normalize(ConfigLoader.readYaml(DocExamples.shippedRules()))),
        "api.md Routing", Json.parseObject(DocExamples.apiDocRules()));
  }

  @Test
  void documentedExamplesAreValidRulesAndMatchTheOpenApiRequestSchema() {
    documentedExamples().forEach((where, body) -> {
      ParseResult r = parse(RulesDocument.normalize(Json.parseObject(body.encode()).getMap()));
      assertTrue(r.ok(), () -> where + ": " + r.problems());
      assertEquals(List.of(), RequestValidatorTest.VALIDATOR.validateFully("RoutingDocument", body), where);
      JsonObject answer = new JsonObject().put("version", 4).put("source", "api").put("rules", body);
      assertEquals(List.of(), RequestValidatorTest.VALIDATOR.validateFully("RoutingConfig", answer),
          where + ": GET's answer is described by RoutingConfig");
    });
  }

  @Test
  void theOpenApiRoutingSchemaIsNotVacuous() {
    JsonObject body = Json.parseObject(JSON.replace("\"max\": 500000.0", "\"max\": 500000.5")
        .replace("\"strategy\": \"priority\"", "\"strategy\": \"fastest\""));
    List<String> fields = RequestValidatorTest.VALIDATOR.validateFully("RoutingDocument", body).stream()
        .map(e -> e.field()).toList();
    assertTrue(fields.contains("rules[1].when.amount.max"), fields.toString());
    assertTrue(fields.contains("rules[0].strategy"), fields.toString());
  }
}
