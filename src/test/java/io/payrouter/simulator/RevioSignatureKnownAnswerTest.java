package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.connector.revio.RevioSignature;
import io.payrouter.simulator.revio.RevioWebhookSignature;
import java.nio.charset.StandardCharsets;
import java.security.KeyFactory;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.PKCS8EncodedKeySpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import org.junit.jupiter.api.Test;

/**
 * One Revio callback signature, fixed by hand from the documented algorithm (src/docs/psps.md
 * section 1: {@code X-Signature} = base64 RSA PKCS#1 v1.5 SHA-256 over the raw body, verified with
 * the PEM public key); Revio publishes no vector. PKCS#1 v1.5 is deterministic, so a fixed test key
 * gives one exact signature. The simulator's signer and the connector's verifier are each checked
 * against it.
 */
class RevioSignatureKnownAnswerTest {

  /** A throw-away 2048-bit test key ({@code openssl genrsa 2048 | openssl pkcs8 -topk8 -nocrypt}). */
  static final String PRIVATE_PEM = """
      -----BEGIN PRIVATE KEY-----
      MIIEvwIBADANBgkqhkiG9w0BAQEFAASCBKkwggSlAgEAAoIBAQDNyzy93xxMdV98
      LaPJj9/uAcUv4uyXvIgAGXlG34V8FrAOkVaBT1Jr3ld8AB7BGfX7IW0Twnt4sSJj
      9d/2hfHvM1aaXeQTVM7xx6Z10pos91aobvKmBUmttmBTFSvjKXh5RbKRM6koN4k+
      /PCeE2w6sdtdyk4p4LPYcZl1M3JS19r6CEu1hZ12YH5QFFs2RWOrB3KF2OGBNlKt
      FHo5cGgfYGRZYU/AB5cYoi07k5yvYLj3+LYoqc/sk0f/07uLe4KF/HwtFWMJUvlg
      G2AZqKyW77ty4UmrSxv+Dnh8tHCBCdQjrr+XwPv9ZQ9ouke/sBsvwTijkE36yDto
      Icj2GJO5AgMBAAECggEAD5LLQHUjX5fcR3nutKCqKglBQlvyWpM+WX+UAWyF3fub
      jCasfLGjg506Upxxt1w/FKeVaRLlJB+HgjgHoFDHm7nvWlQzn9DhrkNVEgKDf1ai
      XLG0tCKfTkGIbZEjFpg7UTYYist1iCEXxkf+7395x8FQ3/qgyqOCCKWkHs3rX2Bq
      eZ6l6SrOgp1vkw6LtK+odx+p9TPvmEIjiIH/y/MK5F/rUaZiM1HvUG1s1kWcsqb5
      44OteUKJrDKs+aHdewvbf65bPUgMWVsThm/FZbm9ecMwv+zV+1gGthBcILop7yJt
      DkOhoA3tTXjXW5MBk0uBaBt1SZqHFG6cHheN98nKjwKBgQD+ehhsz5gdJC/CW8WJ
      jPLMBQlZyUqBaF5GIiQZxeMOVQZuMaHlAIf1ilMXJzbk/FJKyD+hkbMU6mphx6pz
      wo/rlrFdN8kPEflwVppfSImoV0BBTxQ3oYy3gpYdvZtKddffkcnrXKhpKIkxoi8p
      zIsHTdOBmJl4Zj1TXaEpxaLWKwKBgQDPBoz4BRgGgaFUTjht0e1jI2Rfqq0MBuUE
      Ed31jYzXvi3lPywA3mkrlv6FxV0AxuucpKkNuku5I1UMtelEpAWNGXkQrb2Y4Z9U
      Qcc2Xu9PowqviGZ7+ZY7FHZorcqGobHoJVttZeJ8M8BWOxQNVsoXIO95t6Lkz0Yz
      PPneotUPqwKBgQCaE1K2jvqKql5AT1BK+AwJewMuWbHCqG5sCD/TWv0esFw0W9ip
      zqiDAj1Mx3F1M1Cf9p6QNKc5ArVmfn21mReKjLLWve/+L+PXIJhXGJRAWJOO91JG
      XInWkjpRx3s+mhsaQir/VhqhkOmAI7JqnG2Q/o4Q6VQCkeSPlSD/KapuAQKBgQCK
      EdhaYStQy4uI6lIADA3CHIyIsQ+QAdkjCbd6WNkh2ZhKWANE4RBLHfzJwoLwTbo9
      UiPdH+34n3PNclUMjkeVfvObCAR2vaLBUs1FmbMI7bfmsZWIAUEMTe1aiu2TNKuu
      I5wCLf0K0Ijp+aS58LP/ENwl1S8yYnpzGaubrAVk2QKBgQDhVNxR+ZWFpSG/kuJI
      igmgZ+cww27ZSfvp4kECXSNZ8FIxl/BzL+8RwNM7IND9v581HR7hoDbEvcc08rQb
      JtOxyF59fJA1nFK8iWy7Hdh76MckeDdM7I4NejvWA5fBx308Swko5CSwY8lyAFkh
      vyGjblKUpRTFw0506pOTkxHEgw==
      -----END PRIVATE KEY-----
      """;
  static final String PUBLIC_PEM = """
      -----BEGIN PUBLIC KEY-----
      MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzcs8vd8cTHVffC2jyY/f
      7gHFL+Lsl7yIABl5Rt+FfBawDpFWgU9Sa95XfAAewRn1+yFtE8J7eLEiY/Xf9oXx
      7zNWml3kE1TO8cemddKaLPdWqG7ypgVJrbZgUxUr4yl4eUWykTOpKDeJPvzwnhNs
      OrHbXcpOKeCz2HGZdTNyUtfa+ghLtYWddmB+UBRbNkVjqwdyhdjhgTZSrRR6OXBo
      H2BkWWFPwAeXGKItO5Ocr2C49/i2KKnP7JNH/9O7i3uChfx8LRVjCVL5YBtgGais
      lu+7cuFJq0sb/g54fLRwgQnUI66/l8D7/WUPaLpHv7AbL8E4o5BN+sg7aCHI9hiT
      uQIDAQAB
      -----END PUBLIC KEY-----
      """;
  static final String BODY = "{\"id\":\"8a2c3f4e-0b1d-4c5e-9f6a-7b8c9d0e1f2a\",\"event_type\":\"purchase.paid\",\"status\":\"paid\",\"reference\":\"ch_kat_1\",\"is_test\":true}";
  /** {@code openssl dgst -sha256 -sign key.pem body.txt | base64 -w0}. */
  static final String SIGNATURE = "vrH9DGj3LYGjmKr3KGi8JO8vivHKIsaQPMKkY4/AP339j9iWGV0r0YJl8vffjH8BzythkSs3d+Bp6iyu5ARTtckiX/7kHEscL7xL/lC+UPZYKHdfh3rJaiG2fuAKcYSe0/foZFAn4t3feXME/LWtbJHtfJye1YS2zoWwa37uqfA2PqE1wWLdOZaJ+kTAG9f2jj0bw/jgpLR2/uY3pW2Oduj/HQJyQUqbquU2E/hoTHmZ/mJWQbBfTgN7mfW2C/bJcRJ+4Oameozd1tumWAyKwMuBZRXMC3AWDnrnrj7KP8Ye1bjJqzWfcagR80P69oDMJaUOGo3QGkl9AivY4jRq+A==";

