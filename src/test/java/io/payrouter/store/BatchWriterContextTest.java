package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.metrics.Metrics;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The batching writer's state is only ever touched on its own context, also when a refused row
 * makes it resend a batch row by row while callers on other event loops complete (it used to
 * count in-flight batches from the callers' threads). A real PostgreSQL, no mocks.
 */
class BatchWriterContextTest {
  static EmbeddedPostgres pg;
  static Vertx vertx;
  static Pool pool;

  @BeforeAll
  static void start() throws Exception {
    pg = EmbeddedPostgres.builder().start();
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort()).setDatabase("postgres")
            .setUser("postgres").setPassword("postgres"))
        .using(vertx).build();
    await(pool.query("CREATE TABLE t (id int PRIMARY KEY, v text NOT NULL)").execute());
    await(pool.query("CREATE TABLE dead_letters (id bigserial PRIMARY KEY, queue text NOT NULL, sqlstate text, "
        + "error text, payload jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())").execute());
  }

  @AfterAll
  static void stop() throws Exception {
    await(pool.close());
    await(vertx.close());
    pg.close();
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aRefusedRowResentSinglyNeverTouchesWriterStateFromCallersThreads() throws Exception {
    BatchWriter<Integer, Void> w = new BatchWriter<>(vertx, pool, "test", new BatchWriter.Statement<Integer, Void>(
            "INSERT INTO t (id, v) SELECT * FROM unnest($1::int4[], $2::text[])",
            rows -> Tuple.tuple().addValue(rows.toArray(new Integer[0]))
                .addValue(rows.stream().map(i -> i % 17 == 0 ? "bad\u0000" : "ok").toArray(String[]::new)),
            (rows, rs) -> java.util.Collections.nCopies(rows.size(), null), i -> i),
        10_000, 64, 2, BatchWriter.Mode.RETRY, 0,
        Metrics.standalone(), new DatabaseHealth(), i -> new io.vertx.core.json.JsonObject().put("id", i));
    List<Future<Void>> done = new ArrayList<>();
    for (int c = 0; c < 4; c++) {
      Context caller = vertx.getOrCreateContext();
      int base = c * 100;
      Promise<Void> submitted = Promise.promise();
      caller.runOnContext(v -> {
        List<Future<?>> rows = new ArrayList<>();
        for (int i = base + 1; i <= base + 100; i++) rows.add(w.submit(i).recover(err -> Future.succeededFuture()));
        Future.join(rows).onComplete(x -> submitted.complete());
      });
      done.add(submitted.future());
    }
    await(Future.join(new ArrayList<>(done)));
    await(w.close());
    var count = await(pool.query("SELECT count(*) FROM t WHERE id <= 400").execute()).iterator().next().getLong(0);
    long refused = java.util.stream.IntStream.rangeClosed(1, 400).filter(i -> i % 17 == 0).count();
    assertEquals(400 - refused, count, "every good row landed");
    assertEquals(refused, (long) await(pool.query("SELECT count(*) FROM dead_letters").execute()).iterator().next()
        .getLong(0), "every refused row kept as a dead letter");
    assertEquals(0, w.offContext.get(), "writer state touched off its context");
    assertTrue(w.depth() == 0, "drained");
  }

  static final String UPSERT = "INSERT INTO t (id, v) SELECT * FROM unnest($1::int4[], $2::text[]) "
      + "ON CONFLICT (id) DO NOTHING RETURNING id";

  static BatchWriter.Statement<Integer, Boolean> upsert(List<List<Integer>> batches) {
    return new BatchWriter.Statement<>(UPSERT,
        rows -> {
          synchronized (batches) {
            batches.add(List.copyOf(rows));
          }
          return Tuple.tuple().addValue(rows.toArray(new Integer[0]))
              .addValue(rows.stream().map(i -> "v" + i).toArray(String[]::new));
        },
        (rows, rs) -> {
          java.util.Set<Integer> inserted = new java.util.HashSet<>();
          for (var r : rs) inserted.add(r.getInteger(0));
          return rows.stream().map(inserted::contains).toList();
        },
        i -> i);
  }

  @Test
  void eachRowGetsItsOwnAnswerFromTheOneStatement() throws Exception {
    await(pool.query("INSERT INTO t (id, v) VALUES (1001, 'x'), (1003, 'x')").execute());
    BatchWriter<Integer, Boolean> w = new BatchWriter<>(vertx, pool, "answers", upsert(new ArrayList<>()),
        10_000, 64, 1, BatchWriter.Mode.FAIL_FAST, 5_000, Metrics.standalone(), new DatabaseHealth(), null);
    List<Future<Boolean>> answers = new ArrayList<>();
    Promise<Void> submitted = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      for (int i = 1001; i <= 1004; i++) answers.add(w.submit(i));
      submitted.complete();
    });
    await(submitted.future());
    await(Future.all(new ArrayList<>(answers)));
    assertEquals(List.of(false, true, false, true), answers.stream().map(Future::result).toList(),
        "rows already there are not applied, the others are");
    await(w.close());
  }

  @Test
  void rowsWithTheSameKeyNeverShareAStatement() throws Exception {
    List<List<Integer>> batches = new ArrayList<>();
    BatchWriter<Integer, Boolean> w = new BatchWriter<>(vertx, pool, "keys", upsert(batches),
        10_000, 64, 1, BatchWriter.Mode.FAIL_FAST, 5_000, Metrics.standalone(), new DatabaseHealth(), null);
    List<Future<Boolean>> answers = new ArrayList<>();
    Promise<Void> submitted = Promise.promise();
    vertx.getOrCreateContext().runOnContext(v -> {
      for (int i : new int[] {2001, 2002, 2001, 2003, 2001, 2002}) answers.add(w.submit(i));
      submitted.complete();
    });
    await(submitted.future());
    await(Future.all(new ArrayList<>(answers)));
    for (List<Integer> b : batches) {
      assertEquals(b.size(), new java.util.HashSet<>(b).size(), "a statement carried one key twice: " + batches);
    }
    assertEquals(6, batches.stream().mapToInt(List::size).sum(), "every row was sent");
    assertEquals(List.of(true, true, false, true, false, false), answers.stream().map(Future::result).toList(),
        "the first row of each key applied, the later ones (next statements) found it there");
    await(w.close());
  }

  @Test
  void aFailFastRowNotAnsweredInTimeFailsWithoutATimerPerRow() throws Exception {
    BatchWriter<Integer, Void> w = new BatchWriter<>(vertx, pool, "slow", new BatchWriter.Statement<Integer, Void>(
            "SELECT pg_sleep(1.5) FROM unnest($1::int4[])",
            rows -> Tuple.tuple().addValue(rows.toArray(new Integer[0])),
            (rows, rs) -> java.util.Collections.nCopies(rows.size(), null), null),
        10_000, 64, 1, BatchWriter.Mode.FAIL_FAST, 300, Metrics.standalone(), new DatabaseHealth(), null);
    long t0 = System.nanoTime();
    Throwable err = await(w.submit(1).<Throwable>map(x -> null).recover(Future::succeededFuture));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(err instanceof StoreUnavailableException, "failed as unavailable: " + err);
    assertTrue(ms < 1_200, "answered at its deadline, not when the statement finished: " + ms + " ms");
    await(w.close());
  }

  /** A statement that takes {@code ms} per batch and records each batch's rows. */
  static BatchWriter.Statement<Integer, Void> slowRecorded(List<Integer> sizes, double seconds) {
    return new BatchWriter.Statement<>("SELECT pg_sleep(" + seconds + ") FROM (SELECT 1) x, unnest($1::int4[]) LIMIT 1",
        rows -> {
          synchronized (sizes) {
            sizes.add(rows.size());
          }
          return Tuple.tuple().addValue(rows.toArray(new Integer[0]));
        },
        (rows, rs) -> java.util.Collections.nCopies(rows.size(), null), null);
  }

  @Test
  void anIdleWriterSendsAtOnceWhateverItsLinger() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    BatchWriter<Integer, Void> w = new BatchWriter<>(vertx, pool, "idle", slowRecorded(sizes, 0), 10_000, 64, 1,
        BatchWriter.Mode.RETRY, 0, Metrics.standalone(), new DatabaseHealth(), null, 2_000, 64);
    long t0 = System.nanoTime();
    await(w.submit(1));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    assertTrue(ms < 1_000, "an idle writer does not wait its 2 s linger: " + ms + " ms");
    await(w.close());
  }

  @Test
  void underLoadACycleLingersForMoreRowsUpToItsRowTarget() throws Exception {
    List<Integer> sizes = new ArrayList<>();
    BatchWriter<Integer, Void> w = new BatchWriter<>(vertx, pool, "linger", slowRecorded(sizes, 0.3), 10_000, 64, 1,
        BatchWriter.Mode.RETRY, 0, Metrics.standalone(), new DatabaseHealth(), null, 1_000, 10);
    Context caller = vertx.getOrCreateContext();
    List<Future<Void>> all = java.util.Collections.synchronizedList(new ArrayList<>());
    Promise<Void> first = Promise.promise();
    caller.runOnContext(v -> {
      for (int i = 0; i < 3; i++) all.add(w.submit(i)); // idle: sent at once, one batch of 3
      first.complete();
    });
    await(first.future());
    Thread.sleep(100); // the batch of 3 is in flight (300 ms)
    Promise<Void> second = Promise.promise();
    caller.runOnContext(v -> {
      for (int i = 3; i < 5; i++) all.add(w.submit(i)); // 2 wait: after the batch, the cycle lingers
      second.complete();
    });
    await(second.future());
    Thread.sleep(400); // the first batch was answered; the 2 rows linger (up to 1 s)
    Promise<Void> third = Promise.promise();
    caller.runOnContext(v -> {
      for (int i = 5; i < 13; i++) all.add(w.submit(i)); // 10 waiting now: the target, sent at once
      third.complete();
    });
    await(third.future());
    long t0 = System.nanoTime();
    await(Future.all(new ArrayList<>(all)));
    long ms = (System.nanoTime() - t0) / 1_000_000;
    synchronized (sizes) {
      assertEquals(List.of(3, 10), sizes, "the lingering cycle went out when its row target was reached");
    }
    assertTrue(ms < 900, "not at the end of the linger: " + ms + " ms");
    await(w.close());
  }
}
