package io.payrouter.webhook;

import io.payrouter.config.RouterConfig;
import io.payrouter.domain.Charge;
import io.payrouter.metrics.Metrics;
import io.payrouter.store.Store;
import io.payrouter.store.WebhookStore;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the outbox ({@code webhook_deliveries}) to merchants' endpoints, off the charge path.
 *
 * <p>Two ways a delivery reaches this instance, both under a lease that makes it the only one
 * sending it: a charge's first event is leased to the instance that wrote it and handed over as
 * soon as its statement committed (no query of its own); everything else (retries, later events of
 * a charge, refunds, conflicts, rows whose lease ran out because their instance died or paused)
 * is taken by the poller, oldest due first, in order per charge.
 *
 * <p>Never more than {@code max_in_flight_per_endpoint} requests to one endpoint at once, each
 * bounded by {@code timeout}; the rest waits here, and a row that cannot wait (the queue is full)
 * is left to its lease, after which any instance takes it again. Before each request the lease is
 * checked against this JVM's clock (with the request's timeout to spare): an instance that was
 * paused past its lease sends nothing, since another may be sending the same row by then.
 *
 * <p>All state is touched on the deliverer's own context.
 */
public final class Deliverer {
  private static final Logger log = LoggerFactory.getLogger(Deliverer.class);
  /** Rows waiting for a slot, per endpoint; more are left to their lease (and the poller). */
  static final int MAX_QUEUED_PER_ENDPOINT = 10_000;
  /** Signing details are re-read this often (a rotation or deletion elsewhere shows within it). */
  static final long SIGNING_TTL_MS = 5_000;

  private final Vertx vertx;
  private final Context context;
  private final WebhookStore outbox;
  private final Store store;
  private final Events events;
  private final Metrics metrics;
  private final String owner;
  private final RouterConfig.Webhooks cfg;
  private final RetrySchedule schedule;
  private final WebClient client;
  private final Map<String, Lane> lanes = new HashMap<>();
  /** Rows held here now (queued or in flight), so a take never doubles one (context only). */
  private final Set<String> held = new HashSet<>();
  private boolean polling;
  /** Attempts started and not yet handed to the result writer (context only). */
  private int attempting;
  private long timer = -1;
  private volatile boolean closed;

  /** One endpoint's queue and its requests in flight. */
  private static final class Lane {
    final ArrayDeque<Job> queue = new ArrayDeque<>();
    int inFlight;
    WebhookStore.Signing signing;
    /** The signing keys of {@link #signing} (current first), decoded once per read. */
    List<byte[]> keys;
    long signingReadAt;
    Future<Optional<WebhookStore.Signing>> reading;
  }

  /** A row to attempt, and until when (System.nanoTime) this instance may still start sending it. */
  private record Job(WebhookStore.Due due, long sendByNanos) {}

