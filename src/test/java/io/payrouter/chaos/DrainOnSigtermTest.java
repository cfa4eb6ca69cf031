package io.payrouter.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.Psps;
import io.payrouter.simulator.SimulatorServer;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * SIGTERM drains (README, Operations, "Stopping"): a router child process (the embedded default,
 * PSPs in this JVM answering after 250 ms, so charges are in flight) gets SIGTERM while 8 merchants
 * charge as fast as it answers. Then, on its own database (started again by the test from the data
 * directory the router left): every charge answered 201/202 is there with the answered status, or
 * a later final one when it was pending; nothing is {@code processing}; no charge exists for a
 * request refused with 503 while draining; the refusals were problem+json with Retry-After;
 * readiness went DOWN while the in-flight charges finished; at least one charge in flight at the
 * SIGTERM was answered after it; and the process exited within {@code http.drain_timeout_ms} + 20 s.
 * Bounded: 8 clients, at most 12 s of load, every request 5 s.
 */
class DrainOnSigtermTest {
  private static final int CLIENTS = 8;
  private static final long EXIT_BOUND_MS = 10_000 + 20_000;

  record Sent(String key, long sentAt, long at, int http, String id, String status, String body, String retryAfter,
      String contentType) {}

  @Test
  @Timeout(value = 150, unit = TimeUnit.SECONDS)
  void sigtermTurnsReadinessDownRefusesNewChargesAndLetsTheOnesInFlightFinishDurably() throws Exception {
    Path out = ChaosRun.defaultOut("drain");
    Files.createDirectories(out);
    Vertx vertx = Vertx.vertx(new VertxOptions().setEventLoopPoolSize(2).setWorkerPoolSize(2));
    SimulatorServer sims = new SimulatorServer(vertx, Psps.simulators());
    ChaosRun.await(sims.start(0), 10_000);
    int port = ChaosRun.freePort();
    String url = "http://127.0.0.1:" + port;
    Path dataDir = out.resolve("data");
    ChaosPlan plan = ChaosPlan.ci();
    Files.writeString(out.resolve("router.yaml"), ChaosRun.routerYaml(dataDir, port, sims.baseUrl(), plan));
    Files.writeString(out.resolve("routing.yaml"), ChaosRun.routingYaml());
    RouterProcess router = new RouterProcess(out.resolve("router.yaml"), out, url);
    PgControl pg = new PgControl(dataDir.resolve("pg"), out.resolve("postgres.log"));
    Traffic setup = new Traffic(vertx, url, ChaosRun.MERCHANT_KEY, plan, "drain" + System.currentTimeMillis());
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    ConcurrentLinkedQueue<Sent> sent = new ConcurrentLinkedQueue<>();
    ConcurrentLinkedQueue<String> readiness = new ConcurrentLinkedQueue<>();
    List<Thread> clients = new ArrayList<>();
    try {
      router.start();
      assertTrue(router.awaitReady(90_000), "the router did not start:\n" + router.tail(30));
      pg.learn();
      ChaosRun.await(setup.createCards(4), 60_000);
      List<String> cards = setup.cards();
      for (String p : Psps.types()) ChaosRun.await(setup.faults(sims.baseUrl(), p, new JsonObject().put("latency_ms", 250)), 5_000);

      long start = System.currentTimeMillis();
      long stopBy = start + 12_000;
      AtomicLong sigtermAt = new AtomicLong(Long.MAX_VALUE);
      AtomicInteger seq = new AtomicInteger();
      for (int c = 0; c < CLIENTS; c++) {
        int client = c;
        Thread t = new Thread(() -> {
          // Charges as fast as answered; after the SIGTERM only until the router stops listening.
          while (System.currentTimeMillis() < stopBy) {
            String key = "drain-" + start + "-" + seq.incrementAndGet();
            JsonObject body = new JsonObject().put("amount", 1_000 + (seq.get() % 50) * 100 + 12).put("currency", "USD")
                .put("card_id", cards.get(client % cards.size())).put("merchant_reference", key);
            long s = System.currentTimeMillis();
            try {
              HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/v1/charges"))
                  .timeout(Duration.ofSeconds(5)).header("Authorization", "Bearer " + ChaosRun.MERCHANT_KEY)
                  .header("Idempotency-Key", key).header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body.encode())).build(), HttpResponse.BodyHandlers.ofString());
              JsonObject b = r.body().startsWith("{") ? new JsonObject(r.body()) : new JsonObject();
              sent.add(new Sent(key, s, System.currentTimeMillis(), r.statusCode(), b.getString("id"), b.getString("status"),
                  r.body(), r.headers().firstValue("Retry-After").orElse(null),
                  r.headers().firstValue("Content-Type").orElse(null)));
              if (r.statusCode() == 503) Thread.sleep(20);
            } catch (Exception e) {
              sent.add(new Sent(key, s, System.currentTimeMillis(), 0, null, null, String.valueOf(e), null, null));
              if (System.currentTimeMillis() > sigtermAt.get()) return; // it stopped listening
              try {
                Thread.sleep(50);
              } catch (InterruptedException ie) {
                return;
              }
            }
          }
        }, "drain-client-" + c);
        t.setDaemon(true);
        clients.add(t);
        t.start();
      }
      Thread poller = new Thread(() -> {
        while (System.currentTimeMillis() < stopBy && router.alive()) {
          try {
            HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
                .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.ofString());
            if (System.currentTimeMillis() > sigtermAt.get()) readiness.add(r.statusCode() + " " + r.body());
            Thread.sleep(10);
          } catch (Exception e) {
            if (System.currentTimeMillis() > sigtermAt.get()) return;
          }
        }
      }, "drain-ready-poller");
      poller.setDaemon(true);
      poller.start();

      Thread.sleep(3_000);
      sigtermAt.set(System.currentTimeMillis());
      long exitMs = router.terminate(EXIT_BOUND_MS);
      for (Thread t : clients) t.join(10_000);
      poller.join(5_000);
      String log = Files.readString(router.log());
      assertTrue(exitMs >= 0, "the router did not exit within " + EXIT_BOUND_MS + " ms of SIGTERM:\n" + router.tail(30));

      // ------------------------------------------------------------ its database, read directly
      pg.start();
      Map<String, String[]> byKey = new HashMap<>(); // key -> {id, status}
      int processing = 0;
      try (Connection c = pg.connect(pg.port()); Statement st = c.createStatement();
          ResultSet rs = st.executeQuery("SELECT id, idempotency_key, status FROM charges")) {
        while (rs.next()) {
          byKey.put(rs.getString(2), new String[] {rs.getString(1), rs.getString(3)});
          if ("processing".equals(rs.getString(3))) processing++;
        }
      }
      pg.stop("fast");

      long t = sigtermAt.get();
      List<String> problems = new ArrayList<>();
      int accepted = 0;
      int drained = 0;
      int refused = 0;
      for (Sent s : sent) {
        boolean ok = s.http() == 201 || s.http() == 202;
        if (ok) {
          accepted++;
          String[] row = byKey.get(s.key());
          if (row == null) {
            problems.add(s.key() + " answered " + s.http() + " " + s.status() + " (" + s.id() + ") but is not in the database");
          } else if (!row[0].equals(s.id())) {
            problems.add(s.key() + " answered as " + s.id() + " but the database has " + row[0]);
          } else if (!"pending".equals(s.status()) && !row[1].equals(s.status())) {
            problems.add(s.key() + " answered " + s.status() + " but the database says " + row[1]);
          } else if ("pending".equals(s.status()) && "processing".equals(row[1])) {
            problems.add(s.key() + " answered pending but is still processing in the database");
          }
          if (s.sentAt() < t && s.at() > t) drained++;
        } else if (s.http() == 503) {
          if (s.at() > t) refused++;
          if (!"1".equals(s.retryAfter()) || s.contentType() == null || !s.contentType().startsWith("application/problem+json")) {
            problems.add(s.key() + " 503 without Retry-After: 1 or problem+json: " + s.retryAfter() + " " + s.contentType());
          }
          if (byKey.containsKey(s.key())) problems.add(s.key() + " refused 503 but a charge exists: " + byKey.get(s.key())[1]);
        } else if (s.http() != 0) {
          problems.add(s.key() + " unexpected HTTP " + s.http() + ": " + s.body());
        }
        // No answer: the router had stopped listening (or never read it). If it made a charge, the
        // charge must not be left processing: counted below for every row.
      }
      List<String> ready = new ArrayList<>(readiness);
      int firstDown = -1;
      for (int i = 0; i < ready.size() && firstDown < 0; i++) {
        if (ready.get(i).startsWith("503") && ready.get(i).contains("shutting down")) firstDown = i;
      }
      boolean readyDown = firstDown >= 0;
      // Once DOWN, it stays DOWN (a probe already in flight at the SIGTERM may still have said UP).
      boolean readyUpAfter = readyDown && ready.subList(firstDown, ready.size()).stream().anyMatch(r -> r.startsWith("200"));
      String report = "exit " + exitMs + " ms after SIGTERM; " + sent.size() + " requests, " + accepted + " accepted, "
          + drained + " in flight at the SIGTERM and answered after it, " + refused + " refused while draining; readiness"
          + " after SIGTERM " + readiness.stream().map(r -> r.substring(0, 3)).distinct().toList() + "; " + processing
          + " processing in the database";
      System.out.println("[drain] " + report);
      Files.writeString(out.resolve("summary.txt"), report + "\n" + String.join("\n", problems) + "\n");
      assertEquals(List.of(), problems, report);
      assertEquals(0, processing, report);
      assertTrue(drained >= 1, "no charge was in flight at the SIGTERM: the test proves nothing. " + report);
      assertTrue(readyDown, "readiness never answered 503 'shutting down' after the SIGTERM: " + readiness);
      assertTrue(!readyUpAfter, "readiness answered 200 after it had answered 503 'shutting down': " + readiness);
      assertTrue(log.contains("draining:") && log.contains("stopped in"), "the log does not tell the drain:\n" + router.tail(20));
      assertTrue(refused >= 1 || drained >= 1, report);
    } finally {
      for (Thread t : clients) t.interrupt();
      setup.close();
      router.kill();
      pg.stopLeftover();
      ChaosRun.await(sims.close(), 5_000);
      ChaosRun.await(vertx.close(), 10_000);
    }
  }
}
