package io.payrouter.chaos;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The fleet's throughput, side by side in one run ({@code cluster.sh}): {@code wrk} posts charges
 * (load-tests/wrk/charge.lua, approvals only) for a fixed time either to ONE instance directly (the
 * others idle in the cluster) or to ALL of them through HAProxy, interleaved, {@code rounds}
 * times each; medians are reported. Per phase: charges/s in total and per instance (from each
 * instance's {@code router_charges_total}), wrk's p50/p99, and CPU time per charge: every router
 * JVM (idle members included: what the fleet costs) and PostgreSQL (the postmaster, its live
 * children and its reaped children; on the Patroni tier both nodes), from {@code /proc/<pid>/stat}, read from the start of the
 * phase until every write queue has drained, divided by the charges answered. Blocking.
 */
final class FleetThroughput {
  private static final long TICK_US = 10_000; // USER_HZ = 100 on Linux

  /** What one phase measured. */
  record Phase(String mode, int round, double seconds, long charges, Map<String, Long> perInstance,
      double routerUsPerCharge, double pgUsPerCharge, double lbUsPerCharge, double rowsPerBatch, String p50, String p99,
      String statuses) {
    double rate() {
      return charges / seconds;
    }
  }

  private final Path out;
  private final Path wrkScript;
  private final String merchantKey;
  private final String card;
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();

  FleetThroughput(Path out, Path wrkScript, String merchantKey, String card) {
    this.out = out;
    this.wrkScript = wrkScript;
    this.merchantKey = merchantKey;
    this.card = card;
  }

  /** The wrk binary, or null. */
  static String wrk() {
    for (String p : List.of("/usr/bin/wrk", "/usr/local/bin/wrk")) if (Files.isExecutable(Path.of(p))) return p;
    return null;
  }

  /**
   * One phase: {@code target} is where wrk sends the charges; {@code routers} name → (url, pid
   * supplier); {@code pgPids} the PostgreSQL postmasters (two on the Patroni tier: the standby
   * applies every commit too).
   */
  Phase run(String mode, int round, String target, Map<String, String> routers, Map<String, LongSupplier> pids,
      List<LongSupplier> pgPids, LongSupplier lbPid, int seconds, int connections) throws IOException, InterruptedException {
    Map<String, Double> before = new LinkedHashMap<>();
    for (var r : routers.entrySet()) before.put(r.getKey(), charges(r.getValue()));
    double[] batches0 = batches(routers);
    long lb0 = ticks(lbPid.getAsLong(), false);
    long cpu0 = routerTicks(pids);
    long pg0 = pgTicks(pgPids);
    long t0 = System.nanoTime();
    Path log = out.resolve("wrk-" + mode + "-" + round + ".txt");
    ProcessBuilder pb = new ProcessBuilder(wrk(), "-t2", "-c" + connections, "-d" + seconds + "s", "--latency",
        "-s", wrkScript.toString(), target, "--", card, "fleet" + mode + round + Long.toString(System.currentTimeMillis(), 36))
        .redirectErrorStream(true).redirectOutput(log.toFile());
    pb.environment().put("MERCHANT_KEY", merchantKey);
    Process p = pb.start();
    if (!p.waitFor(seconds + 30L, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("wrk did not finish in " + (seconds + 30) + " s");
    }
    double elapsed = (System.nanoTime() - t0) / 1e9;
    // the CPU the charges cost includes writing them: wait for every write queue to drain (bounded)
    long drainUntil = System.currentTimeMillis() + 30_000;
    while (System.currentTimeMillis() < drainUntil && backlog(routers) > 0) Thread.sleep(100);
    long cpu1 = routerTicks(pids);
    long pg1 = pgTicks(pgPids);
    long lb1 = ticks(lbPid.getAsLong(), false);
    double[] batches1 = batches(routers);
    Map<String, Long> per = new LinkedHashMap<>();
    long total = 0;
    for (var r : routers.entrySet()) {
      Double a = charges(r.getValue());
      Double b = before.get(r.getKey());
      long n = a == null || b == null ? 0 : Math.max(0, Math.round(a - b));
      per.put(r.getKey(), n);
      total += n;
    }
    String text = Files.readString(log);
    return new Phase(mode, round, elapsed, total, per, total == 0 ? 0 : (cpu1 - cpu0) * TICK_US / (double) total,
        total == 0 ? 0 : (pg1 - pg0) * TICK_US / (double) total, total == 0 ? 0 : (lb1 - lb0) * TICK_US / (double) total,
        batches1[1] - batches0[1] <= 0 ? 0 : (batches1[0] - batches0[0]) / (batches1[1] - batches0[1]),
        percentile(text, "50%"), percentile(text, "99%"),
        line(text, "HTTP statuses:"));
  }

  /** The medians per mode, and every phase, as the summary's section. */
  static String report(List<Phase> phases, int seconds, int connections) {
    StringBuilder b = new StringBuilder("throughput (wrk -t2 -c" + connections + " -d" + seconds
        + "s, approvals, faults off; ONE = one instance directly, the others idle in the cluster; ALL = every"
        + " instance through HAProxy; medians of " + phases.stream().filter(p -> p.mode().equals("ALL")).count()
        + " interleaved rounds):\n");
    b.append(String.format(Locale.ROOT, "    %-5s %10s  %-34s %9s %7s %9s %9s %8s %8s%n", "mode", "charges/s", "per instance (charges/s)",
        "router µs", "PG µs", "HAProxy µs", "rows/batch", "p50", "p99"));
    Map<String, Double> medianRate = new LinkedHashMap<>();
    Map<String, Double> medianCpu = new LinkedHashMap<>();
    for (String mode : List.of("ONE", "ALL")) {
      List<Phase> ps = phases.stream().filter(p -> p.mode().equals(mode)).toList();
      if (ps.isEmpty()) continue;
      double rate = median(ps.stream().map(Phase::rate).toList());
      double cpu = median(ps.stream().map(Phase::routerUsPerCharge).toList());
      double pg = median(ps.stream().map(Phase::pgUsPerCharge).toList());
      double lbUs = median(ps.stream().map(Phase::lbUsPerCharge).toList());
      double rows = median(ps.stream().map(Phase::rowsPerBatch).toList());
      Phase mid = ps.stream().min((x, y) -> Double.compare(Math.abs(x.rate() - rate), Math.abs(y.rate() - rate))).get();
      StringBuilder per = new StringBuilder();
      mid.perInstance().forEach((k, v) -> per.append(k).append(' ').append(Math.round(v / mid.seconds())).append(' '));
      medianRate.put(mode, rate);
      medianCpu.put(mode, cpu + pg);
      b.append(String.format(Locale.ROOT, "    %-5s %10.0f  %-34s %9.0f %7.0f %9.0f %9.1f %8s %8s%n", mode, rate,
          per.toString().trim(), cpu, pg, lbUs, rows, mid.p50(), mid.p99()));
    }
    if (medianRate.size() == 2) {
      b.append(String.format(Locale.ROOT, "    ALL/ONE: throughput %.2f×, CPU per charge (router + PG) %.2f×%n",
          medianRate.get("ALL") / medianRate.get("ONE"), medianCpu.get("ALL") / medianCpu.get("ONE")));
    }
    b.append("    rounds:\n");
    for (Phase p : phases) {
      b.append(String.format(Locale.ROOT, "      %s #%d: %.0f/s over %.1f s, %s; router %.0f µs + PG %.0f µs (+ HAProxy %.0f µs)"
          + " per charge; %.1f rows per write batch; p50 %s p99 %s; %s%n", p.mode(), p.round(), p.rate(), p.seconds(),
          p.perInstance(), p.routerUsPerCharge(), p.pgUsPerCharge(), p.lbUsPerCharge(), p.rowsPerBatch(), p.p50(), p.p99(),
          p.statuses()));
    }
    return b.toString();
  }

  private static double median(List<Double> v) {
    List<Double> s = new ArrayList<>(v);
    s.sort(Double::compare);
    int n = s.size();
    return n == 0 ? 0 : n % 2 == 1 ? s.get(n / 2) : (s.get(n / 2 - 1) + s.get(n / 2)) / 2;
  }

  private static String percentile(String wrk, String p) {
    Matcher m = Pattern.compile("^\\s*" + Pattern.quote(p) + "\\s+(\\S+)", Pattern.MULTILINE).matcher(wrk);
    return m.find() ? m.group(1) : "?";
  }

  private static String line(String text, String prefix) {
    for (String l : text.split("\n")) if (l.startsWith(prefix)) return l.trim();
    return "(no " + prefix + ")";
  }

  private Double charges(String url) {
    String text = scrape(url);
    return text == null ? null : ChaosRun.counterSum(text, "router_charges_total");
  }

  /** Summed over the instances: rows written and write batches ({@code router_write_batch_size} sum and count). */
  private double[] batches(Map<String, String> routers) {
    double sum = 0;
    double count = 0;
    for (String url : routers.values()) {
      String text = scrape(url);
      if (text == null) continue;
      Double s = ChaosRun.counterSum(text, "router_write_batch_size_sum");
      Double c = ChaosRun.counterSum(text, "router_write_batch_size_count");
      sum += s == null ? 0 : s;
      count += c == null ? 0 : c;
    }
    return new double[] {sum, count};
  }

  private long backlog(Map<String, String> routers) {
    long n = 0;
    for (String url : routers.values()) {
      String text = scrape(url);
      Double d = text == null ? null : ChaosRun.counterSum(text, "router_write_queue_depth");
      if (d != null) n += Math.round(d);
    }
    return n;
  }

  private String scrape(String url) {
    try {
      HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(url + "/metrics")).timeout(Duration.ofSeconds(5))
          .build(), HttpResponse.BodyHandlers.ofString());
      return r.statusCode() == 200 ? r.body() : null;
    } catch (IOException e) {
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  private static long pgTicks(List<LongSupplier> pids) {
    long t = 0;
    for (LongSupplier s : pids) t += treeTicks(s.getAsLong());
    return t;
  }

  private static long routerTicks(Map<String, LongSupplier> pids) {
    long t = 0;
    for (LongSupplier s : pids.values()) t += ticks(s.getAsLong(), false);
    return t;
  }

  /** A process's utime + stime (with {@code reaped}: plus its reaped children's), in ticks; 0 when gone. */
  static long ticks(long pid, boolean reaped) {
    if (pid <= 0) return 0;
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(pid), "stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      // after the command: state(3) ppid(4) ... utime(14) stime(15) cutime(16) cstime(17); f[0] is field 3
      long t = Long.parseLong(f[11]) + Long.parseLong(f[12]);
      if (reaped) t += Long.parseLong(f[13]) + Long.parseLong(f[14]);
      return t;
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** A postmaster with its reaped children, plus every live child. */
  static long treeTicks(long pid) {
    if (pid <= 0) return 0;
    long t = ticks(pid, true);
    var h = ProcessHandle.of(pid);
    if (h.isPresent()) for (ProcessHandle c : h.get().children().toList()) t += ticks(c.pid(), false);
    return t;
  }
}
