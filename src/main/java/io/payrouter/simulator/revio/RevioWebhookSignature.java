package io.payrouter.simulator.revio;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.util.Base64;

/**
 * How Revio (CHIP Collect) signs a callback, as the simulator does it (src/docs/psps.md
 * section 1, from CHIP's PHP SDK): header {@code X-Signature} = base64 of an RSA PKCS#1 v1.5
 * SHA-256 signature over the raw body bytes; the merchant verifies it with the PEM public key
 * served at {@code GET /public_key/}. Independent of the connector's verifier:
 * {@code RevioSignatureKnownAnswerTest} checks both against one vector.
 */
public final class RevioWebhookSignature {
  private RevioWebhookSignature() {}

  public static final String HEADER = "X-Signature";

  /** base64(RSASSA-PKCS1-v1_5(SHA-256, body as UTF-8)). */
  public static String sign(PrivateKey key, String body) {
    try {
      Signature s = Signature.getInstance("SHA256withRSA");
      s.initSign(key);
      s.update(body.getBytes(StandardCharsets.UTF_8));
      return Base64.getEncoder().encodeToString(s.sign());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot sign", e);
    }
  }

  /** The public key as PEM ({@code BEGIN PUBLIC KEY}, X.509 SubjectPublicKeyInfo, 64 columns). */
  public static String pem(PublicKey key) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
  }
}
