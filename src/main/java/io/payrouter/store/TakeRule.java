package io.payrouter.store;

/**
 * The SQL both reconcilers take their rows by (charges and refunds), written once: who may take
 * an unsettled row (the ownership rule of recovery/Ownership, enforced by PostgreSQL's clock), and
 * when it is due for its next look. Each statement names its own table alias and parameters.
 */
final class TakeRule {
  private TakeRule() {}

  /**
   * True for a row this instance may take: its own ({@code owner}), unowned, one whose owner is
   * gone from {@code instances} (stopped cleanly or retired), and, when {@code takeOthers}, one
   * whose owner's heartbeat is older than {@code ownerTimeoutMs}.
   */
  static String takeable(String alias, String owner, String ownerTimeoutMs, String takeOthers) {
    return """
        (%1$s.owner IS NULL OR %1$s.owner = %2$s
               OR NOT EXISTS (SELECT 1 FROM instances i WHERE i.id = %1$s.owner)
               OR %4$s AND NOT EXISTS (
                SELECT 1 FROM instances i WHERE i.id = %1$s.owner
                  AND i.heartbeat_at > now() - make_interval(secs => %3$s::float8 / 1000)))"""
        .formatted(alias, owner, ownerTimeoutMs, takeOthers);
  }

  /**
   * How many intervals until the next look: {@code young} while the row is younger than twice the
   * grace period, then about a quarter of its age (at least 1, at most 64 intervals). The age, not
   * the number of takes, sets it: a row is taken every round of its grace period, and counting
   * those would put it 64 intervals away at once.
   */
  static String intervals(String alias, String intervalMs, String graceMs, String young) {
    return """
        CASE WHEN %1$s.updated_at < now() - make_interval(secs => %3$s::float8 / 500)
                              THEN least(64, greatest(1, floor(extract(epoch FROM now() - %1$s.updated_at) * 1000
                                   / (4 * %2$s::float8))))
                              ELSE %4$s END""".formatted(alias, intervalMs, graceMs, young);
  }
}
