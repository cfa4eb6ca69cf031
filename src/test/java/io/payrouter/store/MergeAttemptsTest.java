package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The rules by which a write's attempts join the ones stored on the charge row (migration V17's
 * {@code merge_attempts}, used by the outcome and checkpoint statements), on a real PostgreSQL:
 * the same rules the attempts table's upserts had.
 */
@ExtendWith(VertxExtension.class)
class MergeAttemptsTest extends MigratedDatabase {

  private static Future<JsonArray> merge(Vertx vertx, String stored, String written) {
    Pool pool = database.pool(vertx, 1);
    return pool.preparedQuery("SELECT merge_attempts($1::text::jsonb, $2::text::jsonb)::text")
        .execute(Tuple.of(stored, written))
        .map(rs -> new JsonArray(rs.iterator().next().getString(0)))
        .eventually(() -> pool.close());
  }

  private static void expect(Vertx vertx, VertxTestContext ctx, String stored, String written, String want) {
    merge(vertx, stored, written).onComplete(ctx.succeeding(got -> ctx.verify(() -> {
      assertEquals(new JsonArray(want), got);
      ctx.completeNow();
    })));
  }

  @Test
  void anAttemptWrittenAgainTakesWhatTheOutcomeSaysAndDropsWhatItClears(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx,
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"fatora\",\"outcome\":\"in_doubt\",\"error\":\"timeout\"}]",
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"fatora\",\"outcome\":\"succeeded\",\"latency_ms\":40,\"error\":null,"
            + "\"provider_reference\":\"T1\",\"decline_code\":null,\"provider_code\":null}]",
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"fatora\",\"outcome\":\"succeeded\",\"latency_ms\":40,"
            + "\"provider_reference\":\"T1\"}]");
  }

  @Test
  void aProviderReferenceOnceKnownIsNotForgotten(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx,
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"revio\",\"outcome\":\"sent\",\"provider_reference\":\"P9\"}]",
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"revio\",\"outcome\":\"declined\",\"provider_reference\":null}]",
        "[{\"id\":\"a1\",\"seq\":1,\"provider\":\"revio\",\"outcome\":\"declined\",\"provider_reference\":\"P9\"}]");
  }

  @Test
  void storedAttemptsAWriteDoesNotNameAreKeptAndNewOnesJoinInSeqOrder(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx,
        "[{\"id\":\"z1\",\"seq\":1,\"outcome\":\"declined\"},{\"id\":\"a3\",\"seq\":3,\"outcome\":\"sent\"}]",
        "[{\"id\":\"b2\",\"seq\":2,\"outcome\":\"failed\"}]",
        "[{\"id\":\"z1\",\"seq\":1,\"outcome\":\"declined\"},{\"id\":\"b2\",\"seq\":2,\"outcome\":\"failed\"},"
            + "{\"id\":\"a3\",\"seq\":3,\"outcome\":\"sent\"}]");
  }

  @Test
  void aWriteWithNoAttemptsLeavesTheStoredOnes(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx, "[{\"id\":\"a1\",\"seq\":1,\"outcome\":\"sent\"}]", "[]",
        "[{\"id\":\"a1\",\"seq\":1,\"outcome\":\"sent\"}]");
  }

  @Test
  void aChargeWithNoAttemptsTakesTheWrittenOnes(Vertx vertx, VertxTestContext ctx) {
    expect(vertx, ctx, "[]", "[{\"id\":\"a1\",\"seq\":1,\"outcome\":\"sent\"}]",
        "[{\"id\":\"a1\",\"seq\":1,\"outcome\":\"sent\"}]");
  }
}
