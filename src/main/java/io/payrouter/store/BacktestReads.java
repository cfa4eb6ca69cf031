package io.payrouter.store;

import io.payrouter.routing.Backtest;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Cursor;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.function.Function;

/**
 * The reads of a routing backtest: stored charges of a window through a cursor (never the window
 * in memory), the window's attempts aggregated, and the stored routing versions. Each runs in a
 * read-only transaction of its own with a longer statement timeout than the pool's (these are the
 * router's only reads that scan a range of charges) and sequential scans allowed.
 */
public final class BacktestReads {

  /** Rows fetched per cursor read. */
  public static final int FETCH = 2_000;

  private final Store store;
  private final Pool pool;

  BacktestReads(Store store, Pool pool) {
    this.store = store;
    this.pool = pool;
  }

  /** A window's attempts that a PSP answered, per provider, currency and card brand. */
  public record AttemptCounts(String provider, String currency, String brand, long approved, long declined,
      long failed, double p50LatencyMs) {}

  /** Stored routing versions (newest first, at most {@code limit}) with their documents. */
  public Future<List<Store.RoutingVersion>> versions(int limit) {
    return store.reachable(pool.preparedQuery("SELECT version, rules, source FROM routing_configs ORDER BY version DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<Store.RoutingVersion> out = new ArrayList<>();
          for (Row r : rs) out.add(new Store.RoutingVersion(r.getLong(0), (JsonObject) r.getValue(1), r.getString(2)));
          return out;
        }));
  }

  private static final String WINDOW = "c.created_at >= $1 AND c.created_at < $2 AND ($3::text IS NULL OR c.merchant_id = $3)";

  public Future<List<AttemptCounts>> attempts(Instant from, Instant to, String merchant, long timeoutMs) {
    String sql = "SELECT a.provider, c.currency, k.brand,"
        + " count(*) FILTER (WHERE a.outcome = 'succeeded'), count(*) FILTER (WHERE a.outcome = 'declined'),"
        + " count(*) FILTER (WHERE a.outcome NOT IN ('succeeded', 'declined', 'sent')),"
        + " coalesce(percentile_cont(0.5) WITHIN GROUP (ORDER BY a.latency_ms), 0)"
        + " FROM charges c CROSS JOIN LATERAL jsonb_to_recordset(c.attempts) AS a(provider text, outcome text, latency_ms int)"
        + " LEFT JOIN cards k ON k.id = c.card_id"
        + " WHERE " + WINDOW + " GROUP BY 1, 2, 3";
    return store.reachable(pool.withTransaction(conn -> settings(conn, timeoutMs)
        .compose(v -> conn.preparedQuery(sql).execute(window(from, to, merchant)))
        .map(rs -> {
          List<AttemptCounts> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new AttemptCounts(r.getString(0), r.getString(1), r.getString(2), r.getLong(3), r.getLong(4),
                r.getLong(5), r.getDouble(6)));
          }
          return out;
        })));
  }

  /**
   * Streams the window's charges (at most {@code limit}) to {@code batch}, {@value #FETCH} at a
   * time: the next rows are read only once the batch's future completes (back-pressure). Answers
   * whether the limit cut the window short.
   */
  public Future<Boolean> charges(Instant from, Instant to, String merchant, long limit, long timeoutMs,
      Function<List<Backtest.StoredCharge>, Future<Void>> batch) {
    String sql = "SELECT c.id, c.merchant_id, c.amount, c.currency, k.brand, k.issuer_country, t.providers,"
        // a charge a routing canary's proposed rules decided names the base version but was not
        // decided by it: version 0, so that "before" is its stored decision
        + " CASE WHEN c.routing->'canary'->>'arm' = 'canary' THEN 0"
        + " ELSE coalesce((c.routing->>'config_version')::bigint, 0) END, c.routing->>'rule',"
        + " coalesce(c.routing->'candidates'->>0, c.provider)"
        + " FROM charges c LEFT JOIN cards k ON k.id = c.card_id"
        + " LEFT JOIN LATERAL (SELECT array_agg(p.provider) AS providers FROM provider_tokens p"
        + "                    WHERE p.card_id = c.card_id) t ON c.card_id IS NOT NULL"
        + " WHERE " + WINDOW + " LIMIT $4";
    return store.reachable(pool.withTransaction(conn -> settings(conn, timeoutMs)
        .compose(v -> conn.prepare(sql))
        .compose(ps -> {
          Cursor cursor = ps.cursor(window(from, to, merchant).addLong(limit + 1));
          return read(cursor, batch, limit, new long[1]).eventually(cursor::close);
        })));
  }

  private Future<Boolean> read(Cursor cursor, Function<List<Backtest.StoredCharge>, Future<Void>> batch, long limit,
      long[] seen) {
    return cursor.read(FETCH).compose(rs -> {
      List<Backtest.StoredCharge> rows = new ArrayList<>(rs.size());
      boolean truncated = false;
      for (Row r : rs) {
        if (seen[0] == limit) {
          truncated = true;
          break;
        }
        seen[0]++;
        rows.add(charge(r));
      }
      boolean cut = truncated;
      Future<Void> done = rows.isEmpty() ? Future.succeededFuture() : batch.apply(rows);
      return done.compose(v -> !cut && cursor.hasMore() ? read(cursor, batch, limit, seen) : Future.succeededFuture(cut));
    });
  }

  private static Backtest.StoredCharge charge(Row r) {
    String[] providers = r.getArrayOfStrings(6);
    Set<String> tokens = null;
    if (providers != null) {
      tokens = new LinkedHashSet<>();
      for (String p : providers) {
        if (p != null) tokens.add(p);
      }
    }
    return new Backtest.StoredCharge(r.getString(0), r.getString(1), r.getLong(2), r.getString(3), r.getString(4),
        r.getString(5), tokens, r.getLong(7), r.getString(8), r.getString(9));
  }

  private static Future<Void> settings(SqlConnection conn, long timeoutMs) {
    return conn.query("SET TRANSACTION READ ONLY; SET LOCAL statement_timeout = " + Math.max(1_000, timeoutMs)
        + "; SET LOCAL enable_seqscan = on").execute().mapEmpty();
  }

  private static Tuple window(Instant from, Instant to, String merchant) {
    return Tuple.of(Store.odt(from), Store.odt(to), merchant);
  }
}
