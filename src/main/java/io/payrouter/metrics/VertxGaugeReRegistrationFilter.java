package io.payrouter.metrics;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.turbo.TurboFilter;
import ch.qos.logback.core.spi.FilterReply;
import org.slf4j.Marker;

/**
 * Drops exactly one false alarm: Micrometer's WARN "This Gauge has been already registered" for a
 * Vert.x meter ({@code vertx.*}). Vert.x registers its connection, pool and queue gauges again
 * for every connection by design (its gauge helper hands back the same adder each time, so the
 * values are right); Micrometer 1.13.9 and later warn about any re-registration. Upstream:
 * vert-x3/vertx-micrometer-metrics#259 and micrometer-metrics/micrometer#6931, both open. Without
 * this, a healthy router logged a WARN at its second HTTP or database connection. Every other
 * message of that logger, and this one for any meter of ours ({@code router_*}), still passes.
 */
public final class VertxGaugeReRegistrationFilter extends TurboFilter {
  static final String LOGGER = "io.micrometer.core.instrument.MeterRegistry";
  static final String PREFIX = "This Gauge has been already registered (MeterId{name='vertx.";

  @Override
  public FilterReply decide(Marker marker, Logger logger, Level level, String format, Object[] params, Throwable t) {
    return isVertxGaugeReRegistration(logger == null ? null : logger.getName(), level, format)
        ? FilterReply.DENY : FilterReply.NEUTRAL;
  }

  /** The pure decision (unit-tested): that logger, WARN, that message, a Vert.x meter. */
  static boolean isVertxGaugeReRegistration(String loggerName, Level level, String message) {
    return LOGGER.equals(loggerName) && Level.WARN.equals(level) && message != null && message.startsWith(PREFIX);
  }
}
