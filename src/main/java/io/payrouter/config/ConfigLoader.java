package io.payrouter.config;

import io.payrouter.common.Currencies;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Reads {@code router.yaml}: YAML, then {@code ${ENV}} interpolation, then typed validation with
 * every problem listed. Runs at start-up on the main thread (never on an event loop).
 * Environment overrides: {@code ROUTER_PORT}, {@code ROUTER_DATABASE_URL}, {@code ROUTER_ADMIN_KEY},
 * {@code ROUTER_TOKEN_KEY}, {@code ROUTER_HTTP_ALLOW_LOOPBACK_PUBLIC_URL}, {@code ROUTER_CLUSTER_ENABLED},
 * {@code ROUTER_CLUSTER_HOST}, {@code ROUTER_CLUSTER_PORT}, {@code ROUTER_CLUSTER_MEMBERS} (comma-separated).
 */
public final class ConfigLoader {
  /** Overrides {@code http.allow_loopback_public_url} (the production rehearsal setting) when set. */
  public static final String ALLOW_LOOPBACK_ENV = "ROUTER_HTTP_ALLOW_LOOPBACK_PUBLIC_URL";
  private static final Set<String> TOP_KEYS = Set.of("http", "database", "security", "merchants",
      "providers", "simulators", "writer", "recovery", "routing_file", "idempotency",
      "cluster", "logging", "console", "webhooks");
  private static final Set<String> PROVIDER_KEYS = Set.of("type", "enabled", "base_url", "credentials",
      "currencies", "timeout_ms", "breaker", "options", "fees", "account_country");
  private static final Set<String> FEE_KEYS = Set.of("currency", "brand", "cross_border", "percent", "fixed");

  private ConfigLoader() {}

  /** Parses a YAML file into plain maps and lists (no interpolation). */
  public static Map<String, Object> readYaml(Path file) {
    try {
      return readYaml(Files.readString(file));
    } catch (IOException e) {
      throw new ConfigException(List.of("cannot read " + file + ": " + e.getMessage()));
    }
  }

  @SuppressWarnings("unchecked")
  public static Map<String, Object> readYaml(String text) {
    Object o = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    if (o == null) return new LinkedHashMap<>();
    if (!(o instanceof Map)) throw new ConfigException(List.of("the document must be a mapping"));
    return (Map<String, Object>) o;
  }

  /** True when the file (with env overrides) names an external database: production mode. */
  public static boolean isProduction(Path file, Function<String, String> env) {
    if (notBlank(env.apply("ROUTER_DATABASE_URL"))) return true;
    Map<String, Object> raw = readYaml(file);
    Object db = raw.get("database");
    if (db instanceof Map<?, ?> m && m.get("url") instanceof String s) {
      return notBlank(new Interpolator(env).interpolate(s));
    }
    return false;
  }

  /** Whether the file asks for in-process simulators ({@code auto} = only when embedded). */
  public static boolean simulatorsWanted(Path file, Function<String, String> env) {
    Object sims = readYaml(file).get("simulators");
    Object enabled = sims instanceof Map<?, ?> m ? m.get("enabled") : null;
    if (enabled instanceof Boolean b) return b;
    return !isProduction(file, env);
  }

  public static int simulatorsPort(Path file) {
    Object sims = readYaml(file).get("simulators");
    return sims instanceof Map<?, ?> m && m.get("port") instanceof Number n ? n.intValue() : 0;
  }

  /**
   * How many event loops the router's Vert.x gets: {@code http.instances} when it is a plain
   * number in range, else the number of cores. Read before the rest of the file is loaded (the
   * Vert.x instance exists before the configuration is validated); one loop per HTTP verticle
   * means no idle loops for database and PSP connections to scatter onto, so fewer cross-thread
   * hand-offs per charge.
   */
  public static int eventLoops(Path file) {
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    Object http;
    try {
      http = readYaml(file).get("http");
    } catch (RuntimeException e) {
      return cores; // the full load reports what is wrong with the file
    }
    return http instanceof Map<?, ?> m && m.get("instances") instanceof Integer n && n >= 1 && n <= 64 ? n : cores;
  }

