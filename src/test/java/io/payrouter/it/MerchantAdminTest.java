package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Onboarding merchants: keys shown once, stored as hashes, several per merchant, revocable. */
@ExtendWith(VertxExtension.class)
class MerchantAdminTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
  }

  @Test
  void onboardedMerchantKeysWorkUntilRevoked(Vertx vertx) throws Exception {
    Api api = new Api(vertx, h);
    String id = "acme-" + UUID.randomUUID().toString().substring(0, 8);
    var created = await(api.post("/admin/merchants", RouterHarness.ADMIN_KEY, new JsonObject().put("id", id).put("name", "Acme Ltd")));
    assertEquals(201, created.statusCode(), created.bodyAsString());
    String key1 = created.bodyAsJsonObject().getString("api_key");
    assertTrue(key1.startsWith("sk_test_"));
    assertEquals(id, created.bodyAsJsonObject().getString("id"));
    ChargeApiTest.assertProblem(await(api.post("/admin/merchants", RouterHarness.ADMIN_KEY,
        new JsonObject().put("id", id).put("name", "again"))), 409);

    var second = await(api.post("/admin/merchants/" + id + "/keys", RouterHarness.ADMIN_KEY, new JsonObject()));
    assertEquals(201, second.statusCode());
    String key2 = second.bodyAsJsonObject().getString("api_key");
    String key2Id = second.bodyAsJsonObject().getString("id");
    String card = await(api.card(key1, new JsonObject().put("fatora", Api.token("fatora", ""))));
    assertEquals(200, await(api.get("/v1/cards/" + card, key2)).statusCode(), "both keys belong to the merchant");

    assertEquals(204, await(api.request(HttpMethod.DELETE, "/admin/merchants/" + id + "/keys/" + key2Id,
        RouterHarness.ADMIN_KEY).send()).statusCode());
    ChargeApiTest.assertProblem(await(api.get("/v1/cards/" + card, key2)), 401);
    assertEquals(200, await(api.get("/v1/cards/" + card, key1)).statusCode(), "the other key keeps working");
    ChargeApiTest.assertProblem(await(api.post("/admin/merchants", RouterHarness.ADMIN_KEY,
        new JsonObject().put("id", "Bad Id").put("name", "x"))), 400);
  }
}
