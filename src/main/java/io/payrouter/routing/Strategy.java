package io.payrouter.routing;

import java.util.Locale;

/** How a rule orders its (narrowed) candidates. */
public enum Strategy {
  /** The listed order. */
  PRIORITY,
  /** First candidate drawn by weight from the charge id hash; the rest by descending weight. */
  WEIGHTED,
  /** Ranked by recent success rate and latency, with a small exploration share. */
  ADAPTIVE;

  /** The name used in the rules file and in decisions: {@code priority}, {@code weighted}, {@code adaptive}. */
  public String configName() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** The strategy with that config name, or null. */
  public static Strategy fromConfigName(String name) {
    for (Strategy s : values()) {
      if (s.configName().equals(name)) return s;
    }
    return null;
  }
}