  /**
   * Loads and validates the whole file, listing every problem.
   *
   * @param providerTypes the connector types the router has (a provider's {@code type} must be one)
   */
  @SuppressWarnings("unchecked")
  public static RouterConfig load(Path file, Function<String, String> env, Collection<String> providerTypes) {
    Path configDir = file.toAbsolutePath().getParent();
    Interpolator interp = new Interpolator(env);
    Map<String, Object> raw = (Map<String, Object>) interp.apply(readYaml(file));
    List<String> problems = new ArrayList<>();
    for (String k : raw.keySet()) {
      if (!TOP_KEYS.contains(k)) problems.add("unknown key '" + k + "'");
    }
    Node root = new Node("", raw, problems);

    Node http = root.child("http");
    int port = http.integer("port", 8080, 0, 65535);
    if (notBlank(env.apply("ROUTER_PORT"))) port = parsePort(env.apply("ROUTER_PORT"), problems);
    String host = http.string("host", "127.0.0.1");
    int instances = http.integer("instances", Math.max(1, Runtime.getRuntime().availableProcessors()), 1, 64);
    String publicUrl = http.string("public_url", "");
    int maxChargesInFlight = http.integer("max_charges_in_flight", 1_024, 1, 1_000_000);
    boolean allowLoopbackPublicUrl = http.bool("allow_loopback_public_url", false);
    if (notBlank(env.apply(ALLOW_LOOPBACK_ENV))) {
      String v = env.apply(ALLOW_LOOPBACK_ENV).trim();
      if (v.equals("true") || v.equals("false")) allowLoopbackPublicUrl = Boolean.parseBoolean(v);
      else problems.add(ALLOW_LOOPBACK_ENV + ": must be true or false");
    }
    int drainTimeoutMs = http.integer("drain_timeout_ms", (int) RouterConfig.Http.DEFAULT_DRAIN_TIMEOUT_MS, 0, 300_000);

    Node db = root.child("database");
    String url = db.string("url", "");
    if (notBlank(env.apply("ROUTER_DATABASE_URL"))) url = env.apply("ROUTER_DATABASE_URL");
    if (notBlank(url) && !url.startsWith("postgresql://") && !url.startsWith("postgres://")) {
      problems.add("database.url: " + (url.startsWith("jdbc:") ? "a jdbc: URL is not taken" : "not a PostgreSQL URL")
          + "; write postgresql://user:password@host:5432/database");
    }
    Path dataDir = configDir.resolve(db.string("data_dir", "../data")).normalize();
    int poolSize = db.integer("pool_size", 8, 1, 200);
    int statementTimeoutMs = db.integer("statement_timeout_ms", 5_000, 100, 3_600_000);

    Node sec = root.child("security");
    String adminKey = sec.string("admin_key", "");
    if (notBlank(env.apply("ROUTER_ADMIN_KEY"))) adminKey = env.apply("ROUTER_ADMIN_KEY");
    String tokenKey = sec.string("token_encryption_key", "");
    if (notBlank(env.apply("ROUTER_TOKEN_KEY"))) tokenKey = env.apply("ROUTER_TOKEN_KEY");
    if (adminKey.length() < 12) problems.add("security.admin_key: at least 12 characters required");
    if (notBlank(tokenKey)) {
      byte[] k;
      try {
        k = java.util.Base64.getDecoder().decode(tokenKey.trim());
      } catch (IllegalArgumentException e) {
        k = null;
      }
      if (k == null || k.length != 32) {
        problems.add("security.token_encryption_key: must be 32 bytes in base64 (openssl rand -base64 32), kept with"
            + " the database");
      }
    }

    List<RouterConfig.MerchantSeed> merchants = new ArrayList<>();
    Object ms = raw.get("merchants");
    if (ms instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        Node m = new Node("merchants[" + i + "]", list.get(i), problems);
        String id = m.string("id", "");
        String key = m.string("api_key", "");
        if (!id.matches("[a-z0-9][a-z0-9_-]{0,63}")) problems.add(m.path + ".id: lower-case letters, digits, _ and -");
        if (key.length() < 12) problems.add(m.path + ".api_key: at least 12 characters required");
        merchants.add(new RouterConfig.MerchantSeed(id, m.string("name", id), key));
      }
    } else if (ms != null) {
      problems.add("merchants: must be a list");
    }

