package io.payrouter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeliveryPolicyTest {
  static final Instant NOW = Instant.parse("2026-12-03T10:00:00Z");
  static final RetrySchedule THREE = new RetrySchedule(List.of(1_000L, 5_000L, 60_000L));

  @Test
  void aTwoHundredAnswerDelivers() {
    for (int status : new int[] {200, 201, 204, 299}) {
      DeliveryPolicy.Verdict v = DeliveryPolicy.after(status, 0, NOW, THREE);
      assertEquals(DeliveryPolicy.Kind.DELIVERED, v.kind(), "HTTP " + status);
      assertNull(v.nextAttemptAt());
    }
  }

  @Test
  void aRedirectAClientErrorAServerErrorOrNoAnswerIsRetried() {
    for (Integer status : new Integer[] {301, 302, 400, 404, 410, 500, 503, null}) {
      assertEquals(DeliveryPolicy.Kind.RETRY, DeliveryPolicy.after(status, 0, NOW, THREE).kind(), "HTTP " + status);
    }
  }

  @Test
  void eachRetryWaitsItsStepOfTheSchedule() {
    assertEquals(NOW.plusMillis(1_000), DeliveryPolicy.after(500, 0, NOW, THREE).nextAttemptAt());
    assertEquals(NOW.plusMillis(5_000), DeliveryPolicy.after(500, 1, NOW, THREE).nextAttemptAt());
    assertEquals(NOW.plusMillis(60_000), DeliveryPolicy.after(500, 2, NOW, THREE).nextAttemptAt());
  }

  @Test
  void aFailureAfterTheLastRetryExhaustsTheDelivery() {
    assertEquals(DeliveryPolicy.Kind.EXHAUSTED, DeliveryPolicy.after(500, 3, NOW, THREE).kind());
    assertEquals(DeliveryPolicy.Kind.DELIVERED, DeliveryPolicy.after(200, 3, NOW, THREE).kind(),
        "the last retry can still deliver");
  }

  @Test
  void anEndpointThatNeverAnsweredIsDisabled() {
    assertTrue(DeliveryPolicy.disable(null, NOW.minusSeconds(86_400)));
  }

  @Test
  void anEndpointSilentSinceTheDeliveryFirstFailedIsDisabled() {
    assertTrue(DeliveryPolicy.disable(NOW.minusSeconds(90_000), NOW.minusSeconds(86_400)));
  }

  @Test
  void anEndpointThatTookOtherDeliveriesSinceStaysEnabled() {
    assertFalse(DeliveryPolicy.disable(NOW.minusSeconds(60), NOW.minusSeconds(86_400)));
  }

  @Test
  void theReasonNamesTheLastAnswerAndHowToRecover() {
    String r = DeliveryPolicy.disabledReason(NOW, 17, 500, null);
    assertTrue(r.contains("HTTP 500") && r.contains("17 attempts") && r.contains("/enable"), r);
    assertTrue(DeliveryPolicy.disabledReason(NOW, 17, null, "timeout: no answer in time").contains("timeout"));
  }
}
