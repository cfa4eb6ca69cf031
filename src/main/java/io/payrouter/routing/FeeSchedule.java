package io.payrouter.routing;

import java.util.List;
import java.util.Locale;

/**
 * What a provider charges for a payment (router.yaml {@code providers.<name>.fees}), in integer
 * minor units of the charge's currency; never floating point.
 *
 * <p>Of the lines that are not {@code cross_border}, the most specific one that matches the charge
 * wins: a line matches when each of its {@code currency} and {@code brand} (when given) is the
 * charge's; a line with both is more specific than one with either, which is more specific than
 * one with neither; among equally specific lines the first listed wins. When the card's issuer
 * country is known and differs from the provider's {@code account_country}, the most specific
 * matching {@code cross_border} line is added on top. A provider without a matching base line has
 * no known fee ({@link #UNKNOWN}).
 *
 * @param lines the schedule as listed
 * @param accountCountry ISO 3166 alpha-2 country of the merchant account at this provider (null:
 *     cross-border lines never apply)
 */
public record FeeSchedule(List<Line> lines, String accountCountry) {

  /** No fee known: no schedule, or no line matches the charge. */
  public static final long UNKNOWN = -1;

  /** A provider with no schedule. */
  public static final FeeSchedule NONE = new FeeSchedule(List.of(), null);

  /** One millionth of the amount per unit: 2.9 % is 29,000. */
  public static final long PPM_PER_PERCENT = 10_000;

  /**
   * One line of a schedule.
   *
   * @param currency ISO 4217 code it is limited to, or null
   * @param brand card brand (lower case) it is limited to, or null
   * @param crossBorder true: added when the issuer country differs from the account country
   * @param ppm the percentage part, in millionths of the amount (2.9 % = 29,000)
   * @param fixed the fixed part, in minor units of the charge's currency
   */
  public record Line(String currency, String brand, boolean crossBorder, long ppm, long fixed) {
    public Line {
      currency = currency == null ? null : currency.toUpperCase(Locale.ROOT);
      brand = brand == null ? null : brand.toLowerCase(Locale.ROOT);
      if (ppm < 0 || ppm > 100 * PPM_PER_PERCENT) throw new IllegalArgumentException("percent must be 0..100");
      if (fixed < 0) throw new IllegalArgumentException("fixed must not be negative");
    }

    boolean matches(String chargeCurrency, String chargeBrand) {
      return (currency == null || currency.equals(chargeCurrency)) && (brand == null || brand.equals(chargeBrand));
    }

    int specificity() {
      return (currency == null ? 0 : 1) + (brand == null ? 0 : 1);
    }

    /** This line's fee for an amount: the percentage rounded half up to a minor unit, plus the fixed part. */
    long fee(long amount) {
      long part = Math.multiplyExact(amount, ppm);
      return Math.addExact(part / 1_000_000 + (part % 1_000_000 >= 500_000 ? 1 : 0), fixed);
    }
  }

  public FeeSchedule {
    lines = List.copyOf(lines);
    accountCountry = accountCountry == null ? null : accountCountry.toUpperCase(Locale.ROOT);
  }

  /** True when the schedule has no line at all. */
  public boolean isEmpty() {
    return lines.isEmpty();
  }

  /**
   * The fee for a charge, in its currency's minor units, or {@link #UNKNOWN} when no base line
   * matches.
   */
  public long fee(long amount, String currency, String brand, String issuerCountry) {
    Line base = best(currency, brand, false);
    if (base == null) return UNKNOWN;
    long fee = base.fee(amount);
    if (crossBorder(issuerCountry)) {
      Line extra = best(currency, brand, true);
      if (extra != null) fee = Math.addExact(fee, extra.fee(amount));
    }
    return fee;
  }

  /** True when a cross-border line would apply to a card of this issuer country. */
  public boolean crossBorder(String issuerCountry) {
    return accountCountry != null && issuerCountry != null && !accountCountry.equalsIgnoreCase(issuerCountry);
  }

  private Line best(String currency, String brand, boolean crossBorder) {
    String c = currency == null ? null : currency.toUpperCase(Locale.ROOT);
    String b = brand == null ? null : brand.toLowerCase(Locale.ROOT);
    Line best = null;
    for (Line l : lines) {
      if (l.crossBorder() != crossBorder || !l.matches(c, b)) continue;
      if (best == null || l.specificity() > best.specificity()) best = l;
    }
    return best;
  }
}
