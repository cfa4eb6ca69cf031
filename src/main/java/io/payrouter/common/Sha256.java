package io.payrouter.common;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * SHA-256 with one digest per thread: looking a digest up in the security providers on every call
 * (API key checks, idempotency fingerprints: twice per charge) costs more than hashing the few
 * hundred bytes itself.
 */
public final class Sha256 {
  private Sha256() {}

  private static final ThreadLocal<MessageDigest> DIGEST = ThreadLocal.withInitial(() -> {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  });

  public static byte[] of(byte[] data) {
    MessageDigest d = DIGEST.get();
    d.reset();
    return d.digest(data);
  }
}
