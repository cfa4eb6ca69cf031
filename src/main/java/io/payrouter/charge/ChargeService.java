package io.payrouter.charge;

import io.payrouter.common.Ids;
import io.payrouter.connector.ChargeInput;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.metrics.Metrics;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptReference;
import io.payrouter.domain.CardDeletedException;
import io.payrouter.domain.DomainException;
import io.payrouter.domain.IdempotencyKeyInProgressException;
import io.payrouter.domain.IdempotencyKeyReusedException;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.UnavailableException;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Card;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.RoutingInfo;
import io.payrouter.domain.SettledBy;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The charge orchestrator (src/docs/design.md): claim the idempotency key and record the intent in
 * one awaited, group-committed write; route; attempt under the dispatcher; fail over only when the
 * previous PSP provably did not charge; settle in-doubt attempts by inquiry; answer; hand the
 * outcome to the write queue without waiting for it.
 */
public final class ChargeService {
  /** The per-charge log (ids, provider, outcome, latency; never a token): on with logging.format json. */
  private static final org.slf4j.Logger CHARGES = org.slf4j.LoggerFactory.getLogger("io.payrouter.charges");
  private static final Logger log = LoggerFactory.getLogger(ChargeService.class);

  /** The answer to a charge request: the charge and whether it is a replay of an earlier request. */
  public record Result(Charge charge, boolean replayed) {}

  /** A charge being worked on by this instance (key claimed), and its answer once decided. */
  private static final class InFlight {
    final String fingerprint;
    volatile Charge done;

    InFlight(String fingerprint) {
      this.fingerprint = fingerprint;
    }
  }

