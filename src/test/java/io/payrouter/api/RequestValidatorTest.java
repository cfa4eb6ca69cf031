package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.common.FieldError;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;
import org.yaml.snakeyaml.Yaml;

/**
 * The validator against the document it is built from: every bound, pattern, enum, required
 * property and closed object is read from openapi.yaml itself and checked just inside and just
 * outside, so the test fails if the document and the validator ever disagree (or if the document
 * gains a schema rule the samples below do not exercise).
 */
class RequestValidatorTest {
  static final List<String> REQUEST_SCHEMAS = List.of("ChargeCreate", "CardCreate", "MerchantCreate", "ExplainRequest");
  static final String EXTRA = "zz_extra";

  static final JsonObject DOC = loadDocument();
  static final JsonObject SCHEMAS = DOC.getJsonObject("components").getJsonObject("schemas");
  static final RequestValidator VALIDATOR = new RequestValidator(DOC);

  @SuppressWarnings("unchecked")
  static JsonObject loadDocument() {
    try (InputStream in = RequestValidatorTest.class.getResourceAsStream("/openapi.yaml")) {
      assertNotNull(in, "openapi.yaml on the classpath");
      return new JsonObject((Map<String, Object>) new Yaml().load(in));
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  // ---------------------------------------------------------------- samples

  /** Only the required properties. */
  static JsonObject minimal(String schema) {
    return switch (schema) {
      case "ChargeCreate" -> new JsonObject().put("amount", 1999).put("currency", "USD");
      case "CardCreate" -> new JsonObject().put("brand", "visa")
          .put("tokens", new JsonObject().put("fatora", new JsonObject().put("card_token", "ft_1")));
      case "MerchantCreate" -> new JsonObject().put("id", "acme").put("name", "Acme");
      case "ExplainRequest" -> new JsonObject().put("amount", 1999).put("currency", "USD");
      default -> throw new IllegalArgumentException(schema);
    };
  }

  static JsonObject fullCard() {
    return new JsonObject().put("customer_reference", "cust-1").put("brand", "visa").put("last4", "4242")
        .put("exp_month", 12).put("exp_year", 2030).put("issuer_country", "US")
        .put("tokens", new JsonObject()
            .put("revio", new JsonObject().put("client_id", "c-1").put("recurring_token", "rt-1"))
            .put("paycore", new JsonObject().put("token", "pc-1").put("customer_reference_id", "cr-1"))
            .put("fatora", new JsonObject().put("card_token", "ft-1"))
            .put("dintero", new JsonObject().put("payment_product_type", "payex.creditcard")
                .put("payment_token", "pt-1").put("recurrence_token", "rc-1"))
            .put("processout", new JsonObject().put("customer_id", "cust_1").put("token_id", "tok_1")));
  }

  /**
   * Every declared property present (checked against the document below). ChargeCreate carries
   * both card_id and card: "exactly one" is a handler rule, not a schema rule.
   */
  static JsonObject full(String schema) {
    return switch (schema) {
      case "ChargeCreate" -> new JsonObject().put("amount", 1999).put("currency", "USD").put("card_id", "card_1")
          .put("card", fullCard()).put("merchant_reference", "order-1").put("description", "Order 1")
          .put("customer", new JsonObject().put("reference", "cust-1").put("email", "a@b.co"))
          .put("metadata", new JsonObject().put("key", "value"));
      case "CardCreate" -> fullCard();
      case "MerchantCreate" -> new JsonObject().put("id", "acme").put("name", "Acme");
      case "ExplainRequest" -> new JsonObject().put("amount", 1999).put("currency", "USD").put("brand", "visa")
          .put("card_id", "card_1").put("merchant", "demo").put("issuer_country", "US")
          .put("metadata", new JsonObject().put("key", "value")).put("providers", new JsonArray().add("revio"));
      default -> throw new IllegalArgumentException(schema);
    };
  }

  // ---------------------------------------------------------------- the document, walked

  /** One declared property (or the schema root, path ""), its $ref resolved. */
  record Prop(String schema, String path, JsonObject def) {
    @Override
    public String toString() {
      return schema + (path.isEmpty() ? "" : "." + path);
    }
  }

  static JsonObject resolve(JsonObject node) {
    int guard = 0;
    while (node.containsKey("$ref")) {
      String ref = node.getString("$ref");
      assertTrue(ref.startsWith("#/components/schemas/"), ref);
      node = SCHEMAS.getJsonObject(ref.substring("#/components/schemas/".length()));
      assertTrue(++guard < 10, "$ref loop");
    }
    return node;
  }

  static List<Prop> props(String schema) {
    List<Prop> out = new ArrayList<>();
    walk(schema, "", SCHEMAS.getJsonObject(schema), out, 0);
    return out;
  }

  static void walk(String schema, String path, JsonObject node, List<Prop> out, int depth) {
    JsonObject def = resolve(node);
    out.add(new Prop(schema, path, def));
    if (depth > 8) return;
    JsonObject properties = def.getJsonObject("properties");
    if (properties == null) return;
    for (String name : properties.fieldNames()) {
      walk(schema, join(path, name), properties.getJsonObject(name), out, depth + 1);
    }
  }

  static Stream<Prop> allProps() {
    return REQUEST_SCHEMAS.stream().flatMap(s -> props(s).stream());
  }

  static String join(String path, String name) {
    return path.isEmpty() ? name : path + "." + name;
  }

  static boolean isType(Prop p, String type) {
    return type.equals(p.def().getValue("type"));
  }

  // ---------------------------------------------------------------- JSON helpers

  static Object get(JsonObject root, String path) {
    Object cur = root;
    for (String seg : path.split("\\.")) {
      if (!(cur instanceof JsonObject o)) return null;
      cur = o.getValue(seg);
    }
    return cur;
  }

  static JsonObject objectAt(JsonObject root, String path) {
    return path.isEmpty() ? root : (JsonObject) get(root, path);
  }

  static JsonObject with(JsonObject root, String path, Object value) {
    JsonObject copy = root.copy();
    int dot = path.lastIndexOf('.');
    objectAt(copy, dot < 0 ? "" : path.substring(0, dot)).put(dot < 0 ? path : path.substring(dot + 1), value);
    return copy;
  }

  static JsonObject without(JsonObject root, String path) {
    JsonObject copy = root.copy();
    int dot = path.lastIndexOf('.');
    objectAt(copy, dot < 0 ? "" : path.substring(0, dot)).remove(dot < 0 ? path : path.substring(dot + 1));
    return copy;
  }

  static List<FieldError> validate(String schema, Object body) {
    return VALIDATOR.validate(schema, body);
  }

  static Set<String> fields(List<FieldError> errors) {
    return errors.stream().map(FieldError::field).collect(Collectors.toCollection(TreeSet::new));
  }

  static long number(JsonObject def, String key) {
    return ((Number) def.getValue(key)).longValue();
  }

  /** A string of exactly n characters built from a valid sample (padded at the front). */
  static String ofLength(String sample, int n) {
    return n <= sample.length() ? sample.substring(sample.length() - n) : "a".repeat(n - sample.length()) + sample;
  }

  // ---------------------------------------------------------------- the samples are right

  @ParameterizedTest(name = "{0}: a body with only the required properties is valid")
  @MethodSource("requestSchemas")
  void minimalValidBodyPasses(String schema) {
    assertEquals(List.of(), validate(schema, minimal(schema)));
  }

  @ParameterizedTest(name = "{0}: the minimal sample holds exactly the document's required properties")
  @MethodSource("requestSchemas")
  void minimalSampleIsExactlyTheRequiredProperties(String schema) {
    Set<String> required = new TreeSet<>(SCHEMAS.getJsonObject(schema).getJsonArray("required").getList());
    assertEquals(required, new TreeSet<>(minimal(schema).fieldNames()));
  }

  @ParameterizedTest(name = "{0}: a body with every declared property is valid")
  @MethodSource("requestSchemas")
  void fullValidBodyPasses(String schema) {
    assertEquals(List.of(), validate(schema, full(schema)));
  }

  @ParameterizedTest(name = "{0}: every declared property is in the full sample")
  @MethodSource("requestSchemas")
  void fullSampleCoversEveryDeclaredProperty(String schema) {
    List<String> absent = new ArrayList<>();
    for (Prop p : props(schema)) {
      if (!p.path().isEmpty() && get(full(schema), p.path()) == null) absent.add(p.path());
    }
    assertEquals(List.of(), absent, "the document declares properties this test does not exercise");
  }

  static Stream<String> requestSchemas() {
    return REQUEST_SCHEMAS.stream();
  }

  // ---------------------------------------------------------------- closed objects

  static Stream<Prop> closedObjects() {
    return allProps().filter(p -> Boolean.FALSE.equals(p.def().getValue("additionalProperties")));
  }

  @Test
  void theDocumentClosesTheObjectsThisTestExpects() {
    Set<String> closed = closedObjects().map(Prop::toString).collect(Collectors.toCollection(TreeSet::new));
    assertTrue(closed.containsAll(Set.of("ChargeCreate", "ChargeCreate.customer", "ChargeCreate.card",
        "ChargeCreate.card.tokens.revio", "CardCreate", "CardCreate.tokens.fatora", "MerchantCreate",
        "ExplainRequest")), closed.toString());
  }

  @ParameterizedTest(name = "{0}: an extra property is an unknown field")
  @MethodSource("closedObjects")
  void extraPropertyInAClosedObjectIsReportedAsUnknownField(Prop closed) {
    JsonObject body = full(closed.schema());
    objectAt(body, closed.path()).put(EXTRA, "x");
    assertTrue(validate(closed.schema(), body).contains(FieldError.unknownField(join(closed.path(), EXTRA))),
        () -> validate(closed.schema(), body).toString());
  }

  @ParameterizedTest(name = "{0}: an extra top-level property is the only problem reported")
  @MethodSource("requestSchemas")
  void extraTopLevelPropertyIsTheOnlyProblem(String schema) {
    assertEquals(List.of(FieldError.unknownField(EXTRA)), validate(schema, minimal(schema).put(EXTRA, 1)));
  }

  static Stream<Prop> nestedClosedObjects() {
    return closedObjects().filter(p -> !p.path().isEmpty());
  }

  @ParameterizedTest(name = "{0}: a nested extra property is the only problem reported")
  @MethodSource("nestedClosedObjects")
  void nestedExtraPropertyIsTheOnlyProblem(Prop closed) {
    JsonObject body = full(closed.schema());
    objectAt(body, closed.path()).put(EXTRA, "x");
    assertEquals(List.of(FieldError.unknownField(join(closed.path(), EXTRA))), validate(closed.schema(), body));
  }

  @Test
  void extraPropertyInAnOpenObjectIsAccepted() {
    // metadata and tokens (for providers the document does not name) are open maps of strings
    JsonObject charge = full("ChargeCreate");
    charge.getJsonObject("metadata").put("anything", "goes");
    charge.getJsonObject("card").getJsonObject("tokens").put("acme", new JsonObject().put("key", "v"));
    assertEquals(List.of(), validate("ChargeCreate", charge));
  }

  // ---------------------------------------------------------------- required

  static Stream<Arguments> requiredProperties() {
    return allProps().filter(p -> p.def().getJsonArray("required") != null)
        .flatMap(p -> p.def().getJsonArray("required").stream()
            .map(r -> Arguments.of(p.schema(), join(p.path(), (String) r))));
  }

  @ParameterizedTest(name = "{0}: missing {1} -> [{1}: required]")
  @MethodSource("requiredProperties")
  void missingRequiredPropertyIsReportedByItsOwnName(String schema, String path) {
    assertEquals(List.of(FieldError.required(path)), validate(schema, without(full(schema), path)));
  }

  @Test
  void everyMissingRequiredPropertyIsListed() {
    assertEquals(List.of(FieldError.required("amount"), FieldError.required("currency")),
        validate("ChargeCreate", new JsonObject()));
  }

  @Test
  void missingNestedRequiredPropertyIsDotted() {
    JsonObject card = fullCard();
    card.getJsonObject("tokens").getJsonObject("revio").remove("recurring_token");
    assertEquals(List.of(FieldError.required("tokens.revio.recurring_token")), validate("CardCreate", card));
  }

  // ---------------------------------------------------------------- integer bounds

  static Stream<Arguments> integerBounds() {
    return allProps().filter(p -> isType(p, "integer")).flatMap(p -> Stream.of("minimum", "maximum")
        .filter(k -> p.def().containsKey(k)).map(k -> Arguments.of(p, k)));
  }

  @ParameterizedTest(name = "{0} at its {1} passes")
  @MethodSource("integerBounds")
  void integerAtItsBoundPasses(Prop p, String bound) {
    assertEquals(List.of(), validate(p.schema(), with(full(p.schema()), p.path(), number(p.def(), bound))));
  }

  @ParameterizedTest(name = "{0} just beyond its {1} fails on that field")
  @MethodSource("integerBounds")
  void integerJustBeyondItsBoundFails(Prop p, String bound) {
    long beyond = number(p.def(), bound) + ("minimum".equals(bound) ? -1 : 1);
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), beyond))));
  }

  @ParameterizedTest(name = "{0} must be an integer")
  @MethodSource("integers")
  void integerPropertyRefusesFractionsAndStrings(Prop p) {
    long min = p.def().containsKey("minimum") ? number(p.def(), "minimum") : 1;
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), min + 0.5))));
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), String.valueOf(min)))));
  }

  static Stream<Prop> integers() {
    return allProps().filter(p -> isType(p, "integer"));
  }

  @Test
  void amountBoundsAreTheDocumentedOnes() {
    JsonObject amount = SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties").getJsonObject("amount");
    long min = number(amount, "minimum");
    long max = number(amount, "maximum");
    assertEquals(List.of(), validate("ChargeCreate", minimal("ChargeCreate").put("amount", min)));
    assertEquals(List.of(), validate("ChargeCreate", minimal("ChargeCreate").put("amount", max)));
    assertEquals(Set.of("amount"), fields(validate("ChargeCreate", minimal("ChargeCreate").put("amount", min - 1))));
    assertEquals(Set.of("amount"), fields(validate("ChargeCreate", minimal("ChargeCreate").put("amount", max + 1))));
    assertEquals(Set.of("amount"), fields(validate("ChargeCreate", minimal("ChargeCreate").put("amount", -5))));
  }

  // ---------------------------------------------------------------- string lengths

  static Stream<Prop> strings() {
    return allProps().filter(p -> isType(p, "string") && !p.def().containsKey("enum"));
  }

  static Stream<Prop> maxLengths() {
    return strings().filter(p -> p.def().containsKey("maxLength"));
  }

  static Stream<Prop> minLengths() {
    return strings().filter(p -> number0(p.def(), "minLength") > 0 && !p.def().containsKey("pattern"));
  }

  static long number0(JsonObject def, String key) {
    return def.containsKey(key) ? number(def, key) : 0;
  }

  @ParameterizedTest(name = "{0} at its maxLength passes")
  @MethodSource("maxLengths")
  void stringAtItsMaxLengthPasses(Prop p) {
    String v = ofLength((String) get(full(p.schema()), p.path()), (int) number(p.def(), "maxLength"));
    assertEquals(List.of(), validate(p.schema(), with(full(p.schema()), p.path(), v)));
  }

  @ParameterizedTest(name = "{0} one over its maxLength fails on that field")
  @MethodSource("maxLengths")
  void stringOverItsMaxLengthFails(Prop p) {
    String v = ofLength((String) get(full(p.schema()), p.path()), (int) number(p.def(), "maxLength") + 1);
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), v))));
  }

  @ParameterizedTest(name = "{0} at its minLength passes")
  @MethodSource("minLengths")
  void stringAtItsMinLengthPasses(Prop p) {
    String v = "m".repeat((int) number(p.def(), "minLength"));
    assertEquals(List.of(), validate(p.schema(), with(full(p.schema()), p.path(), v)));
  }

  @ParameterizedTest(name = "{0} one under its minLength fails on that field")
  @MethodSource("minLengths")
  void stringUnderItsMinLengthFails(Prop p) {
    String v = "m".repeat((int) number(p.def(), "minLength") - 1);
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), v))));
  }

  @Test
  void merchantReferenceLengthIsTheDocumentedOne() {
    JsonObject def = SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties").getJsonObject("merchant_reference");
    int max = (int) number(def, "maxLength");
    assertEquals(List.of(), validate("ChargeCreate", minimal("ChargeCreate").put("merchant_reference", "r".repeat(max))));
    assertEquals(Set.of("merchant_reference"),
        fields(validate("ChargeCreate", minimal("ChargeCreate").put("merchant_reference", "r".repeat(max + 1)))));
    assertEquals(Set.of("merchant_reference"),
        fields(validate("ChargeCreate", minimal("ChargeCreate").put("merchant_reference", ""))));
  }

  @Test
  void stringPropertyRefusesANumber() {
    assertEquals(Set.of("merchant_reference"),
        fields(validate("ChargeCreate", minimal("ChargeCreate").put("merchant_reference", 12))));
  }

  // ---------------------------------------------------------------- patterns

  static final List<String> PROBES = List.of("", "USD", "usd", "US", "USDX", "U5D", "US", "us", "USA", "1234",
      "123", "12345", "123a", "a@b", "a@b.co", "@b.co", "a@", "a b@c.d", "a@b@c", "acme", "demo_1", "demo-1",
      "_demo", "-demo", "Demo", "a", "1", "a".repeat(64), "a".repeat(65), " USD", "USD ", "U\nSD");

  static Stream<Arguments> patternProbes() {
    return strings().filter(p -> p.def().containsKey("pattern"))
        .flatMap(p -> PROBES.stream().distinct().map(s -> Arguments.of(p, s)));
  }

  /**
   * JSON Schema patterns are unanchored ECMA-262 regexes. These simple ones read the same in Java
   * but for {@code $}, which in ECMA-262 (without the m flag) matches only at the very end, while
   * Java's also matches before a final line terminator: written as {@code \z} here.
   */
  static boolean documentAccepts(JsonObject def, String value) {
    int len = value.codePointCount(0, value.length());
    String ecma = def.getString("pattern").replaceAll("(?<!\\\\)\\$$", "\\\\z");
    return Pattern.compile(ecma).matcher(value).find()
        && len >= number0(def, "minLength") && (!def.containsKey("maxLength") || len <= number(def, "maxLength"));
  }

  @ParameterizedTest(name = "{0} with \"{1}\" agrees with its pattern")
  @MethodSource("patternProbes")
  void patternVerdictAgreesWithTheDocument(Prop p, String value) {
    List<FieldError> errors = validate(p.schema(), with(full(p.schema()), p.path(), value));
    if (documentAccepts(p.def(), value)) {
      assertEquals(List.of(), errors);
    } else {
      assertEquals(Set.of(p.path()), fields(errors));
    }
  }

  static Stream<Prop> patterns() {
    return strings().filter(p -> p.def().containsKey("pattern"));
  }

  @Test
  void documentPatternsAreReadWithEcmaEndAnchors() {
    JsonObject currency = new JsonObject().put("pattern", "^[A-Z]{3}$");
    assertTrue(documentAccepts(currency, "USD"));
    assertFalse(documentAccepts(currency, "USD\n"));
  }

  @ParameterizedTest(name = "{0} refuses its valid sample followed by a newline")
  @MethodSource("patterns")
  void trailingNewlineIsRefusedLikeTheDocumentsPattern(Prop p) {
    String value = get(full(p.schema()), p.path()) + "\n";
    assertFalse(documentAccepts(p.def(), value));
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), value))));
  }

  @Test
  void currencyPatternIsThreeUpperCaseLetters() {
    String pattern = SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties").getJsonObject("currency")
        .getString("pattern");
    assertEquals("^[A-Z]{3}$", pattern);
    assertEquals(List.of(), validate("ChargeCreate", minimal("ChargeCreate").put("currency", "EUR")));
    for (String bad : List.of("usd", "US", "USDX", "U5D")) {
      assertEquals(Set.of("currency"), fields(validate("ChargeCreate", minimal("ChargeCreate").put("currency", bad))), bad);
    }
  }

  // ---------------------------------------------------------------- enums

  static Stream<Arguments> enumValues() {
    return allProps().filter(p -> p.def().containsKey("enum"))
        .flatMap(p -> p.def().getJsonArray("enum").stream().map(v -> Arguments.of(p, v)));
  }

  static Stream<Arguments> enumOutsiders() {
    return allProps().filter(p -> p.def().containsKey("enum")).flatMap(p -> {
      String first = p.def().getJsonArray("enum").getString(0);
      return Stream.of("NOT_IN_THE_ENUM", first.toUpperCase(), first + " ", "").map(v -> Arguments.of(p, v));
    });
  }

  @ParameterizedTest(name = "{0} = {1} passes")
  @MethodSource("enumValues")
  void everyEnumValuePasses(Prop p, Object value) {
    assertEquals(List.of(), validate(p.schema(), with(full(p.schema()), p.path(), value)));
  }

  @ParameterizedTest(name = "{0} = \"{1}\" fails on that field")
  @MethodSource("enumOutsiders")
  void valueOutsideTheEnumFails(Prop p, String value) {
    assertEquals(Set.of(p.path()), fields(validate(p.schema(), with(full(p.schema()), p.path(), value))));
  }

  @Test
  void brandEnumIsTheDocumentedOne() {
    List<Object> brands = SCHEMAS.getJsonObject("Brand").getJsonArray("enum").getList();
    assertEquals(List.of("visa", "mastercard", "amex", "discover", "jcb", "unionpay", "diners", "maestro"), brands);
    for (Object b : brands) {
      assertEquals(List.of(), validate("CardCreate", minimal("CardCreate").put("brand", b)), b.toString());
      assertEquals(List.of(), validate("ExplainRequest", minimal("ExplainRequest").put("brand", b)), b.toString());
    }
    assertEquals(Set.of("brand"), fields(validate("CardCreate", minimal("CardCreate").put("brand", "Visa"))));
  }

  // ---------------------------------------------------------------- maps, sizes, nesting

  @Test
  void metadataValueLengthIsTheDocumentedOne() {
    int max = (int) number(SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties")
        .getJsonObject("metadata").getJsonObject("additionalProperties"), "maxLength");
    JsonObject ok = minimal("ChargeCreate").put("metadata", new JsonObject().put("key", "v".repeat(max)));
    JsonObject over = minimal("ChargeCreate").put("metadata", new JsonObject().put("key", "v".repeat(max + 1)));
    assertEquals(List.of(), validate("ChargeCreate", ok));
    assertEquals(Set.of("metadata.key"), fields(validate("ChargeCreate", over)));
  }

  @Test
  void metadataValueMustBeAStringAndIsNamedByItsDottedKey() {
    JsonObject body = minimal("ChargeCreate").put("metadata", new JsonObject().put("key", 5));
    assertEquals(Set.of("metadata.key"), fields(validate("ChargeCreate", body)));
  }

  @Test
  void metadataPropertyCountIsTheDocumentedOne() {
    int max = (int) number(SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties")
        .getJsonObject("metadata"), "maxProperties");
    JsonObject ok = new JsonObject();
    for (int i = 0; i < max; i++) ok.put("k" + i, "v");
    JsonObject over = ok.copy().put("one_more", "v");
    assertEquals(List.of(), validate("ChargeCreate", minimal("ChargeCreate").put("metadata", ok)));
    assertEquals(Set.of("metadata"), fields(validate("ChargeCreate", minimal("ChargeCreate").put("metadata", over))));
  }

  @Test
  void metadataKeyLengthIsTheDocumentedOne() {
    int max = (int) number(SCHEMAS.getJsonObject("ChargeCreate").getJsonObject("properties")
        .getJsonObject("metadata").getJsonObject("propertyNames"), "maxLength");
    String longKey = "k".repeat(max + 1);
    assertEquals(List.of(), validate("ChargeCreate",
        minimal("ChargeCreate").put("metadata", new JsonObject().put("k".repeat(max), "v"))));
    assertEquals(Set.of("metadata." + longKey), fields(validate("ChargeCreate",
        minimal("ChargeCreate").put("metadata", new JsonObject().put(longKey, "v")))));
  }

  @Test
  void tokensNeedAtLeastOneProvider() {
    assertEquals(1, number(SCHEMAS.getJsonObject("Tokens"), "minProperties"));
    assertEquals(Set.of("tokens"), fields(validate("CardCreate", minimal("CardCreate").put("tokens", new JsonObject()))));
  }

  @Test
  void tokensOfAnUndocumentedProviderAreAMapOfStrings() {
    JsonObject tokens = new JsonObject().put("acme", new JsonObject().put("key", 5));
    assertEquals(Set.of("tokens.acme.key"), fields(validate("CardCreate", minimal("CardCreate").put("tokens", tokens))));
  }

  @Test
  void tokenCountIsTheDocumentedOne() {
    int max = (int) number(SCHEMAS.getJsonObject("Tokens"), "maxProperties");
    JsonObject ok = new JsonObject();
    for (int i = 0; i < max; i++) ok.put("p" + i, new JsonObject().put("k", "v"));
    JsonObject over = ok.copy().put("one_more", new JsonObject());
    assertEquals(List.of(), validate("CardCreate", minimal("CardCreate").put("tokens", ok)));
    assertEquals(Set.of("tokens"), fields(validate("CardCreate", minimal("CardCreate").put("tokens", over))));
  }

  @Test
  void nestedProblemsAreNamedByDottedPaths() {
    JsonObject charge = minimal("ChargeCreate")
        .put("customer", new JsonObject().put("email", "not-an-email"))
        .put("metadata", new JsonObject().put("key", 1))
        .put("card", with(fullCard(), "tokens.revio.recurring_token", ""));
    assertEquals(Set.of("customer.email", "metadata.key", "card.tokens.revio.recurring_token"),
        fields(validate("ChargeCreate", charge)));
  }

  @Test
  void cardInsideAChargeIsPrefixedWithCard() {
    JsonObject charge = minimal("ChargeCreate").put("card", without(fullCard(), "brand"));
    assertEquals(List.of(FieldError.required("card.brand")), validate("ChargeCreate", charge));
  }

  @Test
  void severalProblemsAreAllListedAtOnce() {
    JsonObject body = new JsonObject().put("amount", 0).put("currency", "usd").put("merchant_reference", "")
        .put(EXTRA, true);
    List<FieldError> errors = validate("ChargeCreate", body);
    assertEquals(Set.of("amount", "currency", "merchant_reference", EXTRA), fields(errors));
    assertEquals(4, errors.size(), errors.toString());
    assertTrue(errors.contains(FieldError.unknownField(EXTRA)));
  }

  @Test
  void problemsOfDifferentKindsInOneBodyAreAllListed() {
    JsonObject card = new JsonObject().put("brand", "VISA").put("last4", "12").put("exp_month", 13)
        .put("tokens", new JsonObject().put("revio", new JsonObject().put("client_id", "c")));
    List<FieldError> errors = validate("CardCreate", card);
    assertEquals(Set.of("brand", "last4", "exp_month", "tokens.revio.recurring_token"), fields(errors));
    assertTrue(errors.contains(FieldError.required("tokens.revio.recurring_token")));
  }

  @ParameterizedTest(name = "no duplicate problems for {0}")
  @ValueSource(strings = {
    "{\"amount\":0,\"currency\":\"usd\",\"zz\":1,\"yy\":2}",
    "{\"customer\":{\"email\":\"x\",\"reference\":\"\"},\"metadata\":{\"a\":1,\"b\":2}}",
    "{\"amount\":\"1\",\"card\":{\"brand\":\"x\",\"tokens\":{\"revio\":{},\"fatora\":{\"card_token\":\"\"}}}}",
    "{\"amount\":1.5,\"currency\":5,\"card_id\":\"\",\"description\":7}"
  })
  void noProblemIsListedTwice(String body) {
    List<FieldError> errors = validate("ChargeCreate", new JsonObject(body));
    assertFalse(errors.isEmpty());
    assertEquals(new HashSet<>(errors).size(), errors.size(), errors.toString());
  }

  @Test
  void arrayItemProblemIsNamedWithItsIndex() {
    JsonObject body = minimal("ExplainRequest").put("providers", new JsonArray().add("revio").add(5));
    assertTrue(fields(validate("ExplainRequest", body)).contains("providers[1]"), validate("ExplainRequest", body).toString());
  }

  @Test
  void arrayItemProblemIsReportedOnlyAtTheItem() {
    JsonObject body = minimal("ExplainRequest").put("providers", new JsonArray().add("revio").add(5));
    assertEquals(Set.of("providers[1]"), fields(validate("ExplainRequest", body)));
  }

  @Test
  void bodyThatIsNotAnObjectIsReportedAtTheRoot() {
    assertEquals(Set.of(""), fields(validate("ChargeCreate", new JsonArray())));
  }

  // ---------------------------------------------------------------- wording: one per rule

  /** The schema validator's own phrasings, which must never reach a merchant. */
  static final List<String> RAW = List.of("Instance", "String is", "does not match", "Expected", "Property",
      "subschema", "\\z");

  /** Every way the document lets a value of this property be wrong (a type, each bound, pattern, enum). */
  static List<Object> violations(Prop p) {
    JsonObject d = p.def();
    Object type = d.getValue("type");
    Object sample = get(full(p.schema()), p.path());
    List<Object> out = new ArrayList<>();
    if ("integer".equals(type)) {
      long ok = sample instanceof Number n ? n.longValue() : 1;
      out.add(String.valueOf(ok));
      out.add(ok + 0.5);
      out.add((double) ok); // 19.0: JSON Schema calls it an integer, the API does not
      if (d.containsKey("minimum")) out.add(number(d, "minimum") - 1);
      if (d.containsKey("maximum")) out.add(number(d, "maximum") + 1);
    } else if ("string".equals(type)) {
      out.add(12345);
      out.add(true);
      if (d.containsKey("maxLength")) out.add(ofLength(String.valueOf(sample), (int) number(d, "maxLength") + 1));
      if (number0(d, "minLength") > 0) out.add("");
      if (d.containsKey("pattern")) out.add(sample + "\n");
      if (d.containsKey("enum")) out.add("NOT_IN_THE_ENUM");
    } else if ("object".equals(type)) {
      out.add("not an object");
      out.add(7);
    } else if ("array".equals(type)) {
      out.add("not a list");
    }
    return out;
  }

  static Stream<Prop> valueRules() {
    return allProps().filter(p -> !p.path().isEmpty() && !violations(p).isEmpty());
  }

  @ParameterizedTest(name = "{0}: every way of breaking its value gets one and the same message, naming it")
  @MethodSource("valueRules")
  void eachValueRuleHasOneWording(Prop p) {
    Set<String> messages = new TreeSet<>();
    for (Object bad : violations(p)) {
      List<FieldError> errors = validate(p.schema(), with(full(p.schema()), p.path(), bad));
      assertEquals(Set.of(p.path()), fields(errors), () -> bad + " -> " + errors);
      assertEquals(1, errors.size(), () -> bad + " -> " + errors);
      messages.add(errors.get(0).message());
    }
    assertEquals(1, messages.size(), () -> "one wording for " + p + ": " + messages);
    String message = messages.iterator().next();
    assertTrue(message.startsWith(p.path() + " must be "), message);
    for (String raw : RAW) assertFalse(message.contains(raw), message);
  }

  @Test
  void everyPatternOfTheRequestSchemasHasWords() {
    for (Prop p : patterns().toList()) {
      assertTrue(ValidationMessages.PATTERNS.containsKey(p.def().getString("pattern")), p + " " + p.def());
    }
  }

  @Test
  void theWordsOfTheIssue() {
    JsonObject charge = minimal("ChargeCreate");
    String amount = "amount must be a whole number of minor units from 1 to 99999999999, e.g. 1999 for 19.99 USD";
    assertEquals(List.of(new FieldError("amount", amount)), validate("ChargeCreate", charge.copy().put("amount", 19.99)));
    assertEquals(List.of(new FieldError("amount", amount)), validate("ChargeCreate", charge.copy().put("amount", 19.0)));
    assertEquals(List.of(new FieldError("currency", "currency must be an upper-case ISO 4217 code, e.g. USD")),
        validate("ChargeCreate", charge.copy().put("currency", "usd")));
    assertEquals(List.of(new FieldError("card.exp_month", "card.exp_month must be a whole number from 1 to 12")),
        validate("ChargeCreate", charge.copy().put("card", fullCard().put("exp_month", 12.0))));
  }

  @Test
  void requiredUnknownAndKeyRulesHaveOneWordingEach() {
    assertEquals("customer.zz is not a known field", validate("ChargeCreate",
        minimal("ChargeCreate").put("customer", new JsonObject().put("zz", 1))).get(0).message());
    assertEquals("tokens.revio.client_id is required", validate("CardCreate",
        with(fullCard(), "tokens.revio", new JsonObject().put("recurring_token", "r"))).get(0).message());
    String longKey = "k".repeat(65);
    assertEquals("metadata." + longKey + " has too long a key: the keys of metadata must be at most 64 characters",
        validate("ChargeCreate", minimal("ChargeCreate").put("metadata", new JsonObject().put(longKey, "v"))).get(0).message());
  }

  @ParameterizedTest(name = "every message of {0} names its field")
  @ValueSource(strings = {
    "{\"amount\":0,\"currency\":\"usd\",\"zz\":1,\"yy\":2}",
    "{\"customer\":{\"email\":\"x\",\"reference\":\"\"},\"metadata\":{\"a\":1,\"b\":2}}",
    "{\"amount\":\"1\",\"card\":{\"brand\":\"x\",\"tokens\":{\"revio\":{},\"fatora\":{\"card_token\":\"\"}}}}",
    "{\"amount\":1.5,\"currency\":5,\"card_id\":\"\",\"description\":7}"
  })
  void everyMessageNamesItsField(String body) {
    for (FieldError e : validate("ChargeCreate", new JsonObject(body))) {
      assertTrue(e.message().startsWith(e.field() + " "), e.toString());
      for (String raw : RAW) assertFalse(e.message().contains(raw), e.toString());
    }
  }
}
