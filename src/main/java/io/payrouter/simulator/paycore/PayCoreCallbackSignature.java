package io.payrouter.simulator.paycore;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Base64;

/**
 * How PayCore signs a callback, as the simulator does it (src/docs/psps.md section 2, PayCore's
 * callbacks.md): header {@code X-Signature} = {@code base64(sha1(secret + rawBody + secret))}, the
 * SHA-1 digest taken in binary (20 bytes) before base64. Independent of the connector's verifier:
 * {@code PayCoreSignatureKnownAnswerTest} checks both against one vector.
 */
public final class PayCoreCallbackSignature {
  private PayCoreCallbackSignature() {}

  public static final String HEADER = "X-Signature";

  public static String sign(String secret, String body) {
    try {
      MessageDigest sha1 = MessageDigest.getInstance("SHA-1");
      byte[] s = secret.getBytes(StandardCharsets.UTF_8);
      sha1.update(s);
      sha1.update(body.getBytes(StandardCharsets.UTF_8));
      sha1.update(s);
      return Base64.getEncoder().encodeToString(sha1.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-1 unavailable", e);
    }
  }
}
