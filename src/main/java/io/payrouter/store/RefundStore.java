package io.payrouter.store;

import io.payrouter.domain.FencedException;
import io.payrouter.domain.Refund;
import io.payrouter.domain.RefundStatus;
import io.vertx.core.Future;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The SQL of refunds (migration V10). Refunds are rare next to charges: plain statements on the
 * pool, each awaited, no batching writer. The money rule is PostgreSQL's: a claim reserves the
 * refund's amount in {@code charges.refunded_amount} under the charge's row lock, the table's
 * CHECK refuses any total above the charge's amount, and a refund that fails releases its amount
 * in the same statement that makes it failed.
 */
public final class RefundStore {

  /** How a refund claim came out. */
  public enum ClaimKind {
    /** The intent is durable and the amount reserved: the PSP may be called. */
    CLAIMED,
    /** The merchant's key is taken already: {@link Claim#refund()} is the refund holding it. */
    TAKEN,
    /** No such charge for this merchant. */
    NO_CHARGE,
    /** The charge is not succeeded ({@link Claim#chargeStatus()}). */
    NOT_REFUNDABLE,
    /** Another refund of the charge is processing or pending. */
    IN_PROGRESS,
    /** More than {@link Claim#remaining()} was asked for. */
    EXCEEDS,
    /** No amount was given and nothing is left to refund. */
    NOTHING_LEFT
  }

  /** The answer of {@link #claim}. */
  public record Claim(ClaimKind kind, Refund refund, String chargeStatus, long remaining) {
    static Claim of(ClaimKind k) {
      return new Claim(k, null, null, 0);
    }
  }

  /**
   * The outcome of a refund, written by the request path or the reconciler.
   *
   * @param owner the instance the write is conditional on (with {@code epoch}); null: any owner
   * @param nextCheckAt when the reconciler looks again (pending), else null
   */
  public record Outcome(String refundId, RefundStatus status, String providerReference, String failureReason,
      Instant at, String owner, Long epoch, Instant nextCheckAt, Store.OutboxEvent event) {}

  /**
   * An unsettled refund the reconciler took, with the epoch it now owns it under, whether its money
   * call may have been sent (the fenced checkpoint was written) and whether it was taken from
   * another owner.
   */
  public record Taken(Refund refund, long epoch, boolean sent, boolean tookOver) {}

  static final String COLUMNS = """
      r.id, r.charge_id, r.merchant_id, r.idempotency_key, r.fingerprint, r.amount, r.currency, r.provider,
      r.charge_reference, r.charge_provider_reference, r.charge_amount, r.refunded_before, r.reason, r.status,
      r.provider_reference, r.failure_reason, r.created_at, r.updated_at""";

  private static final String BY_KEY = "SELECT " + COLUMNS
      + " FROM refunds r WHERE r.merchant_id = $1 AND r.idempotency_key = $2";

  private static final String INSERT = """
      INSERT INTO refunds (id, charge_id, merchant_id, idempotency_key, fingerprint, amount, currency, provider,
                           charge_reference, charge_provider_reference, charge_amount, refunded_before, reason,
                           status, owner, owner_epoch, next_check_at, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 'processing', $14, 1, $15, $16, $16)""";

