package io.payrouter.load;

import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Charge amounts (minor units) for the PSP simulators, which pick their answer from the last two
 * digits of the amount like card networks' test cards: 51 insufficient funds, 05 do not honor,
 * 54 expired card, 59 fraud suspected, 91 PSP error, 96 approved after 10 s, 77 pending then
 * approved. Everything else is approved at once.
 */
public final class Amounts {
  /** Last two digits that do NOT give an immediate approval. */
  static final Set<Integer> NOT_APPROVED = Set.of(51, 5, 54, 59, 91, 96, 77);

  /** Decline endings and the router's decline_code for each. */
  public enum Decline {
    INSUFFICIENT_FUNDS(51, "insufficient_funds"),
    DO_NOT_HONOR(5, "do_not_honor"),
    EXPIRED_CARD(54, "expired_card"),
    FRAUD_SUSPECTED(59, "fraud_suspected");

    public final int ending;
    public final String code;

    Decline(int ending, String code) {
      this.ending = ending;
      this.code = code;
    }
  }

  private Amounts() {}

  /** A random amount in 1000..9999 that the simulators approve at once. */
  public static long approved() {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    while (true) {
      long a = r.nextLong(1000, 10_000);
      if (!NOT_APPROVED.contains((int) (a % 100))) return a;
    }
  }

  /** A random amount in 1000..9999 ending in the decline's two digits. */
  public static long declined(Decline d) {
    return ThreadLocalRandom.current().nextLong(10, 100) * 100 + d.ending;
  }

  /** A random decline kind. */
  public static Decline anyDecline() {
    Decline[] all = Decline.values();
    return all[ThreadLocalRandom.current().nextInt(all.length)];
  }
}
