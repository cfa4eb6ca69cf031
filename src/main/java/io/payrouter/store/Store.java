package io.payrouter.store;

import io.payrouter.domain.Charge;
import io.payrouter.domain.Card;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.Conflict;
import io.payrouter.domain.DeadLetter;
import io.payrouter.domain.Page;
import io.payrouter.domain.UnsettledCharge;
import io.payrouter.domain.SettledBy;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.RoutingInfo;


import io.payrouter.config.RouterConfig;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * All SQL of the router. The charge path uses three batching writers (intent: awaited, fail fast;
 * checkpoint: awaited, fail fast; outcome: fire and forget, retried until it lands); everything
 * else is a plain prepared query on the pool.
 */
public final class Store {

  /**
   * How a charge claim came out: {@code ARMED} recorded the intent and its first attempt as
   * {@code sent} under a valid lease (the fencing proof of a checkpoint), so that attempt's first
   * money-moving call needs no checkpoint of its own; {@code CLAIMED} recorded the intent only (no
   * first attempt was asked for, or this instance's heartbeat lease had run out by PostgreSQL's
   * clock: its checkpoint will fence it); {@code TAKEN}: the key was already claimed.
   */
  public enum Claim {
    CLAIMED, ARMED, TAKEN;

    public boolean recorded() {
      return this != TAKEN;
    }
  }

  /**
   * An intent to charge: the charge row in status {@code processing} plus its idempotency claim and,
   * when {@code first} is given, its first attempt as {@code sent} (written only under a valid lease).
   */
  public record Intent(Charge charge, String owner, Instant nextCheckAt, Attempt first) {}

  /**
   * The final (or pending) state of a charge and its attempts, written off the request path.
   *
   * @param owner the instance the write is conditional on (null: any owner, e.g. a webhook)
   * @param nextCheckAt when the reconciler should look at it again (pending), else null
   * @param settledBy what settled it (null: not settled, e.g. pending)
   */
  public record Outcome(String chargeId, ChargeStatus status, String provider, String providerReference,
      DeclineCode declineCode, String providerCode, List<Attempt> attempts, Instant at, String owner,
      Long epoch, Instant nextCheckAt, SettledBy settledBy, OutboxEvent event) {

    /** An outcome that reports no event (webhook endpoints see nothing of it). */
    public Outcome(String chargeId, ChargeStatus status, String provider, String providerReference,
        DeclineCode declineCode, String providerCode, List<Attempt> attempts, Instant at, String owner,
        Long epoch, Instant nextCheckAt, SettledBy settledBy) {
      this(chargeId, status, provider, providerReference, declineCode, providerCode, attempts, at, owner, epoch,
          nextCheckAt, settledBy, null);
    }

    /** An outcome that records nothing about what settled it. */
    public Outcome(String chargeId, ChargeStatus status, String provider, String providerReference,
        DeclineCode declineCode, String providerCode, List<Attempt> attempts, Instant at, String owner,
        Long epoch, Instant nextCheckAt) {
      this(chargeId, status, provider, providerReference, declineCode, providerCode, attempts, at, owner, epoch,
          nextCheckAt, null);
    }
  }

  /**
   * The event an outcome reports to the merchant's webhook endpoints, written in the outcome's own
   * statement for every enabled endpoint subscribed to its type.
   *
   * @param body the event as sent, or null when the writer believes the merchant has no endpoint
   *     (then a row is still written if one exists, and the body is rendered at its first attempt)
   */
  public record OutboxEvent(String id, String type, String body) {}

  /** A delivery written by an outcome and leased to this instance at once: the fast path, no take. */
  public record Leased(String endpointId, long id, String chargeId, String eventId, String type, String body) {}

  /** An attempt's checkpoint, made only while {@code owner} still owns the charge under {@code epoch}. */
  public record Checkpoint(Attempt attempt, String owner, long epoch) {}

  /** A charge the reconciler took, with the epoch it now owns it under. */
  public record Taken(Charge charge, long epoch, boolean tookOver) {}

  /** Unsettled charges in the database: how many, and seconds since the oldest last changed status. */
  public record Backlog(long charges, double oldestAgeSeconds) {}


  /**
   * Claims the idempotency keys and records the intents of a whole batch in one statement (the rows
   * arrive as arrays). A key already taken, or a card that is gone or belongs to another merchant,
   * inserts nothing for that row. Keys are inserted in a fixed order, so two instances claiming
   * overlapping keys at once cannot deadlock. Where a first attempt is given, it is written as
   * {@code sent} in the same statement, with the checkpoint's fencing rule (the owner's heartbeat
   * lease valid by PostgreSQL's clock, $15): one write before the first money-moving call instead
   * of two. Answers the ids of the charges it recorded and whether their first attempt was armed.
   */
  static final String CLAIM_SQL = """
      WITH i AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::int8[], $7::text[],
                             $8::text[], $9::text[], $10::timestamptz[], $11::text[], $12::timestamptz[],
                             $13::text[], $14::text[])
          AS i(merchant_id, key, fingerprint, charge_id, card_id, amount, currency, merchant_reference, routing,
               created_at, owner, next_check_at, attempt_id, attempt_provider)),
      k AS (
        INSERT INTO idempotency_keys (merchant_id, key, fingerprint, charge_id)
        SELECT i.merchant_id, i.key, i.fingerprint, i.charge_id FROM i
        WHERE i.card_id IS NULL
           OR EXISTS (SELECT 1 FROM cards WHERE id = i.card_id AND merchant_id = i.merchant_id AND deleted_at IS NULL)
        ORDER BY i.merchant_id COLLATE "C", i.key COLLATE "C"
        ON CONFLICT (merchant_id, key) DO NOTHING
        RETURNING charge_id),
      -- the first attempt as sent rides on the charge row, only under a valid lease (the checkpoint's
      -- fencing rule; the charge is new, so no takeover can race it)
      c AS (
        INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, card_id,
                             merchant_reference, status, routing, created_at, updated_at, owner, next_check_at, attempts)
        SELECT i.charge_id, i.merchant_id, i.key, i.fingerprint, i.amount, i.currency, i.card_id, i.merchant_reference,
               'processing', i.routing::jsonb, i.created_at, i.created_at, i.owner, i.next_check_at,
               CASE WHEN h.id IS NOT NULL
                    THEN jsonb_build_array(jsonb_build_object('id', i.attempt_id, 'seq', 1,
                                                              'provider', i.attempt_provider, 'outcome', 'sent'))
                    ELSE '[]'::jsonb END
        FROM i JOIN k ON k.charge_id = i.charge_id
        LEFT JOIN instances h ON i.attempt_id IS NOT NULL AND h.id = i.owner
                             AND h.heartbeat_at > now() - make_interval(secs => $15::float8 / 1000)
        RETURNING id, attempts <> '[]'::jsonb AS armed)
      SELECT id, armed FROM c""";

