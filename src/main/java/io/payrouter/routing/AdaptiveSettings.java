package io.payrouter.routing;

/**
 * Tuning of strategy adaptive (rules file key {@code adaptive}).
 *
 * <p>Score of a candidate = {@code (successes + priorWeight * pooled) / (samples + priorWeight)
 * - latencyPenalty * p50Seconds}, where {@code pooled} is the success rate of all the rule's
 * candidates together (so a provider with few samples starts at the group's level, not at 0 or 1).
 * Candidates within {@code tolerance} of the best score count as equally good and keep the rule's
 * listed order (no flapping on noise); the rest follow by score. A share {@code exploration} of
 * charges (chosen by charge id hash) goes first to a non-top candidate so its numbers stay fresh.
 *
 * @param exploration share of charges sent first to a non-top candidate, 0..0.5 (default 0.05)
 * @param windowSeconds window of the health numbers, 5..300 s (default 30)
 * @param latencyPenalty score subtracted per second of p50 latency (default 0.05)
 * @param tolerance score difference treated as a tie (default 0.02)
 * @param priorWeight strength of the pooled prior in samples (default 10)
 * @param costWeight how much fees count, 0..1 (default 0: not at all). The success part of the
 *     score becomes the expected value per unit of amount, {@code rate * (amount - costWeight * fee) / amount}:
 *     at 1 it ranks by success probability times what the merchant keeps, {@code p * (amount - fee)}
 *     (the expected-value formula of Juspay's decision engine). A candidate with no known fee counts as fee 0.
 */
public record AdaptiveSettings(
    double exploration, int windowSeconds, double latencyPenalty, double tolerance, double priorWeight,
    double costWeight) {

  /** The defaults: 5% exploration, 30 s window, 0.05 per second of p50, 0.02 tolerance, prior 10, fees not counted. */
  public static final AdaptiveSettings DEFAULT = new AdaptiveSettings(0.05, 30, 0.05, 0.02, 10, 0);

  public AdaptiveSettings(double exploration, int windowSeconds, double latencyPenalty, double tolerance, double priorWeight) {
    this(exploration, windowSeconds, latencyPenalty, tolerance, priorWeight, 0);
  }
}
