package io.payrouter.routing;

/**
 * One line of a decision's explanation.
 *
 * @param kind {@code rule} (verdict matched / not matched), {@code candidate} (kept / dropped),
 *     {@code score} (adaptive score per candidate), {@code strategy} (how the order was made),
 *     or {@code result} (no route and why)
 * @param subject the rule or provider the line is about
 * @param verdict short outcome
 * @param reason why, in words
 */
public record TraceLine(String kind, String subject, String verdict, String reason) {
  public static final String RULE = "rule";
  public static final String CANDIDATE = "candidate";
  public static final String SCORE = "score";
  public static final String STRATEGY = "strategy";
  public static final String RESULT = "result";

  public static final String MATCHED = "matched";
  public static final String NOT_MATCHED = "not matched";
  public static final String KEPT = "kept";
  public static final String DROPPED = "dropped";
  public static final String NO_ROUTE = "no route";
}
