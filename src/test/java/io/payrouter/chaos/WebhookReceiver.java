package io.payrouter.chaos;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.pgclient.PgConnection;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The merchant's side of the chaos run's webhooks: an HTTP server on loopback in the chaos JVM
 * that records every request (its {@code webhook-id}, headers, body, when it arrived and when its
 * answer was written) and answers 200 after {@link #DELAY_MS} (so two requests of one event at
 * once would overlap visibly). The first attempt of every {@code failEvery}-th event is answered
 * 500, so the routers' retries run under the chaos too. It outlives every fault of the run.
 *
 * <p>Also the run's reads of the outbox ({@code webhook_deliveries}), through the Vert.x
 * PostgreSQL client on a connection of their own per read (PostgreSQL restarts during the run).
 */
final class WebhookReceiver {
  /** How long each answer takes. */
  static final long DELAY_MS = 20;

  private final Vertx vertx;
  private final int failEvery;
  private HttpServer server;
  private final WebClient client;
  /** Arrival order. */
  private final AtomicLong seq = new AtomicLong();
  /** Every request, in arrival order (guarded by itself). */
  private final List<Verifier.Hook> hooks = new ArrayList<>();
  /** Event ids seen (guarded by {@link #hooks}), to count events for the injected failures. */
  private final Set<String> seen = new HashSet<>();
  /** Request seq → the sender's address (its connection), for the run's webhooks.csv (guarded by {@link #hooks}). */
  private final Map<Long, String> remotes = new java.util.HashMap<>();
  private volatile String endpointId;
  private volatile String secret;

