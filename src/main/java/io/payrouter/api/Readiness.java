package io.payrouter.api;

import java.util.List;
import java.util.Optional;

/**
 * What {@code GET /health/ready} checked, each check with what it found: the instance is ready
 * when every check passed. Built by the application from live state (no fixed strings).
 */
public record Readiness(List<Check> checks) {
  /** One check: its name ({@code database}, {@code routing_rules}, ...), whether it passed, and what it saw. */
  public record Check(String name, boolean ok, String detail) {}

  public Readiness {
    checks = List.copyOf(checks);
  }

  public boolean up() {
    return checks.stream().allMatch(Check::ok);
  }

  /** The first failed check as "name: detail" (empty when ready). */
  public Optional<String> reason() {
    return checks.stream().filter(c -> !c.ok()).findFirst().map(c -> c.name() + ": " + c.detail());
  }

  public Optional<Check> check(String name) {
    return checks.stream().filter(c -> c.name().equals(name)).findFirst();
  }
}