    Map<String, ProviderConfig> providers = new LinkedHashMap<>();
    Object ps = raw.get("providers");
    if (ps instanceof Map<?, ?> pm) {
      for (var e : ((Map<String, Object>) pm).entrySet()) {
        providers.put(e.getKey(), provider(e.getKey(), new Node("providers." + e.getKey(), e.getValue(), problems)));
      }
    } else {
      problems.add("providers: a mapping of provider name to settings is required");
    }

    Node sims = root.child("simulators");
    Object simEnabled = sims.raw("enabled");
    boolean production = notBlank(url);
    boolean simulators = simEnabled instanceof Boolean b ? b : !production;
    int simPort = sims.integer("port", 0, 0, 65535);

    Node w = root.child("writer");
    RouterConfig.Writer writer = new RouterConfig.Writer(w.integer("queue_capacity", 20_000, 10, 1_000_000),
        w.integer("max_batch", 256, 1, 5_000), w.integer("max_in_flight", 1, 1, 16),
        w.integer("linger_ms", 2, 0, 50), w.integer("linger_rows", 128, 1, 5_000));
    Node r = root.child("recovery");
    RouterConfig.Recovery recovery = new RouterConfig.Recovery(r.integer("interval_ms", 5_000, 100, 3_600_000),
        r.integer("processing_grace_ms", 60_000, 1_000, 86_400_000),
        r.duration("not_found_final_after", RouterConfig.Recovery.DEFAULT_NOT_FOUND_FINAL_AFTER_MS, 1_000L,
            30L * 86_400_000));
    Node ik = root.child("idempotency");
    RouterConfig.Idempotency idempotency = new RouterConfig.Idempotency(
        ik.integer("retention_hours", 24, 24, 24 * 366), ik.integer("purge_batch", 1_000, 1, 10_000),
        ik.integer("purge_interval_ms", 60_000, 100, 86_400_000));
    Path routingFile = configDir.resolve(root.string("routing_file", "routing.yaml")).normalize();
    RouterConfig.Cluster cluster = cluster(root.child("cluster"), env, problems);
    Node con = root.child("console");
    RouterConfig.Console console = new RouterConfig.Console(con.bool("enabled", true),
        con.duration("idle_timeout", RouterConfig.Console.DEFAULT_IDLE_TIMEOUT_MS, 1_000L, 86_400_000L),
        con.duration("absolute_timeout", RouterConfig.Console.DEFAULT_ABSOLUTE_TIMEOUT_MS, 1_000L, 7 * 86_400_000L));
    if (console.idleTimeoutMs() > console.absoluteTimeoutMs()) {
      problems.add("console.idle_timeout: must not be longer than console.absolute_timeout");
    }
    RouterConfig.Webhooks webhooks = webhooks(root.child("webhooks"), production, problems);
    String logFormat = notBlank(env.apply("ROUTER_LOG_FORMAT")) ? env.apply("ROUTER_LOG_FORMAT").trim()
        : root.child("logging").string("format", "text");
    if (!logFormat.equals("text") && !logFormat.equals("json")) {
      problems.add("logging.format: text or json (ROUTER_LOG_FORMAT), not '" + logFormat + "'");
    }
    if (cluster.enabled() && !production) {
      problems.add("cluster.enabled: clustered mode needs an external PostgreSQL (database.url or ROUTER_DATABASE_URL);"
          + " the embedded database belongs to one process");
    }

