package io.payrouter.domain;

import java.util.Locale;

/**
 * What became of one attempt at one PSP, as stored on the attempt and rendered in
 * {@code attempts[].outcome}. {@link #SENT} is the state between the checkpoint written before a
 * money-moving call and its answer; a merchant sees it as {@code in_doubt}.
 */
public enum AttemptOutcome {
  SENT, SUCCEEDED, DECLINED, PENDING, UNAVAILABLE, IN_DOUBT;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(Locale.ROOT);

  public String wire() {
    return lowerName;
  }

  public static AttemptOutcome fromWire(String s) {
    return valueOf(s.toUpperCase(Locale.ROOT));
  }

  /** The attempt outcome that a normalized PSP result stands for. */
  public static AttemptOutcome of(Outcome o) {
    return switch (o) {
      case SUCCEEDED -> SUCCEEDED;
      case DECLINED -> DECLINED;
      case PENDING -> PENDING;
      case NOT_SENT -> UNAVAILABLE;
      case IN_DOUBT -> IN_DOUBT;
    };
  }

  /** True when this attempt may have moved money (anything but a proven not-sent). */
  public boolean mayHaveCharged() {
    return this != UNAVAILABLE;
  }
}
