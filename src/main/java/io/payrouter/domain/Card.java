package io.payrouter.domain;

import java.time.Instant;
import java.util.Map;

/**
 * A stored card: the router's handle on one physical card tokenised at one or more PSPs.
 *
 * @param tokens provider name to that PSP's token fields (decrypted; never logged or rendered)
 */
public record Card(
    String id,
    String merchantId,
    String customerReference,
    String brand,
    String last4,
    Integer expMonth,
    Integer expYear,
    String issuerCountry,
    Map<String, Map<String, String>> tokens,
    Instant createdAt,
    boolean deleted) {

  /** This card, marked deleted. */
  public Card asDeleted() {
    return new Card(id, merchantId, customerReference, brand, last4, expMonth, expYear, issuerCountry, tokens,
        createdAt, true);
  }

  @Override
  public String toString() {
    return "Card[" + id + " providers=" + tokens.keySet() + "]";
  }
}
