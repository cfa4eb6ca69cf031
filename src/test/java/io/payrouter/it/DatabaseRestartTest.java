package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.chaos.PgControl;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * PostgreSQL restarted under a running router, as an operator would (fast and immediate
 * shutdowns): while it is down, charges get 503 (never 500) and readiness says DOWN; once it
 * answers again, charges are accepted within 2 s and readiness says UP; nothing accepted before
 * the restart is lost.
 */
@ExtendWith(VertxExtension.class)
class DatabaseRestartTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  RouterHarness h;
  PgControl pg;


  @BeforeEach
  void router() throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-pg-restart"), RouterHarness.routingYaml());
    pg = new PgControl(h.dir.resolve("data/pg"), h.dir.resolve("pg.log"));
    pg.learn();
  }

  @AfterEach
  void close() throws Exception {
    if (!pg.running()) pg.start();
    h.close();
  }

  @Test
  void afterAFastRestartChargesAreAcceptedWithinTwoSeconds(Vertx vertx) throws Exception {
    restartAndRecover(vertx, "fast");
  }

  @Test
  void afterAnImmediateRestartChargesAreAcceptedWithinTwoSeconds(Vertx vertx) throws Exception {
    restartAndRecover(vertx, "immediate");
  }

  private void restartAndRecover(Vertx vertx, String mode) throws Exception {
    Api api = new Api(vertx, h);
    String card = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    HttpResponse<Buffer> before = await(charge(api, card, "before-" + mode));
    assertEquals(201, before.statusCode(), before.bodyAsString());

    pg.stop(mode);
    List<Integer> whileDown = new ArrayList<>();
    for (int i = 0; i < 5; i++) whileDown.add(await(charge(api, card, "down-" + mode + "-" + i)).statusCode());
    assertEquals(List.of(503, 503, 503, 503, 503), whileDown, "every charge while the database is down is 503");
    assertEquals(503, await(api.get("/health/ready", null)).statusCode(), "not ready while the database is down");

    pg.start();
    long back = System.nanoTime();
    int status = 0;
    int attempt = 0;
    while (System.nanoTime() - back < TimeUnit.SECONDS.toNanos(10)) {
      HttpResponse<Buffer> r = await(charge(api, card, "after-" + mode + "-" + attempt++));
      status = r.statusCode();
      assertTrue(status == 201 || status == 503, "only 201 or 503 while recovering, got " + status + " " + r.bodyAsString());
      if (status == 201) break;
      Thread.sleep(50);
    }
    long recoveredMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - back);
    assertEquals(201, status, "charges accepted again");
    assertTrue(recoveredMs <= 2_000, "charges accepted again " + recoveredMs + " ms after PostgreSQL answered");
    assertEquals(200, await(api.get("/health/ready", null)).statusCode(), "ready again");

    String id = before.bodyAsJsonObject().getString("id");
    HttpResponse<Buffer> read = await(api.get("/v1/charges/" + id, KEY));
    assertEquals("succeeded", read.bodyAsJsonObject().getString("status"), "the charge made before the restart is intact");
  }

  private static io.vertx.core.Future<HttpResponse<Buffer>> charge(Api api, String card, String key) {
    return api.charge(KEY, key + "-" + System.nanoTime(),
        new JsonObject().put("amount", 1999).put("currency", "USD").put("card_id", card));
  }
}
