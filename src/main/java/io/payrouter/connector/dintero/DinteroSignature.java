package io.payrouter.connector.dintero;

import io.payrouter.domain.WebhookRejectedException;

import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * The {@code Dintero-Signature} header of session callbacks: the one place where its format and
 * canonical string are defined. Both the connector (verifying) and the simulator (signing) use it,
 * so correcting the format once Dintero confirms it is a change here only.
 *
 * <p><b>Fact (Dintero's spec-payments.yaml):</b> the callback carries a {@code Dintero-Signature}
 * header when a signature secret exists ({@code POST /v1/admin/signature}), and query parameters
 * {@code transaction_id, session_id, merchant_reference, time, error?, event?} (plus
 * {@code method=POST} when the merchant asked for a POST).
 *
 * <p><b>Not official (third-party notes, see src/docs/psps.md):</b> the header is
 * {@code t=<ts>,v0-hmac-sha256=<hex>} and the HMAC-SHA256 (keyed with the signature secret, hex,
 * lower case) covers {@code ts\naccount_id\nMETHOD\nhostname\npathname\nsorted_query} with a
 * 5-minute window.
 *
 * <p><b>Our exact canonicalization</b> (a convention until Dintero confirms):
 * <ul>
 *   <li>{@code ts}: the header's {@code t}, Unix time in <em>seconds</em>, as written in the header;
 *   <li>{@code METHOD}: the HTTP method upper-cased (GET or POST);
 *   <li>{@code hostname}: the host of the URL the callback was delivered to, lower-cased, without
 *       port;
 *   <li>{@code pathname}: the raw (still percent-encoded) path of that URL, {@code /} when empty;
 *   <li>{@code sorted_query}: the raw query string split on {@code &}, empty pieces dropped, every
 *       piece kept exactly as sent (still percent-encoded, {@code method=POST} included, nothing
 *       excluded), sorted by key then by value (plain {@link String} order on the raw text), joined
 *       with {@code &}; empty when there is no query.
 * </ul>
 * The header may carry several {@code v0-hmac-sha256} values (secret rotation): one match is enough.
 * The timestamp must lie within {@link #TOLERANCE_MS} of the verifier's clock, either side.
 */
public final class DinteroSignature {
  private DinteroSignature() {}

  public static final String HEADER = "Dintero-Signature";
  public static final String SCHEME = "v0-hmac-sha256";
  public static final long TOLERANCE_MS = 5 * 60 * 1000L;

  /** The canonical string signed for a callback to {@code url} (absolute) with {@code method}. */
  public static String canonical(long epochSeconds, String accountId, String method, String url) {
    URI u;
    try {
      u = new URI(url);
    } catch (java.net.URISyntaxException e) {
      throw new IllegalArgumentException("not a URL");
    }
    if (u.getHost() == null) throw new IllegalArgumentException("URL without host");
    String path = u.getRawPath() == null || u.getRawPath().isEmpty() ? "/" : u.getRawPath();
    return epochSeconds + "\n" + accountId + "\n" + method.toUpperCase(Locale.ROOT) + "\n"
        + u.getHost().toLowerCase(Locale.ROOT) + "\n" + path + "\n" + sortedQuery(u.getRawQuery());
  }

  /** The raw query's parameters sorted by key then value, as described in the class comment. */
  public static String sortedQuery(String rawQuery) {
    if (rawQuery == null || rawQuery.isEmpty()) return "";
    List<String[]> pairs = new ArrayList<>();
    for (String piece : rawQuery.split("&")) {
      if (piece.isEmpty()) continue;
      int eq = piece.indexOf('=');
      pairs.add(eq < 0 ? new String[] {piece, ""} : new String[] {piece.substring(0, eq), piece.substring(eq)});
    }
    pairs.sort(Comparator.<String[], String>comparing(p -> p[0]).thenComparing(p -> p[1]));
    StringBuilder sb = new StringBuilder();
    for (String[] p : pairs) {
      if (sb.length() > 0) sb.append('&');
      sb.append(p[0]).append(p[1]);
    }
    return sb.toString();
  }

  /**
   * The query parameters of a (verified) callback URL, percent-decoded, first value of each: the
   * connector reads {@code transaction_id} and {@code merchant_reference} from the very URL whose
   * signature it checked, never from anything else.
   */
  public static Map<String, String> params(String url) {
    Map<String, String> out = new LinkedHashMap<>();
    String raw;
    try {
      raw = new URI(url).getRawQuery();
    } catch (java.net.URISyntaxException e) {
      return out;
    }
    if (raw == null) return out;
    for (String piece : raw.split("&")) {
      if (piece.isEmpty()) continue;
      int eq = piece.indexOf('=');
      String k = eq < 0 ? piece : piece.substring(0, eq);
      String v = eq < 0 ? "" : piece.substring(eq + 1);
      try {
        out.putIfAbsent(URLDecoder.decode(k, StandardCharsets.UTF_8), URLDecoder.decode(v, StandardCharsets.UTF_8));
      } catch (IllegalArgumentException ignored) {
        // a malformed escape: leave that parameter out
      }
    }
    return out;
  }

  /** Lower-case hex HMAC-SHA256 of {@code data} keyed with {@code secret}. */
  public static String hmacHex(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(data.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The header value a sender puts on a callback (used by the simulator). */
  public static String header(String secret, String accountId, String method, String url,
      long epochSeconds) {
    return "t=" + epochSeconds + "," + SCHEME + "="
        + hmacHex(secret, canonical(epochSeconds, accountId, method, url));
  }

  /**
   * Verifies a callback's header; returns normally when genuine, else throws
   * {@link WebhookRejectedException} (missing, malformed, stale or wrong signature, or no secret
   * configured). Never includes the secret or the expected signature in the message.
   */
  public static void verify(String headerValue, String secret, String accountId, String method,
      String url, long nowMs) {
    if (secret == null || secret.isEmpty()) throw new WebhookRejectedException("no signature secret configured");
    if (headerValue == null || headerValue.isBlank()) throw new WebhookRejectedException("missing Dintero-Signature");
    Long ts = null;
    List<String> given = new ArrayList<>();
    for (String part : headerValue.split(",")) {
      String p = part.trim();
      int eq = p.indexOf('=');
      if (eq <= 0) continue;
      String k = p.substring(0, eq).trim();
      String v = p.substring(eq + 1).trim();
      if (k.equals("t")) {
        try {
          ts = Long.parseLong(v);
        } catch (NumberFormatException e) {
          throw new WebhookRejectedException("malformed Dintero-Signature timestamp");
        }
      } else if (k.equals(SCHEME)) {
        given.add(v.toLowerCase(Locale.ROOT));
      }
    }
    if (ts == null || given.isEmpty()) throw new WebhookRejectedException("malformed Dintero-Signature");
    if (Math.abs(nowMs - ts * 1000L) > TOLERANCE_MS) throw new WebhookRejectedException("stale Dintero-Signature");
    String expected;
    try {
      expected = hmacHex(secret, canonical(ts, accountId, method, url));
    } catch (IllegalArgumentException e) {
      throw new WebhookRejectedException("callback URL cannot be canonicalized");
    }
    byte[] exp = expected.getBytes(StandardCharsets.US_ASCII);
    boolean ok = false;
    for (String g : given) {
      ok |= MessageDigest.isEqual(exp, g.getBytes(StandardCharsets.US_ASCII));
    }
    if (!ok) throw new WebhookRejectedException("bad Dintero-Signature");
  }
}
