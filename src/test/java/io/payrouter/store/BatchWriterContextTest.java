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
    BatchWriter<Integer> w = new BatchWriter<>(vertx, pool, "test", "INSERT INTO t (id, v) VALUES ($1, $2)",
        i -> Tuple.of(i, i % 17 == 0 ? "bad\u0000" : "ok"), 10_000, 64, 2, BatchWriter.Mode.RETRY,
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
    var count = await(pool.query("SELECT count(*) FROM t").execute()).iterator().next().getLong(0);
    long refused = java.util.stream.IntStream.rangeClosed(1, 400).filter(i -> i % 17 == 0).count();
    assertEquals(400 - refused, count, "every good row landed");
    assertEquals(refused, (long) await(pool.query("SELECT count(*) FROM dead_letters").execute()).iterator().next()
        .getLong(0), "every refused row kept as a dead letter");
    assertEquals(0, w.offContext.get(), "writer state touched off its context");
    assertTrue(w.depth() == 0, "drained");
  }
}
