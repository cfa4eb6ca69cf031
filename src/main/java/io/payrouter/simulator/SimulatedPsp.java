package io.payrouter.simulator;

import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;

/**
 * One simulated PSP: a router speaking that PSP's real API, mounted under {@code /<name>} of the
 * simulator server. Implementations live in {@code simulator/<psp>}.
 */
public interface SimulatedPsp {

  /** The path prefix and control name, e.g. "revio" (serves /revio/api/v1/...). */
  String name();

  /** Routes relative to the prefix. Called once per server instance; state lives in ctx. */
  Router router(SimContext ctx);

  /** Content type and body of this PSP's own server error (used by injected faults). */
  default String serverErrorBody(int status) {
    return "{\"error\":{\"code\":\"server_error\",\"message\":\"Internal server error\"}}";
  }

  // Fixtures: what a router config, a stored card and a charge need to use this simulator.

  /** A currency this simulator's default account takes. */
  default String sampleCurrency() {
    return "USD";
  }

  /**
   * The token fields of a card stored at this PSP whose token value is {@code token} (the value
   * drives the simulator's scenarios, e.g. a {@code revoked_} prefix).
   */
  java.util.Map<String, String> sampleToken(String token);

  /**
   * The router's provider block for this simulator served at {@code simulatorUrl}: {@code base_url},
   * {@code credentials} (the ones it accepts) and {@code options}.
   */
  java.util.Map<String, Object> providerConfig(String simulatorUrl);

  /**
   * Whether this call moves money (the charge or capture call, not the set-up or inquiry calls).
   * The edge uses it for the faults that charge: on a money-moving call an ambiguous or reset
   * fault lets the call run, so it charges, and then loses the answer; on other calls it only
   * fails them. {@code path} is relative to the prefix, e.g. {@code /api/v1/purchases/x/charge/}.
   */
  default boolean movesMoney(HttpMethod method, String path) {
    return false;
  }
}
