package io.payrouter.connector;

import java.util.Map;

/**
 * A PSP callback as received on {@code /v1/webhooks/{provider}}.
 *
 * @param method HTTP method
 * @param url the full request URL as received (scheme://host:port/path?query)
 * @param query query parameters (first value of each)
 * @param headers request headers, names lower-cased
 * @param body the raw body, exactly as received (signatures are computed over it)
 */
public record WebhookInput(
    String method, String url, Map<String, String> query, Map<String, String> headers, String body) {

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
