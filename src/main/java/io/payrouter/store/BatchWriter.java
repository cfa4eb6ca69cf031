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
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Group commit for one set-based statement: callers on any event loop submit rows; the writer sends
 * everything queued as <em>one</em> statement (the rows travel as arrays, the SQL {@code unnest}s
 * them) as soon as a slot is free: natural batching, no timer, no added latency when idle, large
 * batches under load. One statement per batch instead of one per row is what keeps the database's
 * CPU per charge low: one parse-free execution, one plan, one commit for the whole batch. The
 * statement answers which rows it applied ({@link Statement#results}). Rows with the same
 * {@link Statement#key} never share a statement (a statement may touch a row once); the later
 * one waits for the next batch. The queue is bounded: a full queue fails the submit at once,
 * which the charge path turns into 503 before any PSP call.
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
public final class BatchWriter<T, R> {
  private static final Logger log = LoggerFactory.getLogger(BatchWriter.class);

  public enum Mode { FAIL_FAST, RETRY }

  /**
   * One set-based statement: its SQL, how a batch of rows becomes one tuple of arrays, and what
   * each row's result is, read from the statement's answer.
   *
   * @param key rows with equal keys never share a statement (null: no such constraint)
   */
  public record Statement<T, R>(String sql, Function<List<T>, Tuple> tuple,
      BiFunction<List<T>, RowSet<Row>, List<R>> results, Function<T, Object> key) {}

  private record Item<T, R>(T value, Promise<R> promise, Context caller, long submittedAt) {}

  private final Vertx vertx;
  private final Pool pool;
  private final String name;
  private final Statement<T, R> statement;
  private final int capacity;
  private final int maxBatch;
  private final int maxInFlight;
  private final Mode mode;
  private final Metrics.WriteQueue meters;
  private final Context context;
  private final ConcurrentLinkedQueue<Item<T, R>> queue = new ConcurrentLinkedQueue<>();
  /** Rows held back from a batch that already carried their key (writer context only). */
  private final ArrayDeque<Item<T, R>> deferred = new ArrayDeque<>();
  /** Batches sent and not yet answered, for the FAIL_FAST deadline (writer context only). */
  private final Set<Batch<T, R>> sent = new HashSet<>();
  private final long maxWaitNanos;
  private final AtomicInteger size = new AtomicInteger();
  private final AtomicBoolean drainScheduled = new AtomicBoolean();
  private final DatabaseHealth health;
  private final Function<T, JsonObject> deadLetterPayload;
  private int inFlight; // writer context only
  /** Times writer state was touched off the writer's context: a bug; must stay 0 (tests check it). */
  final java.util.concurrent.atomic.AtomicLong offContext = new java.util.concurrent.atomic.AtomicLong();
  private volatile boolean closed;

  private static final class Batch<T, R> {
    final List<Item<T, R>> items;
    final long sentAt = System.nanoTime();

    Batch(List<Item<T, R>> items) {
      this.items = items;
    }
  }

  /**
   * @param maxWaitMs FAIL_FAST only: a row not answered this long after its submit fails (the
   *     caller answers 503); a row still queued then is never sent, one already sent may still
   *     commit (its owner's reconciler settles it). One periodic check, not a timer per row.
   * @param deadLetterPayload what to keep of a row the database refuses (RETRY writers; never a
   *     token or secret), or null for FAIL_FAST writers, whose caller gets the refusal
   */
  public BatchWriter(Vertx vertx, Pool pool, String name, Statement<T, R> statement,
      int capacity, int maxBatch, int maxInFlight, Mode mode, long maxWaitMs, Metrics metrics, DatabaseHealth health,
      Function<T, JsonObject> deadLetterPayload) {
    this(vertx, pool, name, statement, capacity, maxBatch, maxInFlight, mode, maxWaitMs, metrics, health,
        deadLetterPayload, 0, maxBatch);
  }

  /**
   * @param lingerMs under load, how long a cycle may wait for more rows before it is sent (0: never).
   *     Only right after a batch of several rows was answered, and only while fewer than
   *     {@code lingerRows} wait: an idle writer, or one that carries a row at a time, sends at once
   *     (Kafka's {@code linger.ms}, bounded by rows as well as time)
   */
  public BatchWriter(Vertx vertx, Pool pool, String name, Statement<T, R> statement,
      int capacity, int maxBatch, int maxInFlight, Mode mode, long maxWaitMs, Metrics metrics, DatabaseHealth health,
      Function<T, JsonObject> deadLetterPayload, long lingerMs, int lingerRows) {
    this.lingerMs = lingerMs;
    this.lingerRows = Math.max(1, Math.min(lingerRows, maxBatch));
    this.vertx = vertx;
    this.pool = pool;
    this.name = name;
    this.statement = statement;
    this.maxWaitNanos = maxWaitMs * 1_000_000L;
    this.capacity = capacity;
    this.maxBatch = maxBatch;
    this.maxInFlight = maxInFlight;
    this.mode = mode;
    this.health = health;
    this.deadLetterPayload = deadLetterPayload;
    this.context = vertx.getOrCreateContext();
    this.meters = metrics.writeQueue(name, size::get);
    if (mode == Mode.FAIL_FAST && maxWaitMs > 0) {
      long period = Math.max(10, Math.min(250, maxWaitMs / 4));
      context.runOnContext(v -> watchdog = vertx.setPeriodic(period, t -> expire()));
    }
  }

  private long watchdog = -1; // writer context only
  private final long lingerMs;
  private final int lingerRows;
  private boolean lingering; // writer context only
  private long lingerTimer = -1; // writer context only
  private int lastBatchRows; // writer context only

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
  public Future<R> submit(T value) {
    if (closed) return Future.failedFuture(new StoreUnavailableException("writer " + name + " closed"));
    // RETRY writers (outcomes) never refuse a row: an accepted charge's outcome must land. They are
    // bounded upstream: the charge path refuses new charges (503) while their backlog is over capacity.
    if (size.incrementAndGet() > capacity && mode == Mode.FAIL_FAST) {
      size.decrementAndGet();
      meters.rejected();
      return Future.failedFuture(new StoreUnavailableException("write queue " + name + " is full"));
    }
    Context caller = vertx.getOrCreateContext();
    Promise<R> p = Promise.promise();
    queue.add(new Item<>(value, p, caller, mode == Mode.FAIL_FAST ? System.nanoTime() : 0));
    if (drainScheduled.compareAndSet(false, true)) context.runOnContext(v -> drain());
    return p.future();
  }

  private void drain() {
    drainScheduled.set(false);
    checkContext();
    if (lingering) {
      if (size.get() + deferred.size() < lingerRows) return; // the linger timer sends them
      vertx.cancelTimer(lingerTimer);
      lingering = false;
    }
    // Rows held back for their key go first, once the batch that carried the key is answered.
    while (inFlight < maxInFlight && (!queue.isEmpty() || !deferred.isEmpty() && inFlight == 0)) {
      List<Item<T, R>> batch = new ArrayList<>(Math.min(maxBatch, size.get() + deferred.size()));
      Set<Object> keys = statement.key() == null ? null : new HashSet<>();
      int held = deferred.size();
      if (inFlight == 0) {
        for (int n = 0; n < held && batch.size() < maxBatch; n++) take(deferred.poll(), batch, keys);
      }
      Item<T, R> it;
      int polled = 0;
      while (batch.size() < maxBatch && (it = queue.poll()) != null) {
        polled++;
        take(it, batch, keys);
      }
      size.addAndGet(-polled);
      if (batch.isEmpty()) return;
      inFlight++;
      send(batch, 0);
    }
  }

  /** Adds a row to the batch, or holds it back when the batch already carries its key or it expired. */
  private void take(Item<T, R> it, List<Item<T, R>> batch, Set<Object> keys) {
    if (it.promise().future().isComplete()) return; // expired while queued: its caller has given up
    if (keys != null && !keys.add(statement.key().apply(it.value()))) {
      deferred.add(it);
      return;
    }
    batch.add(it);
  }

  /** FAIL_FAST deadline: fails rows waiting longer than allowed, queued or sent (writer context). */
  private void expire() {
    long now = System.nanoTime();
    // Oldest first: stop at the first row still within its time. drain() discards failed rows.
    for (Item<T, R> i : queue) {
      if (now - i.submittedAt() <= maxWaitNanos) break;
      if (!i.promise().future().isComplete()) fail(i, new StoreUnavailableException("write " + name + " not answered in time"));
    }
    // A batch is failed once: it leaves the set (its late answer then finds nothing to remove).
    for (java.util.Iterator<Batch<T, R>> it = sent.iterator(); it.hasNext(); ) {
      Batch<T, R> b = it.next();
      if (now - b.sentAt > maxWaitNanos) {
        it.remove();
        for (Item<T, R> i : b.items) fail(i, new StoreUnavailableException("write " + name + " not answered in time"));
      }
    }
  }

  private void fail(Item<T, R> i, Throwable cause) {
    i.caller().runOnContext(x -> i.promise().tryFail(cause));
  }

  private void send(List<Item<T, R>> items, int retries) {
    meters.batch(items.size());
    lastBatchRows = items.size();
    List<T> rows = new ArrayList<>(items.size());
    for (Item<T, R> i : items) rows.add(i.value());
    Batch<T, R> batch = new Batch<>(items);
    if (mode == Mode.FAIL_FAST) sent.add(batch);
    Tuple tuple;
    try {
      tuple = statement.tuple().apply(rows);
    } catch (RuntimeException e) {
      sent.remove(batch);
      log.error("writer {}: could not encode a batch of {} rows", name, rows.size(), e);
      for (Item<T, R> i : items) fail(i, e);
      finished();
      return;
    }
    pool.preparedQuery(statement.sql()).execute(tuple).onComplete(ar -> context.runOnContext(v -> {
      sent.remove(batch);
      if (ar.succeeded()) {
        health.markUp();
        List<R> results;
        try {
          results = statement.results().apply(rows, ar.result());
        } catch (RuntimeException e) {
          log.error("writer {}: could not read the answer to a batch of {} rows", name, rows.size(), e);
          for (Item<T, R> i : items) fail(i, e);
          finished();
          return;
        }
        for (int n = 0; n < items.size(); n++) {
          Item<T, R> i = items.get(n);
          R mine = results.get(n);
          i.caller().runOnContext(x -> i.promise().tryComplete(mine));
        }
        finished();
      } else if (DbErrors.isTransient(ar.cause())) {
        health.markDown();
        if (mode == Mode.FAIL_FAST || closed && retries > 20) {
          for (Item<T, R> i : items) fail(i, new StoreUnavailableException("database unavailable"));
          finished();
        } else {
          meters.retry();
          long delay = Math.min(2_000, 25L << Math.min(retries, 7));
          if (retries % 10 == 0) {
            log.warn("writer {}: database unavailable ({}), retrying {} rows in {} ms", name,
                DbErrors.sqlState(ar.cause()) != null ? DbErrors.sqlState(ar.cause()) : ar.cause().getClass().getSimpleName(),
                items.size(), delay);
          }
          vertx.setTimer(delay, t -> context.runOnContext(x -> send(items, retries + 1)));
        }
      } else if (items.size() > 1) {
        // A refusal aborts the whole statement: isolate the bad row by sending one by one.
        log.warn("writer {}: batch of {} refused (sqlstate {}), retrying rows singly", name, items.size(),
            DbErrors.sqlState(ar.cause()));
        sendSingly(items);
      } else {
        refused(items.get(0), ar.cause());
      }
    }));
  }

  /** The database refused this one row: the caller learns it; a RETRY writer keeps it as a dead letter. */
  private void refused(Item<T, R> i, Throwable cause) {
    String state = DbErrors.sqlState(cause);
    String message = cause instanceof io.vertx.pgclient.PgException pg ? pg.getErrorMessage() : String.valueOf(cause);
    log.error("writer {}: row refused by the database (sqlstate {}): {}", name, state, message);
    meters.rejectedRow();
    if (deadLetterPayload == null) {
      fail(i, cause);
      finished();
      return;
    }
    JsonObject payload = deadLetterPayload.apply(i.value());
    deadLetter(payload, state, message, 0).onComplete(x -> context.runOnContext(y -> {
      boolean written = x.succeeded() && Boolean.TRUE.equals(x.result());
      if (written) meters.deadLetter();
      fail(i, new RowRefusedException(name, state, written, cause));
      finished();
    }));
  }

  /**
   * The database refused a row (not a transient failure). {@link #deadLettered()} says whether
   * the row was kept in {@code dead_letters}: a caller's log must never claim it was when it was not.
   */
  public static final class RowRefusedException extends RuntimeException {
    private final boolean deadLettered;
    private final String sqlState;

    RowRefusedException(String queue, String sqlState, boolean deadLettered, Throwable cause) {
      super("writer " + queue + ": row refused by the database (sqlstate " + sqlState + ")"
          + (deadLettered ? ", kept as a dead letter" : ", and its dead letter could not be written"), cause);
      this.deadLettered = deadLettered;
      this.sqlState = sqlState;
    }

    public boolean deadLettered() {
      return deadLettered;
    }

    public String sqlState() {
      return sqlState;
    }
  }

  /** Writes a dead letter, retrying while the database is unreachable (bounded while closing). */
  private Future<Boolean> deadLetter(JsonObject payload, String state, String message, int retries) {
    // The refused row may hold exactly what PostgreSQL refuses (a NUL character, which jsonb and
    // text cannot store either): keep it visible as the escape sequence itself.
    String json = payload.encode().replace("\\u0000", "\\\\u0000");
    String error = message == null ? null : message.replace("\u0000", "\\u0000");
    return pool.preparedQuery("INSERT INTO dead_letters (queue, sqlstate, error, payload) VALUES ($1, $2, $3, ($4::text)::jsonb)")
        .execute(Tuple.of(name, state, error, json)).map(true)
        .recover(err -> {
          if (!DbErrors.isTransient(err) || closed && retries > 20 || retries > 1_000) {
            log.error("writer {}: dead letter could not be written, payload {}", name, payload.encode());
            return Future.succeededFuture(false);
          }
          Promise<Boolean> again = Promise.promise();
          vertx.setTimer(Math.min(2_000, 25L << Math.min(retries, 7)),
              t -> deadLetter(payload, state, message, retries + 1).onComplete(again));
          return again.future();
        });
  }

  private void sendSingly(List<Item<T, R>> batch) {
    // Runs on the writer context: every step is scheduled back onto it before touching state.
    Future<?> chain = Future.succeededFuture();
    for (Item<T, R> i : batch) {
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
    // Under load (the batch just answered carried several rows) and with few rows waiting: let the
    // next cycle gather more for up to lingerMs, so one statement and one commit carry more charges.
    if (lingerMs > 0 && inFlight == 0 && !lingering && !closed && lastBatchRows > 1 && !queue.isEmpty()
        && size.get() + deferred.size() < lingerRows) {
      lingering = true;
      lingerTimer = vertx.setTimer(lingerMs, t -> context.runOnContext(v -> {
        lingering = false;
        drain();
      }));
      return;
    }
    drain();
  }

  /** Stops accepting rows; completes when everything queued has been written (or failed). */
  public Future<Void> close() {
    closed = true;
    context.runOnContext(v -> {
      if (watchdog >= 0) vertx.cancelTimer(watchdog);
    });
    Promise<Void> p = Promise.promise();
    waitEmpty(p, 0);
    return p.future();
  }

  private void waitEmpty(Promise<Void> p, int rounds) {
    context.runOnContext(v -> {
      if ((queue.isEmpty() && deferred.isEmpty() && inFlight == 0) || rounds > 100) {
        p.complete();
      } else {
        vertx.setTimer(50, t -> waitEmpty(p, rounds + 1));
      }
    });
  }
}
