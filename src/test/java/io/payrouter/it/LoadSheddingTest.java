package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Tuple;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Past http.max_charges_in_flight the router answers 503 with Retry-After at once, having charged
 * nothing, instead of queueing the charge behind the others; the charges it took go through.
 */
class LoadSheddingTest {
  static RouterHarness h;
  static Api api;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-shedding"), RouterHarness.routingYaml(), 1000,
        yaml -> yaml.replace("http: { host: 127.0.0.1, port: 0, instances: 2 }",
            "http: { host: 127.0.0.1, port: 0, instances: 2, max_charges_in_flight: 2 }"));
    api = new Api(h.vertx, h);
  }

  @AfterAll
  static void stop() throws Exception {
    h.close();
  }


  @Test
  void aChargeBeyondTheLimitIsAnswered503AtOnceAndNothingIsCharged() throws Exception {
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    // Every Fatora answer takes 0.8 s (under the 1 s timeout): the first two charges stay in flight that long.
    await(api.faults("fatora", new JsonObject().put("slow_rate", 1.0).put("slow_ms", 800)));
    try {
      JsonObject body = new JsonObject().put("amount", 1200).put("currency", "USD").put("card_id", card);
      List<Future<HttpResponse<Buffer>>> first = new ArrayList<>();
      for (int i = 0; i < 2; i++) first.add(api.charge(RouterHarness.MERCHANT_KEY, "shed-in-" + i, body));
      Thread.sleep(250); // a test thread: let both be claimed and sent
      long t0 = System.nanoTime();
      HttpResponse<Buffer> shed = await(api.charge(RouterHarness.MERCHANT_KEY, "shed-out", body));
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertEquals(503, shed.statusCode(), shed.bodyAsString());
      assertEquals("1", shed.getHeader("Retry-After"));
      assertTrue(shed.getHeader("Content-Type").startsWith("application/problem+json"));
      assertTrue(ms < 500, "answered at once, not after the others: " + ms + " ms");
      for (Future<HttpResponse<Buffer>> f : first) assertEquals(201, await(f).statusCode(), "the charges it took went through");
      long stored = await(h.app.pool.preparedQuery("SELECT count(*) FROM idempotency_keys WHERE key = $1")
          .execute(Tuple.of("shed-out"))).iterator().next().getLong(0);
      assertEquals(0, stored, "the shed charge was never claimed");
    } finally {
      await(api.clearFaults("fatora"));
    }
    // Below the limit again: the same key is a fresh charge.
    HttpResponse<Buffer> retry = await(api.charge(RouterHarness.MERCHANT_KEY, "shed-out",
        new JsonObject().put("amount", 1200).put("currency", "USD").put("card_id", card)));
    assertEquals(201, retry.statusCode(), retry.bodyAsString());
  }

  @Test
  void answeredChargesWhoseOutcomeIsStillBeingWrittenDoNotCountAgainstTheLimit() throws Exception {
    String card = await(api.card(RouterHarness.MERCHANT_KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    JsonObject body = new JsonObject().put("amount", 1300).put("currency", "USD").put("card_id", card);
    // Hold the outcome writer only: it is the one statement that changes a charge's status, and a
    // trigger makes that wait for an advisory lock this test holds. Claims (INSERT) and the fenced
    // checkpoints (an UPDATE of the attempts alone) pass. The charges are answered all the same;
    // their outcomes wait.
    await(h.app.pool.query("""
        CREATE OR REPLACE FUNCTION test_hold_outcomes() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.status IS DISTINCT FROM OLD.status THEN PERFORM pg_advisory_xact_lock_shared(424242); END IF;
          RETURN NEW;
        END $$""").execute());
    await(h.app.pool.query("CREATE TRIGGER test_hold_outcomes BEFORE UPDATE ON charges FOR EACH ROW "
        + "EXECUTE FUNCTION test_hold_outcomes()").execute());
    io.vertx.sqlclient.SqlConnection locker = await(h.app.pool.getConnection());
    List<String> ids = new ArrayList<>();
    try {
      await(locker.query("SELECT pg_advisory_lock(424242)").execute());
      for (int i = 0; i < 4; i++) {
        HttpResponse<Buffer> r = await(api.charge(RouterHarness.MERCHANT_KEY, "shed-written-" + i, body));
        assertEquals(201, r.statusCode(), "charge " + i + " of 4 with a limit of 2 in flight: " + r.bodyAsString());
        ids.add(r.bodyAsJsonObject().getString("id"));
      }
    } finally {
      await(locker.query("SELECT pg_advisory_unlock(424242)").execute());
      await(locker.close());
      await(h.app.pool.query("DROP TRIGGER test_hold_outcomes ON charges").execute());
    }
    // Released: every outcome becomes durable.
    long deadline = System.nanoTime() + 10_000_000_000L;
    long settled = 0;
    while (System.nanoTime() < deadline) {
      settled = await(h.app.pool.preparedQuery("SELECT count(*) FROM charges WHERE id = ANY($1) AND status = 'succeeded'")
          .execute(Tuple.of(ids.toArray(new String[0])))).iterator().next().getLong(0);
      if (settled == ids.size()) break;
      Thread.sleep(50); // a test thread, polling the database
    }
    assertEquals(ids.size(), settled, "every answered charge's outcome was written once the lock went");
  }
}
