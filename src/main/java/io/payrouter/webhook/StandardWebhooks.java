package io.payrouter.webhook;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import java.util.List;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * Signing the Standard Webhooks way (standardwebhooks.com): the signed content is
 * {@code webhook-id + "." + webhook-timestamp + "." + body}, signed with HMAC-SHA256 under the
 * secret's bytes (the base64 after {@code whsec_}), sent base64-encoded with a {@code v1,} prefix
 * in {@code webhook-signature}; several signatures (a rotation's overlap) are separated by spaces.
 *
 * <p>Merchants verify with any Standard Webhooks library; the tests verify every signature sent
 * with the reference Java library (com.standardwebhooks:standardwebhooks). It is not used to sign
 * here: its {@code sign} builds the content with {@code String.format} and looks up a new
 * {@link Mac} per call; this one reuses a {@link Mac} per thread.
 */
public final class StandardWebhooks {
  public static final String SECRET_PREFIX = "whsec_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final ThreadLocal<Mac> MAC = ThreadLocal.withInitial(() -> {
    try {
      return Mac.getInstance("HmacSHA256");
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available", e);
    }
  });

  private StandardWebhooks() {}

  /** A new secret: {@code whsec_} and 32 random bytes in base64 (the form the libraries take). */
  public static String newSecret() {
    byte[] key = new byte[32];
    RANDOM.nextBytes(key);
    return SECRET_PREFIX + Base64.getEncoder().encodeToString(key);
  }

  /** The key bytes of a {@code whsec_} secret. */
  public static byte[] key(String secret) {
    String b64 = secret.startsWith(SECRET_PREFIX) ? secret.substring(SECRET_PREFIX.length()) : secret;
    return Base64.getDecoder().decode(b64);
  }

  /** One signature, {@code v1,<base64>}. */
  public static String sign(byte[] key, String msgId, long timestampSeconds, String body) {
    return sign(key, msgId, timestampSeconds, body.getBytes(StandardCharsets.UTF_8));
  }

  /** One signature over a body already encoded as UTF-8 (the bytes that are sent). */
  public static String sign(byte[] key, String msgId, long timestampSeconds, byte[] body) {
    Mac mac = MAC.get();
    try {
      mac.init(new SecretKeySpec(key, "HmacSHA256"));
    } catch (java.security.InvalidKeyException e) {
      throw new IllegalArgumentException("unusable webhook secret", e);
    }
    mac.update(msgId.getBytes(StandardCharsets.UTF_8));
    mac.update((byte) '.');
    mac.update(Long.toString(timestampSeconds).getBytes(StandardCharsets.US_ASCII));
    mac.update((byte) '.');
    byte[] sig = mac.doFinal(body);
    return "v1," + Base64.getEncoder().encodeToString(sig);
  }

  /** The {@code webhook-signature} header: one signature per key, space-separated. */
  public static String header(List<byte[]> keys, String msgId, long timestampSeconds, String body) {
    return header(keys, msgId, timestampSeconds, body.getBytes(StandardCharsets.UTF_8));
  }

  /** The same, over a body already encoded as UTF-8. */
  public static String header(List<byte[]> keys, String msgId, long timestampSeconds, byte[] body) {
    StringBuilder b = new StringBuilder();
    for (byte[] k : keys) {
      if (b.length() > 0) b.append(' ');
      b.append(sign(k, msgId, timestampSeconds, body));
    }
    return b.toString();
  }
}
