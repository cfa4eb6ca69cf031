package io.payrouter.connector;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/**
 * A PSP's HTTP answer as pure data.
 *
 * @param status HTTP status code
 * @param headers response headers, names lower-cased
 * @param body the raw body text ("" when empty)
 */
public record HttpReply(int status, Map<String, String> headers, String body) {

  /** The body as a JSON object, or null when it is not one (an unparseable answer). */
  public JsonObject json() {
    if (body == null || body.isBlank()) return null;
    try {
      String t = body.trim();
      return t.startsWith("{") ? new JsonObject(t) : null;
    } catch (DecodeException e) {
      return null;
    }
  }

  public boolean is2xx() {
    return status >= 200 && status < 300;
  }

  public String header(String name) {
    return headers.get(name.toLowerCase(java.util.Locale.ROOT));
  }
}
