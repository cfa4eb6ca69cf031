package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.sqlclient.Tuple;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Idempotency keys are kept at least 24 hours and while their charge is unsettled, then purged in
 * small statements. Rows are written straight into the real database of a real router.
 */
class KeyRetentionTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }


  /** {@code n} charges with their keys, claimed {@code hoursAgo}, in {@code status}; answers the key prefix. */
  static String keys(String prefix, int n, String status, int hoursAgo) throws Exception {
    await(h.app.pool.preparedQuery("""
        WITH c AS (
          INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status,
                               created_at, updated_at, next_check_at)
          SELECT 'ch_' || $1 || g, 'it-merchant', $1 || g, 'fp', 1000, 'USD', $3,
                 now() - make_interval(hours => $4), now() - make_interval(hours => $4),
                 CASE WHEN $3 IN ('processing', 'pending') THEN now() + interval '1 hour' END
          FROM generate_series(1, $2) g RETURNING id, idempotency_key)
        INSERT INTO idempotency_keys (merchant_id, key, fingerprint, charge_id, created_at)
        SELECT 'it-merchant', idempotency_key, 'fp', id, now() - make_interval(hours => $4) FROM c""")
        .execute(Tuple.of(prefix, n, status, hoursAgo)));
    return prefix;
  }

  static long left(String prefix) throws Exception {
    return await(h.app.pool.preparedQuery("SELECT count(*) FROM idempotency_keys WHERE merchant_id = 'it-merchant' "
        + "AND key LIKE $1 || '%'").execute(Tuple.of(prefix))).iterator().next().getLong(0);
  }

  @Test
  void oldKeysOfSettledChargesArePurgedInSmallStatements() throws Exception {
    String old = keys("kr-old-", 2_500, "succeeded", 25);
    String declined = keys("kr-declined-", 3, "declined", 30);
    long purged = await(h.app.keyRetention.runOnce());
    assertEquals(0, left(old), "keys past 24 h of a succeeded charge are gone");
    assertEquals(0, left(declined), "and of a declined one");
    assertTrue(purged >= 2_503, "counted: " + purged);
    assertTrue(h.app.config.idempotency().purgeBatch() < 2_500, "it took more than one statement");
  }

  @Test
  void keysYoungerThanTheRetentionStay() throws Exception {
    String young = keys("kr-young-", 5, "succeeded", 23);
    await(h.app.keyRetention.runOnce());
    assertEquals(5, left(young));
  }

  @Test
  void keysOfUnsettledChargesStayWhateverTheirAge() throws Exception {
    String pending = keys("kr-pending-", 4, "pending", 24 * 30);
    String processing = keys("kr-processing-", 2, "processing", 48);
    await(h.app.keyRetention.runOnce());
    assertEquals(4, left(pending), "a pending charge may still be replayed");
    assertEquals(2, left(processing));
  }
}
