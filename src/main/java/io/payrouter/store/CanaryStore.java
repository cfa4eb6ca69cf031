package io.payrouter.store;

import io.payrouter.domain.CanaryConflictException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of routing canaries (migration V15). At most one runs (a partial unique index); its end
 * is one conditional update from {@code running}, so with several instances judging the same
 * figures exactly one records the verdict, and a promotion stores the new routing version in that
 * same transaction, under the routing lock, only if the rules in force are still the canary's base.
 */
public final class CanaryStore {

  /** A canary as stored. */
  public record Canary(long generation, JsonObject rules, JsonObject plan, String hashBy, long baseVersion,
      String state, String startedBy, String instance, Instant startedAt, Instant endsAt, Instant finishedAt,
      String reason, JsonObject figures, Long promotedVersion) {}

  /** One recorded step. */
  public record Event(long generation, String event, String reason, JsonObject figures, String instance, Instant at,
      long baseVersion, Long promotedVersion) {}

  /** How a finish went: the state recorded, and the routing version a promotion stored. */
  public record Finished(String state, String reason, Long promotedVersion) {}

  private static final String COLUMNS = "generation, rules, plan, hash_by, base_version, state, started_by, instance,"
      + " started_at, ends_at, finished_at, reason, figures, promoted_version";

  private final Store store;
  private final Pool pool;

  CanaryStore(Store store, Pool pool) {
    this.store = store;
    this.pool = pool;
  }