  public Deliverer(Vertx vertx, Store store, Events events, Metrics metrics, String owner, RouterConfig.Webhooks cfg) {
    this.vertx = vertx;
    this.context = vertx.getOrCreateContext();
    this.store = store;
    this.outbox = store.webhooks();
    this.events = events;
    this.metrics = metrics;
    this.owner = owner;
    this.cfg = cfg;
    this.schedule = new RetrySchedule(cfg.retryScheduleMs());
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setTcpNoDelay(true)
            .setIdleTimeout(60).setConnectTimeout((int) Math.min(cfg.timeoutMs(), 5_000))
            .setUserAgent("payment-router-webhooks/1").setFollowRedirects(false),
        new PoolOptions().setHttp1MaxSize(cfg.maxInFlightPerEndpoint()));
  }

  /** Starts the poller and takes the outcome writer's leased rows from now on. */
  public void start() {
    store.deliverLeasedTo(owner, cfg.leaseMs(), this::leased);
    context.runOnContext(v -> timer = vertx.setPeriodic(cfg.pollMs(), t -> poll()));
  }

  /**
   * Stops taking deliveries and waits (at most {@code webhooks.timeout} and a second) for the
   * attempts in flight to be answered and handed to the result writer, so a drain does not leave
   * a delivered row leased (another instance would send it again after the lease). What this
   * instance still holds unsent is released by {@link #releaseLeases} once the writers flushed.
   */
  public Future<Void> close() {
    closed = true;
    store.deliverLeasedTo(null, cfg.leaseMs(), null);
    io.vertx.core.Promise<Void> done = io.vertx.core.Promise.promise();
    long end = System.nanoTime() + (cfg.timeoutMs() + 1_000) * 1_000_000L;
    context.runOnContext(v -> {
      if (timer >= 0) vertx.cancelTimer(timer);
      awaitIdle(done, end);
    });
    return done.future();
  }

  private void awaitIdle(io.vertx.core.Promise<Void> done, long endNanos) {
    if (attempting == 0 || System.nanoTime() > endNanos) {
      if (attempting > 0) log.warn("webhooks: {} attempt(s) still unanswered at shutdown", attempting);
      done.complete();
      return;
    }
    vertx.setTimer(20, t -> context.runOnContext(v -> awaitIdle(done, endNanos)));
  }

  /** Gives back what this instance holds and did not attempt, so another instance sends it at once. */
  public Future<Integer> releaseLeases() {
    return outbox.release(owner);
  }

  /** Rows the outcome statement leased to this instance: queued at once (from the writer's context). */
  private void leased(List<Store.Leased> rows) {
    // The lease began at the statement's start, before this answer: count it from a little before now.
    long sendBy = System.nanoTime() + (cfg.leaseMs() - cfg.timeoutMs() - 5_000) * 1_000_000L;
    context.runOnContext(v -> {
      for (Store.Leased l : rows) {
        enqueue(new Job(new WebhookStore.Due(l.endpointId(), l.id(), null, l.eventId(), l.type(), l.chargeId(),
            l.body(), 0, 0, null), sendBy));
      }
    });
  }

  /** Takes due rows while there is room (poller, deliverer context). */
  private void poll() {
    if (closed || polling) return;
    int room = cfg.maxHeld() - held.size();
    if (room <= 0) return;
    polling = true;
    long takenAt = System.nanoTime();
    outbox.take(owner, cfg.leaseMs(), Math.min(room, 200)).onComplete(ar -> context.runOnContext(v -> {
      polling = false;
      if (ar.failed()) return; // the database is away: the rows wait in PostgreSQL
      long sendBy = takenAt + (cfg.leaseMs() - cfg.timeoutMs() - 1_000) * 1_000_000L;
      for (WebhookStore.Due d : ar.result()) enqueue(new Job(d, sendBy));
      if (ar.result().size() == Math.min(room, 200)) poll();
    }));
  }

  private void enqueue(Job j) {
    String key = j.due().endpointId() + '/' + j.due().id();
    if (!held.add(key)) return;
    Lane lane = lanes.computeIfAbsent(j.due().endpointId(), x -> new Lane());
    if (lane.queue.size() >= MAX_QUEUED_PER_ENDPOINT) {
      held.remove(key); // left to its lease: the poller takes it again later
      return;
    }
    lane.queue.add(j);
    pump(j.due().endpointId(), lane);
  }

  private void pump(String endpointId, Lane lane) {
    while (lane.inFlight < cfg.maxInFlightPerEndpoint() && !lane.queue.isEmpty()) {
      if (lane.signing == null || System.currentTimeMillis() - lane.signingReadAt > SIGNING_TTL_MS) {
        refreshSigning(endpointId, lane);
        return;
      }
      Job j = lane.queue.poll();
      lane.inFlight++;
      attempting++;
      // The endpoint's slot is free once it answered; the row stays held until its result is recorded.
      boolean[] freed = new boolean[1];
      Runnable free = () -> context.runOnContext(v -> {
        if (freed[0]) return;
        freed[0] = true;
        lane.inFlight--;
        pump(endpointId, lane);
      });
      attempt(lane, j, free).onComplete(x -> context.runOnContext(v -> {
        attempting--;
        held.remove(j.due().endpointId() + '/' + j.due().id());
        free.run();
      }));
    }
  }

  private void refreshSigning(String endpointId, Lane lane) {
    if (lane.reading != null) return;
    lane.reading = outbox.signing(endpointId);
    lane.reading.onComplete(ar -> context.runOnContext(v -> {
      lane.reading = null;
      if (ar.succeeded() && ar.result().isPresent()) {
        lane.signing = ar.result().get();
        lane.keys = keys(lane.signing);
        lane.signingReadAt = System.currentTimeMillis();
        pump(endpointId, lane);
      } else {
        // no such endpoint, or the database is away: drop what waits; the rows stay in PostgreSQL
        // under their leases, and the poller takes them again once those run out
        for (Job j : lane.queue) held.remove(j.due().endpointId() + '/' + j.due().id());
        lane.queue.clear();
      }
    }));
  }

  /** One attempt of one row: send (if still ours), then record how it went. Never fails. */
  private Future<Void> attempt(Lane lane, Job j, Runnable answered) {
    WebhookStore.Due d = j.due();
    WebhookStore.Signing s = lane.signing;
    List<byte[]> keys = lane.keys;
    if (!s.endpoint().enabled() || closed) return Future.succeededFuture(); // stays pending; the lease runs out
    if (System.nanoTime() > j.sendByNanos()) {
      log.warn("webhook delivery {}/{}: its lease may have run out (this instance was slow or paused); not sending",
          d.endpointId(), d.id());
      return Future.succeededFuture();
    }
    return body(d).compose(body -> send(s, keys, d, body).onComplete(x -> answered.run())
            .compose(status -> record(s, d, body, status, null), err -> record(s, d, body, null, describe(err))))
        .otherwise(err -> {
          log.warn("webhook delivery {}/{}: {}", d.endpointId(), d.id(), err.toString());
          return null;
        }).mapEmpty();
  }

  private Future<String> body(WebhookStore.Due d) {
    if (d.body() != null) return Future.succeededFuture(d.body());
    return store.chargeById(d.chargeId()).map(c -> {
      Charge charge = c.orElseThrow(() -> new IllegalStateException("charge " + d.chargeId() + " of a delivery is gone"));
      return events.lateChargeBody(d.eventId(), d.eventType(), charge);
    });
  }

  private static List<byte[]> keys(WebhookStore.Signing s) {
    return s.previousSecret() == null ? List.of(StandardWebhooks.key(s.secret()))
        : List.of(StandardWebhooks.key(s.secret()), StandardWebhooks.key(s.previousSecret()));
  }

  private Future<Integer> send(WebhookStore.Signing s, List<byte[]> keys, WebhookStore.Due d, String body) {
    long ts = Instant.now().getEpochSecond();
    // encoded once: the signature covers exactly the bytes sent
    byte[] bytes = body.getBytes(java.nio.charset.StandardCharsets.UTF_8);
    long t0 = System.nanoTime();
    return client.postAbs(s.endpoint().url()).timeout(cfg.timeoutMs())
        .putHeader("content-type", "application/json")
        .putHeader("webhook-id", d.eventId())
        .putHeader("webhook-timestamp", Long.toString(ts))
        .putHeader("webhook-signature", StandardWebhooks.header(keys, d.eventId(), ts, bytes))
        .sendBuffer(Buffer.buffer(bytes))
        .map(r -> {
          metrics.webhookAttempt(r.statusCode() >= 200 && r.statusCode() < 300 ? "delivered" : "http_" + (r.statusCode() / 100) + "xx",
              System.nanoTime() - t0);
          return r.statusCode();
        })
        .onFailure(err -> metrics.webhookAttempt(describe(err).startsWith("timeout") ? "timeout" : "error",
            System.nanoTime() - t0));
  }

  private Future<Void> record(WebhookStore.Signing s, WebhookStore.Due d, String body, Integer status, String error) {
    DeliveryPolicy.Verdict v = DeliveryPolicy.after(status, d.step(), Instant.now(), schedule);
    String st = switch (v.kind()) {
      case DELIVERED -> "delivered";
      case RETRY -> "pending";
      case EXHAUSTED -> "failed";
    };
    if (v.kind() == DeliveryPolicy.Kind.EXHAUSTED) metrics.webhookExhausted();
    return outbox.record(new WebhookStore.Result(d.endpointId(), d.id(), owner, st, status, error, v.nextAttemptAt(),
            d.body() == null ? body : null))
        .compose(recorded -> recorded && v.kind() == DeliveryPolicy.Kind.EXHAUSTED ? maybeDisable(s, d, status, error)
            : Future.succeededFuture());
  }

  /** A delivery ran out of retries: disable its endpoint if nothing was delivered there since it first failed. */
  private Future<Void> maybeDisable(WebhookStore.Signing s, WebhookStore.Due d, Integer status, String error) {
    return outbox.firstFailedAt(d.endpointId(), d.id()).compose(first -> outbox.signing(d.endpointId()).compose(now -> {
      if (now.isEmpty() || first.isEmpty()) return Future.succeededFuture();
      Instant lastSuccess = now.get().endpoint().lastSuccessAt();
      if (!DeliveryPolicy.disable(lastSuccess, first.get())) return Future.succeededFuture();
      String reason = DeliveryPolicy.disabledReason(first.get(), d.attempts() + 1, status, error);
      return outbox.disable(d.endpointId(), reason, lastSuccess).map(disabled -> {
        if (disabled) {
          log.warn("webhook endpoint {} of merchant {} disabled: {}", d.endpointId(), s.endpoint().merchantId(), reason);
          metrics.webhookEndpointDisabled();
        }
        return null;
      });
    }));
  }

  private static String describe(Throwable err) {
    String m = String.valueOf(err.getMessage());
    if (err instanceof java.util.concurrent.TimeoutException || m.toLowerCase(java.util.Locale.ROOT).contains("timeout")) {
      return "timeout: no answer in time";
    }
    if (err instanceof java.net.ConnectException || m.contains("Connection refused")) return "connection refused";
    return err.getClass().getSimpleName();
  }

  /** Rows held here (queued or in flight), for tests and the console. */
  public int held() {
    return held.size();
  }
}
