package io.payrouter.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * A PostgreSQL tier that survives losing its primary, on loopback, from Debian's packages: one
 * etcd node, two PostgreSQL 15 servers each managed by Patroni (synchronous replication,
 * {@code synchronous_mode: true}: a commit returns only once it is on both while both run), and
 * HAProxy in TCP mode in front, which sends every connection to whichever node Patroni's REST API
 * calls the primary ({@code GET /primary} answers 200 on the leader only). Clients (the routers)
 * connect to HAProxy only: {@code postgresql://postgres:postgres@127.0.0.1:<port()>/postgres}.
 *
 * <p>Timing: {@code ttl: 10}, {@code loop_wait: 2}, {@code retry_timeout: 5}. The leader lock in
 * etcd lives {@code ttl} seconds; a lost node's lock must expire before the standby may take it,
 * so {@code ttl} bounds how long a lost machine stops writes (about 10 s here). A smaller
 * {@code ttl} would promote sooner but also demote a healthy leader that misses a couple of loops
 * on a loaded box (2 noisy cores here); 10 s with a 2 s loop keeps 5 loops of margin.
 * HAProxy checks every 500 ms and cuts the sessions of a node marked down
 * ({@code on-marked-down shutdown-sessions}), so no client keeps talking to a demoted node.
 *
 * <p>Run as root (CI, this box), etcd and Patroni run as the {@code postgres} user through
 * {@code setpriv} (PostgreSQL refuses root); the tier's directory is given to that user. Blocking
 * throughout: call it from the orchestrating thread, never from an event loop.
 */
final class PatroniTier implements AutoCloseable {
  static final String BIN_DIR = "/usr/lib/postgresql/15/bin";
  static final String SCOPE = "payrouter";

  /** One Patroni node: its names, ports, data directory and process. */
  static final class Node {
    final String name;
    final int pgPort;
    final int restPort;
    final Path dataDir;
    final Path config;
    Process patroni;
    int starts;

    Node(String name, int pgPort, int restPort, Path dataDir, Path config) {
      this.name = name;
      this.pgPort = pgPort;
      this.restPort = restPort;
      this.dataDir = dataDir;
      this.config = config;
    }

    /** The postmaster's pid from {@code postmaster.pid} (line 1), or -1. */
    long postmasterPid() {
      try {
        List<String> l = Files.readAllLines(dataDir.resolve("postmaster.pid"), StandardCharsets.US_ASCII);
        long pid = l.isEmpty() ? -1 : Long.parseLong(l.get(0).trim());
        return pid > 0 && ProcessHandle.of(pid).map(ProcessHandle::isAlive).orElse(false) ? pid : -1;
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
    }

    long patroniPid() {
      return patroni != null && patroni.isAlive() ? patroni.pid() : -1;
    }
  }

  private final Path dir;
  private final Consumer<String> say;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(500)).build();
  private final List<Node> nodes = new ArrayList<>();
  private Process etcd;
  private Haproxy lb;
  private int port;

  private PatroniTier(Path dir, Consumer<String> say) {
    this.dir = dir;
    this.say = say;
  }

  /** True when Patroni, etcd and PostgreSQL 15's server binaries are installed. */
  static boolean installed() {
    return Files.isExecutable(Path.of("/usr/bin/patroni")) && Files.isExecutable(Path.of("/usr/bin/etcd"))
        && Files.isExecutable(Path.of(BIN_DIR, "postgres")) && Haproxy.binary() != null;
  }

  /** What to install when {@link #installed()} is false. */
  static String missing() {
    List<String> m = new ArrayList<>();
    if (!Files.isExecutable(Path.of("/usr/bin/patroni"))) m.add("patroni");
    if (!Files.isExecutable(Path.of("/usr/bin/etcd"))) m.add("etcd-server");
    if (!Files.isExecutable(Path.of(BIN_DIR, "postgres"))) m.add("postgresql-15");
    if (Haproxy.binary() == null) m.add("haproxy");
    return "apt-get install -y " + String.join(" ", m);
  }

  /**
   * Starts etcd, the first node (it bootstraps the cluster and becomes the leader), the second
   * (it clones the first and becomes the sync standby), and HAProxy; returns once a write through
   * HAProxy commits on the leader with the standby streaming synchronously.
   */
  static PatroniTier start(Path dir, Consumer<String> say, long timeoutMs) throws Exception {
    PatroniTier t = new PatroniTier(dir, say);
    try {
      t.startAll(timeoutMs);
    } catch (Exception e) {
      t.close();
      throw e;
    }
    return t;
  }

  private void startAll(long timeoutMs) throws Exception {
    long until = System.currentTimeMillis() + timeoutMs;
    Files.createDirectories(dir);
    int etcdClient = ChaosRun.freePort();
    int etcdPeer = ChaosRun.freePort();
    for (int i = 1; i <= 2; i++) {
      String name = "pg" + i;
      Node n = new Node(name, ChaosRun.freePort(), ChaosRun.freePort(), dir.resolve(name + "-data"),
          dir.resolve(name + ".yml"));
      Files.writeString(n.config, patroniYaml(n, etcdClient));
      nodes.add(n);
    }
    Files.createDirectories(dir.resolve("etcd"));
    giveToPostgres(dir);
    long t = System.currentTimeMillis();
    etcd = spawn(List.of("/usr/bin/etcd", "--name", "e1", "--data-dir", dir.resolve("etcd").toString(),
        "--listen-client-urls", "http://127.0.0.1:" + etcdClient, "--advertise-client-urls",
        "http://127.0.0.1:" + etcdClient, "--listen-peer-urls", "http://127.0.0.1:" + etcdPeer,
        "--initial-advertise-peer-urls", "http://127.0.0.1:" + etcdPeer, "--initial-cluster",
        "e1=http://127.0.0.1:" + etcdPeer), dir.resolve("etcd.log"));
    awaitHttp("http://127.0.0.1:" + etcdClient + "/health", until, "etcd");
    say.accept("etcd pid " + etcd.pid() + " on 127.0.0.1:" + etcdClient + " (" + (System.currentTimeMillis() - t) + " ms)");
    t = System.currentTimeMillis();
    startPatroni(nodes.get(0));
    while (!isPrimary(nodes.get(0))) {
      if (System.currentTimeMillis() > until) throw new IOException("pg1 did not become the leader; " + tail(nodes.get(0)));
      if (!nodes.get(0).patroni.isAlive()) throw new IOException("pg1's Patroni exited; " + tail(nodes.get(0)));
      Thread.sleep(200);
    }
    say.accept("pg1 leader (Patroni pid " + nodes.get(0).patroniPid() + ", PostgreSQL on 127.0.0.1:"
        + nodes.get(0).pgPort + ", REST :" + nodes.get(0).restPort + ") after " + (System.currentTimeMillis() - t) + " ms");
    t = System.currentTimeMillis();
    startPatroni(nodes.get(1));
    while (!"sync_standby".equals(role(nodes.get(1)))) {
      if (System.currentTimeMillis() > until) throw new IOException("pg2 did not become the sync standby; " + tail(nodes.get(1)));
      if (!nodes.get(1).patroni.isAlive()) throw new IOException("pg2's Patroni exited; " + tail(nodes.get(1)));
      Thread.sleep(200);
    }
    say.accept("pg2 sync standby (Patroni pid " + nodes.get(1).patroniPid() + ", PostgreSQL on 127.0.0.1:"
        + nodes.get(1).pgPort + ") after " + (System.currentTimeMillis() - t) + " ms");
    port = ChaosRun.freePort();
    lb = Haproxy.start(dir, "haproxy-pg", haproxyConfig());
    // HAProxy starts with every server up and marks the standby down only after its checks fail
    // (fall 2 x 500 ms): until then a connection may land on the read-only standby. Ready once
    // eight connections in a row (round robin over both servers) could write.
    int inARow = 0;
    while (inARow < 8) {
      if (System.currentTimeMillis() > until) throw new IOException("no write through HAProxy on 127.0.0.1:" + port + " committed");
      inARow = writes() ? inARow + 1 : 0;
      if (inARow == 0) Thread.sleep(100);
    }
    say.accept("HAProxy (PostgreSQL, TCP) pid " + lb.pid() + " on 127.0.0.1:" + port + " -> the Patroni leader");
  }

  /** The port clients connect to (HAProxy). */
  int port() {
    return port;
  }

  List<Node> nodes() {
    return List.copyOf(nodes);
  }

  Node node(String name) {
    return nodes.stream().filter(n -> n.name.equals(name)).findFirst().orElseThrow();
  }

  /** The node whose REST API answers {@code GET /primary} with 200, or null. */
  Node leader() {
    for (Node n : nodes) if (isPrimary(n)) return n;
    return null;
  }

  /** The other node. */
  Node other(Node n) {
    return nodes.get(0) == n ? nodes.get(1) : nodes.get(0);
  }

  boolean isPrimary(Node n) {
    return status("http://127.0.0.1:" + n.restPort + "/primary") == 200;
  }

  /** The node's role in {@code GET /cluster} (leader, sync_standby, replica), or null. */
  String role(Node n) {
    JsonObject m = member(n);
    return m == null ? null : m.getString("role");
  }

  /** The node's entry in {@code GET /cluster} asked of any live node, or null. */
  JsonObject member(Node n) {
    for (Node ask : nodes) {
      try {
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + ask.restPort
            + "/cluster")).timeout(Duration.ofSeconds(1)).build(), HttpResponse.BodyHandlers.ofString());
        if (r.statusCode() != 200) continue;
        JsonArray members = new JsonObject(r.body()).getJsonArray("members", new JsonArray());
        for (int i = 0; i < members.size(); i++) {
          JsonObject m = members.getJsonObject(i);
          if (n.name.equals(m.getString("name"))) return m;
        }
        return null;
      } catch (IOException | RuntimeException e) {
        // ask the next node
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
    }
    return null;
  }

  /**
   * Waits until {@code n} is the sync standby, streaming with no lag (the state in which losing the
   * leader loses no committed transaction, and Patroni may promote it); the ms waited, or -1.
   */
  long awaitSyncStandby(Node n, long timeoutMs) throws InterruptedException {
    long from = System.currentTimeMillis();
    while (System.currentTimeMillis() - from < timeoutMs) {
      JsonObject m = member(n);
      if (m != null && "sync_standby".equals(m.getString("role")) && ("streaming".equals(m.getString("state"))
          || "running".equals(m.getString("state"))) && lag(m) == 0) {
        return System.currentTimeMillis() - from;
      }
      Thread.sleep(100);
    }
    return -1;
  }

  private static long lag(JsonObject m) {
    Object l = m.getValue("lag");
    return l instanceof Number num ? num.longValue() : l == null ? 0 : Long.MAX_VALUE;
  }

  /** One line per node: role, state, timeline, lag (for the summary). */
  String describe() {
    StringBuilder b = new StringBuilder();
    for (Node n : nodes) {
      JsonObject m = member(n);
      b.append(n.name).append(' ').append(m == null ? "(not in the cluster)" : m.getString("role") + "/"
          + m.getString("state") + " timeline " + m.getValue("timeline") + (m.getValue("lag") != null ? " lag " + m.getValue("lag") : ""))
          .append("; ");
    }
    return b.length() > 2 ? b.substring(0, b.length() - 2) : "";
  }

  /** SIGKILL of the node's postmaster alone (Patroni stays and restarts it). */
  long killPostmaster(Node n) throws IOException, InterruptedException {
    long pid = n.postmasterPid();
    if (pid <= 0) throw new IOException(n.name + " has no running postmaster");
    kill9(pid);
    return pid;
  }

  /**
   * Writes {@code ps} of every PostgreSQL process left without its postmaster (parent pid 1) to
   * {@code file}, {@code delayMs} from now, on a thread of its own: what keeps a crashed server's
   * shared memory in use, when Patroni cannot restart it.
   */
  void snapshotOrphans(Path file, long delayMs) {
    Thread t = new Thread(() -> {
      try {
        Thread.sleep(delayMs);
        Process p = new ProcessBuilder("bash", "-c", "ps -eo pid,ppid,stat,etime,wchan:32,cmd | awk 'NR==1 || ($2==1 && /postgres/)'")
            .redirectErrorStream(true).redirectOutput(file.toFile()).start();
        p.waitFor(5, TimeUnit.SECONDS);
      } catch (IOException | InterruptedException ignored) {
        // a diagnostic only
      }
    }, "chaos-pg-orphans");
    t.setDaemon(true);
    t.start();
  }

  /**
   * SIGKILLs the backends a killed postmaster left behind (parent pid 1, title
   * {@code postgres: payrouter: ...}; the live node's children still have their postmaster as
   * parent). Seen twice in five runs: idle backends blocked in a pipe read outlived their postmaster
   * by minutes and kept its shared memory in use, so PostgreSQL refused to start on that data
   * directory ("pre-existing shared memory block is still in use") and Patroni could neither
   * restart it in place nor make it a replica. What an operator (or a supervisor that kills the
   * whole process group) does. Returns how many were killed.
   */
  int killOrphanedBackends() throws IOException, InterruptedException {
    int n = 0;
    for (ProcessHandle p : ProcessHandle.allProcesses().toList()) {
      if (p.parent().map(ProcessHandle::pid).orElse(-1L) != 1L) continue;
      String cmd = "";
      try {
        cmd = Files.readString(Path.of("/proc", Long.toString(p.pid()), "cmdline")).replace('\0', ' ');
      } catch (IOException e) {
        continue;
      }
      if (cmd.startsWith("postgres: " + SCOPE + ":")) {
        kill9(p.pid());
        n++;
      }
    }
    return n;
  }

  /** SIGKILL of the node's Patroni and postmaster together: the machine is lost. */
  void killNode(Node n) throws IOException, InterruptedException {
    long pm = n.postmasterPid();
    if (n.patroni != null) n.patroni.destroyForcibly();
    if (pm > 0) kill9(pm);
    if (n.patroni != null) n.patroni.waitFor(5, TimeUnit.SECONDS);
    // the backends notice their postmaster is gone and exit; wait for the data directory to be free
    long until = System.currentTimeMillis() + 5_000;
    while (n.postmasterPid() > 0 && System.currentTimeMillis() < until) Thread.sleep(50);
  }

  /** Starts the node's Patroni again (after {@link #killNode}): it rejoins as a replica of the leader. */
  void startPatroni(Node n) throws IOException {
    n.starts++;
    n.patroni = spawn(List.of("/usr/bin/patroni", n.config.toString()), dir.resolve(n.name + "-patroni-" + n.starts + ".log"));
  }

  /**
   * Polls every 50 ms until a write transaction through HAProxy commits ({@code txid_current()}
   * needs a writable primary, and its commit waits for the sync standby when there is one); the
   * time the successful attempt began, or -1.
   */
  long awaitWrites(long timeoutMs) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMs;
    while (System.currentTimeMillis() < end) {
      long attempt = System.currentTimeMillis();
      if (writes()) return attempt;
      Thread.sleep(50);
    }
    return -1;
  }

  boolean writes() {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute("SELECT txid_current()");
      return true;
    } catch (SQLException e) {
      return false;
    }
  }

  /** A JDBC connection through HAProxy (postgres/postgres), short timeouts. */
  Connection connect() throws SQLException {
    Properties p = new Properties();
    p.setProperty("user", "postgres");
    p.setProperty("password", "postgres");
    p.setProperty("connectTimeout", "1");
    p.setProperty("socketTimeout", "5");
    p.setProperty("loginTimeout", "2");
    return DriverManager.getConnection("jdbc:postgresql://127.0.0.1:" + port + "/postgres", p);
  }

  /** The last lines of a node's Patroni log (for a failure message). */
  String tail(Node n) {
    try {
      List<String> l = Files.readAllLines(dir.resolve(n.name + "-patroni-" + n.starts + ".log"));
      return n.name + "'s log:\n" + String.join("\n", l.subList(Math.max(0, l.size() - 15), l.size()));
    } catch (IOException e) {
      return "(no log for " + n.name + ")";
    }
  }

  /** Stops HAProxy, both nodes (SIGTERM: Patroni stops its PostgreSQL) and etcd; bounded. */
  @Override
  public void close() {
    try {
      if (lb != null) lb.stop();
    } catch (InterruptedException ignored) {
      Thread.currentThread().interrupt();
    }
    for (Node n : nodes) {
      if (n.patroni != null && n.patroni.isAlive()) {
        n.patroni.destroy();
        try {
          if (!n.patroni.waitFor(15, TimeUnit.SECONDS)) n.patroni.destroyForcibly();
        } catch (InterruptedException e) {
          n.patroni.destroyForcibly();
        }
      }
      long pm = n.postmasterPid();
      if (pm > 0) {
        try {
          kill9(pm);
        } catch (IOException | InterruptedException ignored) {
          // closing: nothing left to protect
        }
      }
    }
    if (etcd != null) {
      etcd.destroy();
      try {
        if (!etcd.waitFor(5, TimeUnit.SECONDS)) etcd.destroyForcibly();
      } catch (InterruptedException e) {
        etcd.destroyForcibly();
      }
    }
  }

  // ---------------------------------------------------------------- configuration

  String patroniYaml(Node n, int etcdPort) {
    return """
        # Generated by io.payrouter.chaos.PatroniTier (load-tests/pg-ha.sh). Loopback only.
        scope: %s
        name: %s
        log: { level: INFO }
        restapi:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
        etcd3:
          hosts: 127.0.0.1:%d
        bootstrap:
          dcs:
            ttl: 10
            loop_wait: 2
            retry_timeout: 5
            maximum_lag_on_failover: 1048576
            synchronous_mode: true
            postgresql:
              use_pg_rewind: true
              parameters:
                max_connections: 100
                wal_level: replica
                hot_standby: "on"
                wal_log_hints: "on"
                max_wal_senders: 10
                max_replication_slots: 10
                synchronous_commit: "on"
                fsync: "on"
          initdb:
            - encoding: UTF8
            - locale: C
          pg_hba:
            - local all all trust
            - host replication replicator 127.0.0.1/32 trust
            - host all all 127.0.0.1/32 trust
        postgresql:
          listen: 127.0.0.1:%d
          connect_address: 127.0.0.1:%d
          data_dir: %s
          bin_dir: %s
          pgpass: %s
          remove_data_directory_on_rewind_failure: true
          remove_data_directory_on_diverged_timelines: true
          authentication:
            replication: { username: replicator, password: replicator }
            superuser: { username: postgres, password: postgres }
            rewind: { username: postgres, password: postgres }
          parameters:
            unix_socket_directories: "%s"
        tags: { nofailover: false, noloadbalance: false, clonefrom: false, nosync: false }
        """.formatted(SCOPE, n.name, n.restPort, n.restPort, etcdPort, n.pgPort, n.pgPort, n.dataDir, BIN_DIR,
            dir.resolve(n.name + ".pgpass"), dir);
  }

  String haproxyConfig() {
    StringBuilder servers = new StringBuilder();
    for (Node n : nodes) {
      servers.append("  server ").append(n.name).append(" 127.0.0.1:").append(n.pgPort).append(" check port ")
          .append(n.restPort).append('\n');
    }
    return """
        # Generated by io.payrouter.chaos.PatroniTier: PostgreSQL clients to the Patroni leader. Loopback only.
        global
          maxconn 1000
        defaults
          mode tcp
          timeout connect 1s
          timeout client 30m
          timeout server 30m
          timeout check 1s
        listen postgres
          bind 127.0.0.1:%d
          option httpchk GET /primary
          http-check expect status 200
          default-server inter 500ms fall 2 rise 1 on-marked-down shutdown-sessions
        %s""".formatted(port, servers);
  }

  // ---------------------------------------------------------------- processes

  private Process spawn(List<String> cmd, Path log) throws IOException {
    List<String> full = new ArrayList<>();
    if (PgControl.isRoot()) full.addAll(List.of("setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups", "--"));
    full.addAll(cmd);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
    pb.environment().put("HOME", dir.toString());
    pb.directory(dir.toFile());
    return pb.start();
  }

  private static void giveToPostgres(Path dir) throws IOException, InterruptedException {
    if (!PgControl.isRoot()) return;
    Process p = new ProcessBuilder("chown", "-R", "postgres:postgres", dir.toString()).inheritIO().start();
    if (!p.waitFor(10, TimeUnit.SECONDS) || p.exitValue() != 0) throw new IOException("chown postgres " + dir + " failed");
  }

  private static void kill9(long pid) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("kill", "-9", Long.toString(pid)).start();
    p.waitFor(5, TimeUnit.SECONDS);
  }

  private int status(String url) {
    try {
      return http.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofMillis(800)).build(),
          HttpResponse.BodyHandlers.discarding()).statusCode();
    } catch (IOException e) {
      return -1;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return -1;
    }
  }

  private void awaitHttp(String url, long until, String what) throws Exception {
    while (status(url) != 200) {
      if (System.currentTimeMillis() > until) throw new IOException(what + " did not answer " + url);
      Thread.sleep(100);
    }
  }
}
