package io.payrouter.routing;

import java.util.List;
import java.util.Locale;

/**
 * Why routing left one provider out of a charge's candidates: what the explain trace shows as a
 * {@code dropped} candidate, and what a charge that no PSP could take names in its
 * {@code failure_reason}. Computed once by {@link RoutingEngine} for both.
 *
 * @param provider the provider's name
 * @param reasons every reason that applies, the most fundamental first (never empty)
 * @param detail the reasons in words, as the trace line says them
 */
public record Exclusion(String provider, List<Reason> reasons, String detail) {

  /** One reason a provider cannot take a charge. */
  public enum Reason {
    /** The matched rule does not list it (the card has a token for it). */
    NOT_IN_RULE,
    /** No provider of that name is configured. */
    UNKNOWN_PROVIDER,
    /** The card has no token for it. */
    NO_TOKEN,
    /** Its configured {@code currencies} do not include the charge's. */
    CURRENCY_NOT_SUPPORTED,
    /** An operator drained it. */
    DISABLED,
    /** Its breaker is open on this instance. */
    CIRCUIT_OPEN;

    /** The code on the wire ({@code failure_reason.providers[].reason}). */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }

    public static Reason fromWire(String s) {
      return valueOf(s.toUpperCase(Locale.ROOT));
    }
  }

  public Exclusion {
    reasons = List.copyOf(reasons);
    if (reasons.isEmpty()) throw new IllegalArgumentException("an exclusion has at least one reason");
  }

  /** The most fundamental reason. */
  public Reason reason() {
    return reasons.get(0);
  }
}
