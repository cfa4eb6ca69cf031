package io.payrouter.connector;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/** Signature helpers shared by connectors (pure functions, constant-time comparison). */
public final class Signatures {
  private Signatures() {}

  public static byte[] hmacSha256(String secret, String data) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return mac.doFinal(data.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  public static String hmacSha256Hex(String secret, String data) {
    return HexFormat.of().formatHex(hmacSha256(secret, data));
  }

  /** True when {@code given} is the lower- or upper-case hex HMAC-SHA256 of data. */
  public static boolean hmacSha256HexMatches(String secret, String data, String given) {
    if (given == null || data == null) return false;
    byte[] expected = hmacSha256Hex(secret, data).getBytes(StandardCharsets.US_ASCII);
    byte[] actual = given.trim().toLowerCase(java.util.Locale.ROOT).getBytes(StandardCharsets.US_ASCII);
    return MessageDigest.isEqual(expected, actual);
  }
}
