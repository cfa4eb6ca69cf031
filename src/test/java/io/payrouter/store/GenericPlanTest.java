package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The batch writers' statements are prepared once per connection and PostgreSQL caches a generic
 * plan for them. On a fresh database that plan is made while the tables are empty; it must still
 * find rows by key, or every batch scans the whole table until the next ANALYZE (it did: the cost
 * of a charge grew with the table during the first minutes of a new database). Checked on the
 * router's own pool against a freshly migrated, empty, real PostgreSQL.
 */
@ExtendWith(VertxExtension.class)
class GenericPlanTest extends MigratedDatabase {

  private static void assertKeyedOnEmptyTables(Vertx vertx, VertxTestContext ctx, String sql, String table) {
    Pool pool = database.pool(vertx, 1);
    pool.query("EXPLAIN (GENERIC_PLAN, COSTS OFF) " + sql).execute()
        .map(rs -> StreamSupport.stream(rs.spliterator(), false).map(r -> r.getString(0)).collect(Collectors.joining("\n")))
        .eventually(() -> pool.close())
        .onComplete(ctx.succeeding(plan -> ctx.verify(() -> {
          assertTrue(plan.contains("Index Scan using " + table + "_pkey") || plan.contains("Arbiter Indexes: " + table + "_pkey"),
              "the plan reaches " + table + " through its primary key:\n" + plan);
          assertFalse(plan.contains("Seq Scan"), "no table is scanned whole:\n" + plan);
          ctx.completeNow();
        })));
  }

  @Test
  void outcomeBatchesFindTheirChargesByKeyOnAnEmptyDatabase(Vertx vertx, VertxTestContext ctx) {
    assertKeyedOnEmptyTables(vertx, ctx, Store.OUTCOME_SQL, "charges");
  }

  @Test
  void claimBatchesCheckTheirCardsByKeyOnAnEmptyDatabase(Vertx vertx, VertxTestContext ctx) {
    assertKeyedOnEmptyTables(vertx, ctx, Store.CLAIM_SQL, "cards");
  }

  @Test
  void webhookResultBatchesFindTheirDeliveriesByKeyNotByWalkingThePendingOnes(Vertx vertx, VertxTestContext ctx) {
    assertKeyedOnEmptyTables(vertx, ctx, WebhookStore.RESULT_SQL, "webhook_deliveries");
  }
}
