package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.sqlclient.Row;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;

/**
 * A router stopped (SIGTERM's path: {@code Application.close}) while a webhook attempt is in
 * flight waits for its answer and records it: after the restart the delivery is {@code delivered}
 * with one attempt, and the receiver is not sent it again. (It used to close the result writer
 * first: the row stayed leased to the stopped instance and was sent again after the lease.)
 */
class WebhookShutdownTest {
  @Test
  void aDeliveryAnsweredDuringShutdownIsRecordedAndNotSentAgain() throws Exception {
    Vertx vertx = Vertx.vertx();
    List<String> got = new CopyOnWriteArrayList<>();
    HttpServer receiver = await(vertx.createHttpServer().requestHandler(req -> req.body().onSuccess(b -> {
      got.add(req.getHeader("webhook-id"));
      vertx.setTimer(700, t -> req.response().setStatusCode(204).end()); // answered during the shutdown
    })).listen(0, "127.0.0.1"));
    Path dir = Files.createTempDirectory("webhook-shutdown");
    String endpointId;
    String chargeId;
    RouterHarness h = RouterHarness.start(dir, RouterHarness.routingYaml());
    try {
      Api api = new Api(h.vertx, h);
      HttpResponse<Buffer> ep = await(api.post("/v1/webhook_endpoints", RouterHarness.MERCHANT_KEY,
          new JsonObject().put("url", "http://127.0.0.1:" + receiver.actualPort() + "/hook")));
      assertEquals(201, ep.statusCode(), ep.bodyAsString());
      endpointId = ep.bodyAsJsonObject().getString("id");
      chargeId = await(ConnectorContractTest.charge(api, "processout", "processout", "", 3000)).getString("id");
      long end = System.currentTimeMillis() + 10_000;
      while (got.isEmpty() && System.currentTimeMillis() < end) Thread.sleep(10);
      assertEquals(1, got.size(), "the delivery is in flight");
    } finally {
      h.close(); // while the receiver has not answered yet
    }
    RouterHarness again = RouterHarness.start(dir, RouterHarness.routingYaml());
    try {
      Thread.sleep(1_500); // a leased row would not be due yet; a released unanswered one would go now
      Row row = await(again.app.pool.preparedQuery("SELECT status, attempts, owner FROM webhook_deliveries "
          + "WHERE endpoint_id = $1 AND charge_id = $2").execute(io.vertx.sqlclient.Tuple.of(endpointId, chargeId)))
          .iterator().next();
      assertEquals("delivered", row.getString("status"), "recorded before the writers closed");
      assertEquals(1, row.getInteger("attempts"));
      assertEquals(1, got.size(), "not sent again: " + got);
      assertTrue(row.getString("owner") == null, "held by no one");
    } finally {
      again.close();
      await(receiver.close());
      await(vertx.close());
    }
  }
}
