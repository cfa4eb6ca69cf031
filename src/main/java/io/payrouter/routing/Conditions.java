package io.payrouter.routing;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * A rule's {@code when}: AND across keys, OR within a key's list. An empty set (or the full amount
 * range, or no metadata) means "no condition on this key". Sets keep their configured order for
 * display.
 *
 * @param currencies ISO 4217 codes
 * @param brands card brands
 * @param minAmount inclusive minimum amount in minor units (0 = none)
 * @param maxAmount inclusive maximum amount in minor units ({@link Long#MAX_VALUE} = none)
 * @param merchants merchant ids
 * @param issuerCountries ISO 3166 alpha-2 codes
 * @param metadata metadata key to the accepted values
 */
public record Conditions(
    Set<String> currencies,
    Set<String> brands,
    long minAmount,
    long maxAmount,
    Set<String> merchants,
    Set<String> issuerCountries,
    Map<String, Set<String>> metadata) {

  /** The keys a condition can fail on, in evaluation order. */
  public enum Key {
    CURRENCY, BRAND, AMOUNT, MERCHANT, ISSUER_COUNTRY, METADATA
  }

  /** No conditions: matches every charge. */
  public static final Conditions ANY =
      new Conditions(Set.of(), Set.of(), 0, Long.MAX_VALUE, Set.of(), Set.of(), Map.of());

  public Conditions {
    currencies = ordered(currencies);
    brands = ordered(brands);
    merchants = ordered(merchants);
    issuerCountries = ordered(issuerCountries);
    Map<String, Set<String>> meta = new LinkedHashMap<>();
    if (metadata != null) metadata.forEach((k, v) -> meta.put(k, ordered(v)));
    metadata = Collections.unmodifiableMap(meta);
  }

  private static Set<String> ordered(Set<String> values) {
    if (values == null || values.isEmpty()) return Set.of();
    return Collections.unmodifiableSet(new LinkedHashSet<>(values));
  }

  /** True when there is no condition at all. */
  public boolean isCatchAll() {
    return currencies.isEmpty() && brands.isEmpty() && !hasAmount() && merchants.isEmpty()
        && issuerCountries.isEmpty() && metadata.isEmpty();
  }

  /** True when an amount bound is set. */
  public boolean hasAmount() {
    return minAmount > 0 || maxAmount != Long.MAX_VALUE;
  }

  /** True when the charge meets every condition. */
  public boolean matches(ChargeAttributes a) {
    return firstFailure(a) == null;
  }

  /** The first condition the charge fails, or null when it matches. Allocation-free. */
  public Key firstFailure(ChargeAttributes a) {
    if (!currencies.isEmpty() && !contains(currencies, a.currency())) return Key.CURRENCY;
    if (!brands.isEmpty() && !contains(brands, a.brand())) return Key.BRAND;
    if (a.amount() < minAmount || a.amount() > maxAmount) return Key.AMOUNT;
    if (!merchants.isEmpty() && !contains(merchants, a.merchantId())) return Key.MERCHANT;
    if (!issuerCountries.isEmpty() && !contains(issuerCountries, a.issuerCountry())) {
      return Key.ISSUER_COUNTRY;
    }
    if (!metadata.isEmpty() && failingMetadataKey(a) != null) return Key.METADATA;
    return null;
  }

  private static boolean contains(Set<String> set, String value) {
    return value != null && set.contains(value);
  }

  private String failingMetadataKey(ChargeAttributes a) {
    for (Map.Entry<String, Set<String>> e : metadata.entrySet()) {
      if (!contains(e.getValue(), a.metadata().get(e.getKey()))) return e.getKey();
    }
    return null;
  }

  /** Words for the trace: why the charge fails {@code key}. */
  public String explainFailure(Key key, ChargeAttributes a) {
    return switch (key) {
      case CURRENCY -> "currency " + a.currency() + " not in " + currencies;
      case BRAND -> "brand " + a.brand() + " not in " + brands;
      case AMOUNT -> "amount " + a.amount() + " outside " + amountRange();
      case MERCHANT -> "merchant " + a.merchantId() + " not in " + merchants;
      case ISSUER_COUNTRY -> "issuer_country " + a.issuerCountry() + " not in " + issuerCountries;
      case METADATA -> explainMetadata(a);
    };
  }

  private String explainMetadata(ChargeAttributes a) {
    String key = failingMetadataKey(a);
    String value = a.metadata().get(key);
    if (value == null) return "metadata." + key + " missing, need one of " + metadata.get(key);
    return "metadata." + key + " " + value + " not in " + metadata.get(key);
  }

  /** The amount bounds as text, e.g. {@code [100, 500000]} or {@code [0, any]}. */
  public String amountRange() {
    return "[" + minAmount + ", " + (maxAmount == Long.MAX_VALUE ? "any" : maxAmount) + "]";
  }

  /**
   * True when every charge that {@code later} matches is also matched by these conditions, so a
   * rule with {@code later} placed after a rule with these conditions can never be reached.
   */
  public boolean covers(Conditions later) {
    return coversSet(currencies, later.currencies)
        && coversSet(brands, later.brands)
        && minAmount <= later.minAmount
        && maxAmount >= later.maxAmount
        && coversSet(merchants, later.merchants)
        && coversSet(issuerCountries, later.issuerCountries)
        && coversMetadata(later);
  }

  private static boolean coversSet(Set<String> broad, Set<String> narrow) {
    if (broad.isEmpty()) return true;
    return !narrow.isEmpty() && broad.containsAll(narrow);
  }

  private boolean coversMetadata(Conditions later) {
    for (Map.Entry<String, Set<String>> e : metadata.entrySet()) {
      Set<String> narrow = later.metadata.get(e.getKey());
      if (narrow == null || !e.getValue().containsAll(narrow)) return false;
    }
    return true;
  }
}
