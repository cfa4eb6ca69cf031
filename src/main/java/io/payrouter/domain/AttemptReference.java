package io.payrouter.domain;

/**
 * The merchant reference the router sends a PSP for one attempt (Revio {@code reference}, PayCore
 * {@code reference_id}, Fatora {@code order_id}, Dintero {@code merchant_reference}, ProcessOut
 * {@code order_id}). Every attempt gets its own: the charge id for the first attempt, the charge id
 * plus {@code -<seq>} for later ones ({@code ch_X-2}). A retry after {@code failed} therefore never
 * reuses a reference a PSP has seen (PayCore and Dintero reject duplicates; Fatora's verify would
 * report the earlier attempt), and an inquiry or a webhook names exactly one attempt.
 */
public final class AttemptReference {
  private AttemptReference() {}

  /** The reference of attempt {@code seq} (1-based) of a charge. */
  public static String of(String chargeId, int seq) {
    if (seq < 1) throw new IllegalArgumentException("seq must be >= 1");
    return seq == 1 ? chargeId : chargeId + '-' + seq;
  }

  /** The charge id a reference belongs to (the reference itself for a first attempt). */
  public static String chargeId(String reference) {
    if (reference == null) return null;
    int dash = reference.lastIndexOf('-');
    if (dash <= 0 || dash == reference.length() - 1) return reference;
    for (int i = dash + 1; i < reference.length(); i++) {
      if (!Character.isDigit(reference.charAt(i))) return reference;
    }
    return reference.substring(0, dash);
  }

  /** The attempt number a reference names (1 for a bare charge id). */
  public static int seq(String reference) {
    String charge = chargeId(reference);
    if (charge == null || charge.length() == reference.length()) return 1;
    try {
      return Integer.parseInt(reference.substring(charge.length() + 1));
    } catch (NumberFormatException e) {
      return 1;
    }
  }
}
