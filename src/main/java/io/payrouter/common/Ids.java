package io.payrouter.common;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/** Identifiers: a prefix and random base62 (ch_, att_, card_); API keys from SecureRandom. */
public final class Ids {
  private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom SECURE = new SecureRandom();

  private Ids() {}

  /** 22 base62 characters (~131 bits) from a fast thread-local generator. */
  public static String next(String prefix) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[22];
    for (int i = 0; i < out.length; i++) out[i] = ALPHABET[r.nextInt(ALPHABET.length)];
    return prefix + new String(out);
  }

  /** A secret: 43 base62 characters (~256 bits) from SecureRandom. */
  public static String secret(String prefix) {
    char[] out = new char[43];
    for (int i = 0; i < out.length; i++) out[i] = ALPHABET[SECURE.nextInt(ALPHABET.length)];
    return prefix + new String(out);
  }
}