    if (production) {
      if (RouterConfig.DEMO_ADMIN_KEY.equals(adminKey)) {
        problems.add("security.admin_key: the demo admin key is refused in production mode (set ROUTER_ADMIN_KEY)");
      }
      for (var m : merchants) {
        if (RouterConfig.DEMO_MERCHANT_KEY.equals(m.apiKey())) {
          problems.add("merchants." + m.id() + ".api_key: the demo key is refused in production mode");
        }
      }
      if (!notBlank(tokenKey)) problems.add("security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)");
      ProductionChecks.publicUrl(publicUrl, allowLoopbackPublicUrl, problems);
      for (ProviderConfig p : providers.values()) {
        ProductionChecks.credentials(p, problems);
        ProductionChecks.payCoreTestMode(p, problems);
      }
    }
    for (ProviderConfig p : providers.values()) {
      if (!providerTypes.contains(p.type())) {
        problems.add("providers." + p.name() + ".type: unknown PSP type '" + p.type() + "' (one of " + providerTypes + ")");
      }
      if (p.enabled() && !p.baseUrl().startsWith("http")) {
        problems.add("providers." + p.name() + ".base_url: an http(s) URL is required for an enabled provider"
            + (interp.missing().isEmpty() ? "" : " (unset variables: " + interp.missing() + ")"));
      }
    }
    if (!problems.isEmpty()) throw new ConfigException(problems);
    if (publicUrl.isEmpty()) publicUrl = "http://" + ("0.0.0.0".equals(host) ? "127.0.0.1" : host) + ":" + port;
    return new RouterConfig(new RouterConfig.Http(host, port, instances, publicUrl, maxChargesInFlight,
            allowLoopbackPublicUrl, drainTimeoutMs),
        new RouterConfig.Database(notBlank(url) ? url : null, dataDir, poolSize, statementTimeoutMs), adminKey,
        notBlank(tokenKey) ? tokenKey : null, merchants, providers, simulators, simPort, writer, recovery,
        routingFile, configDir, idempotency, cluster, console, webhooks);
  }

  /** A duration in milliseconds ({@code 500ms}, {@code 90s}, {@code 30m}, {@code 24h}, {@code 7d}, or a bare number of ms), or null. */
  static Long durationMs(String text) {
    String t = text.trim().toLowerCase(java.util.Locale.ROOT);
    java.util.regex.Matcher m = java.util.regex.Pattern.compile("(\\d{1,12})\\s*(ms|s|m|h|d)?").matcher(t);
    if (!m.matches()) return null;
    long n = Long.parseLong(m.group(1));
    long unit = m.group(2) == null || m.group(2).equals("ms") ? 1 : switch (m.group(2)) {
      case "s" -> 1_000L;
      case "m" -> 60_000L;
      case "h" -> 3_600_000L;
      default -> 86_400_000L;
    };
    return n * unit;
  }

  /** The {@code webhooks} section: delivery of merchant webhooks. */
  private static RouterConfig.Webhooks webhooks(Node n, boolean production, List<String> problems) {
    List<Long> schedule = new ArrayList<>();
    Object raw = n.raw("retry_schedule");
    if (raw == null) {
      schedule.addAll(RouterConfig.Webhooks.HYPERSWITCH_MS);
    } else if (raw instanceof List<?> l && !l.isEmpty() && l.size() <= 50) {
      for (Object o : l) {
        Long ms = o == null ? null : durationMs(String.valueOf(o));
        if (ms == null || ms < 10 || ms > 7 * 86_400_000L) {
          problems.add("webhooks.retry_schedule: each entry is a duration between 10ms and 7d (e.g. 1m, 10m, 6h), not '"
              + o + "'");
        } else {
          schedule.add(ms);
        }
      }
    } else {
      problems.add("webhooks.retry_schedule: a list of 1 to 50 durations, e.g. [1m, 5m, 5m, 10m]");
    }
    if (schedule.isEmpty()) schedule.addAll(RouterConfig.Webhooks.HYPERSWITCH_MS);
    long timeout = n.duration("timeout", 10_000L, 100L, 60_000L);
    long lease = n.duration("lease", 60_000L, 1_000L, 3_600_000L);
    if (lease < timeout + 5_000) {
      problems.add("webhooks.lease: must be at least webhooks.timeout + 5s (an attempt must end inside its lease)");
    }
    return new RouterConfig.Webhooks(schedule, timeout, n.integer("max_in_flight_per_endpoint", 16, 1, 1_000), lease,
        n.duration("poll_interval", 1_000L, 10L, 60_000L), n.integer("max_held", 2_000, 10, 100_000),
        n.bool("allow_http", !production));
  }

  /**
   * The {@code cluster} section with its environment overrides. Read on its own too
   * ({@link #cluster(Path, Function)}): a clustered Vert.x is built before the rest of the file is
   * loaded.
   */
  private static RouterConfig.Cluster cluster(Node c, Function<String, String> env, List<String> problems) {
    boolean enabled = c.bool("enabled", false);
    if (notBlank(env.apply("ROUTER_CLUSTER_ENABLED"))) {
      String v = env.apply("ROUTER_CLUSTER_ENABLED").trim();
      if (v.equals("true") || v.equals("false")) enabled = Boolean.parseBoolean(v);
      else problems.add("ROUTER_CLUSTER_ENABLED: must be true or false");
    }
    String host = c.string("host", "127.0.0.1");
    if (notBlank(env.apply("ROUTER_CLUSTER_HOST"))) host = env.apply("ROUTER_CLUSTER_HOST").trim();
    int port = c.integer("port", 5701, 1, 65535);
    if (notBlank(env.apply("ROUTER_CLUSTER_PORT"))) port = parsePort(env.apply("ROUTER_CLUSTER_PORT"), problems);
    List<String> members = new ArrayList<>();
    Object raw = c.raw("members");
    if (notBlank(env.apply("ROUTER_CLUSTER_MEMBERS"))) {
      for (String m : env.apply("ROUTER_CLUSTER_MEMBERS").split(",")) if (!m.isBlank()) members.add(m.trim());
    } else if (raw instanceof List<?> list) {
      for (Object o : list) members.add(String.valueOf(o).trim());
    } else if (raw != null) {
      problems.add("cluster.members: must be a list of host:port");
    }
    if (members.isEmpty()) members.add(host + ":" + port);
    for (String m : members) {
      if (!m.matches("[A-Za-z0-9.\\-]+:[0-9]{1,5}")) problems.add("cluster.members: '" + m + "' is not host:port");
    }
    if (host.isBlank()) problems.add("cluster.host: an interface address is required");
    return new RouterConfig.Cluster(enabled, host, port, members);
  }

  /**
   * {@code logging.format} ({@code text} or {@code json}; {@code ROUTER_LOG_FORMAT} overrides),
   * read before anything logs: logging is configured once, at the first logger. An unreadable
   * file or value is {@code text} here; the full {@link #load} reports it.
   */
  public static String logFormat(Path file, Function<String, String> env) {
    String v = env.apply("ROUTER_LOG_FORMAT");
    if (notBlank(v)) return v.trim();
    try {
      Object logging = readYaml(file).get("logging");
      return logging instanceof Map<?, ?> m && "json".equals(m.get("format")) ? "json" : "text";
    } catch (RuntimeException e) {
      return "text";
    }
  }

  /**
   * The cluster settings alone, before the Vert.x instance exists (a clustered one is built
   * differently); the full {@link #load} validates them again with everything else.
   */
  public static RouterConfig.Cluster cluster(Path file, Function<String, String> env) {
    List<String> problems = new ArrayList<>();
    Map<String, Object> raw;
    try {
      raw = readYaml(file);
    } catch (RuntimeException e) {
      return RouterConfig.Cluster.OFF; // the full load reports what is wrong with the file
    }
    @SuppressWarnings("unchecked")
    Map<String, Object> interpolated = (Map<String, Object>) new Interpolator(env).apply(raw);
    RouterConfig.Cluster c = cluster(new Node("", interpolated, problems).child("cluster"), env, problems);
    return problems.isEmpty() ? c : RouterConfig.Cluster.OFF;
  }

  private static ProviderConfig provider(String name, Node n) {
    for (String k : n.keys()) {
      if (!PROVIDER_KEYS.contains(k)) n.problems.add(n.path + ": unknown key '" + k + "'");
    }
    Map<String, String> creds = new LinkedHashMap<>();
    Object c = n.raw("credentials");
    if (c instanceof Map<?, ?> cm) cm.forEach((k, v) -> creds.put(String.valueOf(k), v == null ? "" : String.valueOf(v)));
    Set<String> currencies = new LinkedHashSet<>();
    Object cur = n.raw("currencies");
    if (cur instanceof List<?> l) {
      for (Object o : l) {
        String code = String.valueOf(o);
        if (!Currencies.isKnown(code)) n.problems.add(n.path + ".currencies: unknown currency '" + code + "'");
        currencies.add(code);
      }
    } else {
      n.problems.add(n.path + ".currencies: a list of ISO 4217 codes is required");
    }
    Node b = n.child("breaker");
    BreakerConfig breaker = new BreakerConfig(b.integer("max_failures", 5, 1, 10_000),
        b.integer("window_ms", 10_000, 100, 3_600_000), b.integer("reset_ms", 5_000, 100, 3_600_000));
    Object opts = n.raw("options");
    JsonObject options = opts instanceof Map<?, ?> om ? new JsonObject(deepCopy(om)) : new JsonObject();
    String baseUrl = n.string("base_url", "");
    while (baseUrl.endsWith("/")) baseUrl = baseUrl.substring(0, baseUrl.length() - 1);
    return new ProviderConfig(name, n.string("type", name), n.bool("enabled", true), baseUrl,
        java.util.Collections.unmodifiableMap(creds), Set.copyOf(currencies), n.integer("timeout_ms", 2_000, 50, 120_000), breaker, options,
        fees(n));
  }

  /**
   * {@code fees} (a list of lines: optional {@code currency}, {@code brand}, {@code cross_border};
   * {@code percent} with at most 4 decimals, {@code fixed} in minor units) and
   * {@code account_country}; see {@link io.payrouter.routing.FeeSchedule}.
   */
  private static io.payrouter.routing.FeeSchedule fees(Node n) {
    String country = n.string("account_country", "");
    if (!country.isEmpty() && !country.matches("[A-Za-z]{2}")) {
      n.problems.add(n.path + ".account_country: an ISO 3166 alpha-2 country code is required, e.g. US (got '" + country + "')");
    }
    Object raw = n.raw("fees");
    List<io.payrouter.routing.FeeSchedule.Line> lines = new ArrayList<>();
    if (raw != null && !(raw instanceof List<?>)) {
      n.problems.add(n.path + ".fees: a list of fee lines is required, e.g. [{ percent: 2.9, fixed: 30 }]");
    } else if (raw instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) {
        String at = n.path + ".fees[" + i + "]";
        if (!(list.get(i) instanceof Map<?, ?> m)) {
          n.problems.add(at + ": a mapping is required, e.g. { percent: 2.9, fixed: 30 }");
          continue;
        }
        for (Object k : m.keySet()) {
          if (!FEE_KEYS.contains(String.valueOf(k))) n.problems.add(at + ": unknown key '" + k + "' (one of " + new java.util.TreeSet<>(FEE_KEYS) + ")");
        }
        String currency = m.get("currency") == null ? null : String.valueOf(m.get("currency"));
        if (currency != null && !Currencies.isKnown(currency)) n.problems.add(at + ".currency: unknown currency '" + currency + "'");
        String brand = m.get("brand") == null ? null : String.valueOf(m.get("brand"));
        Object cb = m.get("cross_border");
        if (cb != null && !(cb instanceof Boolean)) n.problems.add(at + ".cross_border: true or false");
        boolean crossBorder = Boolean.TRUE.equals(cb);
        Object pct = m.get("percent");
        long ppm = pct == null ? 0 : ppm(pct);
        if (ppm < 0) n.problems.add(at + ".percent: a number from 0 to 100 with at most 4 decimals, e.g. 2.9 (got " + pct + ")");
        long fixed = 0;
        Object fx = m.get("fixed");
        if (fx != null) {
          if (fx instanceof Integer || fx instanceof Long || fx instanceof java.math.BigInteger) {
            fixed = ((Number) fx).longValue();
            if (fixed < 0 || fixed > 1_000_000_000L) n.problems.add(at + ".fixed: an integer number of minor units from 0, e.g. 30 (got " + fx + ")");
          } else {
            n.problems.add(at + ".fixed: an integer number of minor units of the charge's currency, e.g. 30 (got " + fx + ")");
          }
        }
        if (pct == null && fx == null) n.problems.add(at + ": percent or fixed (or both) is required");
        if (ppm >= 0 && fixed >= 0 && fixed <= 1_000_000_000L) {
          lines.add(new io.payrouter.routing.FeeSchedule.Line(currency, brand, crossBorder, ppm, fixed));
        }
      }
    }
    return new io.payrouter.routing.FeeSchedule(lines, country.isEmpty() ? null : country);
  }

  /** A percentage (a YAML number, 0 to 100, at most 4 decimals) in millionths of the amount, exactly; -1 when it is not one. */
  private static long ppm(Object pct) {
    if (!(pct instanceof Number)) return -1;
    try {
      java.math.BigDecimal d = new java.math.BigDecimal(String.valueOf(pct))
          .multiply(java.math.BigDecimal.valueOf(io.payrouter.routing.FeeSchedule.PPM_PER_PERCENT));
      boolean ok = d.signum() >= 0 && d.stripTrailingZeros().scale() <= 0
          && d.compareTo(java.math.BigDecimal.valueOf(100 * io.payrouter.routing.FeeSchedule.PPM_PER_PERCENT)) <= 0;
      return ok ? d.longValueExact() : -1;
    } catch (NumberFormatException | ArithmeticException e) {
      return -1;
    }
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> deepCopy(Map<?, ?> m) {
    Map<String, Object> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(String.valueOf(k), v instanceof Map<?, ?> mm ? deepCopy(mm) : v));
    return out;
  }

  private static int parsePort(String s, List<String> problems) {
    try {
      int p = Integer.parseInt(s.trim());
      if (p >= 0 && p <= 65535) return p;
    } catch (NumberFormatException ignored) {
      // reported below
    }
    problems.add("port: must be an integer 0..65535");
    return 0;
  }

  static boolean notBlank(String s) {
    return s != null && !s.isBlank();
  }

  /** A position in the YAML tree that reports problems with its path. */
  private static final class Node {
    final String path;
    final Map<?, ?> map;
    final List<String> problems;

    Node(String path, Object value, List<String> problems) {
      this.path = path;
      this.problems = problems;
      if (value == null) {
        this.map = Map.of();
      } else if (value instanceof Map<?, ?> m) {
        this.map = m;
      } else {
        this.map = Map.of();
        problems.add((path.isEmpty() ? "document" : path) + ": must be a mapping");
      }
    }

    Node child(String key) {
      return new Node(path.isEmpty() ? key : path + "." + key, map.get(key), problems);
    }

    Set<String> keys() {
      Set<String> s = new LinkedHashSet<>();
      map.keySet().forEach(k -> s.add(String.valueOf(k)));
      return s;
    }

    Object raw(String key) {
      return map.get(key);
    }

    String where(String key) {
      return path.isEmpty() ? key : path + "." + key;
    }

    String string(String key, String dflt) {
      Object v = map.get(key);
      if (v == null) return dflt;
      return String.valueOf(v).trim();
    }

    boolean bool(String key, boolean dflt) {
      Object v = map.get(key);
      if (v == null || "".equals(v)) return dflt;
      if (v instanceof Boolean b) return b;
      if ("true".equals(v) || "false".equals(v)) return Boolean.parseBoolean((String) v);
      problems.add(where(key) + ": must be true or false");
      return dflt;
    }

    /**
     * A duration: a number of milliseconds, or a number with a unit ({@code 90s}, {@code 30m},
     * {@code 24h}, {@code 7d}, {@code 500ms}).
     */
    long duration(String key, long dflt, long min, long max) {
      Object v = map.get(key);
      if (v == null || "".equals(v)) return dflt;
      Long parsed = durationMs(String.valueOf(v));
      if (parsed == null) {
        problems.add(where(key) + ": must be a duration such as 90s, 30m, 24h or 7d (or milliseconds)");
        return dflt;
      }
      long ms = parsed;
      if (ms < min || ms > max) {
        problems.add(where(key) + ": must be between " + min / 1000 + " s and " + max / 86_400_000 + " days");
        return dflt;
      }
      return ms;
    }

    int integer(String key, int dflt, int min, int max) {
      Object v = map.get(key);
      if (v == null || "".equals(v)) return dflt;
      try {
        long l = v instanceof Number n ? n.longValue() : Long.parseLong(String.valueOf(v).trim());
        if (l < min || l > max) {
          problems.add(where(key) + ": must be between " + min + " and " + max);
          return dflt;
        }
        return (int) l;
      } catch (NumberFormatException e) {
        problems.add(where(key) + ": must be an integer");
        return dflt;
      }
    }
  }
}
