package io.payrouter.simulator.dintero;

import java.net.URI;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * How Dintero signs a session callback, as the simulator does it. Written from
 * src/docs/psps.md section 4 (Dintero's own spec names the {@code Dintero-Signature} header;
 * its format comes from third-party implementation notes):
 *
 * <pre>
 *   Dintero-Signature: t=&lt;ts&gt;,v0-hmac-sha256=&lt;hex&gt;
 *   hex = lower-case hex of HMAC-SHA256(signature secret,
 *           ts "\n" account_id "\n" METHOD "\n" hostname "\n" pathname "\n" sorted_query)
 * </pre>
 *
 * Where the notes leave room, the simulator reads the names the way a URL parser does:
 * {@code ts} is Unix time in seconds; {@code METHOD} upper case; {@code hostname} is the host of
 * the callback URL without its port, lower case; {@code pathname} the path as it appears in the
 * URL (still percent-encoded), {@code /} when empty; {@code sorted_query} the URL's query
 * parameters exactly as they appear (still percent-encoded), ordered by name and then by value,
 * joined with {@code &}, empty without a query.
 *
 * <p>Deliberately independent of the connector's verifier: the agreement tests and
 * {@code DinteroSignatureKnownAnswerTest} check one against the other.
 */
public final class DinteroCallbackSignature {
  private DinteroCallbackSignature() {}

  public static final String HEADER = "Dintero-Signature";

  /** The header value for a callback {@code method} to the absolute {@code url}. */
  public static String header(String secret, String accountId, String method, String url, long epochSeconds) {
    return "t=" + epochSeconds + ",v0-hmac-sha256=" + hmacSha256Hex(secret, signedString(epochSeconds, accountId, method, url));
  }

  /** The string that is signed (see the class comment). */
  public static String signedString(long epochSeconds, String accountId, String method, String url) {
    URI uri;
    try {
      uri = new URI(url);
    } catch (URISyntaxException e) {
      throw new IllegalArgumentException("callback URL is not a URL", e);
    }
    if (uri.getHost() == null) throw new IllegalArgumentException("callback URL has no host");
    String pathname = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
    return String.join("\n",
        Long.toString(epochSeconds),
        accountId,
        method.toUpperCase(Locale.ROOT),
        uri.getHost().toLowerCase(Locale.ROOT),
        pathname,
        sortedQuery(uri.getRawQuery()));
  }

  /** The raw query's name=value pairs ordered by name, then value; nothing decoded or dropped. */
  static String sortedQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return "";
    List<String> pairs = new ArrayList<>();
    for (String p : rawQuery.split("&")) {
      if (!p.isEmpty()) pairs.add(p);
    }
    pairs.sort((a, b) -> {
      int byName = name(a).compareTo(name(b));
      return byName != 0 ? byName : value(a).compareTo(value(b));
    });
    return String.join("&", pairs);
  }

  private static String name(String pair) {
    int eq = pair.indexOf('=');
    return eq < 0 ? pair : pair.substring(0, eq);
  }

  private static String value(String pair) {
    int eq = pair.indexOf('=');
    return eq < 0 ? "" : pair.substring(eq + 1);
  }

  private static String hmacSha256Hex(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 unavailable", e);
    }
  }
}
