package io.payrouter.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.NullSource;
import org.junit.jupiter.params.provider.ValueSource;

/** ISO 4217 exponents and exact minor/major conversions: never floating point, never rounded. */
class CurrenciesTest {

  @ParameterizedTest(name = "{0} has exponent {1}")
  @CsvSource({"JPY, 0", "USD, 2", "EUR, 2", "BHD, 3", "KWD, 3"})
  void exponentIsTheIso4217MinorUnit(String currency, int exponent) {
    assertEquals(exponent, Currencies.exponent(currency));
  }

  @Test
  void exponentOfAnUnknownCurrencyIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> Currencies.exponent("XAU"));
  }

  @ParameterizedTest(name = "{0} {1} -> \"{2}\"")
  @CsvSource({
    "1999, USD, 19.99",
    "1000, JPY, 1000",
    "1234, BHD, 1.234",
    "1, USD, 0.01",
    "100, USD, 1.00",
    "5, KWD, 0.005"
  })
  void toMajorStringHasExactlyTheCurrencysDecimals(long minor, String currency, String expected) {
    assertEquals(expected, Currencies.toMajorString(minor, currency));
  }

  @Test
  void toMajorIsAnExactBigDecimalWithTheCurrencyScale() {
    BigDecimal major = Currencies.toMajor(1999, "USD");
    assertEquals(new BigDecimal("19.99"), major);
    assertEquals(2, major.scale());
    assertEquals(0, Currencies.toMajor(1000, "JPY").scale());
    assertEquals(new BigDecimal("1.234"), Currencies.toMajor(1234, "BHD"));
  }

  @Test
  void toMinorFromBigDecimal() {
    assertEquals(1999, Currencies.toMinor(new BigDecimal("19.99"), "USD"));
    assertEquals(1234, Currencies.toMinor(new BigDecimal("1.234"), "BHD"));
    assertEquals(1000, Currencies.toMinor(new BigDecimal("1000"), "JPY"));
  }

  @Test
  void toMinorFromBigDecimalAcceptsFewerDecimalsThanTheCurrencyHas() {
    assertEquals(1990, Currencies.toMinor(new BigDecimal("19.9"), "USD"));
    assertEquals(1900, Currencies.toMinor(new BigDecimal("19"), "USD"));
  }

  @Test
  void toMinorFromAJsonInteger() {
    assertEquals(1900, Currencies.toMinor((Object) Integer.valueOf(19), "USD"));
    assertEquals(19, Currencies.toMinor((Object) Integer.valueOf(19), "JPY"));
  }

  @Test
  void toMinorFromAJsonLong() {
    assertEquals(9_999_999_999_900L, Currencies.toMinor((Object) Long.valueOf(99_999_999_999L), "USD"));
  }

  @ParameterizedTest(name = "double {0} {1} -> {2}")
  @CsvSource({"123.45, USD, 12345", "19.99, USD, 1999", "0.01, USD, 1", "1.234, BHD, 1234", "0.3, USD, 30"})
  void toMinorFromAJsonDoubleUsesItsShortestDecimalLiteral(double major, String currency, long minor) {
    assertEquals(minor, Currencies.toMinor((Object) Double.valueOf(major), currency));
  }

  @Test
  void toMinorFromAString() {
    assertEquals(12345, Currencies.toMinor((Object) "123.45", "USD"));
    assertEquals(12345, Currencies.toMinor((Object) " 123.45 ", "USD"));
    assertEquals(1, Currencies.toMinor((Object) "0.001", "BHD"));
  }

  @Test
  void toMinorRejectsTooManyDecimalsForUsdInsteadOfRounding() {
    assertThrows(ArithmeticException.class, () -> Currencies.toMinor(new BigDecimal("1.234"), "USD"));
  }

  @Test
  void toMinorRejectsTooManyDecimalsWhateverTheJsonType() {
    assertThrows(ArithmeticException.class, () -> Currencies.toMinor((Object) Double.valueOf(1.234), "USD"));
    assertThrows(ArithmeticException.class, () -> Currencies.toMinor((Object) "1.234", "USD"));
    assertThrows(ArithmeticException.class, () -> Currencies.toMinor((Object) "1.5", "JPY"));
    assertThrows(ArithmeticException.class, () -> Currencies.toMinor((Object) "0.0001", "BHD"));
  }

  @Test
  void toMinorRejectsAValueThatDoesNotFitALong() {
    assertThrows(ArithmeticException.class,
        () -> Currencies.toMinor(new BigDecimal("99999999999999999999"), "USD"));
  }

  @Test
  void toMinorRejectsANonAmount() {
    assertThrows(IllegalArgumentException.class, () -> Currencies.toMinor((Object) Boolean.TRUE, "USD"));
    assertThrows(NumberFormatException.class, () -> Currencies.toMinor((Object) "12,34", "USD"));
  }

  @ParameterizedTest(name = "99999999999 {0} -> \"{1}\" -> back")
  @CsvSource({"USD, 999999999.99", "JPY, 99999999999", "BHD, 99999999.999"})
  void maximumAmountRoundTripsExactly(String currency, String major) {
    long max = 99_999_999_999L;
    assertEquals(major, Currencies.toMajorString(max, currency));
    assertEquals(max, Currencies.toMinor(Currencies.toMajor(max, currency), currency));
    assertEquals(max, Currencies.toMinor((Object) Currencies.toMajorString(max, currency), currency));
  }

  @ParameterizedTest(name = "{0} is known")
  @ValueSource(strings = {"USD", "EUR", "JPY", "BHD", "KWD", "NOK", "QAR"})
  void realCurrenciesAreKnown(String code) {
    assertTrue(Currencies.isKnown(code));
    assertTrue(Currencies.known().contains(code));
  }

  @ParameterizedTest(name = "\"{0}\" is not known")
  @ValueSource(strings = {"XAU", "XXX", "XTS", "ABC", "usd", "Usd", "", "US", "USDX"})
  void metalsTestCodesInventedAndLowerCaseCodesAreNotKnown(String code) {
    assertFalse(Currencies.isKnown(code));
  }

  @ParameterizedTest
  @NullSource
  void nullIsNotKnown(String code) {
    assertFalse(Currencies.isKnown(code));
  }
}