  /**
   * Settles the charges of a whole batch that are still unsettled (and, where an owner is given,
   * still owned by that instance under the given epoch), merging the attempts each outcome reports
   * into the charge row's (migration V17, {@code merge_attempts}), in one statement. Answers the ids
   * of the charges it changed: a charge missing from the answer lost a race (it was settled, or
   * taken over, by someone else), which the caller must not hide; the attempts of a lost write are
   * not written, so they never contradict the charge row.
   */
  static final String OUTCOME_SQL = """
      WITH o AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
                             $7::timestamptz[], $8::text[], $9::timestamptz[], $10::int8[], $11::text[],
                             $12::text[], $13::text[], $14::text[], $15::text[])
          AS o(id, status, provider, provider_reference, decline_code, provider_code, at, owner, next_check_at, epoch,
               settled_by, event_id, event_type, event_body, attempts)),
      u AS (
        UPDATE charges c SET status = o.status, provider = o.provider, provider_reference = o.provider_reference,
               decline_code = o.decline_code, provider_code = o.provider_code, updated_at = o.at,
               next_check_at = o.next_check_at, settled_by = o.settled_by,
               event_seq = c.event_seq + (o.event_type IS NOT NULL)::int,
               attempts = merge_attempts(c.attempts, o.attempts::jsonb)
        FROM o
        -- "not final" rather than "processing or pending": the same rows, but it keeps the planner on
        -- the primary key instead of a scan of the whole unsettled index for a batch of ids
        WHERE c.id = o.id AND c.status NOT IN ('succeeded', 'declined', 'failed')
          AND (o.owner IS NULL OR (c.owner = o.owner AND c.owner_epoch = o.epoch))
        RETURNING c.id, c.merchant_id, c.event_seq),
      -- the outbox: the event of each changed charge, for every enabled endpoint of its merchant
      -- subscribed to it. A charge's first event is leased at once to the writing instance ($16,
      -- lease $17 ms), which delivers it without a take; later ones wait their turn (TAKE_SQL).
      w AS (
        INSERT INTO webhook_deliveries (endpoint_id, merchant_id, event_id, event_type, charge_id, event_seq, body,
                                        status, next_attempt_at, owner, lease_until)
        SELECT e.id, u.merchant_id, o.event_id, o.event_type, u.id, u.event_seq, o.event_body, 'pending', now(),
               l.owner, CASE WHEN l.owner IS NOT NULL THEN now() + make_interval(secs => $17::float8 / 1000) END
        FROM u JOIN o ON o.id = u.id
        JOIN webhook_endpoints e ON e.merchant_id = u.merchant_id AND e.status = 'enabled'
                                AND o.event_type = ANY (e.event_types)
        CROSS JOIN LATERAL (SELECT CASE WHEN u.event_seq = 1 AND o.event_body IS NOT NULL THEN $16::text END AS owner) l
        WHERE o.event_type IS NOT NULL
        RETURNING endpoint_id, id, charge_id, owner)
      SELECT id, NULL::text AS endpoint_id, NULL::int8 AS delivery FROM u
      UNION ALL SELECT charge_id, endpoint_id, id FROM w WHERE owner IS NOT NULL""";

  /**
   * Makes the 'sent' attempts of a whole batch durable (with their provider references) in one
   * statement, each only if its instance still owns the charge under its epoch, the charge is still
   * processing, and the instance's own heartbeat lease is valid by PostgreSQL's clock (the fencing
   * rule, recovery/Ownership). The attempt is merged into the charge row's attempts, so the row is
   * locked by the update: a concurrent takeover (FOR UPDATE SKIP LOCKED) either happens before (and
   * this row is refused, re-checked on the new version) or after (and sees the attempt). Answers the
   * ids of the attempts it wrote; a missing one was fenced. A charge has one attempt in flight at a
   * time, so a batch holds at most one checkpoint per charge; were there two, one would be answered
   * as fenced (its call not sent), never lost while answered as written.
   */
  static final String CHECKPOINT_SQL = """
      WITH a AS (
        SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::text[], $5::text[], $6::text[], $7::int8[])
          AS a(id, charge_id, seq, provider, provider_reference, owner, epoch))
      UPDATE charges c SET attempts = merge_attempts(c.attempts, jsonb_build_array(jsonb_build_object(
             'id', a.id, 'seq', a.seq, 'provider', a.provider, 'outcome', 'sent',
             'provider_reference', a.provider_reference)))
      FROM a JOIN instances i ON i.id = a.owner AND i.heartbeat_at > now() - make_interval(secs => $8::float8 / 1000)
      -- "processing" spelled as "none of the others" (the CHECK lists all five): the same rows, but
      -- the planner cannot match it to charges_unsettled, whose walk it once chose for every batch
      -- (GenericPlanOnARunningDatabaseTest)
      WHERE c.id = a.charge_id AND c.owner = a.owner AND c.owner_epoch = a.epoch
        AND c.status NOT IN ('succeeded', 'declined', 'failed', 'pending')
      RETURNING a.id""";

  private static final String CHARGE_COLUMNS = """
      c.id, c.merchant_id, c.idempotency_key, c.fingerprint, c.amount, c.currency, c.card_id,
      c.merchant_reference, c.status, c.provider, c.provider_reference, c.decline_code,
      c.provider_code, c.routing, c.created_at, c.updated_at, c.conflict, c.settled_by, c.attempts""";

  private final Pool pool;
  private final TokenCipher cipher;
  private final DatabaseHealth health = new DatabaseHealth();
  private final BatchWriter<Intent, Claim> intents;
  private final BatchWriter<Outcome, Boolean> outcomes;
  private final BatchWriter<Checkpoint, Boolean> checkpoints;
  private final long ownerTimeoutMs;
  private final RefundStore refunds;
  private final WebhookStore webhooks;
  private final CanaryStore canaries;

  /** How long a new charge waits for its intent (or a checkpoint) to be durable before it is answered 503. */
  public static final long CLAIM_MAX_WAIT_MS = 5_000;

  public Store(Vertx vertx, Pool pool, TokenCipher cipher, RouterConfig.Writer w, Metrics metrics) {
    this(vertx, pool, cipher, w, metrics, OWNER_TIMEOUT_MS);
  }

  /**
   * How long an instance's heartbeat lease holds: three missed beats of one second. Another
   * instance takes its charges over only after that, and it may send no money call after that
   * (the fenced checkpoint checks it by PostgreSQL's clock).
   */
  public static final long OWNER_TIMEOUT_MS = Long.getLong("router.ownerTimeoutMs", 3_000);

  /** @param ownerTimeoutMs how long an instance's heartbeat lease holds (the fencing check uses it) */
  public Store(Vertx vertx, Pool pool, TokenCipher cipher, RouterConfig.Writer w, Metrics metrics, long ownerTimeoutMs) {
    this.ownerTimeoutMs = ownerTimeoutMs;
    this.pool = pool;
    this.refunds = new RefundStore(this, pool, ownerTimeoutMs);
    this.cipher = cipher;
    this.webhooks = new WebhookStore(vertx, this, pool, cipher, w, metrics);
    this.canaries = new CanaryStore(this, pool);
    this.intents = new BatchWriter<>(vertx, pool, "intent",
        new BatchWriter.Statement<>(CLAIM_SQL, this::intentTuple, Store::claims, i -> i.charge().id()),
        w.queueCapacity(), w.maxBatch(), w.maxInFlight(), BatchWriter.Mode.FAIL_FAST, CLAIM_MAX_WAIT_MS,
        metrics, health, null, w.lingerMs(), w.lingerRows());
    this.outcomes = new BatchWriter<>(vertx, pool, "outcome",
        new BatchWriter.Statement<>(OUTCOME_SQL, this::outcomeTuple, this::applied, Outcome::chargeId),
        w.queueCapacity(), w.maxBatch(), w.maxInFlight(), BatchWriter.Mode.RETRY, 0, metrics, health,
        Store::outcomeDeadLetter, w.lingerMs(), w.lingerRows());
    this.checkpoints = new BatchWriter<>(vertx, pool, "checkpoint",
        new BatchWriter.Statement<>(CHECKPOINT_SQL, this::checkpointTuple, Store::checkpointed, cp -> cp.attempt().id()),
        w.queueCapacity(), w.maxBatch(), w.maxInFlight(), BatchWriter.Mode.FAIL_FAST, CLAIM_MAX_WAIT_MS,
        metrics, health, null, w.lingerMs(), w.lingerRows());
  }

  /**
   * True when new charges can be taken: the database answered the last statement or heartbeat,
   * and no write queue is over capacity.
   */
  public boolean acceptingCharges() {
    return health.isUp() && !intents.overCapacity() && !outcomes.overCapacity() && !checkpoints.overCapacity();
  }

  public DatabaseHealth health() {
    return health;
  }

  /** The backtest's reads (store/BacktestReads). */
  public BacktestReads backtests() {
    return new BacktestReads(this, pool);
  }

  /** The merchant webhooks' SQL (store/WebhookStore). */
  /** Routing canaries (migration V15). */
  public CanaryStore canaries() {
    return canaries;
  }

  public WebhookStore webhooks() {
    return webhooks;
  }

  /** The refunds' SQL (store/RefundStore). */
  public RefundStore refunds() {
    return refunds;
  }

  /** Rows waiting in the write queues (intent, outcome, checkpoint). */
  public int writeBacklog() {
    return intents.depth() + outcomes.depth() + checkpoints.depth();
  }

  // ---------------------------------------------------------------- charge path

