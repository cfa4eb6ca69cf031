package io.payrouter.simulator;

import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.concurrent.atomic.LongAdder;

/**
 * How many faults the edge injected into one simulated PSP, per kind, since the simulator
 * started (a chaos suite reports them as "faults injected"; {@code DELETE /faults} does not reset
 * them, so read them before and after a run). Shown under {@code injected} by
 * {@code GET /_sim/{provider}/faults}.
 */
public final class InjectedFaults {

  /**
   * What can be injected: the per-call kinds plus answers refused by a full outage. LATE and
   * CANCEL (and DECLINE) are counted by the PSP when it carries them out (a money-moving call whose amount would
   * charge), not when the edge draws them.
   */
  public enum Kind { AMBIGUOUS, RESET, SLOW, ERROR, TIMEOUT, DOWN, LATE, CANCEL, DECLINE }

  private final LongAdder[] counts = new LongAdder[Kind.values().length];

  public InjectedFaults() {
    for (int i = 0; i < counts.length; i++) counts[i] = new LongAdder();
  }

  void count(Kind kind) {
    counts[kind.ordinal()].increment();
  }

  public long get(Kind kind) {
    return counts[kind.ordinal()].sum();
  }

  /** {@code {"ambiguous": n, "reset": n, "slow": n, "error": n, "timeout": n, "down": n, "late": n, "cancel": n, "decline": n}}. */
  public JsonObject toJson() {
    JsonObject o = new JsonObject();
    for (Kind k : Kind.values()) o.put(k.name().toLowerCase(Locale.ROOT), get(k));
    return o;
  }
}