  /**
   * Settles a refund still unsettled (and, with an owner, still owned by it under the epoch); a
   * refund that becomes failed gives its amount back to the charge in the same statement. Answers
   * how many refunds it changed (0: lost a race, or already settled).
   */
  static final String OUTCOME_SQL = """
      WITH r AS (
        UPDATE refunds SET status = $2, provider_reference = COALESCE($3, provider_reference), failure_reason = $4,
               updated_at = $5, next_check_at = $8
        WHERE id = $1 AND status IN ('processing', 'pending')
          AND ($6::text IS NULL OR (owner = $6 AND owner_epoch = $7))
        RETURNING charge_id, merchant_id, amount, status),
      c AS (
        UPDATE charges SET refunded_amount = charges.refunded_amount - CASE WHEN r.status = 'failed' THEN r.amount ELSE 0 END,
               event_seq = charges.event_seq + ($9::text IS NOT NULL)::int
        FROM r WHERE charges.id = r.charge_id AND (r.status = 'failed' OR $9::text IS NOT NULL)
        RETURNING charges.id, charges.event_seq),
      -- the refund's event ($9 id, $10 type, $11 body) for the merchant's subscribed endpoints,
      -- numbered among the charge's events (a refund's deliveries follow the charge's)
      w AS (
        INSERT INTO webhook_deliveries (endpoint_id, merchant_id, event_id, event_type, charge_id, event_seq, body,
                                        status, next_attempt_at)
        SELECT e.id, r.merchant_id, $9, $10, r.charge_id, c.event_seq, $11, 'pending', now()
        FROM r JOIN c ON c.id = r.charge_id
        JOIN webhook_endpoints e ON e.merchant_id = r.merchant_id AND e.status = 'enabled'
                                AND $10::text = ANY (e.event_types)
        WHERE $9::text IS NOT NULL
        RETURNING 1)
      SELECT (SELECT count(*) FROM r), (SELECT count(*) FROM c)""";

  /**
   * The fenced checkpoint before a refund's money call: proves in one statement that the instance
   * still owns the refund under its epoch, that the refund is still processing and that its own
   * heartbeat lease is valid by PostgreSQL's clock (recovery/Ownership), and records that the call
   * may be sent from now on.
   */
  static final String CHECKPOINT_SQL = """
      UPDATE refunds r SET sent_at = now()
      WHERE r.id = $1 AND r.owner = $2 AND r.owner_epoch = $3 AND r.status = 'processing'
        AND EXISTS (SELECT 1 FROM instances i WHERE i.id = $2
                    AND i.heartbeat_at > now() - make_interval(secs => $4::float8 / 1000))
      RETURNING r.id""";

  /**
   * Takes unsettled refunds due for a look, under the charges' ownership rule: ones this instance
   * owns, unowned ones, ones whose owner is gone, and (with {@code $5}) ones whose owner's
   * heartbeat stopped. A change of owner raises the epoch (the previous owner's checkpoint and
   * outcome writes are refused from then on). The next look is one interval later while the refund
   * is younger than twice the grace period ({@code $6}), then after about a quarter of its age (1
   * to 64 intervals), as for charges: one that just missed its answer is asked again within
   * seconds, one stuck for hours costs little.
   */
  static final String TAKE_SQL = """
      WITH picked AS (
        SELECT r.id, r.owner AS previous FROM refunds r
        WHERE r.status IN ('processing', 'pending') AND r.next_check_at <= now()
          AND """ + TakeRule.takeable("r", "$1", "$2", "$5") + """
        ORDER BY r.next_check_at LIMIT $4 FOR UPDATE OF r SKIP LOCKED)
      UPDATE refunds r SET owner = $1, checks = r.checks + 1,
             owner_epoch = r.owner_epoch + CASE WHEN picked.previous IS DISTINCT FROM $1 THEN 1 ELSE 0 END,
             next_check_at = now() + make_interval(secs => $3::float8 / 1000 *
               """ + TakeRule.intervals("r", "$3", "$6", "1") + """
               )
      FROM picked WHERE r.id = picked.id
      RETURNING\s""" + COLUMNS + """
      , r.owner_epoch, r.sent_at IS NOT NULL AS sent,
        picked.previous IS NOT NULL AND picked.previous IS DISTINCT FROM $1 AS took_over""";

  private final Store store;
  private final Pool pool;
  private final long ownerTimeoutMs;

  RefundStore(Store store, Pool pool, long ownerTimeoutMs) {
    this.store = store;
    this.pool = pool;
    this.ownerTimeoutMs = ownerTimeoutMs;
  }

