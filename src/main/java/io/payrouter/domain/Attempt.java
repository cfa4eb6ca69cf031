package io.payrouter.domain;

/**
 * One call of one charge at one PSP.
 *
 * @param declineCode the normalized decline code when {@code outcome} is declined, else null
 * @param providerCode the PSP's own code or status text, verbatim (never a token)
 */
public record Attempt(
    String id,
    String chargeId,
    int seq,
    String provider,
    AttemptOutcome outcome,
    long latencyMs,
    String error,
    String providerReference,
    DeclineCode declineCode,
    String providerCode) {

  /** The attempt as the write-ahead checkpoint records it: sent, no answer yet. */
  public static Attempt sent(String id, String chargeId, int seq, String provider, String providerReference) {
    return new Attempt(id, chargeId, seq, provider, AttemptOutcome.SENT, 0, null, providerReference, null, null);
  }

  /** This attempt settled by a later answer (webhook, inquiry). */
  public Attempt settledBy(PspResult r, String source) {
    return new Attempt(id, chargeId, seq, provider, AttemptOutcome.of(r.outcome()), latencyMs, "settled by " + source,
        r.providerReference() != null ? r.providerReference() : providerReference, r.declineCode(), r.providerCode());
  }
}