  /**
   * Starts a canary and records its {@code started} event; fails with
   * {@link CanaryConflictException} when one is running, or when the rules in force are no longer
   * {@code baseVersion} (changed while it was being started).
   */
  public Future<Canary> start(JsonObject rules, JsonObject plan, String hashBy, long baseVersion, long durationMs,
      String startedBy, String instance) {
    return store.reachable(pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(Store.ROUTING_LOCK))
        .compose(x -> conn.query("SELECT coalesce(max(version), 0) FROM routing_configs").execute())
        .compose(rs -> {
          long latest = rs.iterator().next().getLong(0);
          if (latest != baseVersion) {
            return Future.failedFuture(new CanaryConflictException("the rules in force changed (version " + latest
                + ") while the canary was being started against version " + baseVersion + "; start it again"));
          }
          return conn.preparedQuery("INSERT INTO routing_canaries (rules, plan, hash_by, base_version, started_by, instance,"
                  + " ends_at) VALUES ($1, $2, $3, $4, $5, $6, now() + $7 * interval '1 millisecond') RETURNING " + COLUMNS)
              .execute(Tuple.of(rules, plan, hashBy, baseVersion, Store.clean(startedBy), instance, durationMs));
        })
        .compose(rs -> {
          Canary c = canary(rs.iterator().next());
          return event(conn, c.generation(), "started", null, plan, instance).map(c);
        }))).recover(err -> Future.failedFuture(err instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? new CanaryConflictException("a routing canary is already running; stop it (DELETE /admin/routing/canary) or"
                + " wait for its verdict")
            : err));
  }

  /** The running canary, if any. */
  public Future<Optional<Canary>> running() {
    return store.reachable(pool.query("SELECT " + COLUMNS + " FROM routing_canaries WHERE state = 'running'").execute()
        .map(rs -> Store.first(rs).map(CanaryStore::canary)));
  }

  /** The newest canary (running or finished), if any. */
  public Future<Optional<Canary>> newest() {
    return store.reachable(pool.query("SELECT " + COLUMNS + " FROM routing_canaries ORDER BY generation DESC LIMIT 1")
        .execute().map(rs -> Store.first(rs).map(CanaryStore::canary)));
  }

  /**
   * Records a step of a running canary once for the fleet (the first instance to get there): true
   * when this call recorded it.
   */
  public Future<Boolean> recordOnce(long generation, String event, JsonObject figures, String instance) {
    return store.reachable(pool.preparedQuery("INSERT INTO routing_canary_events (generation, event, figures, instance)"
            + " SELECT $1, $2, $3, $4 WHERE EXISTS (SELECT 1 FROM routing_canaries WHERE generation = $1 AND state = 'running')"
            + " AND NOT EXISTS (SELECT 1 FROM routing_canary_events WHERE generation = $1 AND event = $2)")
        .execute(Tuple.of(generation, event, figures, instance)).map(rs -> rs.rowCount() == 1));
  }

  /** Records a step of a running canary (not its end: {@link #finish}). */
  public Future<Void> record(long generation, String event, String reason, JsonObject figures, String instance) {
    return store.reachable(pool.withConnection(conn -> event(conn, generation, event, reason, figures, instance)));
  }

  /**
   * Ends canary {@code generation} if it is still running: {@code promoted} (its rules stored as a
   * new routing version, changed by {@code changedBy}, if the rules in force are still its base;
   * otherwise it is rolled back as {@code superseded}), {@code rolled_back} or {@code stopped},
   * with the figures, and the matching event. Empty when it was not running (another instance or
   * an operator ended it first).
   */
  public Future<Optional<Finished>> finish(long generation, String state, String reason, JsonObject figures,
      String instance, String changedBy) {
    return store.reachable(pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(Store.ROUTING_LOCK))
        .compose(x -> conn.preparedQuery("SELECT base_version, rules, (SELECT coalesce(max(version), 0) FROM routing_configs)"
            + " FROM routing_canaries WHERE generation = $1 AND state = 'running' FOR UPDATE").execute(Tuple.of(generation)))
        .compose(rs -> {
          Optional<Row> row = Store.first(rs);
          if (row.isEmpty()) return Future.succeededFuture(Optional.<Finished>empty());
          long base = row.get().getLong(0);
          JsonObject rules = (JsonObject) row.get().getValue(1);
          long latest = row.get().getLong(2);
          boolean promote = "promoted".equals(state) && latest == base;
          String st = "promoted".equals(state) && !promote ? "rolled_back" : state;
          String why = "promoted".equals(state) && !promote ? "superseded" : reason;
          Future<Long> version = promote
              ? conn.preparedQuery("INSERT INTO routing_configs (source, rules, changed_by, instance) VALUES ('canary', $1, $2, $3)"
                  + " RETURNING version").execute(Tuple.of(rules, Store.clean(changedBy), instance))
                  .map(ins -> ins.iterator().next().getLong(0))
              : Future.succeededFuture(null);
          return version.compose(v -> conn.preparedQuery("UPDATE routing_canaries SET state = $2, reason = $3, figures = $4,"
                  + " finished_at = now(), promoted_version = $5 WHERE generation = $1")
              .execute(Tuple.of(generation, st, why, figures, v))
              .compose(u -> event(conn, generation, st, why, figures, instance))
              .map(u -> Optional.of(new Finished(st, why, v))));
        })));
  }

  /**
   * The events of the canaries started on these routing versions or promoted to them, oldest
   * first: what the version history shows beside each version.
   */
  public Future<List<Event>> eventsOf(List<Long> versions) {
    if (versions.isEmpty()) return Future.succeededFuture(List.of());
    Long[] vs = versions.toArray(new Long[0]);
    return store.reachable(pool.preparedQuery(EVENTS + " WHERE c.base_version = ANY($1) OR c.promoted_version = ANY($1)"
        + " ORDER BY e.id LIMIT 1000").execute(Tuple.of((Object) vs)).map(CanaryStore::events));
  }

  /** The events of one canary, oldest first. */
  public Future<List<Event>> eventsOf(long generation) {
    return store.reachable(pool.preparedQuery(EVENTS + " WHERE e.generation = $1 ORDER BY e.id")
        .execute(Tuple.of(generation)).map(CanaryStore::events));
  }

  /** The columns {@link #events} reads, with the canary's versions. */
  private static final String EVENTS = "SELECT e.generation, e.event, e.reason, e.figures, e.instance, e.at,"
      + " c.base_version, c.promoted_version FROM routing_canary_events e JOIN routing_canaries c USING (generation)";

  private static List<Event> events(RowSet<Row> rs) {
    List<Event> out = new ArrayList<>();
    for (Row r : rs) {
      out.add(new Event(r.getLong(0), r.getString(1), r.getString(2), (JsonObject) r.getValue(3), r.getString(4),
          r.getOffsetDateTime(5).toInstant(), r.getLong(6), r.getLong(7)));
    }
    return out;
  }

  private static Future<Void> event(SqlConnection conn, long generation, String event, String reason, JsonObject figures,
      String instance) {
    return conn.preparedQuery("INSERT INTO routing_canary_events (generation, event, reason, figures, instance)"
        + " VALUES ($1, $2, $3, $4, $5)").execute(Tuple.of(generation, event, reason, figures, instance)).mapEmpty();
  }

  private static Canary canary(Row r) {
    return new Canary(r.getLong(0), (JsonObject) r.getValue(1), (JsonObject) r.getValue(2), r.getString(3), r.getLong(4),
        r.getString(5), r.getString(6), r.getString(7), r.getOffsetDateTime(8).toInstant(),
        r.getOffsetDateTime(9).toInstant(), r.getOffsetDateTime(10) == null ? null : r.getOffsetDateTime(10).toInstant(),
        r.getString(11), (JsonObject) r.getValue(12), r.getLong(13));
  }
}
