package io.payrouter.domain;

import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/** The events a merchant's webhook endpoint can subscribe to (README "Merchant webhooks"). */
public enum EventType {
  CHARGE_SUCCEEDED("charge.succeeded"),
  CHARGE_DECLINED("charge.declined"),
  CHARGE_FAILED("charge.failed"),
  CHARGE_PENDING("charge.pending"),
  CHARGE_CONFLICT("charge.conflict"),
  REFUND_SUCCEEDED("refund.succeeded"),
  REFUND_FAILED("refund.failed");

  private final String wire;

  EventType(String wire) {
    this.wire = wire;
  }

  public String wire() {
    return wire;
  }

  /** Every type's wire name, in this order. */
  public static final List<String> WIRE = Arrays.stream(values()).map(EventType::wire).toList();

  public static Optional<EventType> fromWire(String s) {
    for (EventType t : values()) if (t.wire.equals(s)) return Optional.of(t);
    return Optional.empty();
  }

  /** The event a charge's new status is reported as (none for processing: not a state merchants see change). */
  public static Optional<EventType> of(ChargeStatus s) {
    return switch (s) {
      case SUCCEEDED -> Optional.of(CHARGE_SUCCEEDED);
      case DECLINED -> Optional.of(CHARGE_DECLINED);
      case FAILED -> Optional.of(CHARGE_FAILED);
      case PENDING -> Optional.of(CHARGE_PENDING);
      case PROCESSING -> Optional.empty();
    };
  }

  /** The event a refund's final status is reported as (none while it is not final). */
  public static Optional<EventType> of(RefundStatus s) {
    return switch (s) {
      case SUCCEEDED -> Optional.of(REFUND_SUCCEEDED);
      case FAILED -> Optional.of(REFUND_FAILED);
      case PROCESSING, PENDING -> Optional.empty();
    };
  }
}