  /**
   * Claims the merchant's idempotency key and records the refund's intent ({@code processing},
   * owned by {@code owner}) in one transaction: under the charge's row lock it checks that the
   * charge is succeeded, that no other refund of it is unsettled, and that the amount ({@code
   * requested}, or when null everything not refunded yet) fits in what is left; then it reserves
   * the amount on the charge and inserts the refund. Nothing is written unless it answers
   * {@link ClaimKind#CLAIMED}.
   */
  public Future<Claim> claim(Refund intent, Long requested, String owner, Instant nextCheckAt) {
    Future<Claim> tx = pool.withTransaction(conn -> conn.preparedQuery(BY_KEY)
        .execute(Tuple.of(intent.merchantId(), intent.idempotencyKey())).compose(keyRows -> {
          Optional<Row> taken = Store.first(keyRows);
          if (taken.isPresent()) return Future.succeededFuture(new Claim(ClaimKind.TAKEN, refund(taken.get()), null, 0));
          return conn.preparedQuery("SELECT status, amount, refunded_amount FROM charges WHERE id = $1 AND merchant_id = $2"
                  + " FOR UPDATE")
              .execute(Tuple.of(intent.chargeId(), intent.merchantId())).compose(chargeRows -> {
                Optional<Row> charge = Store.first(chargeRows);
                if (charge.isEmpty()) return Future.succeededFuture(Claim.of(ClaimKind.NO_CHARGE));
                String status = charge.get().getString(0);
                if (!"succeeded".equals(status)) {
                  return Future.succeededFuture(new Claim(ClaimKind.NOT_REFUNDABLE, null, status, 0));
                }
                long amount = charge.get().getLong(1);
                long refunded = charge.get().getLong(2);
                // A statement of its own, after the lock: under READ COMMITTED it sees every refund
                // committed by whoever held the lock before.
                return conn.preparedQuery("SELECT 1 FROM refunds WHERE charge_id = $1 AND status IN ('processing', 'pending')"
                        + " LIMIT 1")
                    .execute(Tuple.of(intent.chargeId())).compose(open -> {
                      if (open.rowCount() > 0) return Future.succeededFuture(Claim.of(ClaimKind.IN_PROGRESS));
                      long remaining = amount - refunded;
                      if (requested == null && remaining <= 0) {
                        return Future.succeededFuture(new Claim(ClaimKind.NOTHING_LEFT, null, status, 0));
                      }
                      long amt = requested == null ? remaining : requested;
                      if (amt > remaining) return Future.succeededFuture(new Claim(ClaimKind.EXCEEDS, null, status, remaining));
                      Refund r = intent.claimed(amt, refunded);
                      return conn.preparedQuery("UPDATE charges SET refunded_amount = refunded_amount + $2 WHERE id = $1")
                          .execute(Tuple.of(r.chargeId(), amt))
                          .compose(x -> conn.preparedQuery(INSERT).execute(Tuple.from(new Object[] {r.id(), r.chargeId(),
                              r.merchantId(), r.idempotencyKey(), r.fingerprint(), r.amount(), r.currency(), r.provider(),
                              r.chargeReference(), Store.clean(r.chargeProviderReference()), r.chargeAmount(),
                              r.refundedBefore(), Store.clean(r.reason(), 1_000), owner, Store.odt(nextCheckAt),
                              Store.odt(r.createdAt())})))
                          .map(x -> new Claim(ClaimKind.CLAIMED, r, status, remaining - amt));
                    });
              });
        }));
    return store.reachable(tx.recover(err -> {
      // The same key claimed by a concurrent request that committed first: answer with its refund.
      if (err instanceof PgException pg && "23505".equals(pg.getSqlState())) {
        return byKey(intent.merchantId(), intent.idempotencyKey()).map(found -> found
            .map(r -> new Claim(ClaimKind.TAKEN, r, null, 0)).orElse(Claim.of(ClaimKind.IN_PROGRESS)));
      }
      return Future.failedFuture(err);
    }));
  }

