package io.payrouter.routing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Routing decisions per second on one thread: 50 rules, 5 providers, a realistic mix of charges
 * of which most match none of the 48 specific rules, so the engine scans deep before the weighted
 * or adaptive rule at the end takes them.
 *
 * <p>Run: {@code mvn -q -Pjmh package -DskipTests && java -jar target/routing-benchmarks.jar}
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(1)
@Threads(1)
@State(Scope.Thread)
public class RoutingBenchmark {
  private static final List<String> PROVIDERS = List.of("revio", "paycore", "fatora", "dintero", "processout");
  private static final Set<String> CURRENCIES = Set.of("USD", "EUR", "GBP", "NOK", "SEK", "DKK", "JPY", "CHF", "PLN", "CAD");
  private static final List<String> BRANDS = List.of("visa", "mastercard", "amex", "discover", "jcb");
  private static final List<String> COUNTRIES = List.of("US", "GB", "DE", "FR", "NO", "SE", "DK", "JP", "CA", "PL");
  private static final int CHARGES = 4096;

  private RoutingRules rules;
  private HealthSnapshot health;
  private ChargeAttributes[] charges;
  private ProviderStats stats;
  private int next;
  private long clockMs = 1_700_000_000_000L;

  @Setup
  public void setUp() {
    ParseResult parsed = RulesParser.parse(rulesDocument(), Set.copyOf(PROVIDERS), CURRENCIES);
    if (!parsed.ok()) throw new IllegalStateException(parsed.problems().toString());
    rules = parsed.rules().withVersion(1);
    health = healthSnapshot();
    charges = charges(new Random(42));
    stats = new ProviderStats();
  }

  /** The charge path: decision without trace. */
  @Benchmark
  public Decision decide() {
    return RoutingEngine.decide(nextCharge(), rules, health, false);
  }

  /** The explain endpoint: decision with the full rule-by-rule trace. */
  @Benchmark
  public Decision decideWithTrace() {
    return RoutingEngine.decide(nextCharge(), rules, health, true);
  }

  /** Recording one outcome in the sliding window (done after every PSP call). */
  @Benchmark
  public void recordOutcome() {
    int i = next++ & (CHARGES - 1);
    clockMs += 1;
    stats.record(PROVIDERS.get(i % PROVIDERS.size()), (i & 31) != 0, 20 + (i & 255), clockMs);
  }

  private ChargeAttributes nextCharge() {
    return charges[next++ & (CHARGES - 1)];
  }

  /** 20 merchant rules, 10 country+brand rules, 10 campaign rules, 8 amount bands, 2 general rules. */
  private static Map<String, Object> rulesDocument() {
    List<Object> rules = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      rules.add(rule("merchant-" + i,
          Map.of("merchant", List.of("merchant-" + i), "currency", List.of("EUR", "GBP")),
          "priority", List.of(PROVIDERS.get(i % 5), PROVIDERS.get((i + 1) % 5))));
    }
    for (int i = 0; i < 10; i++) {
      rules.add(rule("country-" + COUNTRIES.get(i),
          Map.of("issuer_country", List.of(COUNTRIES.get(i)), "brand", List.of("amex", "jcb")),
          "weighted", List.of(Map.of("name", PROVIDERS.get(i % 5), "weight", 60),
              Map.of("name", PROVIDERS.get((i + 2) % 5), "weight", 40))));
    }
    for (int i = 0; i < 10; i++) {
      rules.add(rule("campaign-" + i, Map.of("metadata", Map.of("campaign", List.of("camp-" + i))),
          "priority", List.of(PROVIDERS.get((i + 3) % 5), PROVIDERS.get((i + 4) % 5))));
    }
    List<String> banded = List.of("JPY", "CHF", "PLN", "CAD");
    for (int i = 0; i < 8; i++) {
      String currency = banded.get(i / 2);
      Map<String, Object> amount = i % 2 == 0 ? Map.of("max", 10_000) : Map.of("min", 10_001, "max", 5_000_000);
      rules.add(rule("band-" + i, Map.of("currency", List.of(currency), "amount", amount),
          "priority", List.of(PROVIDERS.get(i % 5))));
    }
    rules.add(rule("usd-mastercard",
        Map.of("currency", List.of("USD"), "brand", List.of("mastercard"), "amount", Map.of("max", 500_000)),
        "weighted", List.of(Map.of("name", "revio", "weight", 70), Map.of("name", "paycore", "weight", 30))));
    rules.add(rule("default", null, "adaptive", PROVIDERS));
    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("rules", rules);
    doc.put("failover", Map.of("max_attempts", 3));
    return doc;
  }

  private static Map<String, Object> rule(String name, Map<String, Object> when, String strategy, List<?> providers) {
    Map<String, Object> rule = new LinkedHashMap<>();
    rule.put("name", name);
    if (when != null) rule.put("when", when);
    rule.put("strategy", strategy);
    rule.put("providers", providers);
    return rule;
  }

  private static HealthSnapshot healthSnapshot() {
    return HealthSnapshot.of(List.of(
        new ProviderHealth("revio", true, false, CURRENCIES, 0.995, 4000, 45),
        new ProviderHealth("paycore", true, false, CURRENCIES, 0.990, 2500, 80),
        new ProviderHealth("fatora", true, true, CURRENCIES, 0.60, 300, 900),
        new ProviderHealth("dintero", true, false, Set.of("NOK", "SEK", "DKK", "EUR"), 0.998, 900, 60),
        new ProviderHealth("processout", true, false, CURRENCIES, 0.985, 1800, 120)));
  }

  /** Mostly USD/EUR/GBP, 200 merchants (10% have a merchant rule), 5% in a campaign. */
  private static ChargeAttributes[] charges(Random random) {
    String[] currencyMix = {"USD", "USD", "USD", "USD", "USD", "EUR", "EUR", "GBP", "NOK", "JPY", "CHF", "SEK"};
    ChargeAttributes[] out = new ChargeAttributes[CHARGES];
    for (int i = 0; i < CHARGES; i++) {
      Map<String, String> metadata = random.nextInt(20) == 0
          ? Map.of("campaign", "camp-" + random.nextInt(10), "order", "o-" + i)
          : Map.of("order", "o-" + i);
      out[i] = new ChargeAttributes(
          "ch_" + Long.toHexString(random.nextLong()),
          "merchant-" + random.nextInt(200),
          1 + random.nextInt(1_000_000),
          currencyMix[random.nextInt(currencyMix.length)],
          BRANDS.get(random.nextInt(BRANDS.size())),
          COUNTRIES.get(random.nextInt(COUNTRIES.size())),
          metadata,
          Set.copyOf(PROVIDERS.subList(0, 2 + random.nextInt(4))));
    }
    return out;
  }
}
