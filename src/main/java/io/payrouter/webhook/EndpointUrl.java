package io.payrouter.webhook;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/** What a webhook endpoint URL must be: pure, the API's check. */
public final class EndpointUrl {
  public static final int MAX_LENGTH = 2_048;

  private EndpointUrl() {}

  /**
   * Why {@code url} cannot be an endpoint, in words for the merchant, or null when it can: an
   * absolute {@code https://} URL (or {@code http://} where allowed) with a host, no user name or
   * password in it and no fragment.
   */
  public static String problem(String url, boolean allowHttp) {
    if (url == null || url.isBlank()) return "url is required";
    if (url.length() > MAX_LENGTH) return "url must be at most " + MAX_LENGTH + " characters";
    URI u;
    try {
      u = new URI(url);
    } catch (URISyntaxException e) {
      return "url must be an absolute URL such as https://example.com/webhooks";
    }
    String scheme = u.getScheme() == null ? "" : u.getScheme().toLowerCase(Locale.ROOT);
    if (!scheme.equals("https") && !scheme.equals("http")) {
      return "url must start with https://";
    }
    if (scheme.equals("http") && !allowHttp) {
      return "url must start with https:// (plain http is accepted only where webhooks.allow_http is set)";
    }
    if (u.getHost() == null || u.getHost().isEmpty()) return "url must name a host, e.g. https://example.com/webhooks";
    if (u.getRawUserInfo() != null) return "url must not carry a user name or password";
    if (u.getRawFragment() != null) return "url must not have a #fragment";
    return null;
  }
}
