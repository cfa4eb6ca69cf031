package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** The idempotency fingerprint: the same JSON value gives the same hash, whatever its key order. */
class JsonFingerprintTest {

  @Test
  void fingerprintIsALowerCaseSha256Hex() {
    String f = Json.fingerprint(new JsonObject().put("amount", 1999));
    assertEquals(64, f.length());
    assertTrue(f.matches("[0-9a-f]{64}"), f);
  }

  @Test
  void sameObjectGivesTheSameFingerprint() {
    assertEquals(Json.fingerprint(new JsonObject("{\"amount\":1999,\"currency\":\"USD\"}")),
        Json.fingerprint(new JsonObject("{\"amount\":1999,\"currency\":\"USD\"}")));
  }

  @Test
  void keyOrderDoesNotChangeTheFingerprint() {
    JsonObject a = new JsonObject().put("amount", 1999).put("currency", "USD").put("card_id", "card_1");
    JsonObject b = new JsonObject().put("card_id", "card_1").put("currency", "USD").put("amount", 1999);
    assertEquals(Json.fingerprint(a), Json.fingerprint(b));
  }

  @Test
  void whitespaceOfTheBodyTextDoesNotChangeTheFingerprint() {
    assertEquals(Json.fingerprint(new JsonObject("{\"a\":1,\"b\":[1,2]}")),
        Json.fingerprint(new JsonObject("{ \"b\" : [ 1 , 2 ] ,\n \"a\" : 1 }")));
  }

  @Test
  void keyOrderOfNestedObjectsDoesNotChangeTheFingerprint() {
    JsonObject a = new JsonObject().put("amount", 1)
        .put("customer", new JsonObject().put("reference", "c1").put("email", "a@b.co"))
        .put("metadata", new JsonObject().put("x", "1").put("y", "2"))
        .put("list", new JsonArray().add(new JsonObject().put("p", 1).put("q", 2)));
    JsonObject b = new JsonObject()
        .put("list", new JsonArray().add(new JsonObject().put("q", 2).put("p", 1)))
        .put("metadata", new JsonObject().put("y", "2").put("x", "1"))
        .put("customer", new JsonObject().put("email", "a@b.co").put("reference", "c1"))
        .put("amount", 1);
    assertEquals(Json.fingerprint(a), Json.fingerprint(b));
  }

  @Test
  void aDifferentValueChangesTheFingerprint() {
    JsonObject base = new JsonObject().put("amount", 1999).put("currency", "USD");
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(base.copy().put("amount", 2000)));
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(base.copy().put("currency", "EUR")));
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(base.copy().put("amount", "1999")));
  }

  @Test
  void aDifferentNestedValueChangesTheFingerprint() {
    JsonObject a = new JsonObject().put("customer", new JsonObject().put("email", "a@b.co"));
    JsonObject b = new JsonObject().put("customer", new JsonObject().put("email", "a@b.cc"));
    assertNotEquals(Json.fingerprint(a), Json.fingerprint(b));
  }

  @Test
  void anAddedKeyChangesTheFingerprintEvenWhenItsValueIsNull() {
    JsonObject base = new JsonObject().put("amount", 1999);
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(base.copy().put("description", "x")));
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(base.copy().putNull("description")));
    assertNotEquals(Json.fingerprint(base), Json.fingerprint(new JsonObject()));
  }

  @Test
  void arraysKeepTheirOrder() {
    JsonObject a = new JsonObject().put("providers", new JsonArray().add("revio").add("fatora"));
    JsonObject b = new JsonObject().put("providers", new JsonArray().add("fatora").add("revio"));
    assertNotEquals(Json.fingerprint(a), Json.fingerprint(b));
  }

  @Test
  void valuesCannotBeShiftedBetweenKeys() {
    JsonObject a = new JsonObject().put("a", "b\",\"c\":\"d");
    JsonObject b = new JsonObject().put("a", "b").put("c", "d");
    assertNotEquals(Json.fingerprint(a), Json.fingerprint(b));
  }
}
