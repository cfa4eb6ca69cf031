package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Every batch writer's statement stays prepared on its connection after it ran, so PostgreSQL
 * parses and plans it once per connection, not once per batch. The client only caches SQL up to a
 * length ({@link Database#PREPARED_SQL_LIMIT}); with its default the outcome statement was
 * prepared, planned and closed again for every batch. Checked on the router's own pool against a
 * real PostgreSQL, by its {@code pg_prepared_statements}.
 */
@ExtendWith(VertxExtension.class)
class PreparedStatementCacheTest extends MigratedDatabase {
  private static final Pattern CAST = Pattern.compile("\\$(\\d+)::(\\w+(?:\\[\\])?)");

  /** A batch of no rows: every array parameter empty, of its type, and the scalars set. */
  private static Tuple emptyBatch(String sql) {
    Map<Integer, String> types = new TreeMap<>();
    Matcher m = CAST.matcher(sql);
    while (m.find()) types.putIfAbsent(Integer.parseInt(m.group(1)), m.group(2));
    List<Object> values = new ArrayList<>();
    for (int i = 1; i <= types.size(); i++) {
      values.add(switch (types.get(i)) {
        case "text[]" -> new String[0];
        case "int4[]" -> new Integer[0];
        case "int8[]" -> new Long[0];
        case "timestamptz[]" -> new OffsetDateTime[0];
        case "text" -> "x";
        case "int8" -> 1L;
        case "float8" -> 3000.0;
        default -> throw new IllegalArgumentException("$" + i + " is " + types.get(i) + " in " + sql);
      });
    }
    return Tuple.from(values);
  }

  @Test
  void everyWriterStatementStaysPreparedOnItsConnection(Vertx vertx, VertxTestContext ctx) {
    List<String> writers = List.of(Store.CLAIM_SQL, Store.CHECKPOINT_SQL, Store.OUTCOME_SQL, WebhookStore.RESULT_SQL);
    Pool pool = database.pool(vertx, 1); // one connection: the one that ran them answers
    Future<?> ran = Future.succeededFuture();
    for (String sql : writers) ran = ran.compose(x -> pool.preparedQuery(sql).execute(emptyBatch(sql)));
    ran.compose(x -> pool.query("SELECT statement FROM pg_prepared_statements").execute())
        .map(rs -> StreamSupport.stream(rs.spliterator(), false).map(r -> r.getString(0)).collect(Collectors.toSet()))
        .eventually(() -> pool.close())
        .onComplete(ctx.succeeding((Set<String> prepared) -> ctx.verify(() -> {
          for (String sql : writers) {
            assertTrue(prepared.contains(sql), "still prepared (" + sql.length() + " characters): "
                + sql.substring(0, 40).replaceAll("\\s+", " "));
          }
          ctx.completeNow();
        })));
  }
}
