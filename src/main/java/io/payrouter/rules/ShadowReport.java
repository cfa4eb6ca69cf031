package io.payrouter.rules;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The fleet's shadow counts added up (pure): each instance's counts ({@link ShadowRouting#counts()},
 * its own or from its beacon) of one generation; counts of another generation (an instance that
 * has not installed the newest yet, or still runs an older one) are left out and named.
 */
public final class ShadowReport {

  private ShadowReport() {}

  /** Pairs kept in the answer (the most frequent); the metrics have them all. */
  static final int MAX_PAIRS = 200;

  /**
   * @param generation the shadow in force
   * @param byInstance each instance's counts (null: that instance runs no shadow)
   * @return {@code decisions}, {@code diverged}, {@code diverged_share}, {@code pairs} (each rule
   *     pair and provider pair: {@code rule, shadow_rule, provider, shadow_provider, decisions,
   *     diverged}), {@code rule_pairs}, {@code provider_pairs}, and {@code instances} (each with
   *     its own figures, or {@code generation} when it was not counted)
   */
  public static JsonObject of(long generation, Map<String, JsonObject> byInstance) {
    long decisions = 0;
    long diverged = 0;
    Map<List<String>, Long> pairs = new LinkedHashMap<>();
    JsonArray instances = new JsonArray();
    for (Map.Entry<String, JsonObject> e : byInstance.entrySet()) {
      JsonObject c = e.getValue();
      long g = c == null ? 0 : c.getLong("generation", 0L);
      JsonObject line = new JsonObject().put("instance", e.getKey());
      if (g != generation) {
        instances.add(line.put("counted", false).put("generation", g));
        continue;
      }
      long d = c.getLong("decisions", 0L);
      long v = c.getLong("diverged", 0L);
      decisions += d;
      diverged += v;
      instances.add(line.put("counted", true).put("decisions", d).put("diverged", v));
      for (Object o : c.getJsonArray("pairs", new JsonArray())) {
        JsonArray p = (JsonArray) o;
        List<String> key = List.of(p.getString(0), p.getString(1), p.getString(2), p.getString(3));
        pairs.merge(key, p.getLong(4), Long::sum);
      }
    }
    List<Map.Entry<List<String>, Long>> sorted = new ArrayList<>(pairs.entrySet());
    sorted.sort(Map.Entry.<List<String>, Long>comparingByValue(Comparator.reverseOrder())
        .thenComparing(x -> String.join("\u0000", x.getKey())));
    JsonArray full = new JsonArray();
    Map<List<String>, long[]> rules = new LinkedHashMap<>();
    Map<List<String>, long[]> providers = new LinkedHashMap<>();
    for (Map.Entry<List<String>, Long> e : sorted) {
      List<String> k = e.getKey();
      long n = e.getValue();
      boolean div = !k.get(2).equals(k.get(3));
      if (full.size() < MAX_PAIRS) {
        full.add(new JsonObject().put("rule", k.get(0)).put("shadow_rule", k.get(1)).put("provider", k.get(2))
            .put("shadow_provider", k.get(3)).put("decisions", n).put("diverged", div));
      }
      long[] r = rules.computeIfAbsent(List.of(k.get(0), k.get(1)), x -> new long[2]);
      r[0] += n;
      if (div) r[1] += n;
      providers.computeIfAbsent(List.of(k.get(2), k.get(3)), x -> new long[1])[0] += n;
    }
    JsonArray rulePairs = new JsonArray();
    rules.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> rulePairs.add(new JsonObject().put("rule", e.getKey().get(0)).put("shadow_rule", e.getKey().get(1))
            .put("decisions", e.getValue()[0]).put("diverged", e.getValue()[1])));
    JsonArray providerPairs = new JsonArray();
    providers.entrySet().stream().sorted((a, b) -> Long.compare(b.getValue()[0], a.getValue()[0]))
        .forEach(e -> providerPairs.add(new JsonObject().put("provider", e.getKey().get(0))
            .put("shadow_provider", e.getKey().get(1)).put("decisions", e.getValue()[0])
            .put("diverged", !e.getKey().get(0).equals(e.getKey().get(1)))));
    return new JsonObject().put("decisions", decisions).put("diverged", diverged)
        .put("diverged_share", decisions == 0 ? 0.0 : Math.round(10_000.0 * diverged / decisions) / 10_000.0)
        .put("pairs", full).put("rule_pairs", rulePairs).put("provider_pairs", providerPairs).put("instances", instances);
  }
}
