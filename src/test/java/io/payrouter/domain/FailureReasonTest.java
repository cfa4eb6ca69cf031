package io.payrouter.domain;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

/** failure_reason is derived from what is stored with a charge: its routing and its attempts. */
class FailureReasonTest {
  static Charge charge(ChargeStatus status, RoutingInfo routing, List<Attempt> attempts) {
    Instant t = Instant.parse("2026-12-01T00:00:00Z");
    return new Charge("ch_1", "m", "k", "f", 100, "JPY", "card_1", null, status, null, null, null, null, routing,
        attempts, t, t, null);
  }

  static Attempt unavailable(int seq, String provider) {
    return new Attempt("att_" + seq, "ch_1", seq, provider, AttemptOutcome.UNAVAILABLE, 3, "connection refused", null,
        null, null);
  }

  @Test
  void onlyFailedAndDeclinedChargesHaveOne() {
    RoutingInfo r = new RoutingInfo("default", "priority", 1, List.of("revio"));
    for (ChargeStatus s : List.of(ChargeStatus.SUCCEEDED, ChargeStatus.PENDING, ChargeStatus.PROCESSING)) {
      assertNull(FailureReason.of(charge(s, r, List.of())), s.toString());
    }
  }

  @Test
  void noRuleMatched() {
    FailureReason f = FailureReason.of(charge(ChargeStatus.FAILED, new RoutingInfo(null, null, 4, List.of()), List.of()));
    assertEquals(FailureReason.NO_RULE_MATCHED, f.code());
    assertEquals(List.of(), f.providers());
  }

  @Test
  void everyProviderExcluded() {
    RoutingInfo r = new RoutingInfo("default", "adaptive", 1, List.of(), List.of(
        new RoutingInfo.Excluded("revio", "no_token", "no token; currency JPY not supported"),
        new RoutingInfo.Excluded("fatora", "not_in_rule", "not listed by rule default; currency JPY not supported")));
    FailureReason f = FailureReason.of(charge(ChargeStatus.FAILED, r, List.of()));
    assertEquals(FailureReason.NO_PROVIDER_AVAILABLE, f.code());
    assertEquals(List.of(
        new FailureReason.Provider("revio", "no_token", "no token; currency JPY not supported", null, null, null),
        new FailureReason.Provider("fatora", "not_in_rule", "not listed by rule default; currency JPY not supported",
            null, null, null)), f.providers());
  }

  @Test
  void attemptsComeFirstThenCandidatesNeverTriedThenExclusions() {
    RoutingInfo r = new RoutingInfo("default", "priority", 1, List.of("revio", "paycore", "processout"),
        List.of(new RoutingInfo.Excluded("fatora", "disabled", "disabled")));
    FailureReason f = FailureReason.of(charge(ChargeStatus.FAILED, r, List.of(unavailable(1, "revio"),
        unavailable(2, "paycore"))));
    assertEquals(FailureReason.PROVIDERS_UNAVAILABLE, f.code());
    assertEquals(List.of("revio", "paycore", "processout", "fatora"),
        f.providers().stream().map(FailureReason.Provider::provider).toList());
    assertEquals("unavailable", f.providers().get(0).answered());
    assertEquals("connection refused", f.providers().get(0).message());
    assertEquals(FailureReason.NOT_TRIED, f.providers().get(2).reason());
    assertEquals("disabled", f.providers().get(3).reason());
  }
}
