package io.payrouter.routing;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.yaml.snakeyaml.Yaml;

/** Shared test data: providers, currencies, YAML rules, charges and health. */
final class Fixtures {
  static final Set<String> PROVIDERS = Set.of("dintero", "processout", "revio", "paycore", "fatora");
  static final Set<String> CURRENCIES =
      Set.of("USD", "EUR", "GBP", "NOK", "SEK", "DKK", "JPY", "BHD", "CHF", "PLN");

  private Fixtures() {}

  static Object yaml(String text) {
    return new Yaml().load(text);
  }

  static ParseResult parseYaml(String text) {
    return RulesParser.parse(yaml(text), PROVIDERS, CURRENCIES);
  }

  /** Parses rules that must be valid. */
  static RoutingRules rules(String text) {
    ParseResult result = parseYaml(text);
    assertTrue(result.ok(), () -> "expected valid rules, got " + result.problems());
    return result.rules();
  }

  /** A card with tokens at every provider. */
  static ChargeAttributes charge(String id, long amount, String currency, String brand) {
    return new ChargeAttributes(id, "acme", amount, currency, brand, "US", Map.of(), PROVIDERS);
  }

  static ChargeAttributes charge(long amount, String currency, String brand) {
    return charge("ch_test", amount, currency, brand);
  }

  /** Every provider enabled, circuit closed, supporting every test currency, no samples. */
  static HealthSnapshot allHealthy() {
    List<ProviderHealth> list = new ArrayList<>();
    for (String p : PROVIDERS) list.add(ProviderHealth.fresh(p, CURRENCIES));
    return HealthSnapshot.of(list);
  }

  /** {@link #allHealthy()} with some providers replaced. */
  static HealthSnapshot healthyExcept(ProviderHealth... replaced) {
    List<ProviderHealth> list = new ArrayList<>(allHealthy().providers().values());
    for (ProviderHealth r : replaced) {
      list.removeIf(h -> h.name().equals(r.name()));
      list.add(r);
    }
    return HealthSnapshot.of(list);
  }

  static ProviderHealth stats(String name, double successRate, long samples, double p50) {
    return new ProviderHealth(name, true, false, CURRENCIES, successRate, samples, p50);
  }

  static TraceLine traceLine(Decision d, String kind, String subject) {
    return d.trace().stream()
        .filter(t -> t.kind().equals(kind) && t.subject().equals(subject))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " line for " + subject + " in " + d.trace()));
  }
}
