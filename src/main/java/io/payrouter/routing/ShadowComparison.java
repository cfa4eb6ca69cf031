package io.payrouter.routing;

/**
 * How a live decision and the shadow rules' decision for the same charge compare (issue 19,
 * "shadow"). Pure: the caller decides both with the same charge and the same health snapshot.
 *
 * <p>A charge <em>diverges</em> when the provider it would be sent to first differs: another
 * provider, or a route on one side and none on the other. A different rule name with the same
 * first provider is counted in the rule pairs but is not a divergence: no money would move
 * differently.
 *
 * @param rule the matched rule in force, {@link #NONE} when no rule matched
 * @param shadowRule the matched shadow rule, {@link #NONE} when none matched
 * @param provider the provider tried first in force, {@link #NONE} when there is no route
 * @param shadowProvider the provider the shadow rules would try first, {@link #NONE} when none
 * @param diverged {@code provider} and {@code shadowProvider} differ
 */
public record ShadowComparison(String rule, String shadowRule, String provider, String shadowProvider, boolean diverged) {

  /** Stands for "no rule matched" and "no route" in the pairs. */
  public static final String NONE = "none";

  public static ShadowComparison of(Decision live, Decision shadow) {
    String p = first(live);
    String s = first(shadow);
    return new ShadowComparison(name(live.rule()), name(shadow.rule()), p, s, !p.equals(s));
  }

  private static String first(Decision d) {
    return d.candidates().isEmpty() ? NONE : d.candidates().get(0);
  }

  private static String name(String rule) {
    return rule == null ? NONE : rule;
  }
}
