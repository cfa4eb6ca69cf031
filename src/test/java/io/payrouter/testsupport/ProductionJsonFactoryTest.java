package io.payrouter.testsupport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.json.Json;
import io.vertx.core.json.jackson.JacksonCodec;
import org.junit.jupiter.api.Test;

/** The tests decode JSON exactly as the router does in production, databind on the classpath or not. */
class ProductionJsonFactoryTest {

  @Test
  void testsUseTheCodecProductionUses() {
    assertEquals(JacksonCodec.class, Json.CODEC.getClass());
  }
}
