package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The fast check may only ever accept what the full JSON Schema validator accepts: thousands of
 * good and broken bodies, built from the request schemas' own samples by random edits, are judged
 * by both, and every body the fast check vouches for must be valid in full. It must also actually
 * vouch for the everyday charge body, or it saves nothing.
 */
class PlainSchemaTest {
  static final RequestValidator VALIDATOR = RequestValidatorTest.VALIDATOR;

  static PlainSchema plain(String schema) {
    return PlainSchema.compile(RequestValidatorTest.SCHEMAS.getJsonObject(schema));
  }

  @Test
  void vouchesForTheEverydayChargeBody() {
    PlainSchema charge = plain("ChargeCreate");
    assertNotNull(charge, "ChargeCreate is plain enough to compile");
    JsonObject body = new JsonObject().put("amount", 4321).put("currency", "USD").put("card_id", "card_abc")
        .put("merchant_reference", "order-77").put("description", "Order 77")
        .put("customer", new JsonObject().put("reference", "c-1").put("email", "a@b.co"))
        .put("metadata", new JsonObject().put("k", "v"));
    assertTrue(charge.vouchesFor(body));
    assertEquals(List.of(), VALIDATOR.validateFully("ChargeCreate", body));
  }

  @Test
  void theValidatorServesTheEverydayChargeWithoutTheFullValidator() {
    RequestValidator v = new RequestValidator(RequestValidatorTest.DOC);
    JsonObject body = new JsonObject().put("amount", 4321).put("currency", "USD").put("card_id", "card_abc")
        .put("merchant_reference", "order-77");
    assertEquals(List.of(), v.validate("ChargeCreate", body));
    assertEquals(0, v.fullValidations.sum(), "the fast check vouched for it");
    assertFalse(v.validate("ChargeCreate", body.copy().put("currency", "usd")).isEmpty());
    assertEquals(1, v.fullValidations.sum(), "a broken body gets the full validator's verdict");
  }

  @Test
  void leavesAnInlineCardToTheFullValidator() {
    // card is a $ref: not plain, so a body carrying it is never vouched for
    assertFalse(plain("ChargeCreate").vouchesFor(RequestValidatorTest.full("ChargeCreate")));
  }

  @Test
  void refusesToCompileASchemaWithKeywordsItDoesNotKnow() {
    assertNull(PlainSchema.compile(new JsonObject().put("type", "string").put("format", "email")));
    assertNull(PlainSchema.compile(new JsonObject().put("type", "string").put("pattern", "[A-Z]{3}")),
        "an unanchored pattern");
    assertNull(PlainSchema.compile(new JsonObject().put("type", "object").put("oneOf", new JsonArray())));
    assertNull(PlainSchema.compile(new JsonObject().put("type", "number")));
  }

  @Test
  void neverVouchesForLengthsCountedInCodePoints() {
    PlainSchema s = PlainSchema.compile(new JsonObject().put("type", "string").put("maxLength", 2));
    assertTrue(s.vouchesFor("ab"));
    assertFalse(s.vouchesFor("a\uD83D\uDE00"), "a supplementary character goes to the full validator");
  }

  @ParameterizedTest(name = "{0}: every body the fast check vouches for is valid in full")
  @ValueSource(strings = {"ChargeCreate", "CardCreate", "MerchantCreate", "ExplainRequest"})
  void neverAcceptsWhatTheFullValidatorRefuses(String schema) {
    PlainSchema fast = plain(schema);
    Random random = new Random(8_2026);
    int vouched = 0;
    int refusedInFull = 0;
    for (int n = 0; n < 3_000; n++) {
      JsonObject body = mutate(random.nextBoolean() ? RequestValidatorTest.minimal(schema)
          : RequestValidatorTest.full(schema).copy(), random, 1 + random.nextInt(3));
      boolean valid = VALIDATOR.validateFully(schema, body).isEmpty();
      if (!valid) refusedInFull++;
      if (fast != null && fast.vouchesFor(body)) {
        vouched++;
        assertTrue(valid, () -> schema + ": vouched for a body the schema refuses: " + body.encode());
      }
    }
    assertTrue(refusedInFull > 500, "the corpus holds plenty of broken bodies (" + refusedInFull + ")");
    if (schema.equals("ChargeCreate")) assertTrue(vouched > 50, "the fast check is in use (" + vouched + ")");
  }

  /** Random edits: change, null, retype or drop a property, add an unknown one, stretch a string. */
  static JsonObject mutate(JsonObject body, Random r, int edits) {
    for (int e = 0; e < edits; e++) {
      List<JsonObject> objects = new ArrayList<>();
      collect(body, objects);
      JsonObject target = objects.get(r.nextInt(objects.size()));
      List<String> names = new ArrayList<>(target.fieldNames());
      String name = names.isEmpty() || r.nextInt(6) == 0 ? "x" + r.nextInt(3) : names.get(r.nextInt(names.size()));
      switch (r.nextInt(9)) {
        case 0 -> target.remove(name);
        case 1 -> target.putNull(name);
        case 2 -> target.put(name, r.nextInt(5) - 1);
        case 3 -> target.put(name, r.nextBoolean() ? 99_999_999_999L + r.nextInt(3) - 1 : 1.5);
        case 4 -> target.put(name, string(r));
        case 5 -> target.put(name, new JsonObject().put("k", string(r)));
        case 6 -> target.put(name, new JsonArray().add("a"));
        case 7 -> target.put(name, true);
        default -> {
          Object v = target.getValue(name);
          if (v instanceof String s) target.put(name, s + string(r));
        }
      }
    }
    return body;
  }

  static void collect(JsonObject o, List<JsonObject> out) {
    out.add(o);
    for (String k : o.fieldNames()) {
      if (o.getValue(k) instanceof JsonObject child) collect(child, out);
    }
  }

  static String string(Random r) {
    String[] samples = {"", "USD", "usd", "EURO", "a@b.co", "no-at-sign", "a b@c", "x".repeat(64), "x".repeat(65),
        "y".repeat(255), "y".repeat(256), "z".repeat(500), "z".repeat(501), "\uD83D\uDE00", "line\nbreak", "A1C"};
    return samples[r.nextInt(samples.length)];
  }
}
