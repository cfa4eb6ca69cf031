package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.ConfigException;
import io.payrouter.store.TokenCipher;
import io.vertx.core.json.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * A token key that cannot decrypt the stored tokens stops the start with one clear problem,
 * instead of a ready router that answers every charge of an existing card with 503.
 */
class TokenKeyCheckTest {

  @Test
  void aRouterStartedWithAnotherTokenKeyRefusesToStartAndTheRightKeyStillWorks() throws Exception {
    Path dir = Files.createTempDirectory("router-keycheck");
    String card;
    try (RouterHarness h = RouterHarness.start(dir, RouterHarness.routingYaml())) {
      Api api = new Api(h.vertx, h);
      card = RouterHarness.await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    }
    Path keyFile = dir.resolve("data").resolve("token.key");
    String rightKey = Files.readString(keyFile);
    Files.writeString(keyFile, TokenCipher.newKeyBase64());
    ConfigException e = assertThrows(ConfigException.class, () -> RouterHarness.start(dir, RouterHarness.routingYaml()));
    assertEquals(1, e.problems().size(), e.problems().toString());
    assertTrue(e.problems().get(0).contains("does not decrypt the data stored in this database"), e.problems().get(0));

    Files.writeString(keyFile, rightKey);
    try (RouterHarness h = RouterHarness.start(dir, RouterHarness.routingYaml())) {
      Api api = new Api(h.vertx, h);
      assertEquals(200, RouterHarness.await(api.get("/v1/cards/" + card, RouterHarness.MERCHANT_KEY)).statusCode());
    }
  }
}
