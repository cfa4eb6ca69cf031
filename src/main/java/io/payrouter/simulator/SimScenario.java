package io.payrouter.simulator;

/**
 * What a simulated PSP does with a charge, chosen like card networks' test cards by the last two
 * digits of the amount in minor units (see src/docs/simulators.md).
 */
public enum SimScenario {
  APPROVED,
  /** ends in 51 */
  INSUFFICIENT_FUNDS,
  /** ends in 05 */
  DO_NOT_HONOR,
  /** ends in 54 */
  EXPIRED_CARD,
  /** ends in 59 */
  FRAUD_SUSPECTED,
  /** ends in 91: the PSP's own HTTP 500, nothing charged, an inquiry finds no payment */
  SERVER_ERROR,
  /** ends in 96: the PSP charges, then takes 10 s to answer */
  SLOW_APPROVED,
  /** ends in 77: pending, settled approved 2 s later (webhook where the PSP has them) */
  PENDING_THEN_APPROVED;

  public static final long SLOW_ANSWER_MS = 10_000;
  public static final long PENDING_SETTLE_MS = 2_000;

  public static SimScenario of(long minorAmount) {
    return switch ((int) (Math.abs(minorAmount) % 100)) {
      case 51 -> INSUFFICIENT_FUNDS;
      case 5 -> DO_NOT_HONOR;
      case 54 -> EXPIRED_CARD;
      case 59 -> FRAUD_SUSPECTED;
      case 91 -> SERVER_ERROR;
      case 96 -> SLOW_APPROVED;
      case 77 -> PENDING_THEN_APPROVED;
      default -> APPROVED;
    };
  }

  /** A scenario in which the PSP takes the money (at once, after a slow answer, or once pending). */
  public boolean charges() {
    return this == APPROVED || this == SLOW_APPROVED || this == PENDING_THEN_APPROVED;
  }

  public boolean isDecline() {
    return this == INSUFFICIENT_FUNDS || this == DO_NOT_HONOR || this == EXPIRED_CARD
        || this == FRAUD_SUSPECTED;
  }

  /** A token the PSP refuses the way it refuses an invalid token. */
  public static boolean tokenRefused(String token) {
    return token == null || token.isEmpty() || token.startsWith("revoked_")
        || token.startsWith("expired_");
  }
}
