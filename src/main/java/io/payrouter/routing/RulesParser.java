package io.payrouter.routing;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Validates a routing rules document (already parsed from YAML or JSON into maps, lists, strings,
 * numbers and booleans) into {@link RoutingRules}, or reports every problem at once, each with its
 * path ({@code rules[1].when.currency[0]}).
 *
 * <pre>
 * rules:                                  # first match wins
 *   - name: nordic                        # required, unique
 *     description: optional text
 *     when: { currency: [NOK, SEK], brand: [visa], amount: { min: 1, max: 500000 },
 *             merchant: [acme], issuer_country: [NO], metadata: { tier: [gold, silver] } }
 *     strategy: priority                  # priority (default) | weighted | adaptive | least_cost
 *     providers: [dintero, processout]    # weighted: [ { name: revio, weight: 70 }, ... ]
 *     failover: { on_soft_decline: true, max_attempts: 2 }     # optional override
 *     adaptive: { exploration: 0.05, window_seconds: 30, latency_penalty: 0.05,
 *                 tolerance: 0.02, prior_weight: 10, cost_weight: 0 }  # optional, adaptive only
 * failover: { max_attempts: 3, on_soft_decline: false }        # optional, these defaults
 * version: 7                              # optional, ignored (the store assigns versions)
 * </pre>
 *
 * A scalar is accepted where a list is expected. A rule without {@code when} matches everything
 * and must be last; rules that can never match (after a catch-all, or whose conditions are
 * covered by an earlier rule's) are problems.
 *
 * <p>The document is plain Java: {@link Map}s and {@link List}s all the way down (the caller turns
 * JSON objects and arrays into them first; this class knows no JSON library). Integer fields
 * (amount bounds in minor units, weights, attempts, window) take any integral number, whether it
 * was read as an Integer, a Long, a BigInteger, a BigDecimal or a double such as {@code 500000.0}
 * (below 2^53, where a double is exact); a fraction, or a double too large to be exact, is a
 * problem. They are held as integers, never as floating point.
 */
public final class RulesParser {
  /** Card brands a {@code brand} condition may name. */
  public static final List<String> BRANDS =
      List.of("visa", "mastercard", "amex", "discover", "jcb", "unionpay", "diners", "maestro");
  /** Default {@code failover.max_attempts}. */
  public static final int DEFAULT_MAX_ATTEMPTS = 3;
  /** Largest allowed {@code max_attempts}. */
  public static final int MAX_ATTEMPTS_LIMIT = 10;
  /** Largest allowed weight. */
  public static final int MAX_WEIGHT = 1_000_000;

  static final List<String> TOP_KEYS = List.of("rules", "failover", "version");
  static final List<String> RULE_KEYS =
      List.of("name", "description", "when", "strategy", "providers", "failover", "adaptive");
  static final List<String> WHEN_KEYS =
      List.of("currency", "brand", "amount", "merchant", "issuer_country", "metadata");
  static final List<String> AMOUNT_KEYS = List.of("min", "max");
  static final List<String> PROVIDER_KEYS = List.of("name", "weight");
  static final List<String> FAILOVER_KEYS = List.of("max_attempts", "on_soft_decline");
  static final List<String> ADAPTIVE_KEYS =
      List.of("exploration", "window_seconds", "latency_penalty", "tolerance", "prior_weight", "cost_weight");
  static final List<String> STRATEGIES = List.of("priority", "weighted", "adaptive", "least_cost");

  private RulesParser() {}

  /**
   * Parses and validates a rules document.
   *
   * @param raw the document as maps/lists/scalars
   * @param knownProviders provider names that rules may list
   * @param knownCurrencies ISO 4217 codes a currency condition may name
   * @return the rules (version 0) or every problem found
   */
  public static ParseResult parse(Object raw, Set<String> knownProviders, Set<String> knownCurrencies) {
    return new Parsing(Set.copyOf(knownProviders), Set.copyOf(knownCurrencies)).run(raw);
  }

  /** Effective failover settings at one level. */
  private record FailoverSettings(int maxAttempts, boolean onSoftDecline) {}

  /** One element of a value-or-list, with its path. */
  private record Item(Object value, String path) {}

  /** What is known about one rule while validating the whole list. */
  private static final class Draft {
    final String path;
    boolean isMap;
    String name;
    Conditions when;
    boolean whenOk;
    Integer explicitWindow;
    Rule rule;

    Draft(String path) {
      this.path = path;
    }

    String label() {
      return name == null ? path : "'" + name + "' (" + path + ")";
    }
  }

  /** One parse: collects problems. */
  private static final class Parsing {
    private final Set<String> knownProviders;
    private final Set<String> knownCurrencies;
    private final List<RuleProblem> problems = new ArrayList<>();

    Parsing(Set<String> knownProviders, Set<String> knownCurrencies) {
      this.knownProviders = knownProviders;
      this.knownCurrencies = knownCurrencies;
    }

    ParseResult run(Object raw) {
      if (!(raw instanceof Map<?, ?> top)) {
        add("$", "must be a map with a 'rules' list, got " + typeName(raw));
        return new ParseResult(null, problems);
      }
      unknownKeys(top, TOP_KEYS, "", Map.of(
          "max_attempts", "failover.max_attempts", "on_soft_decline", "failover.on_soft_decline"));
      FailoverSettings global = parseFailover(top, "failover",
          new FailoverSettings(DEFAULT_MAX_ATTEMPTS, false));
      if (top.containsKey("version") && nonNegativeInteger(top.get("version")) == null) {
        add("version", "must be a non-negative integer (it is ignored: the store assigns versions), "
          + got(top.get("version")));
      }
      List<Draft> drafts = parseRules(top, global);
      checkNames(drafts);
      checkReachability(drafts);
      int window = checkWindows(drafts);
      if (!problems.isEmpty()) return new ParseResult(null, problems);
      List<Rule> rules = new ArrayList<>(drafts.size());
      for (Draft d : drafts) rules.add(d.rule);
      return new ParseResult(
          new RoutingRules(0, rules, global.maxAttempts(), global.onSoftDecline(), window), problems);
    }

    // ---- rules list ------------------------------------------------------------------------

    private List<Draft> parseRules(Map<?, ?> top, FailoverSettings global) {
      if (!top.containsKey("rules")) {
        add("rules", "is required: a list of rules (first match wins)");
        return List.of();
      }
      if (!(top.get("rules") instanceof List<?> list)) {
        String hint = top.get("rules") instanceof Map<?, ?> inner && inner.containsKey("rules")
            ? " (a whole document nested under 'rules': beside it only 'version' and 'source' may stand)" : "";
        add("rules", "must be a list of rules, got " + typeName(top.get("rules")) + hint);
        return List.of();
      }
      if (list.isEmpty()) add("rules", "must contain at least one rule");
      List<Draft> drafts = new ArrayList<>(list.size());
      for (int i = 0; i < list.size(); i++) {
        drafts.add(parseRule(list.get(i), "rules[" + i + "]", global));
      }
      return drafts;
    }

    private Draft parseRule(Object raw, String path, FailoverSettings global) {
      Draft d = new Draft(path);
      if (!(raw instanceof Map<?, ?> m)) {
        add(path, "must be a map with name, when, strategy and providers, got " + typeName(raw));
        return d;
      }
      d.isMap = true;
      int problemsBefore = problems.size();
      Map<String, String> misplaced = new HashMap<>();
      for (String k : WHEN_KEYS) misplaced.put(k, "when." + k);
      misplaced.put("weights", "providers[].weight");
      misplaced.put("max_attempts", "failover.max_attempts");
      misplaced.put("on_soft_decline", "failover.on_soft_decline");
      misplaced.put("exploration", "adaptive.exploration");
      unknownKeys(m, RULE_KEYS, path, misplaced);

      d.name = parseName(m, path);
      if (m.containsKey("description") && !(m.get("description") instanceof String)) {
        add(path + ".description", "must be a string, got " + typeName(m.get("description")));
      }
      boolean strategyOk = true;
      Strategy strategy = Strategy.PRIORITY;
      if (m.containsKey("strategy")) {
        strategy = parseStrategy(m.get("strategy"), path + ".strategy");
        strategyOk = strategy != null;
      }
      int whenProblems = problems.size();
      d.when = m.containsKey("when") ? parseWhen(m.get("when"), path + ".when") : Conditions.ANY;
      d.whenOk = problems.size() == whenProblems;
      List<RuleProvider> providers = parseProviders(m, path + ".providers", strategy, strategyOk);
      FailoverSettings failover = parseFailover(m, path + ".failover", global);
      AdaptiveSettings adaptive = parseAdaptive(m, path + ".adaptive", strategy, strategyOk, d);

      if (problems.size() == problemsBefore) {
        d.rule = new Rule(d.name, d.when, strategy, providers, failover.maxAttempts(),
            failover.onSoftDecline(), adaptive);
      }
      return d;
    }

    private String parseName(Map<?, ?> m, String path) {
      String p = path + ".name";
      if (!m.containsKey("name")) {
        add(p, "is required: every rule needs a unique name");
        return null;
      }
      Object v = m.get("name");
      if (!(v instanceof String s)) {
        add(p, "must be a string, got " + typeName(v) + quoteHint(v));
        return null;
      }
      if (s.isBlank()) {
        add(p, "must not be empty");
        return null;
      }
      return s;
    }

    private Strategy parseStrategy(Object v, String path) {
      if (!(v instanceof String s)) {
        add(path, "must be one of " + STRATEGIES + ", got " + typeName(v));
        return null;
      }
      Strategy strategy = Strategy.fromConfigName(s);
      if (strategy == null) {
        add(path, "unknown strategy '" + s + "'" + Suggest.hint(s, STRATEGIES)
            + "; one of " + STRATEGIES);
      }
      return strategy;
    }

    private void checkNames(List<Draft> drafts) {
      Map<String, Draft> byName = new HashMap<>();
      for (Draft d : drafts) {
        if (d.name == null) continue;
        Draft first = byName.putIfAbsent(d.name, d);
        if (first != null) {
          add(d.path + ".name", "duplicate rule name '" + d.name + "' (also " + first.path + ")");
        }
      }
    }

    private void checkReachability(List<Draft> drafts) {
      for (int i = 0; i < drafts.size(); i++) {
        Draft later = drafts.get(i);
        if (!later.isMap) continue;
        for (int j = 0; j < i; j++) {
          Draft earlier = drafts.get(j);
          if (!earlier.isMap || !earlier.whenOk) continue;
          if (earlier.when.isCatchAll()) {
            add(later.path, "unreachable: rule " + earlier.label()
                + " before it has no conditions and matches every charge (a catch-all rule must be last)");
            break;
          }
          if (!later.whenOk) continue;
          if (earlier.when.equals(later.when)) {
            add(later.path + ".when", "unreachable: same conditions as rule " + earlier.label()
                + ", which comes first");
            break;
          }
          if (earlier.when.covers(later.when)) {
            add(later.path + ".when", "unreachable: every charge it matches is already matched by rule "
                + earlier.label() + ", which comes first");
            break;
          }
        }
      }
    }

    /** All adaptive rules must share one window (health is tracked per provider); returns it. */
    private int checkWindows(List<Draft> drafts) {
      Draft first = null;
      for (Draft d : drafts) {
        if (d.explicitWindow == null) continue;
        if (first == null) {
          first = d;
        } else if (!first.explicitWindow.equals(d.explicitWindow)) {
          add(d.path + ".adaptive.window_seconds", "is " + d.explicitWindow + " but "
              + first.path + " uses " + first.explicitWindow
              + ": health is tracked per provider, so all adaptive rules share one window");
        }
      }
      return first == null ? AdaptiveSettings.DEFAULT.windowSeconds() : first.explicitWindow;
    }

    // ---- when ------------------------------------------------------------------------------

    private Conditions parseWhen(Object v, String path) {
      if (!(v instanceof Map<?, ?> m)) {
        add(path, "must be a map of conditions (omit 'when' for a catch-all rule), got " + typeName(v));
        return Conditions.ANY;
      }
      unknownKeys(m, WHEN_KEYS, path, Map.of("currencies", "currency", "brands", "brand",
          "country", "issuer_country", "merchants", "merchant", "merchant_id", "merchant"));
      Set<String> currencies = m.containsKey("currency")
          ? parseCurrencies(m.get("currency"), path + ".currency") : Set.of();
      Set<String> brands = m.containsKey("brand")
          ? parseBrands(m.get("brand"), path + ".brand") : Set.of();
      long[] amount = m.containsKey("amount")
          ? parseAmount(m.get("amount"), path + ".amount") : new long[] {0, Long.MAX_VALUE};
      Set<String> merchants = m.containsKey("merchant")
          ? parseStrings(m.get("merchant"), path + ".merchant") : Set.of();
      Set<String> countries = m.containsKey("issuer_country")
          ? parseCountries(m.get("issuer_country"), path + ".issuer_country") : Set.of();
      Map<String, Set<String>> metadata = m.containsKey("metadata")
          ? parseMetadata(m.get("metadata"), path + ".metadata") : Map.of();
      return new Conditions(currencies, brands, amount[0], amount[1], merchants, countries, metadata);
    }

    private Set<String> parseCurrencies(Object v, String path) {
      Set<String> out = new LinkedHashSet<>();
      for (Item item : items(v, path)) {
        String s = string(item);
        if (s == null) continue;
        if (!knownCurrencies.contains(s)) {
          add(item.path(), "unknown currency '" + s + "'" + Suggest.hint(s, knownCurrencies)
              + "; use an ISO 4217 code such as USD");
        } else {
          out.add(s);
        }
      }
      return out;
    }

    private Set<String> parseBrands(Object v, String path) {
      Set<String> out = new LinkedHashSet<>();
      for (Item item : items(v, path)) {
        String s = string(item);
        if (s == null) continue;
        if (!BRANDS.contains(s)) {
          add(item.path(), "unknown brand '" + s + "'" + Suggest.hint(s, BRANDS) + "; one of " + BRANDS);
        } else {
          out.add(s);
        }
      }
      return out;
    }

    private Set<String> parseCountries(Object v, String path) {
      Set<String> out = new LinkedHashSet<>();
      for (Item item : items(v, path)) {
        String s = string(item);
        if (s == null) continue;
        if (!s.matches("[A-Z]{2}")) {
          String upper = s.toUpperCase(java.util.Locale.ROOT);
          String hint = upper.matches("[A-Z]{2}") ? " (did you mean '" + upper + "'?)" : "";
          add(item.path(), "must be 2 upper-case letters (ISO 3166 alpha-2), got '" + s + "'" + hint);
        } else {
          out.add(s);
        }
      }
      return out;
    }

    private Set<String> parseStrings(Object v, String path) {
      Set<String> out = new LinkedHashSet<>();
      for (Item item : items(v, path)) {
        String s = string(item);
        if (s != null) out.add(s);
      }
      return out;
    }

    private long[] parseAmount(Object v, String path) {
      long[] range = {0, Long.MAX_VALUE};
      if (!(v instanceof Map<?, ?> m)) {
        add(path, "must be a map { min, max } in minor units, got " + typeName(v));
        return range;
      }
      unknownKeys(m, AMOUNT_KEYS, path, Map.of("minimum", "min", "maximum", "max"));
      if (!m.containsKey("min") && !m.containsKey("max")) {
        add(path, "must set min and/or max (minor units, inclusive)");
      }
      Long min = amountBound(m, "min", path);
      Long max = amountBound(m, "max", path);
      if (min != null) range[0] = min;
      if (max != null) range[1] = max;
      if (min != null && max != null && min > max) {
        add(path, "min " + min + " is greater than max " + max);
      }
      return range;
    }

    private Long amountBound(Map<?, ?> m, String key, String path) {
      if (!m.containsKey(key)) return null;
      Long value = nonNegativeInteger(m.get(key));
      if (value == null) {
        add(path + "." + key, "must be a non-negative integer in minor units, " + got(m.get(key)));
      }
      return value;
    }

    private Map<String, Set<String>> parseMetadata(Object v, String path) {
      Map<String, Set<String>> out = new LinkedHashMap<>();
      if (!(v instanceof Map<?, ?> m)) {
        add(path, "must be a map of metadata key to a value or list of values, got " + typeName(v));
        return out;
      }
      if (m.isEmpty()) add(path, "must not be empty (omit 'metadata' for no condition)");
      for (Map.Entry<?, ?> e : m.entrySet()) {
        if (!(e.getKey() instanceof String key) || key.isBlank()) {
          add(path, "keys must be non-empty strings, got " + typeName(e.getKey()) + " " + e.getKey());
          continue;
        }
        Set<String> values = parseStrings(e.getValue(), path + "." + key);
        if (!values.isEmpty()) out.put(key, values);
      }
      return out;
    }

    // ---- providers -------------------------------------------------------------------------

    private List<RuleProvider> parseProviders(
        Map<?, ?> m, String path, Strategy strategy, boolean strategyOk) {
      if (!m.containsKey("providers")) {
        add(path, "is required: a list of provider names");
        return List.of();
      }
      Object v = m.get("providers");
      List<?> list = v instanceof List<?> l ? l : v instanceof String ? List.of(v) : null;
      if (list == null) {
        add(path, "must be a list of provider names or { name, weight } maps, got " + typeName(v));
        return List.of();
      }
      if (list.isEmpty()) add(path, "must list at least one provider");
      List<RuleProvider> out = new ArrayList<>();
      Map<String, String> seen = new HashMap<>();
      boolean weightsComplete = true;
      long totalWeight = 0;
      for (int i = 0; i < list.size(); i++) {
        String itemPath = v instanceof List ? path + "[" + i + "]" : path;
        Object entry = list.get(i);
        String name = null;
        Integer weight = null;
        boolean hasWeight = false;
        if (entry instanceof String s) {
          name = s;
        } else if (entry instanceof Map<?, ?> pm) {
          unknownKeys(pm, PROVIDER_KEYS, itemPath, Map.of("provider", "name", "share", "weight"));
          if (pm.get("name") instanceof String s) {
            name = s;
          } else {
            add(itemPath + ".name", pm.containsKey("name")
                ? "must be a string, got " + typeName(pm.get("name")) : "is required");
          }
          hasWeight = pm.containsKey("weight");
          if (hasWeight) weight = parseWeight(pm.get("weight"), itemPath + ".weight", strategy, strategyOk);
        } else {
          add(itemPath, "must be a provider name or { name, weight }, got " + typeName(entry));
        }
        if (name != null) checkProviderName(name, itemPath, seen);
        if (strategyOk && strategy == Strategy.WEIGHTED) {
          if (!hasWeight && (entry instanceof String || entry instanceof Map)) {
            add(itemPath, "strategy weighted needs a weight: write { name: "
                + (name == null ? "..." : name) + ", weight: 50 }");
          }
          if (weight == null) weightsComplete = false;
          else totalWeight += weight;
        }
        out.add(new RuleProvider(name, weight == null ? 1 : weight));
      }
      if (strategyOk && strategy == Strategy.WEIGHTED && weightsComplete && !list.isEmpty()
          && totalWeight == 0) {
        add(path, "weights must not all be 0");
      }
      return out;
    }

    private Integer parseWeight(Object v, String path, Strategy strategy, boolean strategyOk) {
      if (strategyOk && strategy != Strategy.WEIGHTED) {
        add(path, "weights are only used by strategy weighted; this rule is " + strategy.configName());
        return null;
      }
      Long w = nonNegativeInteger(v);
      if (w == null || w > MAX_WEIGHT) {
        add(path, "must be an integer 0.." + MAX_WEIGHT + ", " + got(v));
        return null;
      }
      return w.intValue();
    }

    private void checkProviderName(String name, String path, Map<String, String> seen) {
      if (!knownProviders.contains(name)) {
        add(path, "unknown provider '" + name + "'" + Suggest.hint(name, knownProviders)
            + "; known: " + new TreeSet<>(knownProviders));
        return;
      }
      String first = seen.putIfAbsent(name, path);
      if (first != null) add(path, "duplicate provider '" + name + "' (also " + first + ")");
    }

    // ---- failover and adaptive -------------------------------------------------------------

    private FailoverSettings parseFailover(Map<?, ?> parent, String path, FailoverSettings inherited) {
      if (!parent.containsKey("failover")) return inherited;
      Object v = parent.get("failover");
      if (!(v instanceof Map<?, ?> m)) {
        add(path, "must be a map { max_attempts, on_soft_decline }, got " + typeName(v));
        return inherited;
      }
      unknownKeys(m, FAILOVER_KEYS, path, Map.of("attempts", "max_attempts", "max_retries", "max_attempts"));
      int maxAttempts = inherited.maxAttempts();
      if (m.containsKey("max_attempts")) {
        Long n = nonNegativeInteger(m.get("max_attempts"));
        if (n == null || n < 1 || n > MAX_ATTEMPTS_LIMIT) {
          add(path + ".max_attempts", "must be an integer 1.." + MAX_ATTEMPTS_LIMIT + ", "
              + got(m.get("max_attempts")));
        } else {
          maxAttempts = n.intValue();
        }
      }
      boolean onSoft = inherited.onSoftDecline();
      if (m.containsKey("on_soft_decline")) {
        if (m.get("on_soft_decline") instanceof Boolean b) {
          onSoft = b;
        } else {
          add(path + ".on_soft_decline", "must be true or false, got " + typeName(m.get("on_soft_decline")));
        }
      }
      return new FailoverSettings(maxAttempts, onSoft);
    }

    private AdaptiveSettings parseAdaptive(
        Map<?, ?> rule, String path, Strategy strategy, boolean strategyOk, Draft d) {
      if (!rule.containsKey("adaptive")) return AdaptiveSettings.DEFAULT;
      if (strategyOk && strategy != Strategy.ADAPTIVE) {
        add(path, "is only used by strategy adaptive; this rule is " + strategy.configName());
        return AdaptiveSettings.DEFAULT;
      }
      Object v = rule.get("adaptive");
      if (!(v instanceof Map<?, ?> m)) {
        add(path, "must be a map " + ADAPTIVE_KEYS + ", got " + typeName(v));
        return AdaptiveSettings.DEFAULT;
      }
      unknownKeys(m, ADAPTIVE_KEYS, path, Map.of("window", "window_seconds", "explore", "exploration"));
      AdaptiveSettings def = AdaptiveSettings.DEFAULT;
      double exploration = fraction(m, "exploration", path, 0, 0.5, def.exploration());
      double latencyPenalty = fraction(m, "latency_penalty", path, 0, 1, def.latencyPenalty());
      double tolerance = fraction(m, "tolerance", path, 0, 0.5, def.tolerance());
      double priorWeight = fraction(m, "prior_weight", path, 0.001, 1000, def.priorWeight());
      double costWeight = fraction(m, "cost_weight", path, 0, 1, def.costWeight());
      int window = def.windowSeconds();
      if (m.containsKey("window_seconds")) {
        Long w = nonNegativeInteger(m.get("window_seconds"));
        if (w == null || w < 5 || w > ProviderStats.MAX_WINDOW_SECONDS) {
          add(path + ".window_seconds", "must be an integer 5.." + ProviderStats.MAX_WINDOW_SECONDS
              + ", " + got(m.get("window_seconds")));
        } else {
          window = w.intValue();
          d.explicitWindow = window;
        }
      }
      return new AdaptiveSettings(exploration, window, latencyPenalty, tolerance, priorWeight, costWeight);
    }

    private double fraction(Map<?, ?> m, String key, String path, double min, double max, double def) {
      if (!m.containsKey(key)) return def;
      Object v = m.get(key);
      if (v instanceof Number n && !(v instanceof Double dd && dd.isNaN())
          && n.doubleValue() >= min && n.doubleValue() <= max) {
        return n.doubleValue();
      }
      add(path + "." + key, "must be a number " + min + ".." + max + ", got " + typeName(v) + " " + v);
      return def;
    }

    // ---- helpers ---------------------------------------------------------------------------

    private void add(String path, String message) {
      problems.add(new RuleProblem(path, message));
    }

    private void unknownKeys(Map<?, ?> m, List<String> allowed, String path, Map<String, String> misplaced) {
      for (Object k : m.keySet()) {
        String key = String.valueOf(k);
        if (k instanceof String && allowed.contains(key)) continue;
        String hint = Suggest.hint(key, allowed);
        if (hint.isEmpty() && misplaced.containsKey(key)) {
          hint = " (did you mean '" + misplaced.get(key) + "'?)";
        }
        add(path.isEmpty() ? key : path + "." + key,
            "unknown key '" + key + "'" + hint + "; allowed: " + allowed);
      }
    }

    /** A value or a list of values, each with its path; a scalar counts as a one-element list. */
    private List<Item> items(Object v, String path) {
      if (v instanceof List<?> list) {
        if (list.isEmpty()) add(path, "must not be empty (omit the key for no condition)");
        List<Item> out = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) out.add(new Item(list.get(i), path + "[" + i + "]"));
        return out;
      }
      if (v == null || v instanceof Map) {
        add(path, "must be a value or a list of values, got " + typeName(v));
        return List.of();
      }
      return List.of(new Item(v, path));
    }

    private String string(Item item) {
      Object v = item.value();
      if (v instanceof String s && !s.isBlank()) return s;
      if (v instanceof String) {
        add(item.path(), "must not be empty");
      } else {
        add(item.path(), "must be a string, got " + typeName(v) + " " + v + quoteHint(v));
      }
      return null;
    }
  }

  private static String quoteHint(Object v) {
    if (v instanceof Boolean) {
      return " (YAML reads unquoted yes/no/on/off/true/false, and NO for Norway, as booleans: quote it)";
    }
    if (v instanceof Number) return " (quote it to make it a string)";
    return "";
  }

  /** 2^53: an integer written below it reads as exactly that double; from it on, neighbours round together. */
  static final double MAX_EXACT_DOUBLE = 9_007_199_254_740_992d;

  /**
   * The value as a non-negative long if it is an integral number (of an integer type, an integral
   * BigDecimal, or an integral double or float below 2^53, as JSON readers give {@code 3.0}),
   * else null.
   */
  static Long nonNegativeInteger(Object v) {
    Long n = null;
    if (v instanceof Integer || v instanceof Long || v instanceof Short || v instanceof Byte) {
      n = ((Number) v).longValue();
    } else if (v instanceof BigInteger b && b.bitLength() < 64) {
      n = b.longValue();
    } else if (v instanceof BigDecimal d) {
      try {
        n = d.longValueExact();
      } catch (ArithmeticException e) {
        n = null;
      }
    } else if (v instanceof Double || v instanceof Float) {
      double d = ((Number) v).doubleValue();
      if (Double.isFinite(d) && d == Math.rint(d) && Math.abs(d) < MAX_EXACT_DOUBLE) n = (long) d;
    }
    return n == null || n < 0 ? null : n;
  }

  /** "got a number 10.5 (a fraction: ...)" and the like: what an integer field was given instead. */
  static String got(Object v) {
    String s = "got " + typeName(v) + (v == null ? "" : " " + v);
    if (!(v instanceof Number n)) return s;
    if (v instanceof Double || v instanceof Float || v instanceof BigDecimal) {
      double d = n.doubleValue();
      if (Double.isFinite(d) && d != Math.rint(d)) return s + " (a fraction: write a whole number)";
      if (!(v instanceof BigDecimal) && Math.abs(d) >= MAX_EXACT_DOUBLE) {
        return s + " (a decimal number this large is not exact: write the integer digits, without a"
            + " fraction or exponent)";
      }
    }
    if (n.doubleValue() < 0) return s + " (negative)";
    return s;
  }

  static String typeName(Object v) {
    if (v == null) return "nothing";
    if (v instanceof String) return "a string";
    if (v instanceof Boolean) return "a boolean";
    if (v instanceof Number) return "a number";
    if (v instanceof List) return "a list";
    if (v instanceof Map) return "a map";
    return v.getClass().getSimpleName();
  }
}
