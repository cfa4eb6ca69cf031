package io.payrouter.store;

import io.payrouter.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one prepared statement: callers on any event loop submit rows; the writer sends
 * everything queued as one pipelined {@code executeBatch} as soon as a slot is free (natural
 * batching: no timer, no added latency when idle, large batches under load). The queue is bounded:
 * a full queue fails the submit at once, which the charge path turns into 503 before any PSP call.
 *
 * <p>Two failure policies: {@link Mode#FAIL_FAST} (the charge intent: the merchant is waiting, so a
 * database outage fails the write and the merchant gets 503) and {@link Mode#RETRY} (outcomes and
 * attempts: retried with back-off until they land; statements are idempotent upserts).
 */
public final class BatchWriter<T> {
  private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

  public enum Mode { FAIL_FAST, RETRY }

  private record Item<T>(T value, Promise<RowSet<Row>> promise, Context caller) {}

  private final Vertx vertx;
  private final Pool pool;
  private final String name;
  private final String sql;
  private final Function<T, Tuple> toTuple;
  private final int capacity;
  private final int maxBatch;
  private final int maxInFlight;
  private final Mode mode;
  private final Metrics metrics;
  private final Context context;
  private final ConcurrentLinkedQueue<Item<T>> queue = new ConcurrentLinkedQueue<>();
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private int inFlight; // writer context only
  private volatile boolean healthy = true;
  private volatile boolean closed;

  public BatchWriter(Vertx vertx, Pool pool, String name, String sql, Function<T, Tuple> toTuple,
      int capacity, int maxBatch, int maxInFlight, Mode mode, Metrics metrics) {
    this.vertx = vertx;
    this.pool = pool;
    this.name = name;
    this.sql = sql;
    this.toTuple = toTuple;
    this.capacity = capacity;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.mode = mode;
    this.metrics = metrics;
    this.context = vertx.getOrCreateContext();
    metrics.queueGauge(name, size::get);
  }

  /** Rows waiting (not yet sent). */
  public int depth() {
    return size.get();
  }

  /** True while more rows wait than the configured capacity. */
  public boolean overCapacity() {
    return size.get() >= capacity;
  }

  /** False while the last round trip failed with a connection error (database down). */
  public boolean healthy() {
    return healthy;
  }

  /**
   * Queues one row; the future completes on the caller's context with that row's result once the
   * batch carrying it has committed.
   */
  public Future<RowSet<Row>> submit(T value) {
    if (closed) return Future.failedFuture(new StoreUnavailableException("writer " + name + " closed"));
    // RETRY writers (outcomes) never refuse a row: an accepted charge's outcome must land. They are
    // bounded upstream: the charge path refuses new charges (503) while their backlog is over capacity.
    if (size.incrementAndGet() > capacity && mode == Mode.FAIL_FAST) {
      size.decrementAndGet();
      metrics.count("router_write_rejected_total", "queue", name);
      return Future.failedFuture(new StoreUnavailableException("write queue " + name + " is full"));
    }
    Context caller = vertx.getOrCreateContext();
    Promise<RowSet<Row>> p = Promise.promise();
    queue.add(new Item<>(value, p, caller));
    if (drainScheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
    return p.future();
  }

  private void drain() {
    drainScheduled.set(false);
    while (inFlight < maxInFlight && !queue.isEmpty()) {
      List<Item<T>> batch = new ArrayList<>(Math.min(maxBatch, size.get()));
      Item<T> it;
      while (batch.size() < maxBatch && (it = queue.poll()) != null) {
        batch.add(it);
      }
      size.addAndGet(-batch.size());
      if (batch.isEmpty()) return;
      inFlight++;
      send(batch, 0);
    }
  }

  private void send(List<Item<T>> batch, int retries) {
    metrics.batch(name, batch.size());
    List<Tuple> tuples = new ArrayList<>(batch.size());
    for (Item<T> i : batch) tuples.add(toTuple.apply(i.value()));
    pool.preparedQuery(sql).executeBatch(tuples).onComplete(ar -> {
      if (ar.succeeded()) {
        healthy = true;
        RowSet<Row> rs = ar.result();
        for (Item<T> i : batch) {
          RowSet<Row> mine = rs;
          i.caller().runOnContext(v -> i.promise().complete(mine));
          rs = rs == null ? null : rs.next();
        }
        finished();
      } else if (ar.cause() instanceof PgException && batch.size() > 1) {
        // A data error aborts the whole pipelined batch: isolate the bad row by sending one by one.
        log.warn("writer {}: batch of {} failed ({}), retrying rows singly", name, batch.size(),
            ((PgException) ar.cause()).getSqlState());
        sendSingly(batch);
      } else if (ar.cause() instanceof PgException pg) {
        Item<T> i = batch.get(0);
        log.error("writer {}: row rejected by the database (sqlstate {}): {}", name, pg.getSqlState(),
            pg.getErrorMessage());
        metrics.count("router_write_rejected_rows_total", "queue", name);
        i.caller().runOnContext(v -> i.promise().fail(pg));
        finished();
      } else {
        healthy = false;
        if (mode == Mode.FAIL_FAST || closed) {
          for (Item<T> i : batch) {
            i.caller().runOnContext(v -> i.promise().fail(new StoreUnavailableException("database unavailable")));
          }
          finished();
        } else {
          metrics.count("router_write_retries_total", "queue", name);
          long delay = Math.min(5_000, 50L << Math.min(retries, 7));
          if (retries % 10 == 0) {
            log.warn("writer {}: database unavailable ({}), retrying {} rows in {} ms", name,
                ar.cause().getClass().getSimpleName(), batch.size(), delay);
          }
          vertx.setTimer(delay, t -> context.runOnContext(v -> send(batch, retries + 1)));
        }
      }
    });
  }

  private void sendSingly(List<Item<T>> batch) {
    Future<?> chain = Future.succeededFuture();
    for (Item<T> i : batch) {
      chain = chain.eventually(() -> {
        Promise<Void> done = Promise.promise();
        List<Item<T>> one = List.of(i);
        // One-row batches reuse send()'s policies; completion is observed via the item's promise.
        inFlight++;
        send(one, 0);
        i.promise().future().onComplete(x -> done.complete());
        return done.future();
      });
    }
    chain.onComplete(x -> finished());
  }

  private void finished() {
    inFlight--;
    drain();
  }

  /** Stops accepting rows; completes when everything queued has been written (or failed). */
  public Future<Void> close() {
    closed = true;
    Promise<Void> p = Promise.promise();
    waitEmpty(p, 0);
    return p.future();
  }

  private void waitEmpty(Promise<Void> p, int rounds) {
    context.runOnContext(v -> {
      if ((queue.isEmpty() && inFlight == 0) || rounds > 100) {
        p.complete();
      } else {
        vertx.setTimer(50, t -> waitEmpty(p, rounds + 1));
      }
    });
  }
}
