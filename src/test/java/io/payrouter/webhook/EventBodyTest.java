package io.payrouter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.domain.EventType;
import io.vertx.core.json.JsonObject;
import org.junit.jupiter.api.Test;

/** An event's body, put together around the charge's JSON text, is what JsonObject would encode. */
class EventBodyTest {

  @Test
  void theBodyIsTheEventObjectWithTheDataAsGiven() {
    String data = new JsonObject().put("id", "ch_1").put("note", "quote \" ünï \uD83D\uDCB3").put("n", 7).encode();
    String body = Events.body("evt_1", EventType.CHARGE_SUCCEEDED, data);
    JsonObject parsed = new JsonObject(body);
    String expected = new JsonObject().put("id", "evt_1").put("type", "charge.succeeded")
        .put("timestamp", parsed.getString("timestamp")).put("data", new JsonObject(data)).encode();
    assertEquals(expected, body);
    java.time.Instant.parse(parsed.getString("timestamp"));
  }
}
