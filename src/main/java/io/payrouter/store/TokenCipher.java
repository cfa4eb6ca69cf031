package io.payrouter.store;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Base64;
import javax.crypto.Cipher;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * AES-256-GCM for provider tokens at rest. Layout: 1 version byte, 12-byte random nonce,
 * ciphertext+tag. The associated data binds a ciphertext to its card and provider, so a token row
 * copied onto another card does not decrypt.
 */
public final class TokenCipher {
  private static final byte VERSION = 1;
  private static final SecureRandom RANDOM = new SecureRandom();
  private final SecretKeySpec key;

  public TokenCipher(byte[] key) {
    if (key.length != 32) throw new IllegalArgumentException("token key must be 32 bytes (AES-256)");
    this.key = new SecretKeySpec(key, "AES");
  }

  public static TokenCipher fromBase64(String b64) {
    return new TokenCipher(Base64.getDecoder().decode(b64.trim()));
  }

  public static String newKeyBase64() {
    byte[] k = new byte[32];
    RANDOM.nextBytes(k);
    return Base64.getEncoder().encodeToString(k);
  }

  public byte[] encrypt(String plaintext, String aad) {
    try {
      byte[] nonce = new byte[12];
      RANDOM.nextBytes(nonce);
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.ENCRYPT_MODE, key, new GCMParameterSpec(128, nonce));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      byte[] ct = c.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
      return ByteBuffer.allocate(1 + 12 + ct.length).put(VERSION).put(nonce).put(ct).array();
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("token encryption failed", e);
    }
  }

  public String decrypt(byte[] blob, String aad) {
    try {
      if (blob.length < 13 + 16 || blob[0] != VERSION) throw new IllegalStateException("bad token blob");
      Cipher c = Cipher.getInstance("AES/GCM/NoPadding");
      c.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(128, blob, 1, 12));
      c.updateAAD(aad.getBytes(StandardCharsets.UTF_8));
      return new String(c.doFinal(blob, 13, blob.length - 13), StandardCharsets.UTF_8);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("token decryption failed (wrong key?)", e);
    }
  }
}