  WebhookReceiver(Vertx vertx, int failEvery) {
    this.vertx = vertx;
    this.failEvery = failEvery;
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(2_000));
  }

  Future<WebhookReceiver> start() {
    return vertx.createHttpServer().requestHandler(this::handle).listen(0, "127.0.0.1").map(s -> {
      server = s;
      return this;
    });
  }

  String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/chaos/webhooks";
  }

  String endpointId() {
    return endpointId;
  }

  String secret() {
    return secret;
  }

  private void handle(HttpServerRequest req) {
    long start = Clock.micros();
    long n = seq.incrementAndGet();
    String id = req.getHeader("webhook-id");
    String remote = String.valueOf(req.remoteAddress());
    Map<String, String> headers = new TreeMap<>();
    req.headers().forEach((k, v) -> headers.put(k.toLowerCase(Locale.ROOT), v));
    req.body().onComplete(ar -> {
      String body = ar.succeeded() ? ar.result().toString() : "";
      int status;
      synchronized (hooks) {
        boolean first = seen.add(String.valueOf(id));
        status = first && failEvery > 0 && seen.size() % failEvery == 0 ? 500 : 200;
      }
      vertx.setTimer(DELAY_MS, t -> {
        // a request whose body or answer did not get through counts as answered 0 (not delivered)
        Future<Void> ended = ar.succeeded() ? req.response().setStatusCode(status).end()
            : Future.failedFuture(ar.cause());
        ended.onComplete(x -> {
          synchronized (hooks) {
            hooks.add(new Verifier.Hook(n, String.valueOf(id), headers, body, start, Clock.micros(),
                x.succeeded() ? status : 0));
            remotes.put(n, remote);
          }
        });
      });
    });
  }

  /** Everything received so far, in arrival order. */
  List<Verifier.Hook> received() {
    synchronized (hooks) {
      List<Verifier.Hook> l = new ArrayList<>(hooks);
      l.sort(java.util.Comparator.comparingLong(Verifier.Hook::seq));
      return l;
    }
  }

  /** One line per request (seq, webhook-id, type, arrival and answer in epoch µs, status, sender's address). */
  String csv() {
    StringBuilder b = new StringBuilder("seq,webhook_id,type,start_us,end_us,answered,remote\n");
    for (Verifier.Hook h : received()) {
      String type;
      try {
        type = new JsonObject(h.body()).getString("type");
      } catch (RuntimeException e) {
        type = "?";
      }
      String remote;
      synchronized (hooks) {
        remote = remotes.get(h.seq());
      }
      b.append(h.seq()).append(',').append(h.webhookId()).append(',').append(type).append(',').append(h.startUs())
          .append(',').append(h.endUs()).append(',').append(h.answered()).append(',').append(remote).append('\n');
    }
    return b.toString();
  }

  /** Subscribes an endpoint for every event type of the merchant with {@code apiKey} (bounded retries). */
  Future<JsonObject> subscribe(String apiUrl, String apiKey, int triesLeft) {
    return client.postAbs(apiUrl + "/v1/webhook_endpoints").putHeader("Authorization", "Bearer " + apiKey)
        .timeout(5_000).sendJsonObject(new JsonObject().put("url", url()).put("description", "chaos suite receiver"))
        .compose(r -> r.statusCode() == 201 ? Future.succeededFuture(r.bodyAsJsonObject())
            : Future.<JsonObject>failedFuture("POST /v1/webhook_endpoints: HTTP " + r.statusCode() + " " + r.bodyAsString()))
        .recover(err -> triesLeft <= 1 ? Future.<JsonObject>failedFuture(err)
            : Future.<Void>future(p -> vertx.setTimer(500, t -> p.complete())).compose(v -> subscribe(apiUrl, apiKey, triesLeft - 1)))
        .map(e -> {
          endpointId = e.getString("id");
          secret = e.getString("secret");
          return e;
        });
  }

  // ---------------------------------------------------------------- the outbox

  private Future<PgConnection> connect(int port) {
    return PgConnection.connect(vertx, new PgConnectOptions().setHost("127.0.0.1").setPort(port).setUser("postgres")
        .setPassword("postgres").setDatabase("postgres"));
  }

  /** Deliveries of the endpoint still pending. */
  Future<Integer> pending(int port) {
    return connect(port).compose(c -> c.preparedQuery("SELECT count(*) FROM webhook_deliveries "
            + "WHERE endpoint_id = $1 AND status = 'pending'").execute(Tuple.of(endpointId))
        .map(rs -> rs.iterator().next().getInteger(0))
        .eventually(() -> c.close()));
  }

  /** Every delivery of the endpoint ({@code refundId} from a refund event's body). */
  Future<List<Verifier.DeliveryRow>> deliveries(int port) {
    return connect(port).compose(c -> c.preparedQuery("SELECT event_id, event_type, charge_id, event_seq, status, "
            + "attempts, (extract(epoch FROM created_at) * 1000)::int8, body FROM webhook_deliveries "
            + "WHERE endpoint_id = $1 ORDER BY id").execute(Tuple.of(endpointId))
        .map(rs -> {
          List<Verifier.DeliveryRow> out = new ArrayList<>();
          for (Row r : rs) {
            String type = r.getString(1);
            String refund = null;
            if (type.startsWith("refund.") && r.getString(7) != null) {
              JsonObject data = new JsonObject(r.getString(7)).getJsonObject("data");
              refund = data == null ? null : data.getString("id");
            }
            out.add(new Verifier.DeliveryRow(r.getString(0), type, r.getString(2), refund, r.getInteger(3),
                r.getString(4), r.getInteger(5), r.getLong(6)));
          }
          return out;
        })
        .eventually(() -> c.close()));
  }

  Future<Void> close() {
    client.close();
    return server == null ? Future.succeededFuture() : server.close();
  }

  /** Epoch microseconds, monotonic within the run (wall clock at the start plus the monotonic clock since). */
  static final class Clock {
    private static final long WALL_US = System.currentTimeMillis() * 1_000;
    private static final long NANO = System.nanoTime();

    static long micros() {
      return WALL_US + (System.nanoTime() - NANO) / 1_000;
    }
  }
}
