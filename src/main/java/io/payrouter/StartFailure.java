package io.payrouter;

import java.net.BindException;
import java.net.ConnectException;

/**
 * A start that failed, said in one line an operator can act on: the port that is taken, the
 * database that cannot be reached (and why), rather than a stack trace. Pure: it reads the
 * exception chain only.
 */
public final class StartFailure extends RuntimeException {

  public StartFailure(String message, Throwable cause) {
    super(message, cause);
  }

  /** The HTTP server could not listen on {@code host:port}. */
  public static StartFailure http(String host, int port, Throwable cause) {
    if (has(cause, BindException.class) || text(cause).contains("Address already in use")) {
      return new StartFailure("port " + port + " on " + host + " is already in use (http.port, --port or ROUTER_PORT):"
          + " another router or program listens there", cause);
    }
    return new StartFailure("the HTTP API could not listen on " + host + ":" + port + ": " + root(cause), cause);
  }

  /** PostgreSQL at {@code where} (host:port/database, never the password) could not be used at start. */
  public static StartFailure database(String where, Throwable cause) {
    String why = has(cause, ConnectException.class) || text(cause).contains("Connection refused")
        ? "connection refused (is PostgreSQL running there? database.url / ROUTER_DATABASE_URL)" : root(cause);
    return new StartFailure("cannot use PostgreSQL at " + where + ": " + why, cause);
  }

  /** The innermost message of a chain (class name when it has none). */
  static String root(Throwable t) {
    Throwable r = t;
    while (r.getCause() != null && r.getCause() != r) r = r.getCause();
    String m = r.getMessage();
    return m == null || m.isBlank() ? r.getClass().getSimpleName() : m.lines().findFirst().orElse(m).trim();
  }

  private static boolean has(Throwable t, Class<? extends Throwable> type) {
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) if (type.isInstance(c)) return true;
    return false;
  }

  private static String text(Throwable t) {
    StringBuilder b = new StringBuilder();
    for (Throwable c = t; c != null; c = c.getCause() == c ? null : c.getCause()) b.append(c.getMessage()).append('\n');
    return b.toString();
  }
}
