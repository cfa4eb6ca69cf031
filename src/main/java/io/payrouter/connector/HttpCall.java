package io.payrouter.connector;

import java.util.Map;

/**
 * One HTTP request a connector wants sent: pure data, the dispatcher does the I/O.
 *
 * @param method GET, POST or DELETE
 * @param url a path relative to the provider's {@code base_url} (starting with "/"), or an absolute
 *     URL (starting with "http") for a second host such as PayCore's cardgate
 * @param headers request headers including auth; the dispatcher adds nothing but Content-Length
 * @param body the request body (JSON text), or null
 * @param movesMoney true when this call may charge the card: a timeout or 5xx on it is in doubt;
 *     a failure of any call with movesMoney=false is safely not_sent
 * @param checkpoint a provider reference (e.g. Revio's purchase id) that must be durable before
 *     this call is sent, so that a crash or timeout can be settled by a status inquiry; or null
 */
public record HttpCall(
    String method, String url, Map<String, String> headers, String body, boolean movesMoney,
    String checkpoint) {

  public static HttpCall get(String url, Map<String, String> headers) {
    return new HttpCall("GET", url, headers, null, false, null);
  }

  public static HttpCall post(String url, Map<String, String> headers, String body) {
    return new HttpCall("POST", url, headers, body, false, null);
  }

  public static HttpCall delete(String url, Map<String, String> headers) {
    return new HttpCall("DELETE", url, headers, null, false, null);
  }

  /** The same call, marked as the one that may move money. */
  public HttpCall movingMoney() {
    return new HttpCall(method, url, headers, body, true, checkpoint);
  }

  /** The same call, with a provider reference to make durable before sending. */
  public HttpCall afterCheckpoint(String providerReference) {
    return new HttpCall(method, url, headers, body, movesMoney, providerReference);
  }
}