  @Test
  void vectorVerifiesWithPlainJdkCrypto() throws Exception {
    Signature v = Signature.getInstance("SHA256withRSA");
    v.initVerify(publicKey());
    v.update(BODY.getBytes(StandardCharsets.UTF_8));
    assertTrue(v.verify(Base64.getDecoder().decode(SIGNATURE)));
  }

  @Test
  void simulatorSignsTheVector() throws Exception {
    assertEquals(SIGNATURE, RevioWebhookSignature.sign(privateKey(), BODY));
  }

  @Test
  void connectorAcceptsTheVector() {
    assertTrue(RevioSignature.verify(RevioSignature.parsePublicKey(PUBLIC_PEM), BODY, SIGNATURE));
  }

  @Test
  void connectorRejectsTheVectorOverAnotherBody() {
    assertFalse(RevioSignature.verify(RevioSignature.parsePublicKey(PUBLIC_PEM),
        BODY.replace("paid", "error"), SIGNATURE));
  }

  @Test
  void publicKeyPemTheSimulatorServesIsTheKeyTheConnectorParses() throws Exception {
    PublicKey served = publicKey();
    assertEquals(served, RevioSignature.parsePublicKey(RevioWebhookSignature.pem(served)));
  }

  static PrivateKey privateKey() throws Exception {
    return KeyFactory.getInstance("RSA").generatePrivate(new PKCS8EncodedKeySpec(der(PRIVATE_PEM)));
  }

  static PublicKey publicKey() throws Exception {
    return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der(PUBLIC_PEM)));
  }

  static byte[] der(String pem) {
    return Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
  }
}
