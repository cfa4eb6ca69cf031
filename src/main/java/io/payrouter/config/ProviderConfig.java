package io.payrouter.config;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import java.util.Set;

/**
 * One PSP as configured in {@code config/router.yaml} under {@code providers.<name>}.
 *
 * @param name the provider's name in routing rules and on the wire (revio, paycore, ...)
 * @param type which connector speaks to it (defaults to the name)
 * @param enabled false to keep it out of every candidate list
 * @param baseUrl the PSP API's base URL, e.g. https://gate.reviopay.com/api/v1
 * @param credentials secrets (api keys, passwords): never logged
 * @param currencies ISO 4217 codes this provider may be routed
 * @param timeoutMs per-request timeout of calls to this PSP
 * @param breaker circuit breaker settings
 * @param options connector-specific, non-secret settings (brand_id, services per currency, ...)
 */
public record ProviderConfig(
    String name,
    String type,
    boolean enabled,
    String baseUrl,
    Map<String, String> credentials,
    Set<String> currencies,
    long timeoutMs,
    BreakerConfig breaker,
    JsonObject options,
    io.payrouter.routing.FeeSchedule fees) {

  public ProviderConfig {
    fees = fees == null ? io.payrouter.routing.FeeSchedule.NONE : fees;
  }

  /** A provider without a fee schedule. */
  public ProviderConfig(String name, String type, boolean enabled, String baseUrl, Map<String, String> credentials,
      Set<String> currencies, long timeoutMs, BreakerConfig breaker, JsonObject options) {
    this(name, type, enabled, baseUrl, credentials, currencies, timeoutMs, breaker, options, null);
  }

  public String credential(String key) {
    String v = credentials.get(key);
    return v == null ? "" : v;
  }

  public String option(String key, String dflt) {
    Object v = options.getValue(key);
    return v == null ? dflt : v.toString();
  }

  /** Redacted for logs and the operations API: no credential values. */
  @Override
  public String toString() {
    return "ProviderConfig[" + name + " type=" + type + " base_url=" + baseUrl + "]";
  }
}