  /**
   * Records the charge's intent, owned by {@code owner}, and claims its idempotency key in one
   * group-committed write; with {@code first} (or null), also that attempt (seq 1, status
   * {@code sent}) when this instance's lease is valid: {@link Claim#ARMED}. Only its id and provider
   * are written (no PSP text yet, so nothing to clean).
   */
  public Future<Claim> claim(Charge c, String owner, Instant nextCheckAt, Attempt first) {
    return intents.submit(new Intent(c, owner, nextCheckAt, first));
  }

  /**
   * Queues an outcome; retried until it lands. The future completes once it is durable, with true
   * when it changed the charge and false when it lost a race (the charge was already settled or
   * is owned by another instance).
   */
  public Future<Boolean> recordOutcome(Outcome o) {
    return outcomes.submit(o);
  }

  /**
   * Makes an attempt durable (with its provider reference) before the money-moving call is sent,
   * proving in the same statement that {@code owner} still owns the charge under {@code epoch}.
   * Fails with {@link io.payrouter.domain.FencedException} when it does not: the call must not be sent.
   */
  public Future<Void> checkpoint(Attempt a, String owner, long epoch) {
    return checkpoints.submit(new Checkpoint(clean(a), owner, epoch)).compose(ok -> ok ? Future.<Void>succeededFuture()
        : Future.failedFuture(new io.payrouter.domain.FencedException(a.chargeId())));
  }

  /** Per checkpoint of the batch: true when the statement wrote it (false: fenced). */
  private static List<Boolean> checkpointed(List<Checkpoint> batch, RowSet<Row> rs) {
    java.util.Set<String> written = ids(rs);
    List<Boolean> out = new ArrayList<>(batch.size());
    for (Checkpoint cp : batch) out.add(written.contains(cp.attempt().id()));
    return out;
  }

  public Future<Void> closeWriters() {
    return Future.all(intents.close(), outcomes.close(), checkpoints.close())
        .eventually(webhooks::close).mapEmpty();
  }

  private Tuple intentTuple(List<Intent> batch) {
    int n = batch.size();
    String[] merchant = new String[n], key = new String[n], fingerprint = new String[n], id = new String[n],
        card = new String[n], currency = new String[n], reference = new String[n], routing = new String[n],
        owner = new String[n], attempt = new String[n], attemptProvider = new String[n];
    Long[] amount = new Long[n];
    OffsetDateTime[] created = new OffsetDateTime[n], nextCheck = new OffsetDateTime[n];
    for (int k = 0; k < n; k++) {
      Intent i = batch.get(k);
      Charge c = i.charge();
      merchant[k] = c.merchantId();
      key[k] = c.idempotencyKey();
      fingerprint[k] = c.fingerprint();
      id[k] = c.id();
      card[k] = c.cardId();
      amount[k] = c.amount();
      currency[k] = c.currency();
      reference[k] = c.merchantReference();
      JsonObject r = routingJson(c.routing());
      routing[k] = r == null ? null : r.encode();
      created[k] = odt(c.createdAt());
      owner[k] = i.owner();
      nextCheck[k] = odt(i.nextCheckAt());
      if (i.first() != null) {
        attempt[k] = i.first().id();
        attemptProvider[k] = i.first().provider();
      }
    }
    return Tuple.from(new Object[] {merchant, key, fingerprint, id, card, amount, currency, reference, routing,
        created, owner, nextCheck, attempt, attemptProvider, (double) ownerTimeoutMs});
  }

  /** Per intent of the batch: armed or claimed when the statement recorded its charge, else taken. */
  private static List<Claim> claims(List<Intent> batch, RowSet<Row> rs) {
    java.util.Map<String, Boolean> recorded = new java.util.HashMap<>(Math.max(16, rs.rowCount() * 2));
    for (Row r : rs) recorded.put(r.getString(0), r.getBoolean(1));
    List<Claim> out = new ArrayList<>(batch.size());
    for (Intent i : batch) {
      Boolean armed = recorded.get(i.charge().id());
      out.add(armed == null ? Claim.TAKEN : armed ? Claim.ARMED : Claim.CLAIMED);
    }
    return out;
  }

  /**
   * Per outcome of the batch: true when the statement changed its charge. The deliveries the
   * statement leased to this instance go to the deliverer (with the bodies this batch carried).
   */
  private List<Boolean> applied(List<Outcome> batch, RowSet<Row> rs) {
    java.util.Set<String> changed = new java.util.HashSet<>(Math.max(16, rs.rowCount() * 2));
    List<Row> leased = null;
    for (Row r : rs) {
      if (r.getString(1) == null) {
        changed.add(r.getString(0));
      } else {
        if (leased == null) leased = new ArrayList<>();
        leased.add(r);
      }
    }
    List<Boolean> out = new ArrayList<>(batch.size());
    for (Outcome o : batch) out.add(changed.contains(o.chargeId()));
    java.util.function.Consumer<List<Leased>> to = leasedListener;
    if (leased != null && to != null) {
      Map<String, Outcome> byCharge = new java.util.HashMap<>();
      for (Outcome o : batch) byCharge.put(o.chargeId(), o);
      List<Leased> handed = new ArrayList<>(leased.size());
      for (Row r : leased) {
        Outcome o = byCharge.get(r.getString(0));
        handed.add(new Leased(r.getString(1), r.getLong(2), o.chargeId(), o.event().id(), o.event().type(), o.event().body()));
      }
      to.accept(handed);
    }
    return out;
  }

  private volatile String deliveryOwner;
  private volatile long deliveryLeaseMs = 60_000;
  private volatile java.util.function.Consumer<List<Leased>> leasedListener;

  /**
   * From now on, a charge's first event is leased at once to {@code owner} for {@code leaseMs}
   * and handed to {@code listener} once its statement committed (before: every delivery waits
   * for a take).
   */
  public void deliverLeasedTo(String owner, long leaseMs, java.util.function.Consumer<List<Leased>> listener) {
    this.deliveryLeaseMs = leaseMs;
    this.leasedListener = listener;
    this.deliveryOwner = owner;
  }

  private static java.util.Set<String> ids(RowSet<Row> rs) {
    java.util.Set<String> ids = new java.util.HashSet<>(Math.max(16, rs.rowCount() * 2));
    for (Row r : rs) ids.add(r.getString(0));
    return ids;
  }

  private Tuple checkpointTuple(List<Checkpoint> batch) {
    int n = batch.size();
    String[] id = new String[n], charge = new String[n], provider = new String[n], reference = new String[n],
        owner = new String[n];
    Integer[] seq = new Integer[n];
    Long[] epoch = new Long[n];
    for (int k = 0; k < n; k++) {
      Checkpoint cp = batch.get(k);
      Attempt a = cp.attempt();
      id[k] = a.id();
      charge[k] = a.chargeId();
      seq[k] = a.seq();
      provider[k] = a.provider();
      reference[k] = a.providerReference();
      owner[k] = cp.owner();
      epoch[k] = cp.epoch();
    }
    return Tuple.from(new Object[] {id, charge, seq, provider, reference, owner, epoch, (double) ownerTimeoutMs});
  }

  /** Longest PSP-supplied text kept (codes, messages, references). */
  static final int MAX_PSP_TEXT = 500;

  /**
   * PSP-supplied text as PostgreSQL can store it: no NUL (text and jsonb refuse it, which would
   * refuse the whole outcome), no other control characters, bounded length.
   */
  public static String clean(String s) {
    return clean(s, MAX_PSP_TEXT);
  }

  static String clean(String s, int max) {
    if (s == null) return null;
    int n = Math.min(s.length(), max);
    StringBuilder b = new StringBuilder(n);
    for (int i = 0; i < n; i++) {
      char ch = s.charAt(i);
      if (ch >= 0x20 && ch != 0x7f || ch == '\t') b.append(ch);
    }
    return b.length() == s.length() ? s : b.toString();
  }

  /**
   * A charge as the database will hold it: PSP text cleaned as its outcome write cleans it, so an
   * event rendered from it says what {@code GET /v1/charges/{id}} will say.
   */
  public static Charge clean(Charge c) {
    List<Attempt> atts = new ArrayList<>(c.attempts().size());
    for (Attempt a : c.attempts()) atts.add(clean(a));
    return new Charge(c.id(), c.merchantId(), c.idempotencyKey(), c.fingerprint(), c.amount(), c.currency(), c.cardId(),
        c.merchantReference(), c.status(), c.provider(), clean(c.providerReference()), c.declineCode(),
        clean(c.providerCode()), c.routing(), List.copyOf(atts), c.createdAt(), c.updatedAt(), c.conflict(), c.settledBy());
  }

