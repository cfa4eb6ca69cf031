package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.simulator.fatora.FatoraSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The merchant-webhook sink over real HTTP on loopback: what it records, lists and clears, and its bounds. */
@ExtendWith(VertxExtension.class)
@Timeout(value = 60, timeUnit = TimeUnit.SECONDS)
class WebhookSinkTest {
  SimulatorServer sim;
  WebClient http;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc) {
    sim = new SimulatorServer(vertx, List.of(new FatoraSimulator()));
    http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(8));
    sim.start(0).onComplete(tc.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext tc) {
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  @Test
  void recordsTheHeadersAndBodyAndListsThemNewestLast(VertxTestContext tc) {
    post("orders", "evt_1", event("evt_1", "charge.succeeded"), "")
        .compose(r1 -> {
          tc.verify(() -> assertEquals(204, r1.statusCode()));
          return post("orders", "evt_2", event("evt_2", "charge.declined"), "");
        })
        .compose(r2 -> post("orders", "evt_3", "not json", "?status=500"))
        .compose(r3 -> {
          tc.verify(() -> assertEquals(500, r3.statusCode(), "?status= is the answer"));
          return Future.all(list("orders", ""), list("orders", "?limit=2"), list("nobody", ""));
        })
        .onComplete(tc.succeeding(all -> tc.verify(() -> {
          JsonObject full = all.resultAt(0);
          assertEquals(3, full.getLong("received"));
          JsonArray ev = full.getJsonArray("events");
          assertEquals(3, ev.size());
          JsonObject first = ev.getJsonObject(0);
          assertEquals("evt_1", first.getString("webhook_id"));
          assertEquals("1767225600", first.getString("timestamp"));
          assertEquals("v1,sig-evt_1", first.getString("signature"));
          assertEquals("charge.succeeded", first.getString("type"));
          assertEquals(event("evt_1", "charge.succeeded"), first.getString("body"));
          assertEquals(204, first.getInteger("status"));
          assertTrue(first.getString("received_at").startsWith("20"));
          assertEquals("charge.declined", ev.getJsonObject(1).getString("type"));
          assertNull(ev.getJsonObject(2).getString("type"), "a body that is not JSON has no type");
          assertEquals(500, ev.getJsonObject(2).getInteger("status"));

          JsonArray two = ((JsonObject) all.resultAt(1)).getJsonArray("events");
          assertEquals(List.of("evt_2", "evt_3"), ids(two), "the limit keeps the newest");
          assertEquals(3, ((JsonObject) all.resultAt(1)).getLong("received"));

          JsonObject none = all.resultAt(2);
          assertEquals(0, none.getLong("received"));
          assertEquals(0, none.getJsonArray("events").size());
          tc.completeNow();
        })));
  }

  @Test
  void keepsTheLatestThousandPerNameAndCountsEveryOne(VertxTestContext tc) {
    int n = WebhookSink.PER_NAME + 50;
    Future<?> chain = Future.succeededFuture();
    for (int i = 1; i <= n; i++) {
      String id = "evt_" + i;
      chain = chain.compose(x -> post("bench", id, event(id, "charge.succeeded"), "").map(r -> {
        if (r.statusCode() != 204) throw new IllegalStateException("answered " + r.statusCode());
        return r;
      }));
    }
    chain.compose(x -> list("bench", ""))
        .onComplete(tc.succeeding(j -> tc.verify(() -> {
          assertEquals(n, j.getLong("received"));
          assertEquals(WebhookSink.PER_NAME, j.getInteger("held"));
          assertEquals(50, j.getLong("dropped"));
          List<String> ids = ids(j.getJsonArray("events"));
          assertEquals("evt_51", ids.get(0), "the oldest were dropped");
          assertEquals("evt_" + n, ids.get(ids.size() - 1));
          tc.completeNow();
        })));
  }

  @Test
  void boundsTheBytesHeldOverAllNamesAndRefusesOversizedBodies(VertxTestContext tc) {
    String big = "x".repeat(60 * 1024);
    int n = (int) (WebhookSink.MAX_BYTES / big.length()) + 40;
    Future<?> chain = Future.succeededFuture();
    for (int i = 1; i <= n; i++) {
      String id = "evt_" + i;
      chain = chain.compose(x -> post(id.hashCode() % 2 == 0 ? "a" : "b", id, big, ""));
    }
    chain.compose(x -> post("a", "evt_huge", "y".repeat(WebhookSink.BODY_LIMIT + 1), ""))
        .compose(r -> {
          tc.verify(() -> assertEquals(413, r.statusCode(), "a body over the limit is refused"));
          return Future.all(list("a", "?limit=0"), list("b", "?limit=0"));
        })
        .onComplete(tc.succeeding(all -> tc.verify(() -> {
          JsonObject a = all.resultAt(0);
          JsonObject b = all.resultAt(1);
          assertEquals(n, a.getLong("received") + b.getLong("received"), "every delivery is counted");
          assertTrue(a.getLong("dropped") + b.getLong("dropped") >= 40, "the oldest went to keep the byte bound");
          long held = sim.sink().bytesHeld();
          assertTrue(held <= WebhookSink.MAX_BYTES + WebhookSink.MAX_NAMES * (long) WebhookSink.BODY_LIMIT,
              "bytes held: " + held);
          assertTrue(held > WebhookSink.MAX_BYTES / 2, "bytes held: " + held);
          assertEquals(0, a.getJsonArray("events").size(), "limit=0 lists nothing");
          tc.completeNow();
        })));
  }

  @Test
  void atMostAHundredNamesAndClearingForgetsOne(VertxTestContext tc) {
    List<Future<HttpResponse<Buffer>>> posts = new ArrayList<>();
    for (int i = 0; i < WebhookSink.MAX_NAMES; i++) posts.add(post("n" + i, "evt_" + i, event("evt_" + i, "charge.failed"), ""));
    Future.all(posts)
        .compose(x -> post("one-too-many", "evt_x", "{}", ""))
        .compose(r -> {
          tc.verify(() -> assertEquals(429, r.statusCode(), "the 101st name is refused"));
          return http.request(HttpMethod.DELETE, sim.port(), "127.0.0.1", "/_sim/webhook-sink/n0").send();
        })
        .compose(r -> {
          tc.verify(() -> assertEquals(204, r.statusCode()));
          return list("n0", "");
        })
        .compose(j -> {
          tc.verify(() -> {
            assertEquals(0, j.getLong("received"), "cleared");
            assertEquals(0, j.getJsonArray("events").size());
          });
          return post("one-too-many", "evt_x", "{}", "");
        })
        .compose(r -> {
          tc.verify(() -> assertEquals(204, r.statusCode(), "a freed name makes room"));
          return Future.all(posts.subList(1, posts.size()).stream()
              .map(p -> http.request(HttpMethod.DELETE, sim.port(), "127.0.0.1", "/_sim/webhook-sink/n" + posts.indexOf(p)).send())
              .toList());
        })
        .compose(x -> http.request(HttpMethod.DELETE, sim.port(), "127.0.0.1", "/_sim/webhook-sink/one-too-many").send())
        .onComplete(tc.succeeding(x -> tc.verify(() -> {
          assertEquals(0, sim.sink().bytesHeld(), "every name cleared: nothing held");
          tc.completeNow();
        })));
  }

  private Future<HttpResponse<Buffer>> post(String name, String id, String body, String query) {
    return http.request(HttpMethod.POST, sim.port(), "127.0.0.1", "/_sim/webhook-sink/" + name + query)
        .putHeader("content-type", "application/json").putHeader("webhook-id", id)
        .putHeader("webhook-timestamp", "1767225600").putHeader("webhook-signature", "v1,sig-" + id)
        .sendBuffer(Buffer.buffer(body));
  }

  private Future<JsonObject> list(String name, String query) {
    return http.request(HttpMethod.GET, sim.port(), "127.0.0.1", "/_sim/webhook-sink/" + name + query).send()
        .map(r -> {
          if (r.statusCode() != 200) throw new IllegalStateException("GET answered " + r.statusCode() + ": " + r.bodyAsString());
          return r.bodyAsJsonObject();
        });
  }

  private static String event(String id, String type) {
    return new JsonObject().put("id", id).put("type", type).put("timestamp", "2026-01-01T00:00:00Z")
        .put("data", new JsonObject().put("id", "ch_1").put("amount", 1000)).encode();
  }

  private static List<String> ids(JsonArray events) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < events.size(); i++) out.add(events.getJsonObject(i).getString("webhook_id"));
    return out;
  }
}
