package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.payrouter.simulator.InjectedFaults.Kind;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.net.NetClient;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.Timeout;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The edge's delays (added latency, slow answers) under concurrent load: the request body is read
 * as the call arrives and the delay comes after, so no call fails in the PSP's BodyHandler (which
 * answered an uncounted 500 and logged "BodyHandler invoked after the request has ended" whenever
 * the caller had gone by the time the delay ended).
 */
@ExtendWith(VertxExtension.class)
@Timeout(value = 30, timeUnit = TimeUnit.SECONDS)
class SimEdgeDelayTest {
  static final String BODY_HANDLER_COMPLAINT = "BodyHandler invoked after the request has ended";

  SimulatorServer sim;
  WebClient http;
  ListAppender<ILoggingEvent> log;

  @BeforeEach
  void start(Vertx vertx, VertxTestContext tc) {
    log = new ListAppender<>();
    log.start();
    root().addAppender(log);
    sim = new SimulatorServer(vertx, List.of(new FatoraSimulator()));
    http = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true), new PoolOptions().setHttp1MaxSize(256));
    sim.start(0).onComplete(tc.succeedingThenComplete());
  }

  @AfterEach
  void stop(VertxTestContext tc) {
    root().detachAppender(log);
    http.close();
    sim.close().onComplete(tc.succeedingThenComplete());
  }

  @Test
  void concurrentChargesUnderLatencyAndSlowFaultsAreAllAnsweredByThePsp(VertxTestContext tc) {
    int n = 200;
    List<String> refs = refs(n);
    Map<Integer, Integer> statuses = new TreeMap<>();
    setFaults(new JsonObject().put("latency_ms", 20).put("slow_rate", 0.5).put("slow_ms", 100))
        .compose(x -> Future.all(refs.stream().map(ref -> collect(ref, 10_000)
            .map(r -> {
              synchronized (statuses) {
                statuses.merge(r.statusCode(), 1, Integer::sum);
              }
              return r.bodyAsJsonObject().getString("status");
            })).toList()))
        .onComplete(tc.succeeding(all -> tc.verify(() -> {
          assertEquals(Map.of(200, n), statuses, "every answer is the PSP's own 200");
          for (int i = 0; i < n; i++) assertEquals("SUCCESS", all.resultAt(i));
          for (String ref : refs) assertEquals(1, ledger().byReference(ref).size(), ref);
          long slow = sim.context("fatora").injected().get(Kind.SLOW);
          assertTrue(slow > 0 && slow < n, "slow faults injected: " + slow);
          assertEquals(0, sim.context("fatora").injected().get(Kind.ERROR), "no 500 was injected");
          assertEquals(List.of(), complaints());
          tc.completeNow();
        })));
  }

  @Test
  void chargesWhoseCallerGaveUpDuringTheLatencyAreStillProcessedAndNothingFails(Vertx vertx, VertxTestContext tc) {
    int n = 50;
    List<String> refs = refs(n);
    NetClient net = vertx.createNetClient();
    setFaults(new JsonObject().put("latency_ms", 400))
        // Each caller sends its whole request, then hangs up 100 ms later: during the latency.
        .compose(x -> Future.all(refs.stream().map(ref -> sendThenHangUp(vertx, net, ref, 100)).toList()))
        .compose(x -> vertx.timer(1_000))
        .onComplete(tc.succeeding(x -> tc.verify(() -> {
          // A real PSP does not know its caller left: the call it received is processed.
          for (String ref : refs) assertEquals(1, ledger().byReference(ref).size(), ref);
          assertEquals(new JsonObject().put("ambiguous", 0).put("reset", 0).put("slow", 0).put("error", 0)
              .put("timeout", 0).put("down", 0), injectedWithoutDeferrals());
          assertEquals(List.of(), complaints());
          net.close();
          tc.completeNow();
        })));
  }

  /** A collect-payment written whole on a fresh connection, which is closed {@code afterMs} later. */
  Future<Void> sendThenHangUp(Vertx vertx, NetClient net, String ref, long afterMs) {
    String body = new JsonObject().put("card_token", "ft_ok").put("order_id", ref).put("amount", 19.99).encode();
    String request = "POST /fatora/v1/payments/collect-payment HTTP/1.1\r\nHost: 127.0.0.1\r\n"
        + "api_key: " + SimCredentials.FATORA_API_KEY + "\r\ncontent-type: application/json\r\n"
        + "content-length: " + body.getBytes(java.nio.charset.StandardCharsets.UTF_8).length + "\r\n\r\n" + body;
    return net.connect(sim.port(), "127.0.0.1").compose(socket -> socket.write(request)
        .compose(v -> vertx.timer(afterMs))
        .compose(t -> socket.close()));
  }

  @Test
  void slowInquiriesWhoseCallerGaveUpAreCountedAndFailNothing(Vertx vertx, VertxTestContext tc) {
    int n = 30;
    setFaults(new JsonObject().put("slow_rate", 1.0).put("slow_ms", 300))
        .compose(x -> Future.join(refs(n).stream().map(ref -> http.postAbs(sim.baseUrl() + "/fatora/v1/payments/verify")
            .timeout(50).putHeader("api_key", SimCredentials.FATORA_API_KEY)
            .sendJsonObject(new JsonObject().put("order_id", ref))).toList()).transform(ar -> vertx.timer(800)))
        .onComplete(tc.succeeding(x -> tc.verify(() -> {
          assertEquals(n, sim.context("fatora").injected().get(Kind.SLOW));
          assertEquals(List.of(), complaints());
          tc.completeNow();
        })));
  }

  // ---------------------------------------------------------------- helpers

  Future<io.vertx.ext.web.client.HttpResponse<io.vertx.core.buffer.Buffer>> collect(String ref, long timeoutMs) {
    return http.postAbs(sim.baseUrl() + "/fatora/v1/payments/collect-payment").timeout(timeoutMs)
        .putHeader("api_key", SimCredentials.FATORA_API_KEY)
        .sendJsonObject(new JsonObject().put("card_token", "ft_ok").put("order_id", ref).put("amount", 19.99));
  }

  Future<Void> setFaults(JsonObject faults) {
    return http.postAbs(sim.baseUrl() + "/_sim/fatora/faults").sendJsonObject(faults).compose(r ->
        r.statusCode() == 200 ? Future.succeededFuture() : Future.failedFuture("faults refused: " + r.bodyAsString()));
  }

  JsonObject injectedWithoutDeferrals() {
    JsonObject o = sim.context("fatora").injected().toJson();
    o.remove("late");
    o.remove("cancel");
    o.remove("decline");
    return o;
  }

  /** The first few log events that are the BodyHandler's complaint, or any error logged by Vert.x Web. */
  List<String> complaints() {
    List<String> out = new ArrayList<>();
    for (ILoggingEvent e : log.list) {
      String text = e.getFormattedMessage() + (e.getThrowableProxy() == null ? "" : " " + e.getThrowableProxy().getMessage());
      if (text.contains(BODY_HANDLER_COMPLAINT) || (e.getLoggerName().startsWith("io.vertx.ext.web")
          && e.getLevel().isGreaterOrEqual(ch.qos.logback.classic.Level.ERROR))) {
        if (out.size() < 3) out.add(e.getLoggerName() + ": " + text);
      }
    }
    return out;
  }

  Ledger ledger() {
    return sim.context("fatora").ledger();
  }

  static List<String> refs(int n) {
    List<String> refs = new ArrayList<>();
    for (int i = 0; i < n; i++) refs.add("ch_" + UUID.randomUUID().toString().replace("-", ""));
    return refs;
  }

  static Logger root() {
    return (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
  }
}
