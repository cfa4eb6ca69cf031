package io.payrouter.store;

import io.vertx.pgclient.PgException;
import java.util.Set;

/**
 * The one classification of database failures. Transient: the same statement may well succeed
 * in a moment (connection lost or refused, server shutting down or starting up, too many clients,
 * serialization failure, deadlock, lock or statement timeout). Everything else PostgreSQL answers
 * is a refusal of the statement itself (a constraint, a bad value): retrying it changes nothing.
 */
public final class DbErrors {
  private DbErrors() {}

  private static final Set<String> TRANSIENT_STATES = Set.of(
      "57P01", // admin_shutdown
      "57P02", // crash_shutdown
      "57P03", // cannot_connect_now (starting up, shutting down)
      "57014", // query_canceled (statement timeout)
      "40001", // serialization_failure
      "40P01", // deadlock_detected
      "55P03", // lock_not_available
      "55000", // object_not_in_prerequisite_state (e.g. recovery in progress)
      "25006", // read_only_sql_transaction (a standby during failover)
      "XX000"); // internal error raised while the server is going down

  /**
   * True when retrying later may succeed. Anything that is neither a database answer nor a
   * connection or timeout failure (a bug, such as a NullPointerException while mapping a row) is
   * not transient: it must surface as an error, never pass for an outage.
   */
  public static boolean isTransient(Throwable t) {
    if (!(t instanceof PgException pg)) {
      return t instanceof java.io.IOException // connection refused, reset, closed
          || t instanceof java.util.concurrent.TimeoutException // pool wait, statement future timeout
          || t instanceof io.vertx.core.VertxException // closed connection, pool closed, connect failures
          || t instanceof io.netty.channel.ChannelException;
    }
    String s = pg.getSqlState();
    if (s == null) return true;
    return s.startsWith("08") // connection_exception
        || s.startsWith("53") // insufficient_resources (too_many_connections, out of memory, disk full)
        || TRANSIENT_STATES.contains(s);
  }

  /** The SQLSTATE of a database refusal, or null. */
  public static String sqlState(Throwable t) {
    return t instanceof PgException pg ? pg.getSqlState() : null;
  }
}
