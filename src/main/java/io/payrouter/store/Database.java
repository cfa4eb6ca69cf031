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
    long t0 = System.nanoTime();
    EmbeddedPostgres pg = EmbeddedPostgres.builder()
        .setDataDirectory(dir)
        .setCleanDataDirectory(false)
        .setServerConfig("max_connections", "100")
        .setServerConfig("synchronous_commit", "on")
        .start();
    log.info("embedded PostgreSQL on 127.0.0.1:{} (data in {}) started in {} ms", pg.getPort(), dir,
        (System.nanoTime() - t0) / 1_000_000);
    PgConnectOptions o = new PgConnectOptions().setHost("127.0.0.1").setPort(pg.getPort())
        .setDatabase("postgres").setUser("postgres").setPassword("postgres");
    return new Database(o, pg, cfg.statementTimeoutMs());
  }

  /** Applies pending migrations (blocking JDBC; call off the event loop). */
  public void migrate() {
    String jdbc = "jdbc:postgresql://" + connect.getHost() + ":" + connect.getPort() + "/" + connect.getDatabase();
    long t0 = System.nanoTime();
    var result = Flyway.configure().dataSource(jdbc, connect.getUser(), connect.getPassword())
        .locations("classpath:db/migration").load().migrate();
    log.info("schema at version {} ({} migrations applied) in {} ms", result.targetSchemaVersion,
        result.migrationsExecuted, (System.nanoTime() - t0) / 1_000_000);
  }

  /**
   * The application's pool. Every connection carries PostgreSQL's {@code statement_timeout}
   * ({@code database.statement_timeout_ms}): a query stuck on a lock or a hung disk fails after it
   * instead of holding a pool connection (and the requests queued behind it) without end.
   */
  public Pool pool(Vertx vertx, int size) {
    PgConnectOptions o = new PgConnectOptions(connect).setCachePreparedStatements(true)
        .setPipeliningLimit(256);
    o.setProperties(new java.util.HashMap<>(o.getProperties()));
    o.addProperty("statement_timeout", String.valueOf(statementTimeoutMs));
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
