package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The batch writers' generic plans once the database holds many settled charges and a few in
 * flight, and has analysed them, as a running router's has. The checkpoint statement's
 * {@code status = 'processing'} matched the predicate of the partial index
 * {@code charges_unsettled}; with few charges in flight the planner took walking that whole index
 * (every processing and pending charge) for each batch as cheap, and the cached plan kept doing it
 * as the backlog grew: seen in the bench (the checkpoint took up to 167 µs per charge in a second
 * round against 36-40 µs in a first), and after a PSP outage every checkpoint batch would have
 * walked all the pending charges. A batch must reach its charges by their ids.
 */
@ExtendWith(VertxExtension.class)
class GenericPlanOnARunningDatabaseTest extends MigratedDatabase {

  @BeforeAll
  static void seed(Vertx vertx, VertxTestContext ctx) {
    Pool pool = database.pool(vertx, 1);
    // 20,000 charges, 20 of them unsettled (processing or pending: the charges in flight), then
    // ANALYZE: the statistics of a running router's database, not an empty table's. A small
    // unsettled index next to a large table is what made the planner walk it.
    pool.query("INSERT INTO merchants (id, name) VALUES ('m_plan', 'plan') ON CONFLICT DO NOTHING").execute()
        .compose(x -> pool.query("""
            INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status,
                                 created_at, updated_at, owner, next_check_at)
            SELECT 'ch_plan_' || g, 'm_plan', 'k' || g, 'fp', 100, 'USD',
                   CASE WHEN g % 2000 = 0 THEN 'processing' WHEN g % 2000 = 1 THEN 'pending'
                        WHEN g % 10 = 2 THEN 'declined' ELSE 'succeeded' END,
                   now(), now(), 'inst_plan', CASE WHEN g % 2000 < 2 THEN now() + interval '1 hour' END
            FROM generate_series(1, 20000) g""").execute())
        .compose(x -> pool.query("ANALYZE").execute())
        .eventually(() -> pool.close())
        .onComplete(ctx.succeedingThenComplete());
  }

  private static void assertKeyed(Vertx vertx, VertxTestContext ctx, String sql) {
    Pool pool = database.pool(vertx, 1);
    pool.query("EXPLAIN (GENERIC_PLAN, COSTS OFF) " + sql).execute()
        .map(rs -> StreamSupport.stream(rs.spliterator(), false).map(r -> r.getString(0)).collect(Collectors.joining("\n")))
        .eventually(() -> pool.close())
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertTrue(plan.contains("Index Scan using charges_pkey"), "the batch reaches its charges by id:\n" + plan);
          assertFalse(plan.contains("charges_unsettled"), "no walk of every unsettled charge:\n" + plan);
          assertFalse(plan.contains("Seq Scan"), "no table is scanned whole:\n" + plan);
          ctx.completeNow();
        })));
  }

  @Test
  void checkpointBatchesFindTheirChargesByIdOnALargeTableWithFewInFlight(Vertx vertx, VertxTestContext ctx) {
    assertKeyed(vertx, ctx, Store.CHECKPOINT_SQL);
  }

  @Test
  void outcomeBatchesFindTheirChargesByIdOnALargeTableWithFewInFlight(Vertx vertx, VertxTestContext ctx) {
    assertKeyed(vertx, ctx, Store.OUTCOME_SQL);
  }
}
