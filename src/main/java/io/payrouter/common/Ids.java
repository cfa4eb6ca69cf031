package io.payrouter.common;

import java.security.SecureRandom;
import java.util.concurrent.ThreadLocalRandom;

/** Identifiers: a prefix, time and random base62 (ch_, att_, card_); API keys from SecureRandom. */
public final class Ids {
  private static final char[] ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
  private static final SecureRandom SECURE = new SecureRandom();

  private Ids() {}

  /**
   * 22 base62 characters: 8 of the current time in milliseconds, then 14 random ones (~83 bits)
   * from a fast thread-local generator. Time first keeps the ids of one period close together in
   * the primary-key indexes, so inserts touch a few recent index pages instead of random ones all
   * over the tree (fewer pages dirtied and fewer full-page images in the WAL after each
   * checkpoint). Ids are not secrets: every read is scoped to the merchant's key.
   */
  public static String next(String prefix) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    char[] out = new char[22];
    long t = System.currentTimeMillis();
    for (int i = 7; i >= 0; i--) {
      out[i] = ALPHABET[(int) (t % 62)];
      t /= 62;
    }
    for (int i = 8; i < out.length; i++) out[i] = ALPHABET[r.nextInt(ALPHABET.length)];
    return prefix + new String(out);
  }

  /** A secret: 43 base62 characters (~256 bits) from SecureRandom. */
  public static String secret(String prefix) {
    char[] out = new char[43];
    for (int i = 0; i < out.length; i++) out[i] = ALPHABET[SECURE.nextInt(ALPHABET.length)];
    return prefix + new String(out);
  }
}
