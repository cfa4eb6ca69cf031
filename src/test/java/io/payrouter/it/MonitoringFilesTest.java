package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.chaos.RouterProcess;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The operations files against the router they watch: a freshly started router, as shipped
 * ({@code config/router.yaml}: embedded PostgreSQL, the simulators), in a process of its own
 * ({@code io.payrouter.Main}, as {@code java -jar} runs it), scraped over HTTP before any charge.
 * Every metric the Grafana dashboard and the Prometheus alert rules query, and every {@code router_*}
 * name of the README's metrics table, must be exported at start with HELP text; the start itself
 * must log no WARN; and {@code promtool} must accept the rules and the dashboard's queries (where
 * it is installed: {@code .ci/run} installs it and sets {@code PAYROUTER_REQUIRE_PROMTOOL=1}).
 */
@ExtendWith(VertxExtension.class)
class MonitoringFilesTest {
  static final Path DASHBOARD = Path.of("config/grafana/payment-router.json");
  static final Path ALERTS = Path.of("config/prometheus/alerts.yml");
  static final Path README = Path.of("README.md");

  static RouterProcess router;
  static int port;
  /** The router's log up to its "ready" banner: what a start logs. */
  static List<String> startLog;

  @BeforeAll
  static void freshRouterAsShipped() throws Exception {
    Path dir = Files.createTempDirectory("router-monitoring");
    Path config = Files.createDirectories(dir.resolve("config")); // data_dir ../data lands in dir
    Files.copy(Path.of("config/router.yaml"), config.resolve("router.yaml"));
    Files.copy(Path.of("config/routing.yaml"), config.resolve("routing.yaml"));
    port = freePort();
    router = new RouterProcess(config.resolve("router.yaml"), dir, "http://127.0.0.1:" + port, "router",
        Map.of("ROUTER_PORT", Integer.toString(port)), List.of("-Xms64m", "-Xmx384m"));
    router.start();
    assertTrue(router.awaitReady(90_000), "the router did not become ready:\n" + router.tail(40));
    long end = System.currentTimeMillis() + 10_000;
    List<String> lines = List.of();
    while (System.currentTimeMillis() < end) {
      lines = Files.readAllLines(router.log(), StandardCharsets.UTF_8);
      int banner = indexOf(lines, "Payment router ready");
      if (banner >= 0) {
        startLog = List.copyOf(lines.subList(0, banner + 1));
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("no ready banner in the log:\n" + String.join("\n", lines));
  }

  @AfterAll
  static void stop() throws Exception {
    if (router != null) router.stop();
  }

  @Test
  void aHealthyStartLogsNoWarning() {
    List<String> loud = startLog.stream().filter(l -> l.matches("^\\S+ (WARN|ERROR) .*")).toList();
    assertEquals(List.of(), loud, "a healthy start logs no WARN or ERROR");
  }

  @Test
  void theFirstConnectionsAfterStartLogNoWarningEither() throws Exception {
    // Vert.x's HTTP server meters re-registered a gauge per connection: Micrometer warned at the second
    java.net.http.HttpClient[] clients = new java.net.http.HttpClient[4];
    for (int i = 0; i < clients.length; i++) {
      clients[i] = java.net.http.HttpClient.newHttpClient(); // a client of its own: a connection of its own
      var resp = clients[i].send(java.net.http.HttpRequest.newBuilder(java.net.URI.create("http://127.0.0.1:" + port
          + "/health/live")).build(), java.net.http.HttpResponse.BodyHandlers.ofString());
      assertEquals(200, resp.statusCode());
    }
    Thread.sleep(300);
    List<String> loud = Files.readAllLines(router.log(), StandardCharsets.UTF_8).stream()
        .filter(l -> l.matches("^\\S+ (WARN|ERROR) .*")).toList();
    assertEquals(List.of(), loud, "four connections after start log no WARN or ERROR");
  }

  @Test
  void everyMetricTheDashboardQueriesIsExportedFromStartWithHelp(Vertx vertx, VertxTestContext ctx) throws IOException {
    JsonObject dash = new JsonObject(Files.readString(DASHBOARD));
    assertEquals(39, dash.getInteger("schemaVersion"));
    JsonObject input = dash.getJsonArray("__inputs").getJsonObject(0);
    assertEquals("DS_PROMETHEUS", input.getString("name"));
    assertEquals("prometheus", input.getString("pluginId"));
    Map<String, String> queries = dashboardQueries(dash);
    assertTrue(queries.size() > 20, "the dashboard's queries were found: " + queries.keySet());
    Set<String> names = new TreeSet<>();
    queries.values().forEach(q -> names.addAll(metricNames(q)));
    // the extractor sees through functions, aggregations, label lists and Grafana variables
    assertTrue(names.containsAll(List.of("router_charge_duration_seconds_bucket", "router_settlements_total",
        "router_circuit_state", "router_ready")), names.toString());
    assertTrue(names.stream().allMatch(n -> n.startsWith("router_")), "only the router's own meters: " + names);
    scrape(vertx).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertEquals(List.of(), missing(text, names), "queried by the dashboard, not exported at start with HELP");
      ctx.completeNow();
    })));
  }

  @Test
  void everyMetricTheAlertRulesQueryIsExportedFromStartWithHelp(Vertx vertx, VertxTestContext ctx) throws IOException {
    List<Map<String, Object>> rules = alertRules();
    Set<String> names = new TreeSet<>();
    for (Map<String, Object> rule : rules) {
      String alert = (String) rule.get("alert");
      assertNotNull(alert, "every rule is an alert: " + rule);
      assertNotNull(rule.get("for"), alert + " has a for");
      assertNotNull(((Map<?, ?>) rule.get("labels")).get("severity"), alert + " has a severity");
      Map<?, ?> annotations = (Map<?, ?>) rule.get("annotations");
      assertNotNull(annotations.get("summary"), alert + " has a summary");
      assertNotNull(annotations.get("description"), alert + " has a description");
      names.addAll(metricNames((String) rule.get("expr")));
    }
    assertTrue(names.containsAll(List.of("router_circuit_state", "router_settlements_total", "router_write_queue_depth",
        "router_unsettled_oldest_age_seconds", "router_conflicts_total", "router_dead_letters_total", "router_ready",
        "router_cluster_members_disagreeing")), "the alerts the runbook asks for: " + names);
    scrape(vertx).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertEquals(List.of(), missing(text, names), "queried by an alert rule, not exported at start with HELP");
      ctx.completeNow();
    })));
  }

  @Test
  void everyRouterMetricOfTheReadmeTableIsExportedFromStartAndTheTableMissesNone(Vertx vertx, VertxTestContext ctx)
      throws IOException {
    Set<String> documented = new TreeSet<>();
    Matcher row = Pattern.compile("(?m)^\\s*\\| `(router_[a-z0-9_]+)` \\|").matcher(Files.readString(README));
    while (row.find()) documented.add(row.group(1));
    assertTrue(documented.size() > 20, "the README metrics table was found: " + documented);
    scrape(vertx).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertEquals(List.of(), missing(text, documented), "in the README table, not exported at start with HELP");
      Set<String> exported = new TreeSet<>();
      Matcher type = Pattern.compile("(?m)^# TYPE (router_\\S+) (\\w+)$").matcher(text);
      while (type.find()) {
        String n = type.group(1);
        // a timer's or summary's _max gauge belongs to its histogram's row
        if (n.endsWith("_max") && text.contains("# TYPE " + n.substring(0, n.length() - 4) + " histogram")) continue;
        exported.add(n);
      }
      exported.removeAll(documented);
      assertEquals(Set.of(), exported, "exported but missing from the README metrics table");
      ctx.completeNow();
    })));
  }

  @Test
  void atStartTheRouterIsReadyWithEveryConfiguredProviderClosedAndEnabled(Vertx vertx, VertxTestContext ctx)
      throws IOException {
    @SuppressWarnings("unchecked")
    Map<String, Object> cfg = (Map<String, Object>) yaml().load(Files.readString(Path.of("config/router.yaml")));
    Set<String> providers = ((Map<?, ?>) cfg.get("providers")).keySet().stream().map(String::valueOf)
        .collect(java.util.stream.Collectors.toCollection(TreeSet::new));
    scrape(vertx).onComplete(ctx.succeeding(text -> ctx.verify(() -> {
      assertEquals(1.0, Api.sample(text, "router_ready"), "ready, by the checks of /health/ready");
      assertEquals(0.0, Api.sample(text, "router_unsettled_charges"));
      for (String p : providers) {
        String tag = "provider=\"" + p + "\"";
        assertEquals(0.0, Api.sample(text, "router_circuit_state", tag), p + " closed");
        assertEquals(1.0, Api.sample(text, "router_provider_enabled", tag), p + " enabled");
        assertEquals(0.0, Api.sample(text, "router_charges_total", tag), p + " charged nothing yet");
        assertEquals(0.0, Api.sample(text, "router_settlements_total", tag), p + " settled nothing yet");
      }
      ctx.completeNow();
    })));
  }

  @Test
  void theAlertRulesAndTheDashboardQueriesPassPromtool() throws Exception {
    String promtool = onPath("promtool");
    if ("1".equals(System.getenv("PAYROUTER_REQUIRE_PROMTOOL"))) {
      assertNotNull(promtool, "promtool is required here (apt-get install -y prometheus)");
    } else {
      Assumptions.assumeTrue(promtool != null, "promtool is not installed (apt-get install -y prometheus)");
    }
    assertPromtoolAccepts(promtool, ALERTS);
    // The dashboard's queries as recording rules: promtool parses each one as PromQL.
    StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
    int n = 0;
    for (Map.Entry<String, String> q : dashboardQueries(new JsonObject(Files.readString(DASHBOARD))).entrySet()) {
      if (q.getKey().startsWith("variable ")) continue; // label_values() is Grafana's, not PromQL
      rules.append("      - record: dashboard:query_").append(n++).append('\n')
          // a JSON string is a YAML double-quoted scalar
          .append("        expr: ").append(io.vertx.core.json.Json.encode(grafanaFree(q.getValue()))).append('\n');
    }
    Path file = Files.createTempFile("dashboard-queries", ".yml");
    Files.writeString(file, rules);
    assertPromtoolAccepts(promtool, file);
  }

  // ------------------------------------------------------------------ helpers

  static io.vertx.core.Future<String> scrape(Vertx vertx) {
    return WebClient.create(vertx).getAbs(router.url() + "/metrics").send().map(r -> {
      if (r.statusCode() != 200) throw new AssertionError("GET /metrics answered " + r.statusCode());
      return r.bodyAsString();
    });
  }

  /**
   * The names (of {@code names}) a scrape lacks: each must be a family with HELP text (a
   * {@code _bucket}, {@code _count} or {@code _sum} name: its histogram's) and have a sample.
   */
  static List<String> missing(String scrape, Set<String> names) {
    List<String> out = new ArrayList<>();
    for (String n : names) {
      String family = family(scrape, n);
      boolean sampled = scrape.lines().anyMatch(l -> l.startsWith(n + "{") || l.startsWith(n + " ")
          || l.startsWith(n + "_count{") || l.startsWith(n + "_count "));
      if (family == null || !sampled) out.add(n);
    }
    return out;
  }

  static String family(String text, String name) {
    String scrape = "\n" + text;
    if (scrape.contains("\n# HELP " + name + " ")) return name;
    for (String suffix : List.of("_bucket", "_count", "_sum")) {
      if (!name.endsWith(suffix)) continue;
      String base = name.substring(0, name.length() - suffix.length());
      boolean histogram = scrape.contains("\n# TYPE " + base + " histogram") || scrape.contains("\n# TYPE " + base + " summary");
      if (histogram && scrape.contains("\n# HELP " + base + " ")) return base;
    }
    return null;
  }

  /** Every query of the dashboard (panel title and refId, or the variable's name), rows' panels included. */
  static Map<String, String> dashboardQueries(JsonObject dash) {
    Map<String, String> out = new LinkedHashMap<>();
    collect(dash.getJsonArray("panels"), out);
    for (Object o : dash.getJsonObject("templating").getJsonArray("list")) {
      JsonObject v = (JsonObject) o;
      Object q = v.getValue("query");
      out.put("variable " + v.getString("name"), q instanceof JsonObject j ? j.getString("query") : String.valueOf(q));
    }
    return out;
  }

  private static void collect(JsonArray panels, Map<String, String> out) {
    for (Object o : panels) {
      JsonObject p = (JsonObject) o;
      if (p.containsKey("panels")) collect(p.getJsonArray("panels"), out);
      JsonArray targets = p.getJsonArray("targets", new JsonArray());
      for (Object t : targets) {
        JsonObject target = (JsonObject) t;
        if (!"${DS_PROMETHEUS}".equals(target.getJsonObject("datasource", new JsonObject()).getString("uid"))) {
          throw new AssertionError(p.getString("title") + " does not query ${DS_PROMETHEUS}");
        }
        out.put(p.getString("title") + " " + target.getString("refId"), target.getString("expr"));
      }
    }
  }

  @SuppressWarnings("unchecked")
  static List<Map<String, Object>> alertRules() throws IOException {
    Map<String, Object> doc = (Map<String, Object>) yaml().load(Files.readString(ALERTS));
    List<Map<String, Object>> rules = new ArrayList<>();
    for (Map<String, Object> group : (List<Map<String, Object>>) doc.get("groups")) {
      rules.addAll((List<Map<String, Object>>) group.get("rules"));
    }
    assertFalse(rules.isEmpty(), "no rules in " + ALERTS);
    return rules;
  }

  static Yaml yaml() {
    return new Yaml(new SafeConstructor(new LoaderOptions()));
  }

  /** PromQL's own words that are not followed by a parenthesis (functions and aggregations are). */
  static final Set<String> PROMQL_WORDS = Set.of("by", "without", "on", "ignoring", "group_left", "group_right",
      "offset", "bool", "and", "or", "unless", "inf", "nan", "Inf", "NaN");

  /** Grafana's variables replaced by what PromQL accepts in their places. */
  static String grafanaFree(String q) {
    return q.replaceAll("\\$\\{?__(rate_interval|interval|range)(_ms|_s)?}?", "5m")
        .replaceAll("\\$\\{?[A-Za-z_]\\w*(:\\w+)?}?", ".*");
  }

  /**
   * The metric names in one PromQL expression (or a Grafana {@code label_values(metric, label)}):
   * strings, label matchers, ranges, {@code by (...)}-style label lists, offsets and Grafana
   * variables removed, then every identifier not followed by a parenthesis (a function or an
   * aggregation) and not a PromQL keyword.
   */
  static Set<String> metricNames(String query) {
    Matcher lv = Pattern.compile("^\\s*label_values\\(\\s*([^,)]*)(,[^)]*)?\\)\\s*$").matcher(query);
    String e = grafanaFree(lv.matches() ? (lv.group(2) == null ? "" : lv.group(1)) : query);
    e = e.replaceAll("\"(?:[^\"\\\\]|\\\\.)*\"", "\"\"").replaceAll("'(?:[^'\\\\]|\\\\.)*'", "''")
        .replaceAll("\\{[^}]*}", " ")
        .replaceAll("\\[[^]]*]", " ")
        .replaceAll("\\b(by|without|on|ignoring|group_left|group_right)\\s*\\([^)]*\\)", " ")
        .replaceAll("\\boffset\\s+-?[0-9a-zA-Z]+", " ");
    Set<String> names = new TreeSet<>();
    Matcher m = Pattern.compile("(?<![0-9.])[A-Za-z_:][A-Za-z0-9_:]*").matcher(e);
    while (m.find()) {
      String w = m.group();
      int i = m.end();
      while (i < e.length() && Character.isWhitespace(e.charAt(i))) i++;
      if (i < e.length() && e.charAt(i) == '(') continue;
      if (!PROMQL_WORDS.contains(w)) names.add(w);
    }
    return names;
  }

  static void assertPromtoolAccepts(String promtool, Path rules) throws Exception {
    Process p = new ProcessBuilder(promtool, "check", "rules", rules.toString()).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "promtool did not finish");
    assertEquals(0, p.exitValue(), "promtool check rules " + rules + ":\n" + out);
  }

  static String onPath(String binary) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(java.io.File.pathSeparator)) {
      Path p = Path.of(dir.isEmpty() ? "." : dir, binary);
      if (Files.isExecutable(p)) return p.toString();
    }
    return null;
  }

  static int indexOf(List<String> lines, String text) {
    for (int i = 0; i < lines.size(); i++) if (lines.get(i).contains(text)) return i;
    return -1;
  }

  static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }
}
