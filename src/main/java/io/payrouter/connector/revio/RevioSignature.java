package io.payrouter.connector.revio;

import io.vertx.core.json.DecodeException;
import io.vertx.core.json.Json;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;

/**
 * Revio's webhook signature [README 1: CHIP-php ChipApi::verify]: header {@code X-Signature} =
 * base64 of an RSA PKCS#1 v1.5 SHA-256 signature over the raw body, verified with the public key
 * of {@code GET /public_key/}. java.security only.
 */
public final class RevioSignature {
  private RevioSignature() {}

  public static final String ALGORITHM = "SHA256withRSA";

  /** True when {@code signatureB64} is a valid signature of {@code body} by {@code key}. */
  public static boolean verify(PublicKey key, String body, String signatureB64) {
    if (key == null || body == null || signatureB64 == null || signatureB64.isBlank()) return false;
    byte[] sig;
    try {
      sig = Base64.getDecoder().decode(signatureB64.replaceAll("\\s", ""));
    } catch (IllegalArgumentException e) {
      return false;
    }
    try {
      Signature v = Signature.getInstance(ALGORITHM);
      v.initVerify(key);
      v.update(body.getBytes(StandardCharsets.UTF_8));
      return v.verify(sig);
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      return false;
    }
  }

  /**
   * The PEM out of a {@code GET /public_key/} answer: either a JSON string holding the PEM (what
   * CHIP returns) or the PEM as plain text. Null when neither.
   */
  public static String pemFromAnswer(String body) {
    if (body == null) return null;
    String t = body.trim();
    if (t.startsWith("\"")) {
      try {
        Object v = Json.decodeValue(t);
        return v instanceof String s ? s : null;
      } catch (DecodeException e) {
        return null;
      }
    }
    return t.contains("-----BEGIN") ? t : null;
  }

  /**
   * Parses an RSA public key from PEM: {@code BEGIN PUBLIC KEY} (X.509 SubjectPublicKeyInfo) or
   * {@code BEGIN RSA PUBLIC KEY} (PKCS#1). Throws IllegalArgumentException when it is neither.
   */
  public static PublicKey parsePublicKey(String pem) {
    if (pem == null) throw new IllegalArgumentException("no public key");
    boolean pkcs1 = pem.contains("BEGIN RSA PUBLIC KEY");
    String b64 = pem.replaceAll("-----(BEGIN|END)[A-Z ]*-----", "").replaceAll("\\s", "");
    if (b64.isEmpty()) throw new IllegalArgumentException("empty public key");
    try {
      byte[] der = Base64.getDecoder().decode(b64);
      if (pkcs1) der = spkiFromPkcs1(der);
      return KeyFactory.getInstance("RSA").generatePublic(new X509EncodedKeySpec(der));
    } catch (GeneralSecurityException | IllegalArgumentException e) {
      throw new IllegalArgumentException("not an RSA public key");
    }
  }

  /** The PEM text of a public key (X.509 SubjectPublicKeyInfo), 64 characters a line. */
  public static String toPem(PublicKey key) {
    String b64 = Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
        .encodeToString(key.getEncoded());
    return "-----BEGIN PUBLIC KEY-----\n" + b64 + "\n-----END PUBLIC KEY-----\n";
  }

  // SEQUENCE { SEQUENCE { OID 1.2.840.113549.1.1.1, NULL }, BIT STRING { 0x00, pkcs1 } }
  private static final byte[] RSA_ALGORITHM_ID = {
    0x30, 0x0d, 0x06, 0x09, 0x2a, (byte) 0x86, 0x48, (byte) 0x86, (byte) 0xf7, 0x0d, 0x01, 0x01,
    0x01, 0x05, 0x00
  };

  private static byte[] spkiFromPkcs1(byte[] pkcs1) {
    ByteArrayOutputStream bitString = new ByteArrayOutputStream();
    bitString.write(0x03);
    writeLength(bitString, pkcs1.length + 1);
    bitString.write(0x00);
    bitString.writeBytes(pkcs1);
    byte[] bs = bitString.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x30);
    writeLength(out, RSA_ALGORITHM_ID.length + bs.length);
    out.writeBytes(RSA_ALGORITHM_ID);
    out.writeBytes(bs);
    return out.toByteArray();
  }

  private static void writeLength(ByteArrayOutputStream out, int len) {
    if (len < 0x80) {
      out.write(len);
    } else if (len <= 0xff) {
      out.write(0x81);
      out.write(len);
    } else if (len <= 0xffff) {
      out.write(0x82);
      out.write(len >> 8);
      out.write(len & 0xff);
    } else {
      out.write(0x83);
      out.write(len >> 16);
      out.write((len >> 8) & 0xff);
      out.write(len & 0xff);
    }
  }
}
