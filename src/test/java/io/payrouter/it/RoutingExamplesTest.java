package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.ConfigLoader;
import io.payrouter.testsupport.DocExamples;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.DumperOptions;
import org.yaml.snakeyaml.Yaml;

/**
 * What an SRE does with {@code PUT /admin/routing}, over real HTTP against a router of its own (real
 * embedded PostgreSQL, real simulators): every rules example of the documentation (the README's
 * routing guide, the shipped {@code config/routing.yaml} its curl example sends, src/docs/api.md's
 * JSON document), read from the files themselves, is installed as {@code application/json} and as
 * {@code application/yaml}, becomes a new version, and routes the next charges; the same rules in
 * the other format, and {@code GET /admin/routing}'s answer sent back as it is, create no version.
 */
@ExtendWith(VertxExtension.class)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RoutingExamplesTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  /** Rules that route every charge by a rule no example has, so that a change of rules shows. */
  static final String BASELINE = """
      rules:
        - name: everything
          strategy: priority
          providers: [processout, revio, paycore, dintero, fatora]
      failover: { max_attempts: 3 }
      """;
  static final String JSON = "application/json";
  static final String YAML = "application/yaml";

  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-routing-examples"), BASELINE);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  // ---- the examples ------------------------------------------------------------------------

  /** Checks charges against the rules of one example, in force as {@code version}. */
  interface Charges {
    void check(Api api, long version) throws Exception;
  }

  @Test
  void readmeRoutingGuideExampleAsJsonAndAsYaml(Vertx vertx) throws Exception {
    exercise(new Api(vertx, h), DocExamples.readmeRules(), (api, version) -> {
      String nordic = card(api, "visa", "NO", "dintero", "processout");
      JsonObject c = charge(api, nordic, "NOK", 1000, null);
      assertRouted(c, version, "nordic", "dintero", List.of("dintero", "processout"));

      String mastercard = card(api, "mastercard", "US", "revio", "paycore");
      JsonObject split = charge(api, mastercard, "USD", 1999, null);
      assertRouted(split, version, "usd-mastercard", null, null);
      assertEquals(Set.of("revio", "paycore"), Set.copyOf(candidates(split)), split.encode());
      assertEquals(candidates(split).get(0), split.getString("provider"), "weighted: the first of its order");
      // Above the amount range's max of 500000 the catch-all, adaptive, takes it.
      JsonObject large = charge(api, mastercard, "USD", 600000, null);
      assertRouted(large, version, "default", null, null);
      assertEquals("adaptive", large.getJsonObject("routing").getString("strategy"));
      assertEquals(Set.of("revio", "paycore"), Set.copyOf(candidates(large)), "the card's tokens: " + large.encode());
    });
  }

  @Test
  void shippedRoutingFileAsJsonAndAsYaml(Vertx vertx) throws Exception {
    exercise(new Api(vertx, h), DocExamples.shippedRules(), (api, version) -> {
      String card = card(api, "visa", "US", "fatora", "revio", "dintero", "processout");
      assertRouted(charge(api, card, "USD", 1000, null), version, "usd-cards", "fatora",
          List.of("fatora", "revio", "processout"));
      assertRouted(charge(api, card, "SEK", 1000, null), version, "nordic", "dintero", List.of("dintero", "processout"));
      JsonObject eur = charge(api, card, "EUR", 1000, null);
      assertRouted(eur, version, "default", null, null);
      assertEquals(Set.of("processout", "revio", "dintero"), Set.copyOf(candidates(eur)), eur.encode());
    });
  }

  @Test
  void apiDocJsonExampleAsJsonAndAsYaml(Vertx vertx) throws Exception {
    exercise(new Api(vertx, h), DocExamples.apiDocRules(), (api, version) -> {
      String norwegian = card(api, "visa", "NO", "dintero", "processout");
      JsonObject large = charge(api, norwegian, "EUR", 150000, null);
      assertRouted(large, version, "eur-large-nordic-cards", null, null);
      assertEquals(Set.of("dintero", "processout"), Set.copyOf(candidates(large)), large.encode());
      assertEquals(2, large.getJsonObject("routing").getJsonArray("candidates").size());
      // Below the amount range's min: the catch-all.
      assertRouted(charge(api, norwegian, "EUR", 1000, null), version, "default", null, null);

      String gold = card(api, "mastercard", "US", "revio", "paycore");
      assertRouted(charge(api, gold, "USD", 1000, new JsonObject().put("tier", "gold")), version, "gold-customers",
          "revio", List.of("revio", "paycore"));
      assertRouted(charge(api, gold, "USD", 1000, new JsonObject().put("tier", "bronze")), version, "default", null, null);
    });
  }

  /**
   * From the baseline, the example as JSON is a new version that routes the next charges; the
   * same rules as YAML are no new version. Then the other way round.
   */
  static void exercise(Api api, String exampleYamlOrJson, Charges charges) throws Exception {
    Map<String, Object> doc = ConfigLoader.readYaml(exampleYamlOrJson);
    for (List<String> formats : List.of(List.of(JSON, YAML), List.of(YAML, JSON))) {
      long base = baseline(api);
      HttpResponse<Buffer> first = put(api, doc, formats.get(0));
      assertEquals(200, first.statusCode(), formats.get(0) + ": " + first.bodyAsString());
      JsonObject installed = first.bodyAsJsonObject();
      long version = installed.getLong("version");
      assertTrue(version > base, formats.get(0) + ": a new version, " + version + " after " + base);
      assertEquals("api", installed.getString("source"));
      JsonObject got = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
      assertEquals(version, got.getLong("version"));
      assertEquals(installed.getJsonObject("rules"), got.getJsonObject("rules"));
      charges.check(api, version);

      HttpResponse<Buffer> again = put(api, doc, formats.get(1));
      assertEquals(200, again.statusCode(), formats.get(1) + ": " + again.bodyAsString());
      assertEquals(version, again.bodyAsJsonObject().getLong("version"),
          "the same rules as " + formats.get(1) + " create no version");
      assertEquals(version, version(api));
    }
  }

  // ---- the round trip ----------------------------------------------------------------------

  @Test
  void getAnswerSentBackAsItIsCreatesNoVersionAndEditedCreatesOne(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    baseline(api);
    // Installed as the README's YAML, comments and flow style included.
    HttpResponse<Buffer> installed = await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN)
        .putHeader("Content-Type", YAML).sendBuffer(Buffer.buffer(DocExamples.readmeRules())));
    assertEquals(200, installed.statusCode(), installed.bodyAsString());
    long v = installed.bodyAsJsonObject().getLong("version");

    HttpResponse<Buffer> get = await(api.get("/admin/routing", ADMIN));
    assertEquals(200, get.statusCode());
    JsonObject answer = get.bodyAsJsonObject();
    assertEquals(Set.of("version", "source", "rules", "file"), answer.fieldNames(), "GET keeps its fields");

    // The answer's bytes, unchanged, as JSON: 200, the same version, source and rules.
    HttpResponse<Buffer> back = await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN)
        .putHeader("Content-Type", JSON).sendBuffer(get.body()));
    assertEquals(200, back.statusCode(), back.bodyAsString());
    assertEquals(answer, back.bodyAsJsonObject());
    // Its rules member alone, and the answer as YAML: the same.
    assertEquals(v, put(api, answer.getJsonObject("rules").getMap(), JSON).bodyAsJsonObject().getLong("version"));
    assertEquals(v, put(api, answer.getMap(), YAML).bodyAsJsonObject().getLong("version"));
    // The ignored version, even a wrong one, changes nothing.
    assertEquals(v, put(api, answer.copy().put("version", 1).getMap(), JSON).bodyAsJsonObject().getLong("version"));
    assertEquals(v, version(api));
    String card = card(api, "visa", "NO", "dintero", "processout");
    assertRouted(charge(api, card, "NOK", 1000, null), v, "nordic", "dintero", List.of("dintero", "processout"));

    // GET, edit, PUT the whole answer: a new version, in force for the next charge.
    JsonObject edited = answer.copy();
    edited.getJsonObject("rules").getJsonArray("rules").getJsonObject(0)
        .put("providers", new JsonArray().add("processout").add("dintero"));
    HttpResponse<Buffer> changed = put(api, edited.getMap(), JSON);
    assertEquals(200, changed.statusCode(), changed.bodyAsString());
    long v2 = changed.bodyAsJsonObject().getLong("version");
    assertTrue(v2 > v, "an edited answer is a new version");
    assertEquals("api", changed.bodyAsJsonObject().getString("source"));
    assertRouted(charge(api, card, "NOK", 1000, null), v2, "nordic", "processout", List.of("processout", "dintero"));
    assertEquals(v2, version(api));
  }

  @Test
  void jsonRulesAreValidatedLikeYamlWithEveryProblemListedAndNothingChanged(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    long v = baseline(api);
    JsonObject bad = new JsonObject(DocExamples.apiDocRules());
    JsonObject first = bad.getJsonArray("rules").getJsonObject(0);
    first.getJsonObject("when").getJsonObject("amount").put("max", 10000000.5);
    first.getJsonArray("providers").getJsonObject(1).put("name", "processut");
    bad.getJsonObject("failover").put("max_attempts", 3.0);
    HttpResponse<Buffer> r = put(api, bad.getMap(), JSON);
    ChargeApiTest.assertProblem(r, 422);
    JsonArray errors = r.bodyAsJsonObject().getJsonArray("errors");
    assertEquals(2, errors.size(), errors.encode());
    assertTrue(errors.encode().contains("rules[0].when.amount.max") && errors.encode().contains("a fraction"), errors.encode());
    assertTrue(errors.encode().contains("rules[0].providers[1]") && errors.encode().contains("did you mean 'processout'"),
        errors.encode());
    assertEquals(v, version(api), "nothing changed");
  }

  /** First, while the rules from the harness's routing file are in force. */
  @Test
  @Order(1)
  void aPutOfTheFileRulesInForceIsNoNewVersionAndKeepsTheirSource(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    JsonObject answer = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    assertEquals("file", answer.getString("source"));
    HttpResponse<Buffer> r = put(api, ConfigLoader.readYaml(BASELINE), JSON);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    assertEquals(answer, r.bodyAsJsonObject(), "the rules in force, as they are");
    assertEquals(answer.getLong("version"), version(api));
    HttpResponse<Buffer> back = await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN)
        .putHeader("Content-Type", JSON).sendBuffer(Buffer.buffer(answer.encode())));
    assertEquals(answer, back.bodyAsJsonObject(), "GET's answer sent back: the same");
  }

  // ---- helpers -----------------------------------------------------------------------------

  /** Installs the baseline (a new version unless it is in force already) and returns its version. */
  static long baseline(Api api) throws Exception {
    HttpResponse<Buffer> r = put(api, ConfigLoader.readYaml(BASELINE), YAML);
    assertEquals(200, r.statusCode(), r.bodyAsString());
    long v = r.bodyAsJsonObject().getLong("version");
    String card = card(api, "visa", "NO", "dintero", "processout");
    assertEquals("everything", charge(api, card, "EUR", 150000, null).getJsonObject("routing").getString("rule"));
    return v;
  }

  /** PUTs the document as JSON or as YAML (block style, as an SRE's file would be). */
  static HttpResponse<Buffer> put(Api api, Map<String, Object> doc, String contentType) throws Exception {
    String text;
    if (contentType.equals(JSON)) {
      text = new JsonObject(doc).encode();
    } else {
      DumperOptions options = new DumperOptions();
      options.setDefaultFlowStyle(DumperOptions.FlowStyle.BLOCK);
      text = new Yaml(options).dump(plain(new JsonObject(doc).encode()));
      assertNotEquals('{', text.charAt(0), "YAML, not JSON: " + text);
    }
    return await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).putHeader("Content-Type", contentType)
        .sendBuffer(Buffer.buffer(text)));
  }

  /** Plain maps and lists for SnakeYAML to dump (it does not know Vert.x's JSON types). */
  static Object plain(String json) {
    return new Yaml().load(json);
  }

  static long version(Api api) throws Exception {
    return await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getLong("version");
  }

  /** Stores a card of this brand and issuer country with tokens at these providers. */
  static String card(Api api, String brand, String country, String... providers) throws Exception {
    JsonObject tokens = new JsonObject();
    for (String p : providers) tokens.put(p, Api.token(p, ""));
    HttpResponse<Buffer> r = await(api.post("/v1/cards", KEY, new JsonObject().put("brand", brand).put("last4", "4444")
        .put("exp_month", 12).put("exp_year", 2030).put("issuer_country", country).put("tokens", tokens)));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    return r.bodyAsJsonObject().getString("id");
  }

  static JsonObject charge(Api api, String cardId, String currency, long amount, JsonObject metadata) throws Exception {
    JsonObject body = new JsonObject().put("amount", amount).put("currency", currency).put("card_id", cardId);
    if (metadata != null) body.put("metadata", metadata);
    HttpResponse<Buffer> r = await(api.charge(KEY, "rx-" + UUID.randomUUID(), body));
    assertEquals(201, r.statusCode(), r.bodyAsString());
    JsonObject c = r.bodyAsJsonObject();
    assertEquals("succeeded", c.getString("status"), c.encode());
    return c;
  }

  static List<String> candidates(JsonObject charge) {
    return charge.getJsonObject("routing").getJsonArray("candidates").stream().map(String::valueOf).toList();
  }

  /** The charge was routed by {@code rule} of {@code version}; provider and candidates when given. */
  static void assertRouted(JsonObject charge, long version, String rule, String provider, List<String> candidates) {
    JsonObject routing = charge.getJsonObject("routing");
    assertEquals(rule, routing.getString("rule"), charge.encode());
    assertEquals(version, routing.getLong("config_version"), charge.encode());
    if (provider != null) assertEquals(provider, charge.getString("provider"), charge.encode());
    if (candidates != null) assertEquals(candidates, candidates(charge), charge.encode());
  }
}
