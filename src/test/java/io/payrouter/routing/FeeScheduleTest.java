package io.payrouter.routing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/** Which fee line applies to a charge, and the fee in integer minor units. */
class FeeScheduleTest {

  private static final FeeSchedule REVIO = new FeeSchedule(List.of(
      new FeeSchedule.Line(null, null, false, 29_000, 30),          // 2.9 % + 30
      new FeeSchedule.Line("EUR", "visa", false, 18_000, 25),       // 1.8 % + 25
      new FeeSchedule.Line("EUR", null, false, 20_000, 28),        // 2.0 % + 28
      new FeeSchedule.Line(null, null, true, 10_000, 0)), "US");    // +1 % cross-border

  @Test
  void theMostSpecificMatchingLineWins() {
    assertEquals(205, REVIO.fee(10_000, "EUR", "visa", "US"), "EUR+visa: 1.8 % of 100.00 + 0.25");
    assertEquals(228, REVIO.fee(10_000, "EUR", "mastercard", "US"), "EUR only: 2.0 % + 0.28");
    assertEquals(320, REVIO.fee(10_000, "USD", "visa", "US"), "the catch-all: 2.9 % + 0.30");
  }

  @Test
  void aCrossBorderLineIsAddedWhenTheIssuerCountryDiffersFromTheAccountCountry() {
    assertEquals(305, REVIO.fee(10_000, "EUR", "visa", "DE"), "1.8 % + 0.25 + 1 %");
    assertEquals(205, REVIO.fee(10_000, "EUR", "visa", null), "unknown issuer country: no cross-border fee");
  }

  @Test
  void thePercentagePartIsRoundedHalfUpToAMinorUnit() {
    FeeSchedule s = new FeeSchedule(List.of(new FeeSchedule.Line(null, null, false, 29_000, 0)), null);
    assertEquals(1, s.fee(50, "USD", null, null), "2.9 % of 50 = 1.45 -> 1");
    assertEquals(2, s.fee(52, "USD", null, null), "2.9 % of 52 = 1.508 -> 2");
    assertEquals(29_000_000_000L, s.fee(1_000_000_000_000L, "USD", null, null), "no floating point, no overflow");
  }

  @Test
  void noMatchingBaseLineMeansTheFeeIsUnknown() {
    FeeSchedule eurOnly = new FeeSchedule(List.of(new FeeSchedule.Line("EUR", null, false, 10_000, 0),
        new FeeSchedule.Line(null, null, true, 10_000, 0)), "US");
    assertEquals(FeeSchedule.UNKNOWN, eurOnly.fee(1_000, "USD", "visa", "DE"));
    assertEquals(FeeSchedule.UNKNOWN, FeeSchedule.NONE.fee(1_000, "USD", "visa", "US"));
  }
}
