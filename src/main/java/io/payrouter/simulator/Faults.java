package io.payrouter.simulator;

import io.payrouter.simulator.InjectedFaults.Kind;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Faults injected into one simulated PSP through {@code POST /_sim/{provider}/faults}. Immutable;
 * replaced whole. Applied by {@link SimEdge}, the load balancer in front of every simulated PSP,
 * except the late and cancel faults, which only the PSP can carry out (see {@link Deferral}).
 *
 * <p>Each call rolls once; the rates are disjoint shares of calls (their sum is at most 1):
 *
 * @param latencyMs added latency on every call
 * @param errorRate share of calls answered with the PSP's own 500 (nothing charged)
 * @param timeoutRate share of calls that hang past any sane timeout (nothing charged)
 * @param down a full outage: every call answered 503 at once
 * @param ambiguousRate share of calls whose answer the edge loses: a money-moving call is charged
 *     and then answered 502 or 504 by the edge; any other call just gets the 502 or 504
 * @param ambiguousLagMs how long after an ambiguous charge the PSP's inquiry endpoints still do
 *     not show it (a lagging read replica); 0 = at once. The ledger records it at once.
 * @param resetRate share of calls whose connection is reset once the request was read; a
 *     money-moving call is charged first in half of these
 * @param slowRate share of calls answered (with the real answer) only after {@code slowMs}; a
 *     money-moving call is charged at once
 * @param slowMs the delay of a slow answer
 * @param lateRate share of money-moving calls the PSP answers with its documented pending state
 *     and charges {@code lateMs} later (inquiries and webhooks show pending until then)
 * @param lateMs how long a late payment stays pending; also when a cancelled one closes (0 there
 *     means {@link #DEFAULT_CANCEL_MS})
 * @param cancelRate share of money-moving calls the PSP answers with its pending state and then
 *     closes unpaid (nothing charged), telling inquiries and webhooks so
 * @param declineRate share of money-moving charge calls the PSP declines (do not honor) although
 *     their amount would be approved: a PSP whose approval rate dropped (the routing canary's test)
 * @param webhookUrl null, or a loopback origin ({@code http://127.0.0.1:9100}) that every callback
 *     goes to instead of the origin of the callback URL the router gave (path and query kept)
 */
public record Faults(long latencyMs, double errorRate, double timeoutRate, boolean down,
    double ambiguousRate, long ambiguousLagMs, double resetRate, double slowRate, long slowMs,
    double lateRate, long lateMs, double cancelRate, String webhookUrl, double declineRate) {

  public static final Faults NONE = new Faults(0, 0, 0, false, 0, 0, 0, 0, 0, 0, 0, 0, null, 0);

  static final long MAX_LATENCY_MS = 60_000;
  static final long MAX_DELAY_MS = 600_000;
  /** When a cancelled payment closes if {@code late_ms} is not set. */
  public static final long DEFAULT_CANCEL_MS = 1_000;
  /** Every key {@code POST /faults} accepts, in the order answers list them. */
  public static final List<String> KEYS = List.of("latency_ms", "error_rate", "timeout_rate", "down",
      "ambiguous_rate", "ambiguous_lag_ms", "reset_rate", "slow_rate", "slow_ms",
      "late_rate", "late_ms", "cancel_rate", "webhook_url", "decline_rate");

  /** An http origin on this machine: scheme, 127.x.x.x or localhost, an optional port; nothing else. */
  private static final Pattern LOOPBACK_ORIGIN =
      Pattern.compile("http://(127(\\.\\d{1,3}){3}|localhost)(:\\d{1,5})?/?");

  /** The original four faults; the others off. */
  public Faults(long latencyMs, double errorRate, double timeoutRate, boolean down) {
    this(latencyMs, errorRate, timeoutRate, down, 0, 0, 0, 0, 0, 0, 0, 0, null, 0);
  }

  /** The faults before decline_rate; that one off. */
  public Faults(long latencyMs, double errorRate, double timeoutRate, boolean down, double ambiguousRate,
      long ambiguousLagMs, double resetRate, double slowRate, long slowMs, double lateRate, long lateMs,
      double cancelRate, String webhookUrl) {
    this(latencyMs, errorRate, timeoutRate, down, ambiguousRate, ambiguousLagMs, resetRate, slowRate, slowMs,
        lateRate, lateMs, cancelRate, webhookUrl, 0);
  }

  /** The faults before late, cancel and webhook_url; those off. */
  public Faults(long latencyMs, double errorRate, double timeoutRate, boolean down, double ambiguousRate,
      long ambiguousLagMs, double resetRate, double slowRate, long slowMs) {
    this(latencyMs, errorRate, timeoutRate, down, ambiguousRate, ambiguousLagMs, resetRate, slowRate, slowMs,
        0, 0, 0, null, 0);
  }

  /**
   * Parses and validates a {@code POST /faults} body: unknown keys, wrong types, rates outside
   * [0,1], rates summing above 1, a slow_rate without slow_ms, a late_rate without late_ms, or a
   * webhook_url that is not a loopback http origin are refused with
   * {@link IllegalArgumentException}. Absent keys take their default (off). Returns {@link #NONE}
   * itself when nothing is on, so the edge's no-fault check stays an identity comparison.
   */
  public static Faults fromJson(JsonObject j) {
    for (String key : j.fieldNames()) {
      if (!KEYS.contains(key)) {
        throw new IllegalArgumentException("unknown fault key '" + key + "'; known keys: " + String.join(", ", KEYS));
      }
    }
    Map<String, Object> m = j.getMap();
    long latency = millis(m, "latency_ms", MAX_LATENCY_MS);
    double error = rate(m, "error_rate");
    double timeout = rate(m, "timeout_rate");
    double ambiguous = rate(m, "ambiguous_rate");
    long lag = millis(m, "ambiguous_lag_ms", MAX_DELAY_MS);
    double reset = rate(m, "reset_rate");
    double slow = rate(m, "slow_rate");
    long slowMs = millis(m, "slow_ms", MAX_DELAY_MS);
    double late = rate(m, "late_rate");
    long lateMs = millis(m, "late_ms", MAX_DELAY_MS);
    double cancel = rate(m, "cancel_rate");
    double decline = rate(m, "decline_rate");
    Object down = m.getOrDefault("down", Boolean.FALSE);
    if (!(down instanceof Boolean)) throw new IllegalArgumentException("down must be true or false");
    if (error + timeout + ambiguous + reset + slow + late + cancel + decline > 1.0 + 1e-9) {
      throw new IllegalArgumentException("error_rate + timeout_rate + ambiguous_rate + reset_rate + slow_rate"
          + " + late_rate + cancel_rate + decline_rate must be at most 1");
    }
    if (slow > 0 && slowMs == 0) throw new IllegalArgumentException("slow_rate needs slow_ms > 0");
    if (late > 0 && lateMs == 0) throw new IllegalArgumentException("late_rate needs late_ms > 0");
    String webhook = origin(m);
    Faults f = new Faults(latency, error, timeout, (Boolean) down, ambiguous, lag, reset, slow, slowMs,
        late, lateMs, cancel, webhook, decline);
    return f.equals(NONE) ? NONE : f;
  }

  private static String origin(Map<String, Object> m) {
    Object v = m.get("webhook_url");
    if (v == null) return null;
    if (!(v instanceof String s) || !LOOPBACK_ORIGIN.matcher(s).matches()) {
      throw new IllegalArgumentException("webhook_url must be a loopback http origin such as http://127.0.0.1:9100"
          + " (no path; simulators call nothing off this machine)");
    }
    return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  private static double rate(Map<String, Object> m, String key) {
    Object v = m.get(key);
    if (v == null) {
      if (m.containsKey(key)) throw new IllegalArgumentException(key + " must be a number in [0,1]");
      return 0;
    }
    if (!(v instanceof Number n) || !(n.doubleValue() >= 0 && n.doubleValue() <= 1)) {
      throw new IllegalArgumentException(key + " must be a number in [0,1]");
    }
    return n.doubleValue();
  }

  private static long millis(Map<String, Object> m, String key, long max) {
    Object v = m.get(key);
    if (v == null) {
      if (m.containsKey(key)) throw new IllegalArgumentException(key + " must be an integer in [0," + max + "]");
      return 0;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())
        || n.doubleValue() < 0 || n.doubleValue() > max) {
      throw new IllegalArgumentException(key + " must be an integer in [0," + max + "]");
    }
    return n.longValue();
  }

  /** The fault for a call whose uniform roll in [0,1) is {@code roll}; null = none (never DOWN). */
  public Kind pick(double roll) {
    double edge = timeoutRate;
    if (roll < edge) return Kind.TIMEOUT;
    if (roll < (edge += errorRate)) return Kind.ERROR;
    if (roll < (edge += ambiguousRate)) return Kind.AMBIGUOUS;
    if (roll < (edge += resetRate)) return Kind.RESET;
    if (roll < (edge += slowRate)) return Kind.SLOW;
    if (roll < (edge += lateRate)) return Kind.LATE;
    if (roll < (edge += cancelRate)) return Kind.CANCEL;
    if (roll < edge + declineRate) return Kind.DECLINE;
    return null;
  }

  /** How long a payment hit by a cancel fault stays pending before it is closed unpaid. */
  public long cancelAfterMs() {
    return lateMs > 0 ? lateMs : DEFAULT_CANCEL_MS;
  }

  /**
   * Where a callback meant for {@code url} goes: {@code url} itself, or with {@link #webhookUrl}
   * set, that origin followed by {@code url}'s path and query.
   */
  public String callbackTarget(String url) {
    return webhookUrl == null || url == null ? url : redirect(url, webhookUrl);
  }

  /** {@code origin} + the path and query of {@code url} (an absolute URL). */
  static String redirect(String url, String origin) {
    int scheme = url.indexOf("://");
    int rest = scheme < 0 ? -1 : indexOfAny(url, scheme + 3);
    String pathAndQuery = rest < 0 ? "/" : url.substring(rest);
    if (pathAndQuery.startsWith("?") || pathAndQuery.startsWith("#")) pathAndQuery = "/" + pathAndQuery;
    return origin + pathAndQuery;
  }

  private static int indexOfAny(String s, int from) {
    for (int i = from; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == '/' || c == '?' || c == '#') return i;
    }
    return -1;
  }

  /** Every fault key with its value in force (defaults included; webhook_url null when unset). */
  public JsonObject toJson() {
    return new JsonObject().put("latency_ms", latencyMs).put("error_rate", errorRate)
        .put("timeout_rate", timeoutRate).put("down", down)
        .put("ambiguous_rate", ambiguousRate).put("ambiguous_lag_ms", ambiguousLagMs)
        .put("reset_rate", resetRate).put("slow_rate", slowRate).put("slow_ms", slowMs)
        .put("late_rate", lateRate).put("late_ms", lateMs).put("cancel_rate", cancelRate)
        .put("webhook_url", webhookUrl).put("decline_rate", declineRate);
  }
}
