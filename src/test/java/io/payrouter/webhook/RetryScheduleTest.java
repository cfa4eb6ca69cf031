package io.payrouter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RetryScheduleTest {
  @Test
  void theDefaultIsHyperswitchsSixteenRetriesOverADay() {
    RetrySchedule s = RetrySchedule.HYPERSWITCH;
    assertEquals(16, s.delaysMs().size());
    assertEquals(60_000L, s.delayAfter(1).getAsLong(), "1 minute after the first attempt");
    assertEquals(6 * 3_600_000L, s.delayAfter(16).getAsLong());
    assertTrue(s.spanMs() >= 24 * 3_600_000L, "at least 24 h of retries: " + s.spanMs());
    assertTrue(s.delayAfter(17).isEmpty(), "no 17th retry");
  }

  @Test
  void theConfigDefaultIsTheSameSchedule() {
    assertEquals(RetrySchedule.HYPERSWITCH.delaysMs(), io.payrouter.config.RouterConfig.Webhooks.HYPERSWITCH_MS);
  }

  @Test
  void anEmptyOrNonPositiveScheduleIsRefused() {
    assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(List.of()));
    assertThrows(IllegalArgumentException.class, () -> new RetrySchedule(List.of(1_000L, 0L)));
  }

  @Test
  void thereIsNoRetryZero() {
    assertTrue(new RetrySchedule(List.of(5L)).delayAfter(0).isEmpty());
  }
}