  static Attempt clean(Attempt a) {
    return new Attempt(a.id(), a.chargeId(), a.seq(), a.provider(), a.outcome(), a.latencyMs(), clean(a.error()),
        clean(a.providerReference()), a.declineCode(), clean(a.providerCode()));
  }

  /** What a dead letter keeps of an outcome: everything but tokens (an outcome carries none). */
  private static JsonObject outcomeDeadLetter(Outcome o) {
    return new JsonObject().put("charge_id", o.chargeId()).put("status", o.status().wire())
        .put("provider", o.provider()).put("provider_reference", o.providerReference())
        .put("decline_code", o.declineCode() == null ? null : o.declineCode().wire())
        .put("provider_code", o.providerCode()).put("at", o.at().toString())
        .put("settled_by", o.settledBy() == null ? null : o.settledBy().wire()).put("attempts", attemptsArray(o.attempts()));
  }

  /**
   * An outcome's attempts as it writes them (migration V17), PSP text cleaned ({@link #clean(Attempt)}):
   * every field present, null included, so that what this write says of an attempt replaces what
   * was stored; merge_attempts then leaves the null fields out of the row.
   */
  static JsonArray attemptsArray(List<Attempt> attempts) {
    JsonArray atts = new JsonArray(new ArrayList<>(attempts.size()));
    for (Attempt raw : attempts) {
      Attempt a = clean(raw);
      atts.add(new JsonObject(new LinkedHashMap<>(16)).put("id", a.id()).put("seq", a.seq()).put("provider", a.provider())
          .put("outcome", a.outcome().wire()).put("latency_ms", Math.min(Integer.MAX_VALUE, a.latencyMs()))
          .put("error", a.error()).put("provider_reference", a.providerReference())
          .put("decline_code", a.declineCode() == null ? null : a.declineCode().wire())
          .put("provider_code", a.providerCode()));
    }
    return atts;
  }

  private Tuple outcomeTuple(List<Outcome> batch) {
    int n = batch.size();
    String[] id = new String[n], status = new String[n], provider = new String[n], reference = new String[n],
        decline = new String[n], code = new String[n], owner = new String[n], settledBy = new String[n],
        eventId = new String[n], eventType = new String[n], eventBody = new String[n];
    Long[] epoch = new Long[n];
    OffsetDateTime[] at = new OffsetDateTime[n], nextCheck = new OffsetDateTime[n];
    String[] attempts = new String[n];
    for (int k = 0; k < n; k++) {
      Outcome o = batch.get(k);
      id[k] = o.chargeId();
      status[k] = o.status().wire();
      provider[k] = o.provider();
      reference[k] = clean(o.providerReference());
      decline[k] = o.declineCode() == null ? null : o.declineCode().wire();
      code[k] = clean(o.providerCode());
      at[k] = odt(o.at());
      owner[k] = o.owner();
      epoch[k] = o.epoch();
      nextCheck[k] = o.nextCheckAt() == null ? null : odt(o.nextCheckAt());
      settledBy[k] = o.settledBy() == null ? null : o.settledBy().wire();
      if (o.event() != null) {
        eventId[k] = o.event().id();
        eventType[k] = o.event().type();
        eventBody[k] = o.event().body();
      }
      attempts[k] = attemptsArray(o.attempts()).encode();
    }
    return Tuple.from(new Object[] {id, status, provider, reference, decline, code, at, owner, nextCheck,
        epoch, settledBy, eventId, eventType, eventBody, attempts, deliveryOwner, (double) deliveryLeaseMs});
  }

  /**
   * Puts a failed charge back to processing for a retry with the same key, owned by {@code owner}
   * under a new epoch. Refused (empty) when the charge is not failed, when money moved on it (a
   * conflict is recorded), or when its idempotency key is gone. One statement with the key first:
   * it refreshes the key's age, so a concurrent purge (which deletes only old keys of final
   * charges, and re-checks the key row it deletes) either deleted it before (no reclaim) or leaves
   * it alone (the key is young again).
   */
  public Future<Optional<Long>> reclaimFailed(String chargeId, String merchantId, String key, RoutingInfo routing,
      String owner, Instant nextCheckAt) {
    return reachable(pool.preparedQuery("""
            WITH k AS (
              UPDATE idempotency_keys SET created_at = now()
              WHERE merchant_id = $5 AND key = $6 AND charge_id = $1
              RETURNING charge_id)
            UPDATE charges c SET status = 'processing', routing = $2::jsonb, updated_at = now(), owner = $3,
                   owner_epoch = c.owner_epoch + 1, next_check_at = $4, checks = 0, settled_by = NULL
            FROM k WHERE c.id = k.charge_id AND c.status = 'failed' AND c.conflict IS NULL
            RETURNING c.owner_epoch""")
        .execute(Tuple.of(chargeId, routingJson(routing), owner, odt(nextCheckAt), merchantId, key))
        .map(rs -> first(rs).map(r -> r.getLong(0))));
  }

