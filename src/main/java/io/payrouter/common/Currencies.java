package io.payrouter.common;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.Currency;
import java.util.Set;
import java.util.TreeSet;

/**
 * ISO 4217 currencies the router knows and their minor-unit exponents (JPY 0, USD 2, BHD 3).
 * Amounts are always integer minor units inside the router; conversion to a PSP's decimal major
 * units goes through {@link BigDecimal} with the exact scale, never through floating point.
 */
public final class Currencies {
  private static final Set<String> KNOWN;

  static {
    Set<String> codes = new TreeSet<>();
    for (Currency c : Currency.getAvailableCurrencies()) {
      // -1 = no minor unit concept (gold, SDR, testing codes): not chargeable.
      if (c.getDefaultFractionDigits() >= 0 && !c.getCurrencyCode().startsWith("X")) {
        codes.add(c.getCurrencyCode());
      }
    }
    KNOWN = Set.copyOf(codes);
  }

  private Currencies() {}

  public static boolean isKnown(String code) {
    return code != null && KNOWN.contains(code);
  }

  public static Set<String> known() {
    return KNOWN;
  }

  /** ISO 4217 exponent; throws for an unknown currency. */
  public static int exponent(String code) {
    if (!isKnown(code)) throw new IllegalArgumentException("unknown currency");
    return Currency.getInstance(code).getDefaultFractionDigits();
  }

  /** 1999 USD becomes 19.99; 1000 JPY stays 1000; 1234 BHD becomes 1.234. Exact. */
  public static BigDecimal toMajor(long minor, String currency) {
    return BigDecimal.valueOf(minor, exponent(currency));
  }

  /** Major-unit string with exactly the currency's decimals: "19.99", "1000", "1.234". */
  public static String toMajorString(long minor, String currency) {
    return toMajor(minor, currency).toPlainString();
  }

  /**
   * Decimal major units back to minor units. Throws ArithmeticException if the value has more
   * decimals than the currency allows (it is never rounded) or does not fit a long.
   */
  public static long toMinor(BigDecimal major, String currency) {
    BigDecimal scaled = major.movePointRight(exponent(currency));
    BigInteger exact = scaled.toBigIntegerExact();
    return exact.longValueExact();
  }

  /** Parses a JSON number or string holding a decimal amount into minor units, exactly. */
  public static long toMinor(Object jsonValue, String currency) {
    if (jsonValue instanceof BigDecimal bd) return toMinor(bd, currency);
    if (jsonValue instanceof Integer || jsonValue instanceof Long || jsonValue instanceof BigInteger) {
      return toMinor(new BigDecimal(jsonValue.toString()), currency);
    }
    if (jsonValue instanceof Number n) {
      // A double from a JSON parser: its shortest decimal representation is the literal written.
      return toMinor(new BigDecimal(Double.toString(n.doubleValue())), currency);
    }
    if (jsonValue instanceof String s) return toMinor(new BigDecimal(s.trim()), currency);
    throw new IllegalArgumentException("not an amount");
  }
}
