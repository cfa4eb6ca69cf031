package io.payrouter.metrics;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import org.junit.jupiter.api.Test;

class VertxGaugeReRegistrationFilterTest {
  static final String VERTX = "This Gauge has been already registered (MeterId{name='vertx.net.client.active.connections',"
      + " tags=[]}), the registration will be ignored. Note that subsequent logs will be logged at debug level.";

  @Test
  void dropsMicrometersWarningAboutAVertxGaugeRegisteredAgain() {
    assertTrue(VertxGaugeReRegistrationFilter.isVertxGaugeReRegistration(VertxGaugeReRegistrationFilter.LOGGER, Level.WARN, VERTX));
  }

  @Test
  void keepsTheSameWarningAboutOneOfOurOwnMeters() {
    String ours = VERTX.replace("vertx.net.client.active.connections", "router_circuit_state");
    assertFalse(VertxGaugeReRegistrationFilter.isVertxGaugeReRegistration(VertxGaugeReRegistrationFilter.LOGGER, Level.WARN, ours));
  }

  @Test
  void keepsEveryOtherMessageAndLogger() {
    assertFalse(VertxGaugeReRegistrationFilter.isVertxGaugeReRegistration(VertxGaugeReRegistrationFilter.LOGGER, Level.WARN,
        "A MeterFilter is being configured after a Meter has been registered to this registry."));
    assertFalse(VertxGaugeReRegistrationFilter.isVertxGaugeReRegistration("io.payrouter.charge.ChargeService", Level.WARN, VERTX));
    assertFalse(VertxGaugeReRegistrationFilter.isVertxGaugeReRegistration(VertxGaugeReRegistrationFilter.LOGGER, Level.ERROR, VERTX));
  }
}
