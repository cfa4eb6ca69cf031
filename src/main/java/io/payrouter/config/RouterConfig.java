package io.payrouter.config;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * The whole of {@code config/router.yaml}, typed and validated. See README "Configuration".
 *
 * @param http listener settings
 * @param database where charges live (embedded when {@code url} is null)
 * @param adminKey the operations API bearer key
 * @param tokenKey base64 AES-256 key encrypting provider tokens at rest (null: embedded default
 *     keeps a generated one in the data directory)
 * @param merchants merchants created at start
 * @param providers PSPs by name, in config order
 * @param simulatorsEnabled start the PSP simulators in-process
 * @param simulatorsPort their port (0 = any free port)
 * @param writer batching writer settings
 * @param recovery reconciler settings
 * @param routingFile the routing rules file (watched for edits)
 * @param configDir the directory of router.yaml
 * @param console the SRE console's settings
 */
public record RouterConfig(
    Http http,
    Database database,
    String adminKey,
    String tokenKey,
    List<MerchantSeed> merchants,
    Map<String, ProviderConfig> providers,
    boolean simulatorsEnabled,
    int simulatorsPort,
    Writer writer,
    Recovery recovery,
    Path routingFile,
    Path configDir,
    Idempotency idempotency,
    Cluster cluster,
    Console console,
    Webhooks webhooks) {

  public static final String DEMO_MERCHANT_KEY = "sk_test_demo";
  public static final String DEMO_ADMIN_KEY = "admin_test_demo";

  /** Production mode: an external Postgres is configured. */
  public boolean production() {
    return database.url() != null;
  }

  /**
   * @param maxChargesInFlight charges this instance works on at once; one more is answered 503
   *     with Retry-After at once (nothing charged) instead of queueing behind the others
   * @param allowLoopbackPublicUrl {@code http.allow_loopback_public_url}: the rehearsal setting
   *     that lets production mode run with a loopback {@code public_url} (several instances and a
   *     balancer on one machine). Never on by default; logged, in the banner and in
   *     {@code GET /health/ready} when on
   * @param drainTimeoutMs {@code http.drain_timeout_ms}: on SIGTERM, how long charges already in
   *     flight may take to finish (new ones get 503 at once) before the router stops anyway
   */
  public record Http(String host, int port, int instances, String publicUrl, int maxChargesInFlight,
      boolean allowLoopbackPublicUrl, long drainTimeoutMs) {
    public static final long DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

    public Http(String host, int port, int instances, String publicUrl, int maxChargesInFlight) {
      this(host, port, instances, publicUrl, maxChargesInFlight, false, DEFAULT_DRAIN_TIMEOUT_MS);
    }
  }

  /**
   * Production mode rehearsed on one machine ({@code http.allow_loopback_public_url} on): what is
   * relaxed, one line each, for the start-up log, the banner and {@code GET /health/ready}. Empty
   * outside production mode (the setting changes nothing there) and when the setting is off.
   */
  public List<String> rehearsalWarnings() {
    if (!production() || !http.allowLoopbackPublicUrl()) return List.of();
    return List.of("http.allow_loopback_public_url is on: production mode accepts a loopback http.public_url ("
        + http.publicUrl() + "); PSP webhooks can only come from this machine. A rehearsal setting: never in production");
  }

  /**
   * @param url postgresql://user:pass@host:port/db, or null for the embedded default
   * @param dataDir embedded PostgreSQL's data directory (and the generated token key's home)
   * @param poolSize connections in the pool
   * @param statementTimeoutMs PostgreSQL's {@code statement_timeout} on every pool connection: no
   *     query holds a connection longer than this
   */
  public record Database(String url, Path dataDir, int poolSize, int statementTimeoutMs) {}

  public record MerchantSeed(String id, String name, String apiKey) {
    @Override
    public String toString() {
      return "MerchantSeed[" + id + "]";
    }
  }

  /**
   * @param queueCapacity bounded queue of each writer; full = 503 before any PSP call
   * @param maxBatch most rows per round trip
   * @param maxInFlight batches pipelined at once
   * @param lingerMs under load, how long a cycle may wait for more rows (0: never; shipped 2)
   * @param lingerRows a lingering cycle goes as soon as it holds this many rows
   */
  public record Writer(int queueCapacity, int maxBatch, int maxInFlight, long lingerMs, int lingerRows) {
    /** Without a linger (tests that count batches exactly). */
    public Writer(int queueCapacity, int maxBatch, int maxInFlight) {
      this(queueCapacity, maxBatch, maxInFlight, 0, 128);
    }
  }

  /**
   * @param intervalMs how often the reconciler looks for unsettled charges
   * @param processingGraceMs a {@code processing} charge older than this, not in flight here, is
   *     treated as orphaned by a crash
   * @param notFoundFinalAfterMs how long after a charge last changed a PSP's "no such payment" for
   *     one of its attempts becomes proof that the attempt will not charge
   *     ({@code recovery.not_found_final_after}); until then the charge stays pending. Long on
   *     purpose: a PSP's queue or an acquirer can take hours, and the grace period is never proof.
   */
  public record Recovery(long intervalMs, long processingGraceMs, long notFoundFinalAfterMs) {
    /** 24 hours: past any PSP's documented retry or queue window we know of (src/docs/psps.md). */
    public static final long DEFAULT_NOT_FOUND_FINAL_AFTER_MS = 86_400_000L;

    public Recovery(long intervalMs, long processingGraceMs) {
      this(intervalMs, processingGraceMs, DEFAULT_NOT_FOUND_FINAL_AFTER_MS);
    }
  }

  /**
   * How long idempotency keys are kept, and how they are purged afterwards.
   *
   * @param retentionHours a key is kept at least this long (at least 24) and while its charge is unsettled
   * @param purgeBatch keys deleted per statement (small: a purge never holds the write path up)
   * @param purgeIntervalMs how often a purge round runs
   */
  public record Idempotency(int retentionHours, int purgeBatch, long purgeIntervalMs) {
    public static final Idempotency DEFAULT = new Idempotency(24, 1_000, 60_000);
  }

  public RouterConfig withHttpPort(int port) {
    String url = http.publicUrl().endsWith(":" + http.port()) ? http.publicUrl().substring(0,
        http.publicUrl().length() - String.valueOf(http.port()).length()) + port : http.publicUrl();
    return new RouterConfig(new Http(http.host(), port, http.instances(), url, http.maxChargesInFlight(),
        http.allowLoopbackPublicUrl(), http.drainTimeoutMs()), database,
        adminKey, tokenKey, merchants, providers, simulatorsEnabled, simulatorsPort, writer, recovery,
        routingFile, configDir, idempotency, cluster, console, webhooks);
  }

  /**
   * {@code console}: the SRE console at {@code /console} (README "Console").
   *
   * @param enabled serve it at all
   * @param idleTimeoutMs a session unused this long is ended
   * @param absoluteTimeoutMs a session is ended this long after its login, used or not
   */
  public record Console(boolean enabled, long idleTimeoutMs, long absoluteTimeoutMs) {
    public static final long DEFAULT_IDLE_TIMEOUT_MS = 30 * 60_000L;
    public static final long DEFAULT_ABSOLUTE_TIMEOUT_MS = 8 * 3_600_000L;
    public static final Console DEFAULT = new Console(true, DEFAULT_IDLE_TIMEOUT_MS, DEFAULT_ABSOLUTE_TIMEOUT_MS);
  }

  /**
   * {@code webhooks}: delivery of merchant webhooks (README "Merchant webhooks").
   *
   * @param retryScheduleMs the wait before each retry of a failed delivery (default: Hyperswitch's
   *     16 retries over 24 h); after the last, the delivery is failed and a failing endpoint disabled
   * @param timeoutMs one attempt's limit, connection included
   * @param maxInFlightPerEndpoint requests to one endpoint at once, per instance
   * @param leaseMs how long an instance holds a delivery it is attempting (another takes it after)
   * @param pollMs how often due deliveries are looked for
   * @param maxHeld deliveries one instance holds at once (queued or in flight)
   * @param allowHttp accept {@code http://} endpoint URLs (default: only in the embedded default;
   *     production mode wants {@code https://} unless this is set)
   */
  public record Webhooks(List<Long> retryScheduleMs, long timeoutMs, int maxInFlightPerEndpoint, long leaseMs,
      long pollMs, int maxHeld, boolean allowHttp) {
    public static final List<Long> HYPERSWITCH_MS = List.of(60_000L, 300_000L, 300_000L, 600_000L, 600_000L, 600_000L,
        600_000L, 600_000L, 3_600_000L, 3_600_000L, 3_600_000L, 3_600_000L, 3_600_000L, 21_600_000L, 21_600_000L,
        21_600_000L);

    public Webhooks {
      retryScheduleMs = List.copyOf(retryScheduleMs);
    }
  }

  /**
   * {@code cluster}: several router instances that share routing rules, provider flags, key and
   * card invalidations and PSP health over a Vert.x event bus on Hazelcast (TCP/IP join to the
   * listed members, no multicast). Off by default; clustered mode needs an external PostgreSQL.
   *
   * @param host the interface Hazelcast and the event bus bind to
   * @param port Hazelcast's port on this instance (the event bus takes a free one beside it)
   * @param members {@code host:port} of every member (this one may be among them)
   */
  public record Cluster(boolean enabled, String host, int port, List<String> members) {
    public static final Cluster OFF = new Cluster(false, "127.0.0.1", 5701, List.of("127.0.0.1:5701"));

    public Cluster {
      members = List.copyOf(members);
    }
  }

  @Override
  public String toString() {
    return "RouterConfig[port=" + http.port() + " production=" + production() + " providers="
        + providers.keySet() + "]";
  }
}
