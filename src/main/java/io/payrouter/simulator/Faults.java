package io.payrouter.simulator;

import io.vertx.core.json.JsonObject;

/**
 * Faults injected into one simulated PSP through {@code POST /_sim/{provider}/faults}. Immutable;
 * replaced whole.
 *
 * @param latencyMs added latency on every call
 * @param errorRate share of calls answered with the PSP's own 500 (nothing charged)
 * @param timeoutRate share of calls that hang past any sane timeout (nothing charged)
 * @param down a full outage: every call answered 503 at once
 */
public record Faults(long latencyMs, double errorRate, double timeoutRate, boolean down) {
  public static final Faults NONE = new Faults(0, 0, 0, false);

  public static Faults fromJson(JsonObject j) {
    double err = j.getDouble("error_rate", 0.0);
    double to = j.getDouble("timeout_rate", 0.0);
    long lat = j.getLong("latency_ms", 0L);
    if (err < 0 || err > 1 || to < 0 || to > 1 || lat < 0 || lat > 60_000) {
      throw new IllegalArgumentException("error_rate and timeout_rate in [0,1], latency_ms in [0,60000]");
    }
    return new Faults(lat, err, to, j.getBoolean("down", false));
  }

  public JsonObject toJson() {
    return new JsonObject().put("latency_ms", latencyMs).put("error_rate", errorRate)
        .put("timeout_rate", timeoutRate).put("down", down);
  }
}