  /** The charge holding a merchant's idempotency key, with the fingerprint it was claimed with. */
  public Future<Optional<Charge>> chargeByKey(String merchantId, String key) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM idempotency_keys k JOIN charges c ON c.id = k.charge_id "
            + "WHERE k.merchant_id = $1 AND k.key = $2")
        .execute(Tuple.of(merchantId, key)).map(rs -> first(rs).map(Store::charge)));
  }

  public Future<Optional<Charge>> charge(String merchantId, String chargeId) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c WHERE c.id = $1 AND c.merchant_id = $2")
        .execute(Tuple.of(chargeId, merchantId)).map(rs -> first(rs).map(Store::charge)));
  }

  /** A charge by id whatever its merchant (webhooks, reconciler). */
  public Future<Optional<Charge>> chargeById(String chargeId) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c WHERE c.id = $1")
        .execute(Tuple.of(chargeId)).map(rs -> first(rs).map(Store::charge)));
  }

  public Future<List<Charge>> chargesByReference(String merchantId, String reference) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c WHERE c.merchant_id = $1 "
            + "AND c.merchant_reference = $2 ORDER BY c.created_at, c.id LIMIT 100")
        .execute(Tuple.of(merchantId, reference)).map(rs -> {
          List<Charge> out = new ArrayList<>();
          for (Row r : rs) out.add(charge(r));
          return out;
        }));
  }

  /**
   * Takes up to {@code limit} unsettled charges due for a check for this instance's reconciler:
   * ones it owns, unowned ones, ones whose owner is gone from {@code instances} (it stopped
   * cleanly or was retired), and (when {@code takeOthers}) ones whose owner's heartbeat stopped
   * more than {@code ownerTimeoutMs} ago (an instance that stopped). Taking is one atomic statement with
   * {@code SKIP LOCKED}, so two reconcilers never take the same charge. Each taken charge's next
   * check is pushed back by most of one interval (due again at the next round, yet behind every
   * charge already due, so charges that stay
   * undecided never starve newer ones), and, once it has been undecided for twice the grace
   * period, by about a quarter of its age (at least 1, at most 64 intervals), so truly stuck
   * charges cost little while one that just missed its answer (a PSP fault, the database away) is
   * asked again within seconds. The age, not the number of takes, sets it: a charge is taken
   * every round of its grace period, and counting those would put it 64 intervals away at once.
   */
  public Future<List<Taken>> takeUnsettled(String owner, long ownerTimeoutMs, long intervalMs, long graceMs,
      int limit, boolean takeOthers) {
    return reachable(pool.preparedQuery("""
            WITH picked AS (
              SELECT c.id, c.owner AS previous FROM charges c
              WHERE c.status IN ('processing', 'pending') AND c.next_check_at <= now()
                AND """ + TakeRule.takeable("c", "$1", "$2", "$6") + """
              ORDER BY c.next_check_at LIMIT $4 FOR UPDATE OF c SKIP LOCKED)
            UPDATE charges c SET owner = $1, checks = c.checks + 1,
                   -- a takeover raises the fencing epoch: the previous owner can send nothing more
                   owner_epoch = c.owner_epoch + CASE WHEN picked.previous IS DISTINCT FROM $1 THEN 1 ELSE 0 END,
                   next_check_at = least(
                       now() + make_interval(secs => $3::float8 / 1000 *
                         """ + TakeRule.intervals("c", "$3", "$5", "0.8") + """
                         ),
                       -- never past the end of its grace period, while that is still ahead
                       CASE WHEN c.updated_at + make_interval(secs => $5::float8 / 1000) > now()
                            THEN c.updated_at + make_interval(secs => $5::float8 / 1000) END)
            FROM picked WHERE c.id = picked.id
            RETURNING c.id, c.owner_epoch, picked.previous IS NOT NULL AND picked.previous IS DISTINCT FROM $1""")
        .execute(Tuple.of(owner, ownerTimeoutMs, intervalMs, limit, graceMs, takeOthers))
        .compose(rs -> {
          Map<String, Long> epochs = new java.util.HashMap<>();
          java.util.Set<String> tookOver = new java.util.HashSet<>();
          for (Row r : rs) {
            epochs.put(r.getString(0), r.getLong(1));
            if (Boolean.TRUE.equals(r.getBoolean(2))) tookOver.add(r.getString(0));
          }
          if (epochs.isEmpty()) return Future.succeededFuture(List.<Taken>of());
          return pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c WHERE c.id = ANY($1) ORDER BY c.created_at")
              .execute(Tuple.of(epochs.keySet().toArray(new String[0]))).map(rows -> {
                List<Taken> out = new ArrayList<>();
                for (Row r : rows) {
                  Charge c = charge(r);
                  out.add(new Taken(c, epochs.get(c.id()), tookOver.contains(c.id())));
                }
                return out;
              });
        }));
  }

  /**
   * Deletes up to {@code limit} idempotency keys older than {@code retentionHours} whose charge is
   * final (a key of an unsettled charge stays, whatever its age). Answers how many it deleted.
   */
  public Future<Integer> purgeIdempotencyKeys(int retentionHours, int limit) {
    return reachable(pool.preparedQuery("""
            DELETE FROM idempotency_keys k USING (
              SELECT o.merchant_id, o.key FROM idempotency_keys o JOIN charges c ON c.id = o.charge_id
              WHERE o.created_at < now() - make_interval(hours => $1)
                AND c.status IN ('succeeded', 'declined', 'failed')
              -- several instances purge at once: each key is deleted by one of them, the others skip it
              LIMIT $2 FOR UPDATE OF o SKIP LOCKED) old
            WHERE k.merchant_id = old.merchant_id AND k.key = old.key
              -- re-checked on the row being deleted: a retry of a failed charge that reclaimed it
              -- meanwhile refreshed its age (Store.reclaimFailed), so it is kept
              AND k.created_at < now() - make_interval(hours => $1)""")
        .execute(Tuple.of(retentionHours, limit)).map(RowSet::rowCount));
  }

  /** Renews this instance's heartbeat (and registers it on first call). */
  public Future<Void> heartbeat(String instanceId) {
    return reachable(pool.preparedQuery("INSERT INTO instances (id) VALUES ($1) "
            + "ON CONFLICT (id) DO UPDATE SET heartbeat_at = now()")
        .execute(Tuple.of(instanceId)).mapEmpty());
  }

  /** Removes this instance on a clean shutdown, so its charges are taken over at once. */
  public Future<Void> retire(String instanceId) {
    return reachable(pool.preparedQuery("DELETE FROM instances WHERE id = $1").execute(Tuple.of(instanceId)).mapEmpty());
  }

  /**
   * Records a late result that disagrees with a final charge, on the charge and in the conflicts
   * list. The PSP's reference, and the detail that quotes it, are cleaned like every PSP text.
   */
  public Future<Void> recordConflict(String chargeId, String provider, String source, String chargeStatus,
      String reportedOutcome, String providerReference, String detail, OutboxEvent event) {
    return reachable(pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO conflicts (charge_id, provider, source, "
            + "charge_status, reported_outcome, provider_reference, detail) VALUES ($1, $2, $3, $4, $5, $6, $7)")
        .execute(Tuple.of(chargeId, provider, source, chargeStatus, reportedOutcome, clean(providerReference),
            clean(detail, 2_000)))
        .compose(x -> conn.preparedQuery(CONFLICT_EVENT_SQL)
            .execute(Tuple.of(chargeId, clean(detail, 2_000), event == null ? null : event.id(),
                event == null ? null : event.type(), event == null ? null : event.body())))
        .mapEmpty()));
  }

  /**
   * Marks a charge's conflict and, in the same statement (the conflict's transaction), writes its
   * {@code charge.conflict} event for the merchant's subscribed endpoints.
   */
  static final String CONFLICT_EVENT_SQL = """
      WITH c AS (
        UPDATE charges SET conflict = $2, event_seq = event_seq + ($3::text IS NOT NULL)::int WHERE id = $1
        RETURNING id, merchant_id, event_seq)
      INSERT INTO webhook_deliveries (endpoint_id, merchant_id, event_id, event_type, charge_id, event_seq, body,
                                      status, next_attempt_at)
      SELECT e.id, c.merchant_id, $3, $4, c.id, c.event_seq, $5, 'pending', now()
      FROM c JOIN webhook_endpoints e ON e.merchant_id = c.merchant_id AND e.status = 'enabled'
                                      AND $4::text = ANY (e.event_types)
      WHERE $3::text IS NOT NULL""";

  /** The most recent conflicts, newest first. */
  public Future<List<Conflict>> conflicts(int limit) {
    return reachable(pool.preparedQuery("SELECT id, charge_id, provider, source, charge_status, reported_outcome, "
            + "provider_reference, detail, created_at FROM conflicts ORDER BY id DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<Conflict> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new Conflict(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getString(5), r.getString(6), r.getString(7), r.getOffsetDateTime(8).toInstant()));
          }
          return out;
        }));
  }

  // ---------------------------------------------------------------- operations reads (console)

  /**
   * How far back {@link #recentCharges} looks, widening step by step until it has {@code limit}
   * charges: the BRIN index on {@code created_at} then reads only the last few block ranges on a
   * busy router. Thirty days is as far as "recent" goes.
   */
  static final long[] RECENT_WINDOWS_S = {10, 60, 600, 3_600, 86_400, 7 * 86_400, 30 * 86_400};

  /** The most recent charges (of one merchant, or of all), newest first, at most 30 days back. */
  public Future<List<Charge>> recentCharges(String merchantId, int limit) {
    return recentCharges(merchantId, limit, 0);
  }

  private Future<List<Charge>> recentCharges(String merchantId, int limit, int window) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c "
            + "WHERE c.created_at >= now() - make_interval(secs => $1) AND ($2::text IS NULL OR c.merchant_id = $2) "
            + "ORDER BY c.created_at DESC, c.id DESC LIMIT $3")
        .execute(Tuple.of((double) RECENT_WINDOWS_S[window], merchantId, limit)).map(Store::charges))
        .compose(list -> list.size() >= limit || window == RECENT_WINDOWS_S.length - 1 ? Future.succeededFuture(list)
            : recentCharges(merchantId, limit, window + 1));
  }

  /**
   * Charges with this merchant reference, newest first: of one merchant, or of every merchant (one
   * look-up per merchant in the {@code (merchant_id, merchant_reference)} index).
   */
  public Future<List<Charge>> chargesByReferenceAnyMerchant(String merchantId, String reference, int limit) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + " FROM charges c "
            + "WHERE c.merchant_id = ANY(CASE WHEN $1::text IS NULL THEN ARRAY(SELECT id FROM merchants) ELSE ARRAY[$1] END) "
            + "AND c.merchant_reference = $2 ORDER BY c.created_at DESC, c.id DESC LIMIT $3")
        .execute(Tuple.of(merchantId, reference, limit)).map(Store::charges));
  }

  /**
   * Every {@code processing} or {@code pending} charge, oldest first (the partial unsettled index),
   * with the reconciler's bookkeeping and its age by PostgreSQL's clock; and how many there are.
   */
  public Future<Page<UnsettledCharge>> unsettled(int limit) {
    return reachable(pool.preparedQuery("SELECT " + CHARGE_COLUMNS + ", c.owner, c.checks, c.next_check_at, "
            + "(extract(epoch FROM now() - c.created_at) * 1000)::int8 AS age_ms, count(*) OVER () AS total "
            + "FROM charges c WHERE c.status IN ('processing', 'pending') ORDER BY c.created_at, c.id LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<UnsettledCharge> out = new ArrayList<>();
          long total = 0;
          for (Row r : rs) {
            OffsetDateTime next = r.getOffsetDateTime("next_check_at");
            out.add(new UnsettledCharge(charge(r), r.getString("owner"), r.getInteger("checks"),
                next == null ? null : next.toInstant(), Math.max(0, r.getLong("age_ms"))));
            total = r.getLong("total");
          }
          return new Page<>(out, total);
        }));
  }

  /** Rows the database refused, newest first, with how many there are. */
  public Future<Page<DeadLetter>> deadLetters(int limit) {
    return reachable(pool.preparedQuery("SELECT id, queue, sqlstate, error, payload::text, created_at, "
            + "(SELECT count(*) FROM dead_letters) FROM dead_letters ORDER BY id DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<DeadLetter> out = new ArrayList<>();
          long total = 0;
          for (Row r : rs) {
            out.add(new DeadLetter(r.getLong(0), r.getString(1), r.getString(2), r.getString(3), r.getString(4),
                r.getOffsetDateTime(5).toInstant()));
            total = r.getLong(6);
          }
          return new Page<>(out, total);
        }));
  }

  private static List<Charge> charges(RowSet<Row> rs) {
    List<Charge> out = new ArrayList<>(rs.size());
    for (Row r : rs) out.add(charge(r));
    return out;
  }

  // ---------------------------------------------------------------- merchants and keys

  public Future<Void> ensureMerchant(String id, String name) {
    return reachable(pool.preparedQuery("INSERT INTO merchants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING")
        .execute(Tuple.of(id, name)).mapEmpty());
  }

  /** Creates a merchant; false when the id is taken. */
  public Future<Boolean> createMerchant(String id, String name) {
    return reachable(pool.preparedQuery("INSERT INTO merchants (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING RETURNING id")
        .execute(Tuple.of(id, name)).map(rs -> rs.rowCount() == 1));
  }

  public Future<Boolean> merchantExists(String id) {
    return reachable(pool.preparedQuery("SELECT 1 FROM merchants WHERE id = $1").execute(Tuple.of(id)).map(rs -> rs.rowCount() == 1));
  }

  /** Stores a key hash (idempotent: the same key seeded at every start is kept once). */
  public Future<Void> addKey(String keyId, String merchantId, byte[] hash) {
    return reachable(pool.preparedQuery("INSERT INTO api_keys (id, merchant_id, key_hash) VALUES ($1, $2, $3) "
            + "ON CONFLICT (key_hash) DO NOTHING")
        .execute(Tuple.of(keyId, merchantId, io.vertx.core.buffer.Buffer.buffer(hash))).mapEmpty());
  }

  public Future<Optional<String>> merchantForKey(byte[] hash) {
    return reachable(pool.preparedQuery("SELECT merchant_id FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(hash)))
        .map(rs -> first(rs).map(r -> r.getString(0))));
  }

  /** Revokes a key; returns its hash (to evict from caches) or empty when there was no such key. */
  public Future<Optional<byte[]>> revokeKey(String merchantId, String keyId) {
    return reachable(pool.preparedQuery("UPDATE api_keys SET revoked_at = now() WHERE id = $1 AND merchant_id = $2 "
            + "AND revoked_at IS NULL RETURNING key_hash")
        .execute(Tuple.of(keyId, merchantId)).map(rs -> first(rs).map(r -> r.getBuffer(0).getBytes())));
  }

  // ---------------------------------------------------------------- cards

  public Future<Void> insertCard(Card card) {
    return reachable(pool.withTransaction(conn -> conn.preparedQuery("INSERT INTO cards (id, merchant_id, customer_reference, "
            + "brand, last4, exp_month, exp_year, issuer_country, created_at) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9)")
        .execute(Tuple.from(new Object[] {card.id(), card.merchantId(), card.customerReference(), card.brand(),
            card.last4(), card.expMonth(), card.expYear(), card.issuerCountry(), odt(card.createdAt())}))
        .compose(x -> {
          List<Tuple> rows = new ArrayList<>();
          card.tokens().forEach((provider, fields) -> rows.add(Tuple.of(card.id(), provider,
              io.vertx.core.buffer.Buffer.buffer(cipher.encrypt(new JsonObject(new LinkedHashMap<>(fields)).encode(),
                  card.id() + "/" + provider)))));
          return conn.preparedQuery("INSERT INTO provider_tokens (card_id, provider, token_enc) VALUES ($1,$2,$3)")
              .executeBatch(rows);
        })).mapEmpty());
  }

  public Future<Optional<Card>> card(String merchantId, String cardId) {
    return reachable(pool.preparedQuery("SELECT c.id, c.merchant_id, c.customer_reference, c.brand, c.last4, c.exp_month, "
            + "c.exp_year, c.issuer_country, c.created_at, c.deleted_at, "
            + "array_agg(t.provider) AS providers, array_agg(t.token_enc) AS tokens "
            + "FROM cards c LEFT JOIN provider_tokens t ON t.card_id = c.id "
            + "WHERE c.id = $1 AND c.merchant_id = $2 GROUP BY c.id")
        .execute(Tuple.of(cardId, merchantId)).map(rs -> first(rs).map(this::card)));
  }

  /** Marks a card deleted; false when it was not there (or already deleted). */
  public Future<Boolean> deleteCard(String merchantId, String cardId) {
    return reachable(pool.preparedQuery("UPDATE cards SET deleted_at = now() WHERE id = $1 AND merchant_id = $2 "
            + "AND deleted_at IS NULL RETURNING id")
        .execute(Tuple.of(cardId, merchantId)).map(rs -> rs.rowCount() == 1));
  }

  // ---------------------------------------------------------------- routing configs

  public record RoutingVersion(long version, JsonObject rules, String source) {}

  /**
   * A stored routing version as the operations API lists it.
   *
   * @param changedBy who stored it (null for versions from before migration V9)
   * @param instance the instance that stored it (null likewise)
   * @param rules the document (null in a listing)
   * @param ruleCount how many rules the document has
   */
  public record RoutingVersionEntry(long version, String source, String changedBy, String instance, Instant createdAt,
      int ruleCount, JsonObject rules) {}

  /** The newest routing versions, newest first, without their documents. */
  public Future<List<RoutingVersionEntry>> routingVersions(int limit) {
    return reachable(pool.preparedQuery("SELECT version, source, changed_by, instance, created_at, "
            + "coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(rules->'rules') = 'array' THEN rules->'rules' END), 0) "
            + "FROM routing_configs ORDER BY version DESC LIMIT $1")
        .execute(Tuple.of(limit)).map(rs -> {
          List<RoutingVersionEntry> out = new ArrayList<>();
          for (Row r : rs) {
            out.add(new RoutingVersionEntry(r.getLong(0), r.getString(1), r.getString(2), r.getString(3),
                r.getOffsetDateTime(4).toInstant(), r.getInteger(5), null));
          }
          return out;
        }));
  }

  /** One stored routing version with its document. */
  public Future<Optional<RoutingVersionEntry>> routingVersion(long version) {
    return reachable(pool.preparedQuery("SELECT version, source, changed_by, instance, created_at, "
            + "coalesce(jsonb_array_length(CASE WHEN jsonb_typeof(rules->'rules') = 'array' THEN rules->'rules' END), 0), "
            + "rules FROM routing_configs WHERE version = $1")
        .execute(Tuple.of(version)).map(rs -> first(rs).map(r -> new RoutingVersionEntry(r.getLong(0), r.getString(1),
            r.getString(2), r.getString(3), r.getOffsetDateTime(4).toInstant(), r.getInteger(5),
            (JsonObject) r.getValue(6)))));
  }

  /** Keys revoked since a point of the database's clock, and that clock now (for the next call). */
  public record Revocations(List<String> keyHashesHex, java.time.OffsetDateTime until) {}

  /**
   * The hashes (hex) of keys revoked after {@code since} minus 2 s (a revocation committed a little
   * after its {@code revoked_at} is not missed; seeing one twice only evicts it twice), with the
   * database's {@code now()}; {@code since} null: from now on.
   */
  public Future<Revocations> keysRevokedSince(java.time.OffsetDateTime since) {
    return reachable(pool.preparedQuery("SELECT now(), (SELECT coalesce(array_agg(encode(key_hash, 'hex')), '{}') "
            + "FROM api_keys WHERE $1::timestamptz IS NOT NULL AND revoked_at > $1::timestamptz - interval '2 seconds')")
        .execute(Tuple.of(since)).map(rs -> {
          Row r = rs.iterator().next();
          String[] hashes = r.getArrayOfStrings(1);
          return new Revocations(hashes == null ? List.of() : List.of(hashes), r.getOffsetDateTime(0));
        }));
  }

  /** The newest stored routing version's number (0 when none): the fleet's cheap check against the database. */
  public Future<Long> latestRoutingVersion() {
    return reachable(pool.query("SELECT coalesce(max(version), 0) FROM routing_configs").execute()
        .map(rs -> rs.iterator().next().getLong(0)));
  }

  /** The shadow routing rules as stored (migration V14). */
  public record ShadowRow(long generation, JsonObject rules, String installedBy, String instance, Instant installedAt) {}

  /** Stores shadow rules for the fleet under a new generation (replacing any shadow). */
  public Future<ShadowRow> putShadow(JsonObject rules, String installedBy, String instance) {
    return reachable(pool.preparedQuery("""
        INSERT INTO routing_shadow (id, generation, rules, installed_by, instance)
        VALUES (1, nextval('routing_shadow_generation'), $1, $2, $3)
        ON CONFLICT (id) DO UPDATE SET generation = EXCLUDED.generation, rules = EXCLUDED.rules,
               installed_by = EXCLUDED.installed_by, instance = EXCLUDED.instance, installed_at = now()
        RETURNING generation, rules, installed_by, instance, installed_at""")
        .execute(Tuple.of(rules, installedBy, instance)).map(rs -> shadowRow(rs.iterator().next())));
  }

  /** Removes the shadow; answers the generation removed, 0 when there was none. */
  public Future<Long> deleteShadow() {
    return reachable(pool.query("DELETE FROM routing_shadow RETURNING generation").execute()
        .map(rs -> first(rs).map(r -> r.getLong(0)).orElse(0L)));
  }

  /**
   * The stored shadow if its generation is not {@code known} (the rules only then: the fleet's
   * check every half second reads one small row); empty with generation 0 when there is none.
   */
  public Future<Optional<ShadowRow>> shadowIfNot(long known) {
    return reachable(pool.preparedQuery("SELECT generation, CASE WHEN generation <> $1 THEN rules END, installed_by,"
            + " instance, installed_at FROM routing_shadow").execute(Tuple.of(known))
        .map(rs -> first(rs).map(Store::shadowRow)));
  }

  private static ShadowRow shadowRow(Row r) {
    return new ShadowRow(r.getLong(0), (JsonObject) r.getValue(1), r.getString(2), r.getString(3),
        instant(r.getOffsetDateTime(4)));
  }

  public Future<Optional<RoutingVersion>> latestRouting() {
    return reachable(pool.query("SELECT version, rules, source FROM routing_configs ORDER BY version DESC LIMIT 1").execute()
        .map(rs -> first(rs).map(r -> new RoutingVersion(r.getLong(0), (JsonObject) r.getValue(1), r.getString(2)))));
  }

  /**
   * Every change of the routing versions is serialised by this transaction-scoped advisory lock, so
   * that a decision taken on the newest version (a file edit refused because the API changed the
   * rules after it) cannot race another instance's insert.
   */
  static final long ROUTING_LOCK = 0x7061_7972_6f75_7465L;

  /**
   * Stores rules as a new version (under the routing lock); answers its number.
   *
   * @param changedBy who asked (shown in the version history)
   * @param instance the instance storing it
   */
  public Future<Long> insertRouting(String source, JsonObject rules, String changedBy, String instance) {
    return insertRoutingIf(source, rules, changedBy, instance, latest -> true).map(r -> r.version());
  }

  /** What {@link #insertRoutingIf} did: inserted a new version, or left the newest as it was. */
  public record RoutingWrite(boolean inserted, long version, RoutingVersion latest) {}

  /**
   * Under the routing lock: reads the newest version, asks {@code insert} whether to add these
   * rules after it, and inserts them if so. Answers the version in force afterwards (the new one,
   * or the newest that was there; 0 and a null {@code latest} when there is none).
   */
  public Future<RoutingWrite> insertRoutingIf(String source, JsonObject rules, String changedBy, String instance,
      java.util.function.Predicate<Optional<RoutingVersion>> insert) {
    return reachable(pool.withTransaction(conn -> conn.preparedQuery("SELECT pg_advisory_xact_lock($1)")
        .execute(Tuple.of(ROUTING_LOCK))
        .compose(x -> conn.query("SELECT version, rules, source FROM routing_configs ORDER BY version DESC LIMIT 1")
            .execute())
        .compose(rs -> {
          Optional<RoutingVersion> latest = first(rs).map(r ->
              new RoutingVersion(r.getLong(0), (JsonObject) r.getValue(1), r.getString(2)));
          if (!insert.test(latest)) {
            return Future.succeededFuture(new RoutingWrite(false, latest.map(RoutingVersion::version).orElse(0L),
                latest.orElse(null)));
          }
          return conn.preparedQuery("INSERT INTO routing_configs (source, rules, changed_by, instance) "
                  + "VALUES ($1, $2::jsonb, $3, $4) RETURNING version")
              .execute(Tuple.of(source, rules, clean(changedBy), instance)).map(ins -> {
                long v = ins.iterator().next().getLong(0);
                return new RoutingWrite(true, v, new RoutingVersion(v, rules, source));
              });
        })));
  }

  // ---------------------------------------------------------------- token key check

  static final String KEY_CHECK = "token_key_check";
  static final String KEY_CHECK_TEXT = "payment-router token key check";

  /**
   * Proves at start that the configured token key is the one the stored tokens were encrypted
   * with: a check value stored with the data (written the first time, from a stored token if there
   * is one, so a database from before the check is verified too) must decrypt. Fails with
   * {@link TokenKeyMismatchException} otherwise; the router then refuses to start.
   */
  public Future<Void> checkTokenKey() {
    return reachable(pool.preparedQuery("SELECT value FROM router_settings WHERE name = $1").execute(Tuple.of(KEY_CHECK))
        .compose(rs -> {
          Optional<Row> row = first(rs);
          if (row.isPresent()) {
            return decrypts(row.get().getBuffer(0).getBytes(), KEY_CHECK) ? Future.<Void>succeededFuture()
                : Future.<Void>failedFuture(new TokenKeyMismatchException());
          }
          return pool.query("SELECT card_id, provider, token_enc FROM provider_tokens LIMIT 1").execute().compose(t -> {
            Optional<Row> token = first(t);
            if (token.isPresent() && !decrypts(token.get().getBuffer(2).getBytes(),
                token.get().getString(0) + "/" + token.get().getString(1))) {
              return Future.<Void>failedFuture(new TokenKeyMismatchException());
            }
            io.vertx.core.buffer.Buffer check = io.vertx.core.buffer.Buffer.buffer(cipher.encrypt(KEY_CHECK_TEXT, KEY_CHECK));
            // another instance may store its check value first: read back whichever is stored
            return pool.preparedQuery("INSERT INTO router_settings (name, value) VALUES ($1, $2) ON CONFLICT (name) DO NOTHING")
                .execute(Tuple.of(KEY_CHECK, check)).compose(x -> checkTokenKey());
          });
        }));
  }

  private boolean decrypts(byte[] blob, String aad) {
    try {
      cipher.decrypt(blob, aad);
      return true;
    } catch (IllegalStateException e) {
      return false;
    }
  }

  /** The configured token key is not the one the stored data was encrypted with. */
  public static final class TokenKeyMismatchException extends RuntimeException {
    public TokenKeyMismatchException() {
      super("security.token_encryption_key (ROUTER_TOKEN_KEY) does not decrypt the data stored in this database: it is"
          + " not the key the stored card tokens were encrypted with. Start with the key in use; keep it with the"
          + " database (a new key on every start makes every stored card unusable)");
    }
  }

  // ---------------------------------------------------------------- provider flags

  /** The operators' enable/disable choices (shared by every instance; they win over router.yaml). */
  public Future<Map<String, Boolean>> providerFlags() {
    return reachable(pool.query("SELECT provider, enabled FROM provider_flags").execute().map(rs -> {
      Map<String, Boolean> m = new LinkedHashMap<>();
      for (Row r : rs) m.put(r.getString(0), r.getBoolean(1));
      return m;
    }));
  }

  /** Records an operator's enable/disable of a provider. */
  public Future<Void> setProviderFlag(String provider, boolean enabled, String changedBy) {
    return reachable(pool.preparedQuery("""
            INSERT INTO provider_flags (provider, enabled, changed_by) VALUES ($1, $2, $3)
            ON CONFLICT (provider) DO UPDATE SET enabled = $2, changed_by = $3, changed_at = now()""")
        .execute(Tuple.of(provider, enabled, changedBy)).mapEmpty());
  }

  /** The source name of the newest routing version whose source starts with the prefix. */
  public Future<Optional<String>> lastRoutingSource(String prefix) {
    return reachable(pool.preparedQuery("SELECT source FROM routing_configs WHERE starts_with(source, $1) ORDER BY version DESC LIMIT 1")
        .execute(Tuple.of(prefix)).map(rs -> first(rs).map(r -> r.getString(0))));
  }

  /**
   * Every instance's unsettled ({@code processing} or {@code pending}) charges: one aggregate over
   * the partial index {@code charges_unsettled}, so its cost follows the backlog, not the table.
   */
  public Future<Backlog> unsettledBacklog() {
    return reachable(pool.query("""
            SELECT count(*), COALESCE(EXTRACT(EPOCH FROM now() - min(updated_at)), 0)::float8
            FROM charges WHERE status IN ('processing', 'pending')""").execute()
        .map(rows -> {
          Row r = rows.iterator().next();
          return new Backlog(r.getLong(0), Math.max(0, r.getDouble(1)));
        }));
  }

  public Future<Void> ping() {
    return reachable(pool.query("SELECT 1").execute().mapEmpty());
  }

  /**
   * The one place query failures are classified ({@link DbErrors}): PostgreSQL refusing a
   * statement stays a {@code PgException}; a transient failure (connection refused or lost, pool
   * timeout, server shutting down or starting up, too many clients, serialization failure,
   * deadlock) marks the database down and becomes {@link StoreUnavailableException} (503).
   */
  <T> Future<T> reachable(Future<T> f) {
    return f.map(v -> {
      health.markUp();
      return v;
    }).recover(err -> {
      if (!DbErrors.isTransient(err)) return Future.failedFuture(err);
      health.markDown();
      String what = DbErrors.sqlState(err) != null ? "sqlstate " + DbErrors.sqlState(err) : err.getClass().getSimpleName();
      return Future.failedFuture(new StoreUnavailableException("database unavailable: " + what));
    });
  }

  // ---------------------------------------------------------------- row mapping

  /** The first row of an answer, if any (shared by the store's classes). */
  static Optional<Row> first(RowSet<Row> rs) {
    var it = rs.iterator();
    return it.hasNext() ? Optional.of(it.next()) : Optional.empty();
  }

  /** A nullable timestamp column as an instant (shared by the store's classes). */
  static Instant instant(OffsetDateTime t) {
    return t == null ? null : t.toInstant();
  }

  private Card card(Row r) {
    String id = r.getString("id");
    Map<String, Map<String, String>> tokens = new LinkedHashMap<>();
    Object[] providers = r.getArrayOfStrings("providers");
    io.vertx.core.buffer.Buffer[] blobs = r.getArrayOfBuffers("tokens");
    for (int i = 0; providers != null && i < providers.length; i++) {
      if (providers[i] == null) continue;
      String p = (String) providers[i];
      JsonObject fields = new JsonObject(cipher.decrypt(blobs[i].getBytes(), id + "/" + p));
      Map<String, String> m = new LinkedHashMap<>();
      fields.forEach(e -> m.put(e.getKey(), String.valueOf(e.getValue())));
      tokens.put(p, Map.copyOf(m));
    }
    return new Card(id, r.getString("merchant_id"), r.getString("customer_reference"), r.getString("brand"),
        r.getString("last4"), r.getInteger("exp_month"), r.getInteger("exp_year"), r.getString("issuer_country"),
        Map.copyOf(tokens), r.getOffsetDateTime("created_at").toInstant(), r.getValue("deleted_at") != null);
  }

  static Charge charge(Row r) {
    JsonObject routing = (JsonObject) r.getValue("routing");
    Object attsRaw = r.getValue("attempts");
    JsonArray atts = attsRaw instanceof JsonArray a ? a : new JsonArray(String.valueOf(attsRaw));
    String chargeId = r.getString("id");
    List<Attempt> attempts = new ArrayList<>();
    for (int i = 0; i < atts.size(); i++) {
      JsonObject a = atts.getJsonObject(i);
      attempts.add(new Attempt(a.getString("id"), chargeId, a.getInteger("seq"),
          a.getString("provider"), AttemptOutcome.fromWire(a.getString("outcome")), orZero(a.getLong("latency_ms")), a.getString("error"),
          a.getString("provider_reference"), DeclineCode.fromWire(a.getString("decline_code")), a.getString("provider_code")));
    }
    return new Charge(r.getString("id"), r.getString("merchant_id"), r.getString("idempotency_key"),
        r.getString("fingerprint"), r.getLong("amount"), r.getString("currency"), r.getString("card_id"),
        r.getString("merchant_reference"), ChargeStatus.fromWire(r.getString("status")), r.getString("provider"),
        r.getString("provider_reference"), DeclineCode.fromWire(r.getString("decline_code")), r.getString("provider_code"),
        routing == null ? null : routingInfo(routing), List.copyOf(attempts),
        r.getOffsetDateTime("created_at").toInstant(), r.getOffsetDateTime("updated_at").toInstant(),
        r.getString("conflict"), SettledBy.fromWire(r.getString("settled_by")));
  }

  /** A checkpoint row has no latency yet: its column is null (getLong(key, 0L) answers null then). */
  private static long orZero(Long l) {
    return l == null ? 0 : l;
  }

  static JsonObject routingJson(RoutingInfo ri) {
    if (ri == null) return null;
    JsonObject j = new JsonObject().put("rule", ri.rule()).put("strategy", ri.strategy())
        .put("config_version", ri.configVersion()).put("candidates", new JsonArray(new ArrayList<>(ri.candidates())));
    if (!ri.excluded().isEmpty()) {
      // Why the other providers were left out: a charge no PSP could take explains itself from it.
      JsonArray excluded = new JsonArray();
      for (RoutingInfo.Excluded e : ri.excluded()) {
        excluded.add(new JsonObject().put("provider", e.provider()).put("reason", e.reason()).put("detail", e.detail()));
      }
      j.put("excluded", excluded);
    }
    if (!ri.expectedFees().isEmpty()) j.put("expected_fees", new JsonObject(new LinkedHashMap<>(ri.expectedFees())));
    if (ri.canary() != null) {
      j.put("canary", new JsonObject().put("generation", ri.canary().generation()).put("arm", ri.canary().arm()));
    }
    return j;
  }

  static RoutingInfo routingInfo(JsonObject j) {
    List<String> c = new ArrayList<>();
    JsonArray arr = j.getJsonArray("candidates", new JsonArray());
    for (int i = 0; i < arr.size(); i++) c.add(arr.getString(i));
    List<RoutingInfo.Excluded> excluded = new ArrayList<>();
    JsonArray ex = j.getJsonArray("excluded", new JsonArray());
    for (int i = 0; i < ex.size(); i++) {
      JsonObject e = ex.getJsonObject(i);
      excluded.add(new RoutingInfo.Excluded(e.getString("provider"), e.getString("reason"), e.getString("detail")));
    }
    Map<String, Long> fees = new LinkedHashMap<>();
    JsonObject f = j.getJsonObject("expected_fees");
    if (f != null) f.forEach(e -> fees.put(e.getKey(), ((Number) e.getValue()).longValue()));
    JsonObject k = j.getJsonObject("canary");
    RoutingInfo.Canary canary = k == null ? null : new RoutingInfo.Canary(k.getLong("generation", 0L), k.getString("arm"));
    return new RoutingInfo(j.getString("rule"), j.getString("strategy"), j.getLong("config_version", 0L), c, excluded, fees,
        canary);
  }

  static OffsetDateTime odt(Instant i) {
    return i.atOffset(ZoneOffset.UTC);
  }
}
