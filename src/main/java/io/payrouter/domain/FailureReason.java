package io.payrouter.domain;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Why a charge ended without money moving ({@code failed}) or was refused ({@code declined}),
 * rendered as the charge's {@code failure_reason}. Derived from what is stored with the charge
 * (its routing decision with the providers it left out, and its attempts), so the answer to the
 * request and every later read say the same.
 *
 * @param code {@code no_rule_matched}, {@code no_provider_available} (the matched rule left no
 *     candidate), {@code providers_unavailable} (every provider tried was unavailable or proven
 *     not to have charged) or {@code declined}
 * @param message the same in words
 * @param providers each attempt's answer, in order, then each provider routing left out
 */
public record FailureReason(String code, String message, List<Provider> providers) {

  /**
   * One provider: either what it answered to an attempt ({@code answered}, with the attempt's
   * {@code message} and {@code declineCode}), or why it was not tried ({@code reason} with
   * {@code detail}).
   */
  public record Provider(String provider, String reason, String detail, String answered, String message,
      String declineCode) {

    static Provider excluded(String provider, String reason, String detail) {
      return new Provider(provider, reason, detail, null, null, null);
    }

    static Provider answered(Attempt a) {
      AttemptOutcome o = a.outcome() == AttemptOutcome.SENT ? AttemptOutcome.IN_DOUBT : a.outcome();
      return new Provider(a.provider(), null, null, o.wire(), a.error(),
          a.declineCode() == null ? null : a.declineCode().wire());
    }
  }

  public static final String NO_RULE_MATCHED = "no_rule_matched";
  public static final String NO_PROVIDER_AVAILABLE = "no_provider_available";
  public static final String PROVIDERS_UNAVAILABLE = "providers_unavailable";
  public static final String DECLINED = "declined";
  /** A candidate never tried: the rule's {@code max_attempts} was reached first. */
  public static final String NOT_TRIED = "not_tried";

  public FailureReason {
    providers = List.copyOf(providers);
  }

  /** The reason of a failed or declined charge; null for any other status. */
  public static FailureReason of(Charge c) {
    if (c.status() != ChargeStatus.FAILED && c.status() != ChargeStatus.DECLINED) return null;
    List<Provider> providers = new ArrayList<>();
    Set<String> tried = new HashSet<>();
    for (Attempt a : c.attempts()) {
      providers.add(Provider.answered(a));
      tried.add(a.provider());
    }
    RoutingInfo r = c.routing();
    if (c.status() == ChargeStatus.DECLINED) {
      String code = c.declineCode() == null ? "" : " (" + c.declineCode().wire() + ")";
      return new FailureReason(DECLINED, "declined by " + c.provider() + code + "; nothing was charged", providers);
    }
    if (r != null) {
      for (String candidate : r.candidates()) {
        if (!tried.contains(candidate)) {
          providers.add(Provider.excluded(candidate, NOT_TRIED, "not tried: the rule's max_attempts was reached"));
        }
      }
      for (RoutingInfo.Excluded e : r.excluded()) providers.add(Provider.excluded(e.provider(), e.reason(), e.detail()));
    }
    String retry = "; nothing was charged, and a retry with the same Idempotency-Key tries again";
    if (r != null && r.rule() == null) {
      return new FailureReason(NO_RULE_MATCHED, "no routing rule matches this charge, so no provider was tried" + retry,
          providers);
    }
    if (r != null && r.candidates().isEmpty()) {
      return new FailureReason(NO_PROVIDER_AVAILABLE, "no provider of rule " + r.rule() + " can take this charge"
          + " (each one's reason is listed)" + retry, providers);
    }
    return new FailureReason(PROVIDERS_UNAVAILABLE,
        "every provider tried was unavailable or is proven not to have charged" + retry, providers);
  }
}
