package io.payrouter.recovery;

/**
 * Who may act on an unsettled charge, as a pure rule. PostgreSQL applies it (the takeover in
 * {@code Store.takeUnsettled}, the fenced checkpoint in {@code Store.checkpoint}), with its own
 * clock; this class states it once, for the tests and the protocol model.
 *
 * <ul>
 *   <li>An instance holds a lease on itself: its heartbeat, renewed every second. The lease is
 *       valid while the last beat is younger than the owner timeout.</li>
 *   <li>A charge is owned by one instance under an epoch. Another instance takes it over only when
 *       the owner is gone or its lease has lapsed, and only if its own lease has held for a whole
 *       timeout (a database outage silences everyone at once). A takeover raises the epoch.</li>
 *   <li>Before every call that can move money, the owner proves in the same statement that writes
 *       the attempt's checkpoint that it still owns the charge under its epoch, that the charge is
 *       still processing, and that its own lease is valid. No proof, no call.</li>
 * </ul>
 */
public final class Ownership {
  private Ownership() {}

  /**
   * @param ownerKnown the owner is registered (a cleanly stopped instance removes itself)
   * @param ownerBeatAgeMs how long ago the owner last beat (PostgreSQL's clock)
   * @param takerBeatingForMs how long the taker has beaten without a break
   */
  public static boolean mayTakeOver(boolean sameInstance, boolean ownerKnown, long ownerBeatAgeMs,
      long takerBeatingForMs, long ownerTimeoutMs) {
    if (sameInstance || !ownerKnown) return true;
    return ownerBeatAgeMs > ownerTimeoutMs && takerBeatingForMs >= ownerTimeoutMs;
  }

  /** The epoch after a take: raised when the owner changes, so the previous owner is fenced. */
  public static long epochAfterTake(boolean sameInstance, long epoch) {
    return sameInstance ? epoch : epoch + 1;
  }

  /**
   * @param ownsIt the charge's owner is this instance
   * @param epochMatches the charge's epoch is the one this instance claimed or took it under
   * @param processing the charge is still processing (not pending, not final)
   * @param ownBeatAgeMs how long ago this instance last beat (PostgreSQL's clock)
   */
  public static boolean mayCheckpoint(boolean ownsIt, boolean epochMatches, boolean processing, long ownBeatAgeMs,
      long ownerTimeoutMs) {
    return ownsIt && epochMatches && processing && ownBeatAgeMs <= ownerTimeoutMs;
  }
}
