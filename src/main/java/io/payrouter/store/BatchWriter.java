package io.payrouter.store;

import io.payrouter.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
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
 * <p>Two failure policies for transient failures ({@link DbErrors#isTransient}): {@link Mode#FAIL_FAST}
 * (the charge intent: the merchant is waiting, so a database outage fails the write and the
 * merchant gets 503) and {@link Mode#RETRY} (outcomes and attempts: retried with back-off until
 * they land; statements are idempotent upserts). A row the database refuses (not transient) is
 * isolated from its batch; a RETRY writer keeps it in {@code dead_letters} (counted in
 * {@code router_dead_letters_total}), never drops it.
 *
 * <p>All writer state ({@code inFlight}, the drain loop, retries) is touched on the writer's own
 * context only; callers' futures are completed on their own contexts.
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
  private final DatabaseHealth health;
  private final Function<T, JsonObject> deadLetterPayload;
  private int inFlight; // writer context only
  /** Times writer state was touched off the writer's context: a bug; must stay 0 (tests check it). */
  final java.util.concurrent.atomic.AtomicLong offContext = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  /**
   * @param deadLetterPayload what to keep of a row the database refuses (RETRY writers; never a
   *     token or secret), or null for FAIL_FAST writers, whose caller gets the refusal
   */
  public BatchWriter(Vertx vertx, Pool pool, String name, String sql, Function<T, Tuple> toTuple,
      int capacity, int maxBatch, int maxInFlight, Mode mode, Metrics metrics, DatabaseHealth health,
      Function<T, JsonObject> deadLetterPayload) {
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
    this.health = health;
    this.deadLetterPayload = deadLetterPayload;
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
    checkContext();
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
    pool.preparedQuery(sql).executeBatch(tuples).onComplete(ar -> context.runOnContext(v -> {
      if (ar.succeeded()) {
        health.markUp();
        RowSet<Row> rs = ar.result();
        for (Item<T> i : batch) {
          RowSet<Row> mine = rs;
          i.caller().runOnContext(x -> i.promise().complete(mine));
          rs = rs == null ? null : rs.next();
        }
        finished();
      } else if (DbErrors.isTransient(ar.cause())) {
        health.markDown();
        if (mode == Mode.FAIL_FAST || closed && retries > 20) {
          for (Item<T> i : batch) {
            i.caller().runOnContext(x -> i.promise().fail(new StoreUnavailableException("database unavailable")));
          }
          finished();
        } else {
          metrics.count("router_write_retries_total", "queue", name);
          long delay = Math.min(2_000, 25L << Math.min(retries, 7));
          if (retries % 10 == 0) {
            log.warn("writer {}: database unavailable ({}), retrying {} rows in {} ms", name,
                DbErrors.sqlState(ar.cause()) != null ? DbErrors.sqlState(ar.cause()) : ar.cause().getClass().getSimpleName(),
                batch.size(), delay);
          }
          vertx.setTimer(delay, t -> context.runOnContext(x -> send(batch, retries + 1)));
        }
      } else if (batch.size() > 1) {
        // A refusal aborts the whole pipelined batch: isolate the bad row by sending one by one.
        log.warn("writer {}: batch of {} refused (sqlstate {}), retrying rows singly", name, batch.size(),
            DbErrors.sqlState(ar.cause()));
        sendSingly(batch);
      } else {
        refused(batch.get(0), ar.cause());
      }
    }));
  }

  /** The database refused this one row: the caller learns it; a RETRY writer keeps it as a dead letter. */
  private void refused(Item<T> i, Throwable cause) {
    String state = DbErrors.sqlState(cause);
    String message = cause instanceof io.vertx.pgclient.PgException pg ? pg.getErrorMessage() : String.valueOf(cause);
    log.error("writer {}: row refused by the database (sqlstate {}): {}", name, state, message);
    metrics.count("router_write_rejected_rows_total", "queue", name);
    if (deadLetterPayload == null) {
      i.caller().runOnContext(x -> i.promise().fail(cause));
      finished();
      return;
    }
    JsonObject payload = deadLetterPayload.apply(i.value());
    deadLetter(payload, state, message, 0).onComplete(x -> context.runOnContext(y -> {
      metrics.count("router_dead_letters_total", "queue", name);
      i.caller().runOnContext(z -> i.promise().fail(cause));
      finished();
    }));
  }

  /** Writes a dead letter, retrying while the database is unreachable (bounded while closing). */
  private Future<Void> deadLetter(JsonObject payload, String state, String message, int retries) {
    // The refused row may hold exactly what PostgreSQL refuses (a NUL character, which jsonb and
    // text cannot store either): keep it visible as the escape sequence itself.
    String json = payload.encode().replace("\\u0000", "\\\\u0000");
    String error = message == null ? null : message.replace("\u0000", "\\u0000");
    return pool.preparedQuery("INSERT INTO dead_letters (queue, sqlstate, error, payload) VALUES ($1, $2, $3, ($4::text)::jsonb)")
        .execute(Tuple.of(name, state, error, json)).<Void>mapEmpty()
        .recover(err -> {
          if (!DbErrors.isTransient(err) || closed && retries > 20 || retries > 1_000) {
            log.error("writer {}: dead letter could not be written, payload {}", name, payload.encode());
            return Future.succeededFuture();
          }
          Promise<Void> again = Promise.promise();
          vertx.setTimer(Math.min(2_000, 25L << Math.min(retries, 7)),
              t -> deadLetter(payload, state, message, retries + 1).onComplete(again));
          return again.future();
        });
  }

  private void sendSingly(List<Item<T>> batch) {
    // Runs on the writer context: every step is scheduled back onto it before touching state.
    Future<?> chain = Future.succeededFuture();
    for (Item<T> i : batch) {
      chain = chain.eventually(() -> {
        Promise<Void> done = Promise.promise();
        context.runOnContext(v -> {
          checkContext();
          inFlight++;
          send(List.of(i), 0);
          i.promise().future().onComplete(x -> done.complete());
        });
        return done.future();
      });
    }
    chain.onComplete(x -> context.runOnContext(v -> finished()));
  }

  private void checkContext() {
    if (io.vertx.core.Vertx.currentContext() != context) offContext.incrementAndGet();
  }

  private void finished() {
    checkContext();
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
