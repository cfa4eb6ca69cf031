package io.payrouter.routing;

/**
 * A stable 64-bit hash of charge ids: FNV-1a over the UTF-16 code units, finished with
 * MurmurHash3's fmix64 so that ids differing in one character spread over all 64 bits. The same
 * id gives the same hash in every JVM and every release, so replays route the same.
 */
final class StableHash {
  private static final long FNV_OFFSET = 0xcbf29ce484222325L;
  private static final long FNV_PRIME = 0x100000001b3L;
  private static final long GOLDEN = 0x9e3779b97f4a7c15L;

  private StableHash() {}

  static long hash64(String s) {
    long h = FNV_OFFSET;
    for (int i = 0; i < s.length(); i++) {
      h ^= s.charAt(i);
      h *= FNV_PRIME;
    }
    return fmix64(h);
  }

  /** An independent-looking second hash derived from a first one. */
  static long rehash(long h) {
    return fmix64(h + GOLDEN);
  }

  /** A uniform double in [0, 1) from the top 53 bits. */
  static double unit(long h) {
    return (h >>> 11) * 0x1.0p-53;
  }

  /** A near-uniform value in [0, bound) (bias below bound / 2^64). */
  static long below(long h, long bound) {
    return Long.remainderUnsigned(h, bound);
  }

  static long fmix64(long k) {
    k ^= k >>> 33;
    k *= 0xff51afd7ed558ccdL;
    k ^= k >>> 33;
    k *= 0xc4ceb9fe1a85ec53L;
    k ^= k >>> 33;
    return k;
  }
}