  /** The refund holding a merchant's idempotency key. */
  public Future<Optional<Refund>> byKey(String merchantId, String key) {
    return store.reachable(pool.preparedQuery(BY_KEY).execute(Tuple.of(merchantId, key))
        .map(rs -> Store.first(rs).map(RefundStore::refund)));
  }

  /** A charge's refunds, oldest first. */
  public Future<List<Refund>> ofCharge(String chargeId) {
    return store.reachable(pool.preparedQuery("SELECT " + COLUMNS + " FROM refunds r WHERE r.charge_id = $1"
            + " ORDER BY r.created_at, r.id")
        .execute(Tuple.of(chargeId)).map(rs -> {
          List<Refund> out = new ArrayList<>();
          for (Row r : rs) out.add(refund(r));
          return out;
        }));
  }

  /** A refund by id. */
  public Future<Optional<Refund>> byId(String refundId) {
    return store.reachable(pool.preparedQuery("SELECT " + COLUMNS + " FROM refunds r WHERE r.id = $1")
        .execute(Tuple.of(refundId)).map(rs -> Store.first(rs).map(RefundStore::refund)));
  }

  /**
   * The fenced checkpoint (see {@link #CHECKPOINT_SQL}): fails with {@link FencedException} when
   * this instance no longer owns the refund; then the call must not be sent.
   */
  public Future<Void> checkpoint(String refundId, String owner, long epoch) {
    return store.reachable(pool.preparedQuery(CHECKPOINT_SQL)
        .execute(Tuple.of(refundId, owner, epoch, (double) ownerTimeoutMs))
        .compose(rs -> rs.rowCount() == 1 ? Future.<Void>succeededFuture()
            : Future.failedFuture(new FencedException(refundId))));
  }

  /** Writes an outcome; true when it changed the refund (false: settled or taken elsewhere first). */
  public Future<Boolean> recordOutcome(Outcome o) {
    return store.reachable(pool.preparedQuery(OUTCOME_SQL).execute(Tuple.from(new Object[] {o.refundId(),
            o.status().db(), Store.clean(o.providerReference()), Store.clean(o.failureReason()), Store.odt(o.at()),
            o.owner(), o.epoch(), o.nextCheckAt() == null ? null : Store.odt(o.nextCheckAt()),
            o.event() == null ? null : o.event().id(), o.event() == null ? null : o.event().type(),
            o.event() == null ? null : o.event().body()}))
        .map(rs -> rs.iterator().next().getLong(0) > 0));
  }

  /** Takes up to {@code limit} unsettled refunds due for a look (see {@link #TAKE_SQL}). */
  public Future<List<Taken>> takeUnsettled(String owner, long ownerTimeoutMs, long intervalMs, long graceMs, int limit,
      boolean takeOthers) {
    return store.reachable(pool.preparedQuery(TAKE_SQL)
        .execute(Tuple.of(owner, (double) ownerTimeoutMs, (double) intervalMs, limit, takeOthers, (double) graceMs))
        .map(rs -> {
          List<Taken> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new Taken(refund(r), r.getLong("owner_epoch"), Boolean.TRUE.equals(r.getBoolean("sent")),
                Boolean.TRUE.equals(r.getBoolean("took_over"))));
          }
          return out;
        }));
  }

  static Refund refund(Row r) {
    return new Refund(r.getString("id"), r.getString("charge_id"), r.getString("merchant_id"),
        r.getString("idempotency_key"), r.getString("fingerprint"), r.getLong("amount"), r.getString("currency"),
        r.getString("provider"), r.getString("charge_reference"), r.getString("charge_provider_reference"),
        r.getLong("charge_amount"), r.getLong("refunded_before"), r.getString("reason"),
        RefundStatus.fromDb(r.getString("status")), r.getString("provider_reference"), r.getString("failure_reason"),
        Store.instant(r.getOffsetDateTime("created_at")), Store.instant(r.getOffsetDateTime("updated_at")));
  }

}
