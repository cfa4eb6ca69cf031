package io.payrouter.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The router under test as a child process: {@code java -cp <this JVM's class path>
 * io.payrouter.Main --config <file>}, its output in {@code <name>-<n>.log} ({@code router-<n>.log}
 * for the single router; {@code r1-1.log}, ... for the fleet's instances). Blocking; call from the
 * orchestrating thread only.
 */
public final class RouterProcess {
  private final Path config;
  private final Path outDir;
  private final String url;
  private final String name;
  private final java.util.Map<String, String> env;
  private final List<String> jvmArgs;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private Process process;
  private int starts;
  private volatile boolean paused;

  RouterProcess(Path config, Path outDir, String url) {
    this(config, outDir, url, "router", java.util.Map.of(), List.of("-Xms128m", "-Xmx512m"));
  }

  /**
   * {@code env}: variables set for the child after every inherited ROUTER_* one was removed;
   * {@code jvmArgs}: its heap and JIT settings.
   */
  public RouterProcess(Path config, Path outDir, String url, String name, java.util.Map<String, String> env,
      List<String> jvmArgs) {
    this.config = config;
    this.outDir = outDir;
    this.url = url;
    this.name = name;
    this.env = java.util.Map.copyOf(env);
    this.jvmArgs = List.copyOf(jvmArgs);
  }

  String name() {
    return name;
  }

  public String url() {
    return url;
  }

  int starts() {
    return starts;
  }

  public Path log() {
    return outDir.resolve(name + "-" + starts + ".log");
  }

  long pid() {
    return process == null ? -1 : process.pid();
  }

  boolean alive() {
    return process != null && process.isAlive();
  }

  public void start() throws IOException {
    starts++;
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    List<String> cmd = new ArrayList<>(List.of(java));
    cmd.addAll(jvmArgs);
    cmd.addAll(List.of("-XX:+ExitOnOutOfMemoryError", "-Dvertx.disableDnsResolver=true", "-cp", classPath(),
        "io.payrouter.Main", "--config", config.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).directory(outDir.toFile()).redirectErrorStream(true)
        .redirectOutput(log().toFile());
    // The file says everything: no ROUTER_* override from the caller's environment.
    pb.environment().keySet().removeIf(k -> k.startsWith("ROUTER_") || k.endsWith("_BASE_URL"));
    pb.environment().putAll(env);
    paused = false;
    process = pb.start();
  }

  /** SIGSTOP: the process freezes (its sockets stay open, nothing answers), as in a long GC pause. */
  void pause() throws IOException, InterruptedException {
    signal("STOP");
    paused = true;
  }

  /** SIGCONT after {@link #pause()}. */
  void resume() throws IOException, InterruptedException {
    signal("CONT");
    paused = false;
  }

  boolean paused() {
    return paused;
  }

  private void signal(String sig) throws IOException, InterruptedException {
    if (process == null || !process.isAlive()) throw new IOException(name + " is not running");
    Process k = new ProcessBuilder("kill", "-" + sig, Long.toString(process.pid())).redirectErrorStream(true).start();
    if (!k.waitFor(5, TimeUnit.SECONDS) || k.exitValue() != 0) {
      k.destroyForcibly();
      throw new IOException("kill -" + sig + " " + process.pid() + " failed");
    }
  }

  /** SIGTERM and waits up to {@code boundMs}; the milliseconds it took to exit, or -1 if it did not (left running). */
  long terminate(long boundMs) throws InterruptedException {
    if (process == null || !process.isAlive()) return 0;
    long t0 = System.nanoTime();
    process.destroy();
    boolean gone = process.waitFor(boundMs, TimeUnit.MILLISECONDS);
    return gone ? (System.nanoTime() - t0) / 1_000_000 : -1;
  }

  /** The exit status of the last process (-1 while it runs or if never started). */
  int exitValue() {
    return process == null || process.isAlive() ? -1 : process.exitValue();
  }

  /** This JVM's class path with every entry absolute (the child runs in the output directory). */
  static String classPath() {
    List<String> abs = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!e.isEmpty()) abs.add(Path.of(e).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, abs);
  }

  /** Polls {@code GET /health/ready} every 100 ms; false if the process died or the time ran out. */
  public boolean awaitReady(long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      if (!alive()) return false;
      try {
        HttpResponse<Void> r = http.send(HttpRequest.newBuilder(URI.create(url + "/health/ready"))
            .timeout(Duration.ofSeconds(1)).GET().build(), HttpResponse.BodyHandlers.discarding());
        if (r.statusCode() == 200) return true;
      } catch (IOException e) {
        // not listening yet
      }
      Thread.sleep(100);
    }
    return false;
  }

  /** SIGKILL (a paused process dies too), and waits (bounded) until it is gone. */
  void kill() throws InterruptedException {
    if (process == null) return;
    process.destroyForcibly();
    process.waitFor(10, TimeUnit.SECONDS);
    paused = false;
  }

  /** SIGTERM (the router's shutdown hook drains writes and stops its PostgreSQL), SIGKILL after 20 s. */
  public void stop() throws InterruptedException {
    if (process == null || !process.isAlive()) return;
    if (paused) {
      try {
        resume(); // a stopped process cannot run its shutdown hook
      } catch (IOException ignored) {
        // killed below if it does not stop
      }
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  /** The last lines of the current log (for reports). */
  public String tail(int lines) {
    try {
      List<String> all = Files.readAllLines(log(), StandardCharsets.UTF_8);
      List<String> keep = new ArrayList<>();
      for (String l : all) if (!l.startsWith("\tat ") && !l.startsWith("    at ")) keep.add(l);
      return String.join("\n", keep.subList(Math.max(0, keep.size() - lines), keep.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }
}
