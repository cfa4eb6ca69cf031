package io.payrouter.routing;

import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * What routing may look at for one charge. Values are normalized on construction: currency and
 * issuer country upper-case, brand lower-case, a null metadata map becomes empty.
 *
 * @param chargeId the router's charge id ({@code ch_...}); seeds the deterministic weighted draw
 *     and the adaptive exploration, so a replay of the same charge routes the same
 * @param merchantId the merchant's id
 * @param amount integer minor units
 * @param currency ISO 4217 code
 * @param brand card brand (visa, mastercard, ...); may be null when unknown
 * @param issuerCountry ISO 3166 alpha-2 of the issuer; may be null when unknown
 * @param metadata the charge's metadata (string values)
 * @param tokenProviders providers the card has a token for; {@code null} means "no card known"
 *     (an explain request with just a currency and brand): the token check is then skipped
 */
public record ChargeAttributes(
    String chargeId,
    String merchantId,
    long amount,
    String currency,
    String brand,
    String issuerCountry,
    Map<String, String> metadata,
    Set<String> tokenProviders) {

  public ChargeAttributes {
    chargeId = chargeId == null ? "" : chargeId;
    currency = currency == null ? null : currency.toUpperCase(Locale.ROOT);
    brand = brand == null ? null : brand.toLowerCase(Locale.ROOT);
    issuerCountry = issuerCountry == null ? null : issuerCountry.toUpperCase(Locale.ROOT);
    metadata = metadata == null ? Map.of() : metadata;
  }
}
