package io.payrouter.routing;

import java.util.Locale;

/** How a rule orders its (narrowed) candidates. */
public enum Strategy {
  /** The listed order. */
  PRIORITY,
  /** First candidate drawn by weight from the charge id hash; the rest by descending weight. */
  WEIGHTED,
  /** Ranked by recent success rate and latency (and, with a cost weight, fees), with a small exploration share. */
  ADAPTIVE,
  /** Cheapest expected fee first (fee schedules in router.yaml); ties and unknown fees keep the listed order, unknown last. */
  LEAST_COST;

  /** The name in lower case, made once (the charge path renders it per charge). */
  private final String lowerName = name().toLowerCase(Locale.ROOT);

  /** The name used in the rules file and in decisions: {@code priority}, {@code weighted}, {@code adaptive}, {@code least_cost}. */
  public String configName() {
    return lowerName;
  }

  /** The strategy with that config name, or null. */
  public static Strategy fromConfigName(String name) {
    for (Strategy s : values()) {
      if (s.configName().equals(name)) return s;
    }
    return null;
  }
}
