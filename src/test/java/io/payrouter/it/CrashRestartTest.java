package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The router as a real process, the way a supervisor runs it: killed with SIGKILL it starts again
 * on the same data (its embedded PostgreSQL, left running by the killed process, is shut down and
 * started afresh), and a router that cannot start exits non-zero at once instead of hanging.
 */
class CrashRestartTest {
  static final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  static Path config(Path dir, int port) throws IOException {
    Files.createDirectories(dir);
    Files.writeString(dir.resolve("routing.yaml"), RouterHarness.routingYaml());
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(cfg, RouterHarness.routerYaml(dir).replace("http: { host: 127.0.0.1, port: 0,",
        "http: { host: 127.0.0.1, port: " + port + ","));
    return cfg;
  }

  static Process router(Path cfg, Path log) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    return new ProcessBuilder(java, "-Xmx256m", "-Dvertx.disableDnsResolver=true", "-cp",
        System.getProperty("java.class.path"), "io.payrouter.Main", "--config", cfg.toString())
        .redirectErrorStream(true).redirectOutput(log.toFile()).start();
  }

  static int status(String method, int port, String path, String key, String body) {
    try {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
          .timeout(Duration.ofSeconds(5));
      if (key != null) b.header("Authorization", "Bearer " + key);
      if (body != null) {
        b.header("Content-Type", "application/json").header("Idempotency-Key", "crash-" + body.hashCode());
        b.method(method, HttpRequest.BodyPublishers.ofString(body));
      } else {
        b.method(method, HttpRequest.BodyPublishers.noBody());
      }
      return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (Exception e) {
      return -1;
    }
  }

  static String get(int port, String path, String key) throws Exception {
    HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
        .header("Authorization", "Bearer " + key).timeout(Duration.ofSeconds(5)).build();
    return http.send(r, HttpResponse.BodyHandlers.ofString()).body();
  }

  static void awaitReady(Process p, int port, Path log) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    while (System.nanoTime() < deadline) {
      if (!p.isAlive()) throw new AssertionError("router exited " + p.exitValue() + ":\n" + Files.readString(log));
      if (status("GET", port, "/health/ready", null, null) == 200) return;
      Thread.sleep(100);
    }
    throw new AssertionError("router not ready in 60 s:\n" + Files.readString(log));
  }

  @Test
  void aRouterKilledWithSigkillStartsAgainOnTheSameData() throws Exception {
    Path dir = Files.createTempDirectory("router-crash");
    int port = freePort();
    Path cfg = config(dir, port);
    Process first = router(cfg, dir.resolve("first.log"));
    String card;
    try {
      awaitReady(first, port, dir.resolve("first.log"));
      String cardJson = "{\"brand\":\"visa\",\"tokens\":{\"fatora\":{\"card_token\":\"tok_crash\"}}}";
      HttpRequest r = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/v1/cards"))
          .header("Authorization", "Bearer " + RouterHarness.MERCHANT_KEY).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(cardJson)).build();
      String body = http.send(r, HttpResponse.BodyHandlers.ofString()).body();
      card = new io.vertx.core.json.JsonObject(body).getString("id");
      assertEquals(201, status("POST", port, "/v1/charges", RouterHarness.MERCHANT_KEY,
          "{\"amount\":1500,\"currency\":\"USD\",\"card_id\":\"" + card + "\"}"));
    } finally {
      first.destroyForcibly(); // SIGKILL: no shutdown hook runs, PostgreSQL is left behind
      first.waitFor(10, TimeUnit.SECONDS);
    }
    long t0 = System.nanoTime();
    Process second = router(cfg, dir.resolve("second.log"));
    try {
      awaitReady(second, port, dir.resolve("second.log"));
      assertTrue(TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) < 45, "started again in time");
      String replay = get(port, "/v1/cards/" + card, RouterHarness.MERCHANT_KEY);
      assertTrue(replay.contains(card), replay);
      assertEquals(201, status("POST", port, "/v1/charges", RouterHarness.MERCHANT_KEY,
          "{\"amount\":1501,\"currency\":\"USD\",\"card_id\":\"" + card + "\"}"), "takes charges again");
    } finally {
      second.destroy();
      second.waitFor(30, TimeUnit.SECONDS);
    }
  }

  @Test
  void aRouterThatCannotStartExitsNonZeroAtOnce() throws Exception {
    Path dir = Files.createTempDirectory("router-nostart");
    try (ServerSocket taken = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
      Path cfg = config(dir, taken.getLocalPort()); // its HTTP port is already in use
      Process p = router(cfg, dir.resolve("router.log"));
      boolean exited = p.waitFor(60, TimeUnit.SECONDS);
      if (!exited) p.destroyForcibly();
      assertTrue(exited, "the router exits instead of hanging:\n" + Files.readString(dir.resolve("router.log")));
      assertNotEquals(0, p.exitValue());
      assertTrue(Files.readString(dir.resolve("router.log")).contains("could not start"));
      assertTrue(List.of(dir.resolve("data/pg/postmaster.pid")).stream().noneMatch(Files::exists),
          "its embedded PostgreSQL was stopped");
    }
  }
}
