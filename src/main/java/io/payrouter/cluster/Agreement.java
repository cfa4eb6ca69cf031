package io.payrouter.cluster;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Which members run older routing rules than the newest any member runs, and for how long. A
 * member is "behind" while its version is below the newest version heard; it disagrees once it
 * has stayed behind on the same version for more than {@link #TOLERANCE_MS} (catching up to any
 * newer version restarts the count, so a burst of rule changes is not a disagreement, while a
 * member stuck on one version is one however often the rules change). Pure: time is passed in.
 */
public final class Agreement {
  /** How long a member may run older rules before it disagrees. */
  public static final long TOLERANCE_MS = 5_000;

  /** A member behind the newest version: since when (epoch ms) it has been on {@code version}. */
  public record Behind(String instance, long version, long newest, long sinceMs, boolean disagrees) {}

  private record Since(long version, long atMs) {}

  private final Map<String, Since> behind = new HashMap<>();

  /**
   * Observes every member's version (this instance's included) at {@code nowMs}; answers the
   * members behind the newest one, disagreeing or not yet.
   */
  public synchronized List<Behind> observe(long nowMs, Map<String, Long> versions) {
    long newest = 0;
    for (long v : versions.values()) newest = Math.max(newest, v);
    behind.keySet().retainAll(versions.keySet());
    List<Behind> out = new ArrayList<>();
    for (Map.Entry<String, Long> e : versions.entrySet()) {
      long v = e.getValue();
      if (v >= newest) {
        behind.remove(e.getKey());
        continue;
      }
      Since s = behind.get(e.getKey());
      if (s == null || s.version() != v) {
        s = new Since(v, nowMs);
        behind.put(e.getKey(), s);
      }
      out.add(new Behind(e.getKey(), v, newest, s.atMs(), nowMs - s.atMs() > TOLERANCE_MS));
    }
    return out;
  }
}
