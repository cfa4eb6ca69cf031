package io.payrouter.rules;

import io.payrouter.metrics.Metrics;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.routing.HealthSnapshot;
import io.payrouter.routing.RoutingEngine;
import io.payrouter.routing.RoutingRules;
import io.payrouter.routing.ShadowComparison;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * Shadow routing rules on this instance: every live charge is also decided by them (pure, in
 * memory, with the same charge and health snapshot as the live decision) and the two decisions
 * are counted by pair. Nothing is ever sent anywhere because of a shadow: the live decision alone
 * goes on to the PSPs.
 *
 * <p>The shadow is stored in PostgreSQL (one row, with a generation number) and every instance
 * installs the newest generation within its database check; counts start at zero with each
 * generation. Each instance counts its own charges and tells the others in its beacons, so that
 * {@code GET /admin/routing/shadow} can add the fleet up.
 */
public final class ShadowRouting {

  /** Most diverging charges kept as examples (the newest). */
  static final int SAMPLES = 20;

  /**
   * A shadow as stored.
   *
   * @param generation its number (every installation gets a new one)
   * @param rules the parsed rules
   * @param raw the normalised document, as {@code GET /admin/routing} shows rules
   */
  public record Installed(long generation, RoutingRules rules, JsonObject raw, Instant installedAt, String installedBy) {}

  /** One (rule, shadow rule, provider, shadow provider) combination. */
  public record Pair(String rule, String shadowRule, String provider, String shadowProvider) {
    boolean diverged() {
      return !provider.equals(shadowProvider);
    }

    boolean is(ShadowComparison c) {
      return rule.equals(c.rule()) && shadowRule.equals(c.shadowRule()) && provider.equals(c.provider())
          && shadowProvider.equals(c.shadowProvider());
    }
  }

  /** A diverging charge, as an example for the operator. */
  public record Sample(String chargeId, String merchantId, long amount, String currency, String brand,
      String issuerCountry, Pair pair, Instant at) {}

  private record Counted(Pair pair, LongAdder n, Runnable metric) {}

  /** The counts of one generation. */
  private static final class Counts {
    final Installed installed;
    final Map<Pair, Counted> pairs = new ConcurrentHashMap<>();
    /** The pair counted last (charges mostly repeat one pair): a racy cache, any value is right. */
    volatile Counted last;
    /** The examples, a ring: slot {@code i % SAMPLES} holds the i-th diverging charge, newest wins. */
    final AtomicReferenceArray<Sample> samples = new AtomicReferenceArray<>(SAMPLES);
    final AtomicLong sampled = new AtomicLong();

    Counts(Installed installed) {
      this.installed = installed;
    }
  }

  private final Metrics metrics;
  private volatile Counts current;
  private volatile long refused = -1;

  public ShadowRouting(Metrics metrics) {
    this.metrics = metrics;
  }

  /** The shadow in force here, or null. */
  public Installed installed() {
    Counts c = current;
    return c == null ? null : c.installed;
  }

  /** The generation in force here, 0 when there is none. */
  public long generation() {
    Counts c = current;
    return c == null ? 0 : c.installed.generation();
  }

  /** A stored generation these rules could not be installed from here (logged once, not retried). */
  public void refuse(long generation) {
    refused = generation;
  }

  public long refused() {
    return refused;
  }

  /** Puts this shadow in force here, with fresh counts (the same generation again changes nothing). */
  public synchronized void install(Installed shadow) {
    Counts c = current;
    if (c != null && c.installed.generation() == shadow.generation()) return;
    current = new Counts(shadow);
  }

  /** Removes the shadow (if it is of that generation, or any with {@code generation} 0). */
  public synchronized void remove(long generation) {
    Counts c = current;
    if (c != null && (generation == 0 || c.installed.generation() == generation)) current = null;
  }

  /**
   * Decides the charge with the shadow rules too, and counts how the two compare. Per live charge,
   * so kept lean: only the shadow's choice is built ({@link RoutingEngine.Detail#CHOICE}), the
   * pair's counter is found without a map lookup while the pair repeats, and a diverging charge
   * takes a slot of the examples' ring without a lock.
   */
  public void observe(ChargeAttributes attributes, Decision live, HealthSnapshot health) {
    Counts c = current;
    if (c == null) return;
    Decision shadow = RoutingEngine.decide(attributes, c.installed.rules(), health, RoutingEngine.Detail.CHOICE);
    ShadowComparison cmp = ShadowComparison.of(live, shadow);
    Counted counted = c.last;
    if (counted == null || !counted.pair().is(cmp)) {
      Pair pair = new Pair(cmp.rule(), cmp.shadowRule(), cmp.provider(), cmp.shadowProvider());
      counted = c.pairs.computeIfAbsent(pair, p -> new Counted(p, new LongAdder(),
          metrics.shadowDecisions(p.rule(), p.shadowRule(), p.provider(), p.shadowProvider(), p.diverged())));
      c.last = counted;
    }
    counted.n().increment();
    counted.metric().run();
    if (cmp.diverged()) {
      c.samples.set((int) (c.sampled.getAndIncrement() % SAMPLES), new Sample(attributes.chargeId(),
          attributes.merchantId(), attributes.amount(), attributes.currency(), attributes.brand(),
          attributes.issuerCountry(), counted.pair(), Instant.now()));
    }
  }

  /**
   * This instance's counts, as its beacon carries them: {@code generation}, {@code decisions},
   * {@code diverged} and {@code pairs} (each {@code [rule, shadow rule, provider, shadow provider,
   * decisions]}); null when no shadow is in force.
   */
  public JsonObject counts() {
    Counts c = current;
    if (c == null) return null;
    JsonArray pairs = new JsonArray();
    long decisions = 0;
    long diverged = 0;
    for (Map.Entry<Pair, Counted> e : c.pairs.entrySet()) {
      Pair p = e.getKey();
      long n = e.getValue().n().sum();
      decisions += n;
      if (p.diverged()) diverged += n;
      pairs.add(new JsonArray().add(p.rule()).add(p.shadowRule()).add(p.provider()).add(p.shadowProvider()).add(n));
    }
    return new JsonObject().put("generation", c.installed.generation()).put("decisions", decisions)
        .put("diverged", diverged).put("pairs", pairs);
  }

  /** The newest diverging charges seen here, oldest first. */
  public List<Sample> samples() {
    Counts c = current;
    if (c == null) return List.of();
    long next = c.sampled.get();
    List<Sample> out = new ArrayList<>(SAMPLES);
    for (long i = Math.max(0, next - SAMPLES); i < next; i++) {
      Sample s = c.samples.get((int) (i % SAMPLES));
      if (s != null) out.add(s);
    }
    return out;
  }
}
