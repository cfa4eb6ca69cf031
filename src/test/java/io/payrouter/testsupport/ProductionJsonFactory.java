package io.payrouter.testsupport;

import io.vertx.core.json.jackson.JacksonCodec;
import io.vertx.core.spi.JsonFactory;
import io.vertx.core.spi.json.JsonCodec;

/**
 * Keeps the tests on the JSON codec production uses. Vert.x switches to its jackson-databind codec
 * whenever databind is on the classpath, and the test classpath has it (swagger-parser, for
 * OpenApiDocumentTest) while the router's runtime does not. Registered in
 * META-INF/services/io.vertx.core.spi.JsonFactory of the test resources.
 */
public final class ProductionJsonFactory implements JsonFactory {
  private static final JsonCodec CODEC = new JacksonCodec();

  @Override
  public JsonCodec codec() {
    return CODEC;
  }

  @Override
  public int order() {
    return 0;
  }
}
