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

  /**
   * This attempt settled by a later answer (webhook, reconciler). A success or a decline carries
   * no error (what settled it is the charge's {@code settled_by}); any other outcome keeps the
   * answer's message (e.g. why it is proven not charged).
   */
  public Attempt settledBy(PspResult r) {
    AttemptOutcome o = AttemptOutcome.of(r.outcome());
    String err = o == AttemptOutcome.SUCCEEDED || o == AttemptOutcome.DECLINED ? null : r.message();
    return new Attempt(id, chargeId, seq, provider, o, latencyMs, err,
        r.providerReference() != null ? r.providerReference() : providerReference, r.declineCode(), r.providerCode());
  }
}
