package io.payrouter.load;

import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.UUID;

/**
 * Every knob of the simulations, read from system properties ({@code -Dname=value} on the Maven
 * command line; the Gatling plugin passes them on to the forked JVM). Validated once: the target
 * must be a loopback address and every run is bounded in rate, users and time.
 */
public final class LoadConfig {
  /** Hard ceilings: a typo must not turn into an unbounded flood. */
  static final double MAX_RATE = 20_000;
  static final int MAX_USERS = 2_000;
  static final int MAX_DURATION_S = 600;

  /** Router base URL; loopback only. */
  public final String baseUrl;
  /** Merchant API key (Bearer). */
  public final String merchantKey;
  /** Open model: new virtual users (= charge flows) per second. */
  public final double rate;
  /** Seconds of steady injection. */
  public final int duration;
  /** Seconds of linear ramp from 1/s to {@link #rate} before the steady part (0 = none). */
  public final int ramp;
  /** Closed model instead of the open one when > 0: this many concurrent users, each looping one flow. */
  public final int users;
  /** Cards stored by before(); charges spread over them. */
  public final int cards;
  /** Currency of the charges (must be one that the card's PSPs support). */
  public final String currency;
  /** Hard stop: injection time plus this grace for in-flight requests. */
  public final int graceSeconds;
  /** true: virtual users share a connection pool, like a merchant backend; false: one connection each. */
  public final boolean shareConnections;
  /** Per-request timeout. */
  public final int requestTimeoutMs;
  /** Allowed share of failed requests (percent) before the run is marked failed. */
  public final double maxFailedPercent;
  /** Prefix of this run's Idempotency-Keys: unique per run, so reruns never collide with stored keys. */
  public final String runId;

  private LoadConfig() {
    baseUrl = stripSlash(str("baseUrl", "http://127.0.0.1:8080"));
    merchantKey = str("merchantKey", "sk_test_demo");
    rate = dbl("rate", 50);
    duration = integer("duration", 30);
    ramp = integer("ramp", 0);
    users = integer("users", 0);
    cards = integer("cards", 4);
    currency = str("currency", "USD").toUpperCase(Locale.ROOT);
    graceSeconds = integer("grace", 30);
    shareConnections = Boolean.parseBoolean(str("shareConnections", "true"));
    requestTimeoutMs = integer("requestTimeoutMs", 15_000);
    maxFailedPercent = dbl("maxFailedPercent", 1.0);
    runId = str("runId", "load-" + UUID.randomUUID().toString().substring(0, 8));
    check();
  }

  public static LoadConfig load() {
    LoadConfig c = new LoadConfig();
    System.out.printf(Locale.ROOT,
        "[load] baseUrl=%s rate=%.1f/s duration=%ds ramp=%ds users=%d cards=%d currency=%s "
            + "shareConnections=%b runId=%s maxDuration=%ds%n",
        c.baseUrl, c.rate, c.duration, c.ramp, c.users, c.cards, c.currency, c.shareConnections, c.runId,
        c.maxDuration().toSeconds());
    return c;
  }

  /** Injection time plus grace: Gatling stops the run there whatever is still in flight. */
  public Duration maxDuration() {
    return Duration.ofSeconds((long) ramp + duration + graceSeconds);
  }

  private void check() {
    URI uri = URI.create(baseUrl);
    if (!"http".equals(uri.getScheme()) && !"https".equals(uri.getScheme())) {
      throw new IllegalArgumentException("baseUrl must be http(s)://...: " + baseUrl);
    }
    if (!isLoopback(uri.getHost())) {
      throw new IllegalArgumentException("baseUrl must point at loopback (127.x.x.x, localhost, ::1); refusing "
          + baseUrl);
    }
    if (!(rate > 0) || rate > MAX_RATE) throw new IllegalArgumentException("rate must be in (0, " + MAX_RATE + "]");
    if (duration < 1 || duration > MAX_DURATION_S) {
      throw new IllegalArgumentException("duration must be in [1, " + MAX_DURATION_S + "] seconds");
    }
    if (ramp < 0 || ramp > MAX_DURATION_S) throw new IllegalArgumentException("ramp must be in [0, " + MAX_DURATION_S + "]");
    if (users < 0 || users > MAX_USERS) throw new IllegalArgumentException("users must be in [0, " + MAX_USERS + "]");
    if (cards < 1 || cards > 100) throw new IllegalArgumentException("cards must be in [1, 100]");
    if (graceSeconds < 0 || graceSeconds > 120) throw new IllegalArgumentException("grace must be in [0, 120]");
    if (!currency.matches("[A-Z]{3}")) throw new IllegalArgumentException("currency must be an ISO 4217 code");
  }

  static boolean isLoopback(String host) {
    if (host == null) return false;
    String h = host.toLowerCase(Locale.ROOT);
    if (h.startsWith("[") && h.endsWith("]")) h = h.substring(1, h.length() - 1);
    return h.equals("localhost") || h.equals("::1") || h.matches("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");
  }

  private static String stripSlash(String s) {
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** A rate as the reports print it: 750, or 12.5. */
  static String num(double v) {
    return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
  }

  /** A -D property, trimmed; {@code def} when absent or blank. */
  static String str(String name, String def) {
    String v = System.getProperty(name);
    return v == null || v.isBlank() ? def : v.trim();
  }

  static int integer(String name, int def) {
    String v = str(name, null);
    return v == null ? def : Integer.parseInt(v);
  }

  static double dbl(String name, double def) {
    String v = str(name, null);
    return v == null ? def : Double.parseDouble(v);
  }
}