  private final Store store;
  private final Dispatcher dispatcher;
  private final RouteDecider router;
  private final Metrics metrics;
  private final String webhookBaseUrl;
  private final String instanceId;
  private final long processingGraceMs;
  private final long pendingRecheckMs;
  private final CardCache cards = new CardCache(50_000);
  /** Charges worked on at once before new ones are shed with 503 (http.max_charges_in_flight). */
  private final int maxInFlight;
  /**
   * Charge requests not answered yet: what the limit counts. Not {@link #inFlight}, which also
   * holds answered charges until their outcome is durable: a pause of the outcome writer used to
   * fill it and shed new charges while only a few requests were being worked on.
   */
  private final java.util.concurrent.atomic.AtomicInteger unanswered = new java.util.concurrent.atomic.AtomicInteger();
  /** merchant + key to the charge being worked on here: the fast path in front of the database claim. */
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Ids of the charges this instance is still deciding (an index of {@link #inFlight} without a decision). */
  private final java.util.Set<String> deciding = ConcurrentHashMap.newKeySet();
  /** Decided charges whose outcome is not yet durable: served from here until it is. */
  private final ConcurrentHashMap<String, Charge> undurable = new ConcurrentHashMap<>();
  /** The outcome write of each charge in {@link #undurable}, for {@link #whenDurable}. */
  private final ConcurrentHashMap<String, Future<Boolean>> outcomeWrites = new ConcurrentHashMap<>();

  /**
   * @param instanceId this router instance: the owner of the charges it claims
   * @param processingGraceMs how long after its claim a {@code processing} charge may be looked at
   *     by a reconciler (this instance skips the ones it is still deciding; other instances only
   *     take charges whose owner stopped)
   * @param pendingRecheckMs how soon a {@code pending} charge is first re-checked
   */
  /** The events outcomes report to merchants' webhook endpoints (written with each outcome). */
  private final io.payrouter.webhook.Events events;

  public ChargeService(Store store, Dispatcher dispatcher, RouteDecider router, Metrics metrics,
      String publicUrl, int maxInFlight, String instanceId, long processingGraceMs, long pendingRecheckMs,
      io.payrouter.webhook.Events events) {
    this.events = events;
    this.maxInFlight = maxInFlight;
    this.store = store;
    this.dispatcher = dispatcher;
    this.router = router;
    this.metrics = metrics;
    this.webhookBaseUrl = publicUrl + "/v1/webhooks/";
    this.instanceId = instanceId;
    this.processingGraceMs = processingGraceMs;
    this.pendingRecheckMs = pendingRecheckMs;
  }

  public String instanceId() {
    return instanceId;
  }

  // ------------------------------------------------------------------ create

  public Future<Result> create(ChargeRequest req) {
    long t0 = System.nanoTime();
    if (!store.acceptingCharges()) {
      return Future.failedFuture(new UnavailableException(
          "the database is unavailable or behind on writes; nothing was charged, retry later"));
    }
    String key = req.merchantId() + '\n' + req.idempotencyKey();
    InFlight existing = inFlight.get(key);
    if (existing != null) return Future.succeededFuture(replayInFlight(existing, req.fingerprint()));
    if (unanswered.incrementAndGet() > maxInFlight) {
      // Overload: answer at once rather than queue behind thousands of others (an open-model
      // overload would otherwise wait up to the 5 s claim bound before its 503). Nothing was sent.
      unanswered.decrementAndGet();
      metrics.chargeShed();
      return Future.failedFuture(new UnavailableException(
          "the router is at its limit of charges in flight; nothing was charged, retry later"));
    }
    return resolveCard(req).recover(err -> Future.failedFuture(err instanceof DomainException && !(err instanceof UnavailableException) ? err
        : new UnavailableException("the card could not be read; nothing was charged, retry later", err.toString())))
        .compose(card -> {
      String chargeId = Ids.next("ch_");
      Decision decision = router.decide(attributes(chargeId, req, card), req.cardId(), req.merchantReference());
      InFlight mine = new InFlight(req.fingerprint());
      InFlight raced = inFlight.putIfAbsent(key, mine);
      if (raced != null) return Future.succeededFuture(replayInFlight(raced, req.fingerprint()));
      Instant now = now();
      Charge intent = new Charge(chargeId, req.merchantId(), req.idempotencyKey(), req.fingerprint(),
          req.amount(), req.currency(), req.cardId(), req.merchantReference(), ChargeStatus.PROCESSING,
          null, null, null, null, routingInfo(decision), List.of(), now, now, null);
      // Bounded: the writer answers within Store.CLAIM_MAX_WAIT_MS, so a hung connection cannot
      // keep this request (and its in-flight entry) forever. A claim that commits after that is
      // owned by this instance and settled by its reconciler. The claim also records the first
      // attempt as sent, under the checkpoint's fencing rule (one write before the PSP call).
      Attempt first = firstAttempt(chargeId, decision, card);
      long claimedAt = System.nanoTime();
      return store.claim(intent, instanceId, now.plusMillis(processingGraceMs), first)
          .recover(err -> {
            inFlight.remove(key, mine);
            return Future.failedFuture(err instanceof UnavailableException || err instanceof java.util.concurrent.TimeoutException
                ? new UnavailableException("the charge could not be recorded; nothing was charged, retry later", err.getMessage())
                : err);
          })
          .compose(claim -> {
            if (claim.recorded()) {
              Armed armed = claim == Store.Claim.ARMED ? new Armed(first.id(), claimedAt) : null;
              return execute(key, mine, intent, decision, card, req, List.of(), CLAIM_EPOCH, armed)
                  .map(c -> new Result(c, false));
            }
            inFlight.remove(key, mine);
            return resolveTakenKey(req, card, key);
          });
    }).onComplete(ar -> {
      unanswered.decrementAndGet();
      if (ar.succeeded() && !ar.result().replayed()) {
        long nanos = System.nanoTime() - t0;
        Charge c = ar.result().charge();
        metrics.chargeFinished(c.provider(), c.status().wire(), nanos);
        router.answered(c, nanos);
        // One line per answered charge, only when logging.format is json (the logger is off otherwise)
        if (CHARGES.isInfoEnabled()) {
          CHARGES.atInfo().addKeyValue("charge_id", c.id()).addKeyValue("merchant", c.merchantId())
              .addKeyValue("provider", c.provider() == null ? "none" : c.provider())
              .addKeyValue("outcome", c.status().wire()).addKeyValue("attempts", c.attempts().size())
              .addKeyValue("latency_ms", nanos / 1_000_000).log("charge answered");
        }
      }
    });
  }

  /** A second request for a key this instance is working on right now. */
  private Result replayInFlight(InFlight e, String fingerprint) {
    if (!e.fingerprint.equals(fingerprint)) throw keyReused();
    Charge done = e.done;
    if (done == null) throw inProgress();
    return new Result(done, true);
  }

  /** The key is claimed in the database (by an earlier request, another instance, or a restart). */
  private Future<Result> resolveTakenKey(ChargeRequest req, Card card, String key) {
    return store.chargeByKey(req.merchantId(), req.idempotencyKey()).compose(found -> {
      if (found.isEmpty()) {
        // The claim inserts key and charge atomically; no row means the card was deleted meanwhile.
        cards.evict(req.cardId());
        throw cardDeleted();
      }
      Charge c = undurable.getOrDefault(found.get().id(), found.get());
      if (!c.fingerprint().equals(req.fingerprint())) throw keyReused();
      if (c.status() == ChargeStatus.PROCESSING) throw inProgress();
      if (c.status() != ChargeStatus.FAILED) return Future.succeededFuture(new Result(c, true));
      return retryFailed(c, req, card, key);
    });
  }

  /**
   * A retry of a {@code failed} charge with its key. A failed charge charged nothing, so it may
   * try again ({@link SettlementPolicy#mayRetryFailed}), unless a PSP has reported money moved on
   * it since (a conflict): then the retry gets the charge as it stands. The reclaim is one
   * statement that also proves the key is still there (see {@link Store#reclaimFailed}).
   */
  private Future<Result> retryFailed(Charge failed, ChargeRequest req, Card card, String key) {
    if (!SettlementPolicy.mayRetryFailed(failed)) return Future.succeededFuture(new Result(failed, true));
    Decision decision = router.decide(attributes(failed.id(), req, card), req.cardId(), req.merchantReference());
    InFlight mine = new InFlight(failed.fingerprint());
    if (inFlight.putIfAbsent(key, mine) != null) throw inProgress();
    return store.reclaimFailed(failed.id(), failed.merchantId(), failed.idempotencyKey(), routingInfo(decision), instanceId,
        now().plusMillis(processingGraceMs)).compose(epoch -> {
      if (epoch.isEmpty()) {
        inFlight.remove(key, mine);
        // Not failed any more (another request or instance took it), money moved meanwhile, or
        // the key was purged: answer the charge as it stands now.
        return store.chargeById(failed.id()).map(now -> {
          Charge c = now.orElse(failed);
          if (c.status() == ChargeStatus.PROCESSING) throw inProgress();
          return new Result(c, true);
        });
      }
      Charge again = new Charge(failed.id(), failed.merchantId(), failed.idempotencyKey(), failed.fingerprint(),
          failed.amount(), failed.currency(), failed.cardId(), failed.merchantReference(), ChargeStatus.PROCESSING,
          null, null, null, null, routingInfo(decision), failed.attempts(), failed.createdAt(), now(), failed.conflict());
      return execute(key, mine, again, decision, card, req, failed.attempts(), epoch.get(), null)
          .map(c -> new Result(c, false));
    }, err -> {
      inFlight.remove(key, mine);
      return Future.failedFuture(err);
    });
  }

  // ------------------------------------------------------------------ attempts

  /** The epoch a claimed charge is owned under (a takeover raises it: recovery/Ownership). */
  static final long CLAIM_EPOCH = 1;

  /** A charge decided on the request path: the answer, and whether this instance was fenced off it. */
  private record Decided(Charge charge, boolean abandoned, Attempt last, PspResult lastResult) {}

  /**
   * A first attempt the claim recorded as {@code sent} under a valid lease (its fencing proof), and
   * when that claim was submitted: its first money-moving call needs no checkpoint while it starts
   * within the lease of that proof, and takes one otherwise.
   */
  private record Armed(String attemptId, long claimedAtNanos) {}

  /**
   * The first attempt a fresh claim may record: the first candidate's, when the card holds a token
   * there (without one the connector sends nothing, and a crash before the outcome would leave a
   * sent attempt that never was). Null when nothing will be attempted.
   */
  private static Attempt firstAttempt(String chargeId, Decision d, Card card) {
    if (d.candidates().isEmpty() || d.maxAttempts() < 1 || card == null) return null;
    String provider = d.candidates().get(0);
    if (!card.tokens().containsKey(provider)) return null;
    return Attempt.sent(Ids.next("att_"), chargeId, 1, provider, null);
  }

  private Future<Charge> execute(String key, InFlight mine, Charge intent, Decision decision, Card card,
      ChargeRequest req, List<Attempt> earlier, long epoch, Armed armed) {
    List<Attempt> attempts = new ArrayList<>(earlier);
    deciding.add(intent.id());
    return attempt(intent, decision, card, req, attempts, 0, 0, epoch, armed)
        .recover(err -> {
          // A bug, not a PSP answer: keep the charge unsettled for the reconciler, never guess.
          log.error("charge {} stopped unexpectedly; left for reconciliation", intent.id(), err);
          return Future.succeededFuture(new Decided(
              intent.settled(ChargeStatus.PENDING, null, null, null, null, List.copyOf(attempts), now(), null), false, null, null));
        })
        .map(d -> {
          Charge done = d.charge();
          mine.done = done;
          deciding.remove(done.id());
          if (d.abandoned()) {
            // Fenced: another instance owns the charge now and settles it. Nothing more was sent.
            inFlight.remove(key, mine);
            return done;
          }
          undurable.put(done.id(), done);
          Future<Boolean> write = store.recordOutcome(outcome(done, instanceId, epoch));
          outcomeWrites.put(done.id(), write);
          write
              .onComplete(ar -> {
                if (ar.failed()) {
                  outcomeRefused(done, ar.cause());
                } else if (ar.result()) {
                  // Final once durable: a final answer is a settlement by the request itself.
                  if (done.status().isFinal()) {
                    metrics.settled(SettlementPolicy.Source.REQUEST.wire(), done.status().wire(), done.provider());
                  }
                } else {
                  lostRace(done, SettlementPolicy.Source.REQUEST);
                  if (d.last() != null && d.lastResult() != null && d.lastResult().outcome() == Outcome.SUCCEEDED) {
                    // A success is never only logged: it settles the charge if it is still waiting
                    // on this attempt, or is recorded as a conflict.
                    settleResult(done.id(), d.last().provider(), AttemptReference.of(done.id(), d.last().seq()),
                        d.lastResult(), SettlementPolicy.Source.REQUEST, null)
                        .onFailure(err -> log.error("charge {}: the success of a lost write could not be settled or "
                            + "recorded: {}", done.id(), err.toString()));
                  }
                }
                undurable.remove(done.id(), done);
                outcomeWrites.remove(done.id(), write);
                inFlight.remove(key, mine);
              });
          return done;
        });
  }

  /**
   * The database refused the outcome (not a transient failure). The charge must not stay
   * processing for ever: a minimal pending outcome without any PSP text goes instead, and the
   * reconciler settles the charge by inquiry. The log says whether the refused row was kept.
   */
  private void outcomeRefused(Charge done, Throwable cause) {
    boolean kept = cause instanceof io.payrouter.store.BatchWriter.RowRefusedException r && r.deadLettered();
    log.error("outcome of charge {} refused by the database ({}); {}; writing it as pending for the reconciler",
        done.id(), cause.getClass().getSimpleName(), kept ? "the refused row is kept as a dead letter"
            : "the refused row could not be kept as a dead letter");
    List<Attempt> bare = new ArrayList<>();
    for (Attempt a : done.attempts()) {
      bare.add(new Attempt(a.id(), a.chargeId(), a.seq(), a.provider(), a.outcome(), a.latencyMs(), null,
          a.providerReference(), a.declineCode(), null));
    }
    Charge pending = done.settled(ChargeStatus.PENDING, done.provider(), done.providerReference(), null, null,
        List.copyOf(bare), now(), null);
    store.recordOutcome(new Store.Outcome(pending.id(), ChargeStatus.PENDING, pending.provider(), null, null, null,
            pending.attempts(), pending.updatedAt(), null, null, pending.updatedAt(), null, events.charge(pending)))
        .onFailure(err -> log.error("charge {}: the pending fallback outcome was refused too ({}); the reconciler "
            + "will take it once its owner's heartbeat stops", done.id(), err.toString()));
  }

  /** @param armed the claim's recorded first attempt, for the first candidate only (else null) */
  private Future<Decided> attempt(Charge c, Decision d, Card card, ChargeRequest req, List<Attempt> attempts,
      int candidateIndex, int made, long epoch, Armed armed) {
    List<String> candidates = d.candidates();
    if (candidateIndex >= candidates.size() || made >= d.maxAttempts()) {
      return Future.succeededFuture(new Decided(
          c.settled(ChargeStatus.FAILED, null, null, null, null, List.copyOf(attempts), now(), SettledBy.REQUEST),
          false, null, null));
    }
    String provider = candidates.get(candidateIndex);
    int seq = attempts.size() + 1;
    boolean isArmed = armed != null && seq == 1;
    String attemptId = isArmed ? armed.attemptId() : Ids.next("att_");
    String reference = AttemptReference.of(c.id(), seq);
    Map<String, String> token = card.tokens().get(provider);
    ChargeInput input = new ChargeInput(c.id(), attemptId, reference, c.amount(), c.currency(), card.brand(), token,
        req.description(), req.customerReference(), req.customerEmail(), webhookBaseUrl + provider);
    long t0 = System.nanoTime();
    return dispatcher.charge(provider, input, ref -> isArmed && ref == null && stillProven(armed) ? Future.<Void>succeededFuture()
        : sendDeadline(store.checkpoint(Attempt.sent(attemptId, c.id(), seq, provider, ref), instanceId, epoch)
            .onFailure(err -> {
              if (err instanceof io.payrouter.domain.FencedException) {
                metrics.fencingRefusal(provider);
                log.warn("charge {}: this instance no longer owns it; nothing sent to {}", c.id(), provider);
              }
            }), c.id(), provider))
        .compose(r -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          if (r.isEvidenceAboutPsp()) router.record(provider, !r.isPspFailure(), ms);
          if (r.outcome() != Outcome.IN_DOUBT) return Future.succeededFuture(new Answer(r, ms, null));
          // In doubt: ask that PSP now, by this attempt's reference, before deciding anything; if it
          // holds the payment open and unpaid, close it through its documented cancel (proof).
          InquiryInput q = new InquiryInput(c.id(), reference, r.providerReference(), c.amount(), c.currency());
          return dispatcher.inquire(provider, q)
              .compose(found -> !FailoverPolicy.shouldCancel(r, found) ? Future.succeededFuture(found)
                  : dispatcher.cancel(provider, q.providerReference() != null ? q
                      : new InquiryInput(c.id(), reference, found.result().providerReference(), c.amount(), c.currency()))
                      .map(closed -> closed.kind() == InquiryResult.Kind.UNKNOWN ? found : closed))
              .map(answer -> new Answer(r, (System.nanoTime() - t0) / 1_000_000, answer));
        })
        .compose(a -> {
          PspResult r = a.settledResult();
          Attempt made1 = new Attempt(attemptId, c.id(), seq, provider, AttemptOutcome.of(r.outcome()), a.latencyMs(),
              a.error(), r.providerReference(), r.declineCode(), r.providerCode());
          attempts.add(made1);
          boolean candidateLeft = candidateIndex + 1 < candidates.size() && made + 1 < d.maxAttempts();
          return switch (FailoverPolicy.next(r, d.failoverOnSoftDecline(), candidateLeft)) {
            case SUCCEED -> finish(c, ChargeStatus.SUCCEEDED, provider, r, attempts, made1, a.settledBy());
            case PENDING -> finish(c, ChargeStatus.PENDING, provider, r, attempts, made1, null);
            case DECLINE -> finish(c, ChargeStatus.DECLINED, provider, r, attempts, made1, a.settledBy());
            case NEXT_CANDIDATE -> attempt(c, d, card, req, attempts, candidateIndex + 1, made + 1, epoch, null);
            case FAIL -> Future.succeededFuture(new Decided(c.settled(ChargeStatus.FAILED, null, null, null, null,
                List.copyOf(attempts), now(), SettledBy.REQUEST), false, made1, r));
            case ABANDON -> Future.succeededFuture(new Decided(
                c.settled(ChargeStatus.PENDING, provider, null, null, null, List.copyOf(attempts), now(), null), true, made1, r));
          };
        });
  }

  /**
   * The claim's proof still holds for the armed first attempt: it was submitted within the lease.
   * Past it (the claim waited that long, or this process was paused), the call goes through a
   * checkpoint after all, which proves ownership afresh on the same attempt (or fences it).
   */
  private static boolean stillProven(Armed armed) {
    return (System.nanoTime() - armed.claimedAtNanos()) / 1_000_000 <= Store.OWNER_TIMEOUT_MS;
  }

  /**
   * The fenced checkpoint proves ownership when PostgreSQL runs it; the money call follows in the
   * same event-loop task once its answer is back. If that answer took longer than the lease (this
   * process was paused, or the database was that slow), the proof is stale: the call is not sent,
   * and the attempt (durable as sent) is left for the reconciler, which waits for the PSP's word or
   * the not-found horizon. Measured on this process's monotonic clock from before the checkpoint
   * was submitted; what is left is a pause between this check and the socket write.
   */
  private Future<Void> sendDeadline(Future<Void> checkpoint, String chargeId, String provider) {
    long t0 = System.nanoTime();
    return checkpoint.compose(v -> {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (ms <= Store.OWNER_TIMEOUT_MS) return Future.succeededFuture();
      log.warn("charge {}: the checkpoint for {} answered after {} ms, longer than the {} ms lease; not sending",
          chargeId, provider, ms, Store.OWNER_TIMEOUT_MS);
      metrics.checkpointTooLate(provider);
      return Future.failedFuture(new io.payrouter.domain.FencedException(chargeId));
    });
  }

  /** One attempt's answer, and what the PSP said when asked about it (inquiry or cancel). */
  private record Answer(PspResult first, long latencyMs, InquiryResult inquiry) {
    PspResult settledResult() {
      return FailoverPolicy.resolveInDoubt(first, inquiry);
    }

    /**
     * An attempt that succeeded carries no error. A decline learnt by asking keeps what went
     * wrong with the call itself (a timeout, say); the charge's {@code settled_by} says it was
     * settled by inquiry.
     */
    String error() {
      PspResult r = settledResult();
      if (r.outcome() == Outcome.SUCCEEDED) return null;
      if (r.outcome() == Outcome.DECLINED) return inquiry == null ? null : first.message();
      return r.message();
    }

    /** A final answer of the PSP itself ({@code request}), or one it gave when asked ({@code inquiry}). */
    SettledBy settledBy() {
      return inquiry != null && first.outcome() == Outcome.IN_DOUBT ? SettledBy.INQUIRY : SettledBy.REQUEST;
    }
  }

  private static Future<Decided> finish(Charge c, ChargeStatus status, String provider, PspResult r, List<Attempt> attempts,
      Attempt last, SettledBy by) {
    return Future.succeededFuture(new Decided(c.settled(status, provider, r.providerReference(),
        status == ChargeStatus.DECLINED ? r.declineCode() : null,
        status == ChargeStatus.DECLINED || status == ChargeStatus.PENDING ? r.providerCode() : null,
        List.copyOf(attempts), now(), by), false, last, r));
  }

  // ------------------------------------------------------------------ settle (webhooks, reconciler)

  /** What became of a result reported for a charge (webhook, reconciler, a lost write). */
  public enum Settlement {
    /** The charge changed: it was unsettled and the result settled it. */
    APPLIED,
    /** The charge already says this; nothing to do. */
    ALREADY,
    /** Money moved where the charge does not say so: recorded as a conflict. */
    CONFLICT,
    /** The result does not settle anything (not final, not proof, or not the attempt the charge waits on). */
    IGNORED,
    /** This instance is deciding the charge right now; its own answer will settle it. */
    BUSY,
    /** The write changed nothing: someone else settled or took the charge first (logged, counted). */
    LOST_RACE,
    /** No such charge. */
    NOT_FOUND
  }

  /** The settlement of one reported result, with the charge as it now stands (null when not found). */
  public record SettleResult(Settlement kind, Charge charge) {
    public boolean applied() {
      return kind == Settlement.APPLIED;
    }
  }

  /**
   * Applies what a PSP says about one attempt of a charge, by {@link SettlementPolicy}: only the
   * PSP of the charge's current attempt, for that attempt's reference, settles it; a success
   * anywhere else (or for a final charge that says otherwise) is a conflict: recorded on the charge
   * and in the conflicts list, counted in {@code router_conflicts_total}, never dropped.
   *
   * @param reference the attempt's merchant reference the PSP named
   * @param epoch the epoch the reconciler owns the charge under (its write is conditional on it),
   *     or null for a webhook or a lost write (any owner: a final status never changes either way)
   */
  public Future<SettleResult> settleResult(String chargeId, String provider, String reference, PspResult result,
      SettlementPolicy.Source source, Long epoch) {
    return settleResult(chargeId, new SettlementPolicy.Evidence(provider, reference, result, source), epoch, 1);
  }

  private Future<SettleResult> settleResult(String chargeId, SettlementPolicy.Evidence e, Long epoch, int retries) {
    return store.chargeById(chargeId).compose(found -> {
      if (found.isEmpty()) return Future.succeededFuture(new SettleResult(Settlement.NOT_FOUND, null));
      Charge c = undurable.getOrDefault(chargeId, found.get());
      SettlementPolicy.Verdict v = SettlementPolicy.decide(c, e);
      return switch (v.kind()) {
        case ALREADY -> Future.succeededFuture(new SettleResult(Settlement.ALREADY, c));
        case CONFLICT -> conflict(c, e);
        case IGNORE -> {
          if (SettlementPolicy.target(e.result()) != null) {
            log.info("charge {} ({}): {} result from {} ({}) not applied: {}", chargeId, c.status().wire(),
                e.result().outcome().name().toLowerCase(java.util.Locale.ROOT), e.provider(), e.source().wire(), v.why());
          }
          yield Future.succeededFuture(new SettleResult(Settlement.IGNORED, c));
        }
        case APPLY -> {
          if (e.source() != SettlementPolicy.Source.REQUEST && deciding.contains(chargeId)) {
            yield Future.succeededFuture(new SettleResult(Settlement.BUSY, c));
          }
          yield apply(c, v.target(), e, e.source() == SettlementPolicy.Source.RECONCILER ? epoch : null)
              .compose(r -> {
                // Someone settled it first: look again, so that a success becomes ALREADY or a
                // conflict rather than a log line.
                if (r.kind() == Settlement.LOST_RACE && retries > 0 && e.result().outcome() == Outcome.SUCCEEDED
                    && e.source() != SettlementPolicy.Source.RECONCILER) {
                  return settleResult(chargeId, e, epoch, retries - 1);
                }
                return Future.succeededFuture(r);
              });
        }
      };
    });
  }

  private Future<SettleResult> apply(Charge c, ChargeStatus target, SettlementPolicy.Evidence e, Long epoch) {
    PspResult result = e.result();
    Charge settled = c.settled(target, target == ChargeStatus.FAILED ? null : e.provider(),
        result.providerReference() != null ? result.providerReference() : c.providerReference(),
        target == ChargeStatus.DECLINED ? result.declineCode() : null,
        target == ChargeStatus.DECLINED ? result.providerCode() : null,
        attemptsSettledBy(c, e), now(), settledBy(e.source()));
    return write(c, settled, e.source(), epoch, e.provider());
  }

  /**
   * The reconciler's verdict that no attempt charged: the charge is failed (nothing was charged;
   * the merchant may retry with the same key).
   */
  public Future<SettleResult> settleNothingCharged(Charge taken, long epoch, String why) {
    return store.chargeById(taken.id()).compose(found -> {
      if (found.isEmpty()) return Future.succeededFuture(new SettleResult(Settlement.NOT_FOUND, null));
      Charge c = undurable.getOrDefault(taken.id(), found.get());
      SettlementPolicy.Verdict v = SettlementPolicy.decideNothingCharged(c);
      if (v.kind() == SettlementPolicy.Kind.ALREADY) return Future.succeededFuture(new SettleResult(Settlement.ALREADY, c));
      if (v.kind() != SettlementPolicy.Kind.APPLY) return Future.succeededFuture(new SettleResult(Settlement.IGNORED, c));
      if (deciding.contains(c.id())) return Future.succeededFuture(new SettleResult(Settlement.BUSY, c));
      List<Attempt> atts = new ArrayList<>();
      for (Attempt a : c.attempts()) {
        atts.add(a.outcome().mayHaveCharged() && a.outcome() != AttemptOutcome.DECLINED
            ? a.settledBy(PspResult.notSent(io.payrouter.domain.NotSentReason.PROVEN_NOT_CHARGED, why)) : a);
      }
      Charge settled = c.settled(ChargeStatus.FAILED, null, null, null, null, List.copyOf(atts), now(), SettledBy.RECONCILER);
      return write(c, settled, SettlementPolicy.Source.RECONCILER, epoch, "none");
    });
  }

  private Future<SettleResult> write(Charge before, Charge settled, SettlementPolicy.Source source, Long epoch,
      String provider) {
    String owner = epoch == null ? null : instanceId;
    return store.recordOutcome(outcome(settled, owner, epoch)).map(changed -> {
      if (!changed) {
        lostRace(settled, source);
        return new SettleResult(Settlement.LOST_RACE, before);
      }
      log.info("charge {} settled {} by {} ({})", settled.id(), settled.status().wire(), source.wire(), provider);
      metrics.settled(source.wire(), settled.status().wire(), settled.provider());
      return new SettleResult(Settlement.APPLIED, settled);
    });
  }

  /**
   * The webhook view of {@link #settleResult}: the charge when the result is applied to it (it
   * settled the charge, or the charge already says exactly this), else empty: a conflict, a lost
   * race, a charge being decided here or a result that settles nothing is never acknowledged as
   * applied.
   */
  public Future<Optional<Charge>> settle(String chargeId, String provider, String reference, PspResult result) {
    return settleResult(chargeId, provider, reference, result, SettlementPolicy.Source.WEBHOOK, null)
        .map(r -> r.applied() || r.kind() == Settlement.ALREADY ? Optional.of(r.charge()) : Optional.<Charge>empty());
  }

  private Future<SettleResult> conflict(Charge c, SettlementPolicy.Evidence e) {
    PspResult result = e.result();
    String detail = "late " + result.outcome().name().toLowerCase(java.util.Locale.ROOT) + " at " + e.provider()
        + " for " + e.reference()
        + (result.providerReference() == null ? "" : " (" + result.providerReference() + ")") + " via " + e.source().wire()
        + " while the charge is " + c.status().wire() + (c.provider() == null ? "" : " at " + c.provider());
    log.error("CONFLICT charge {}: {}", c.id(), detail);
    metrics.conflict(e.provider());
    return store.recordConflict(c.id(), e.provider(), e.source().wire(), c.status().wire(),
            AttemptOutcome.of(result.outcome()).wire(), result.providerReference(), detail,
            events.conflict(c.withConflict(Store.clean(detail))))
        .map(v -> new SettleResult(Settlement.CONFLICT, c));
  }

  /** The charge's attempts with the one the evidence names settled by it (added when unknown). */
  private static List<Attempt> attemptsSettledBy(Charge c, SettlementPolicy.Evidence e) {
    List<Attempt> atts = new ArrayList<>(c.attempts());
    for (int i = atts.size() - 1; i >= 0; i--) {
      Attempt a = atts.get(i);
      if (a.provider().equals(e.provider()) && AttemptReference.of(c.id(), a.seq()).equals(e.reference())) {
        atts.set(i, a.settledBy(e.result()));
        return List.copyOf(atts);
      }
    }
    PspResult r = e.result();
    Attempt unknown = new Attempt(Ids.next("att_"), c.id(), atts.size() + 1, e.provider(), AttemptOutcome.of(r.outcome()), 0,
        null, r.providerReference(), r.declineCode(), r.providerCode());
    atts.add(unknown.settledBy(r));
    return List.copyOf(atts);
  }

  /** What a settlement from this source is rendered as ({@code settled_by}). */
  static SettledBy settledBy(SettlementPolicy.Source source) {
    return switch (source) {
      case REQUEST -> SettledBy.REQUEST;
      case WEBHOOK -> SettledBy.WEBHOOK;
      case RECONCILER -> SettledBy.RECONCILER;
    };
  }

  /** An outcome write that changed nothing: someone else settled or took the charge first. */
  private void lostRace(Charge mine, SettlementPolicy.Source source) {
    log.warn("charge {}: outcome {} ({}) not written: the charge was settled or taken over elsewhere first",
        mine.id(), mine.status().wire(), source.wire());
    metrics.lostRace(source.wire());
  }

  private Store.Outcome outcome(Charge c, String owner, Long epoch) {
    Instant next = c.status() == ChargeStatus.PENDING ? c.updatedAt().plusMillis(pendingRecheckMs) : null;
    return new Store.Outcome(c.id(), c.status(), c.provider(), c.providerReference(), c.declineCode(),
        c.providerCode(), c.attempts(), c.updatedAt(), owner, owner == null ? null : epoch, next, c.settledBy(),
        events.charge(c));
  }

  /**
   * Completes once the charge's outcome, answered from memory so far, is durable (at once when
   * nothing of it is waiting to be written here): what follows can then rely on the stored charge
   * (a refund right after a charge's answer). Never fails.
   */
  public Future<Void> whenDurable(String chargeId) {
    Future<Boolean> w = outcomeWrites.get(chargeId);
    return w == null ? Future.succeededFuture() : w.transform(x -> Future.<Void>succeededFuture());
  }

  /**
   * The reconciler leaves alone what this instance is still deciding, and what it decided but has
   * not yet made durable.
   */
  public boolean isWorkedOnHere(String chargeId) {
    return deciding.contains(chargeId) || undurable.containsKey(chargeId);
  }

  // ------------------------------------------------------------------ reads

  public Future<Optional<Charge>> get(String merchantId, String chargeId) {
    Charge mem = undurable.get(chargeId);
    if (mem != null && mem.merchantId().equals(merchantId)) return Future.succeededFuture(Optional.of(mem));
    return store.charge(merchantId, chargeId);
  }

  public Future<List<Charge>> byReference(String merchantId, String reference) {
    return store.chargesByReference(merchantId, reference).map(list -> {
      List<Charge> out = new ArrayList<>(list.size());
      for (Charge c : list) out.add(undurable.getOrDefault(c.id(), c));
      return out;
    });
  }

  /** The most recent conflicts (late results that disagreed with a final charge), newest first. */
  public Future<List<io.payrouter.domain.Conflict>> conflicts(int limit) {
    return store.conflicts(limit);
  }

  // ------------------------------------------------------------------ operations reads

  /** The most recent charges of every merchant (or of one), newest first; as settled in memory when newer. */
  public Future<List<Charge>> recent(String merchantId, int limit) {
    return store.recentCharges(merchantId, limit).map(this::fresher);
  }

  /** Charges with a merchant reference, of one merchant or of every merchant, newest first. */
  public Future<List<Charge>> byReferenceAnyMerchant(String merchantId, String reference, int limit) {
    return store.chargesByReferenceAnyMerchant(merchantId, reference, limit).map(this::fresher);
  }

  /** A charge by id, whatever its merchant. */
  public Future<Optional<Charge>> byId(String chargeId) {
    Charge mem = undurable.get(chargeId);
    if (mem != null) return Future.succeededFuture(Optional.of(mem));
    return store.chargeById(chargeId);
  }

  /** Charges still processing or pending, oldest first, with their age and reconciler bookkeeping. */
  public Future<io.payrouter.domain.Page<io.payrouter.domain.UnsettledCharge>> unsettled(int limit) {
    return store.unsettled(limit);
  }

  /** Rows the database refused (kept, never dropped), newest first. */
  public Future<io.payrouter.domain.Page<io.payrouter.domain.DeadLetter>> deadLetters(int limit) {
    return store.deadLetters(limit);
  }

  private List<Charge> fresher(List<Charge> list) {
    List<Charge> out = new ArrayList<>(list.size());
    for (Charge c : list) out.add(undurable.getOrDefault(c.id(), c));
    return out;
  }

  public void forgetCard(String cardId) {
    cards.evict(cardId);
  }

  // ------------------------------------------------------------------ helpers

  /** Millisecond precision, as stored and rendered: a replay from memory equals one from the database. */
  private static Instant now() {
    return Instant.now().truncatedTo(java.time.temporal.ChronoUnit.MILLIS);
  }

  private Future<Card> resolveCard(ChargeRequest req) {
    if (req.inlineCard() != null) return Future.succeededFuture(req.inlineCard());
    Card cached = cards.get(req.cardId());
    if (cached != null && cached.merchantId().equals(req.merchantId())) return Future.succeededFuture(cached);
    return store.card(req.merchantId(), req.cardId()).map(found -> {
      Card c = found.orElseThrow(() -> new NotFoundException("card " + req.cardId()));
      if (c.deleted()) throw cardDeleted();
      cards.put(c);
      return c;
    });
  }

  private static ChargeAttributes attributes(String chargeId, ChargeRequest req, Card card) {
    return new ChargeAttributes(chargeId, req.merchantId(), req.amount(), req.currency(), card.brand(),
        card.issuerCountry(), req.metadata() == null ? Map.of() : req.metadata(), card.tokens().keySet());
  }

  private static RoutingInfo routingInfo(Decision d) {
    List<RoutingInfo.Excluded> excluded = new ArrayList<>(d.excluded().size());
    for (io.payrouter.routing.Exclusion e : d.excluded()) {
      excluded.add(new RoutingInfo.Excluded(e.provider(), e.reason().wire(), e.detail()));
    }
    return new RoutingInfo(d.rule(), d.strategy(), d.configVersion(), d.candidates(), excluded, d.fees(),
        d.canary() == null ? null : new RoutingInfo.Canary(d.canary().generation(), d.canary().arm()));
  }

  private static IdempotencyKeyReusedException keyReused() {
    return new IdempotencyKeyReusedException();
  }

  private static IdempotencyKeyInProgressException inProgress() {
    return new IdempotencyKeyInProgressException();
  }

  private static CardDeletedException cardDeleted() {
    return new CardDeletedException();
  }
}
