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

  public static final String SOURCE_RECONCILER = "reconciler";
  public static final String SOURCE_WEBHOOK = "webhook";

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
  private final Runnable shed;
  /** merchant + key to the charge being worked on here: the fast path in front of the database claim. */
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Ids of the charges this instance is still deciding (an index of {@link #inFlight} without a decision). */
  private final java.util.Set<String> deciding = ConcurrentHashMap.newKeySet();
  /** Decided charges whose outcome is not yet durable: served from here until it is. */
  private final ConcurrentHashMap<String, Charge> undurable = new ConcurrentHashMap<>();

  /**
   * @param instanceId this router instance: the owner of the charges it claims
   * @param processingGraceMs how long after its claim a {@code processing} charge may be looked at
   *     by a reconciler (this instance skips the ones it is still deciding; other instances only
   *     take charges whose owner stopped)
   * @param pendingRecheckMs how soon a {@code pending} charge is first re-checked
   */
  public ChargeService(Store store, Dispatcher dispatcher, RouteDecider router, Metrics metrics,
      String publicUrl, int maxInFlight, String instanceId, long processingGraceMs, long pendingRecheckMs) {
    this.maxInFlight = maxInFlight;
    this.shed = metrics.counter("router_charges_shed_total", "reason", "in_flight");
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
      shed.run();
      return Future.failedFuture(new UnavailableException(
          "the router is at its limit of charges in flight; nothing was charged, retry later"));
    }
    return resolveCard(req).recover(err -> Future.failedFuture(err instanceof DomainException && !(err instanceof UnavailableException) ? err
        : new UnavailableException("the card could not be read; nothing was charged, retry later", err.toString())))
        .compose(card -> {
      String chargeId = Ids.next("ch_");
      Decision decision = router.decide(attributes(chargeId, req, card));
      InFlight mine = new InFlight(req.fingerprint());
      InFlight raced = inFlight.putIfAbsent(key, mine);
      if (raced != null) return Future.succeededFuture(replayInFlight(raced, req.fingerprint()));
      Instant now = now();
      Charge intent = new Charge(chargeId, req.merchantId(), req.idempotencyKey(), req.fingerprint(),
          req.amount(), req.currency(), req.cardId(), req.merchantReference(), ChargeStatus.PROCESSING,
          null, null, null, null, routingInfo(decision), List.of(), now, now, null);
      // Bounded: the writer answers within Store.CLAIM_MAX_WAIT_MS, so a hung connection cannot
      // keep this request (and its in-flight entry) forever. A claim that commits after that is
      // owned by this instance and settled by its reconciler.
      return store.claim(intent, instanceId, now.plusMillis(processingGraceMs))
          .recover(err -> {
            inFlight.remove(key, mine);
            return Future.failedFuture(err instanceof UnavailableException || err instanceof java.util.concurrent.TimeoutException
                ? new UnavailableException("the charge could not be recorded; nothing was charged, retry later", err.getMessage())
                : err);
          })
          .compose(claim -> {
            if (claim == Store.Claim.CLAIMED) {
              return execute(key, mine, intent, decision, card, req, List.of())
                  .map(c -> new Result(c, false));
            }
            inFlight.remove(key, mine);
            return resolveTakenKey(req, card, key);
          });
    }).onComplete(ar -> {
      unanswered.decrementAndGet();
      if (ar.succeeded() && !ar.result().replayed()) {
        metrics.chargeFinished(ar.result().charge().provider(), ar.result().charge().status().wire(), System.nanoTime() - t0);
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

  /** A failed charge charged nothing: a retry with the same key may try again. */
  private Future<Result> retryFailed(Charge failed, ChargeRequest req, Card card, String key) {
    Decision decision = router.decide(attributes(failed.id(), req, card));
    InFlight mine = new InFlight(failed.fingerprint());
    if (inFlight.putIfAbsent(key, mine) != null) throw inProgress();
    return store.reclaimFailed(failed.id(), routingInfo(decision), instanceId, now().plusMillis(processingGraceMs)).compose(ok -> {
      if (!ok) {
        inFlight.remove(key, mine);
        throw inProgress();
      }
      Charge again = new Charge(failed.id(), failed.merchantId(), failed.idempotencyKey(), failed.fingerprint(),
          failed.amount(), failed.currency(), failed.cardId(), failed.merchantReference(), ChargeStatus.PROCESSING,
          null, null, null, null, routingInfo(decision), failed.attempts(), failed.createdAt(), now(), failed.conflict());
      return execute(key, mine, again, decision, card, req, failed.attempts()).map(c -> new Result(c, false));
    }, err -> {
      inFlight.remove(key, mine);
      return Future.failedFuture(err);
    });
  }

  // ------------------------------------------------------------------ attempts

  private Future<Charge> execute(String key, InFlight mine, Charge intent, Decision decision, Card card,
      ChargeRequest req, List<Attempt> earlier) {
    List<Attempt> attempts = new ArrayList<>(earlier);
    deciding.add(intent.id());
    return attempt(intent, decision, card, req, attempts, 0, 0)
        .recover(err -> {
          // A bug, not a PSP answer: keep the charge unsettled for the reconciler, never guess.
          log.error("charge {} stopped unexpectedly; left for reconciliation", intent.id(), err);
          return Future.succeededFuture(intent.settled(ChargeStatus.PENDING, null, null, null, null, attempts, now()));
        })
        .map(done -> {
          mine.done = done;
          deciding.remove(done.id());
          undurable.put(done.id(), done);
          store.recordOutcome(outcome(done, instanceId))
              .onComplete(ar -> {
                if (ar.failed()) {
                  log.error("outcome of charge {} not recorded (kept as a dead letter): {}", done.id(), ar.cause().toString());
                } else if (!ar.result()) {
                  lostRace(done, "request");
                }
                undurable.remove(done.id(), done);
                inFlight.remove(key, mine);
              });
          return done;
        });
  }

  private Future<Charge> attempt(Charge c, Decision d, Card card, ChargeRequest req, List<Attempt> attempts,
      int candidateIndex, int made) {
    List<String> candidates = d.candidates();
    if (candidateIndex >= candidates.size() || made >= d.maxAttempts()) {
      return Future.succeededFuture(c.settled(ChargeStatus.FAILED, null, null, null, null, List.copyOf(attempts), now()));
    }
    String provider = candidates.get(candidateIndex);
    String attemptId = Ids.next("att_");
    int seq = attempts.size() + 1;
    Map<String, String> token = card.tokens().get(provider);
    ChargeInput input = new ChargeInput(c.id(), attemptId, c.id(), c.amount(), c.currency(), card.brand(), token,
        req.description(), req.customerReference(), req.customerEmail(), webhookBaseUrl + provider);
    long t0 = System.nanoTime();
    return dispatcher.charge(provider, input,
            ref -> store.checkpoint(Attempt.sent(attemptId, c.id(), seq, provider, ref)))
        .compose(r -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          if (!r.circuitOpen()) router.record(provider, r.outcome() != Outcome.NOT_SENT && r.outcome() != Outcome.IN_DOUBT, ms);
          if (r.outcome() != Outcome.IN_DOUBT) return Future.succeededFuture(new Answer(r, ms, null));
          // In doubt: ask that PSP now, by our charge id, before deciding anything.
          return dispatcher.inquire(provider, new InquiryInput(c.id(), c.id(), r.providerReference(), c.amount(), c.currency()))
              .map(q -> new Answer(r, (System.nanoTime() - t0) / 1_000_000, q));
        })
        .compose(a -> {
          PspResult r = a.settledResult();
          attempts.add(new Attempt(attemptId, c.id(), seq, provider, AttemptOutcome.of(r.outcome()), a.latencyMs(),
              a.error(), r.providerReference(), r.declineCode(), r.providerCode()));
          return switch (r.outcome()) {
            case SUCCEEDED -> finish(c, ChargeStatus.SUCCEEDED, provider, r, attempts);
            case PENDING, IN_DOUBT -> finish(c, ChargeStatus.PENDING, provider, r, attempts);
            case DECLINED -> r.softDecline() && d.failoverOnSoftDecline()
                && candidateIndex + 1 < candidates.size() && made + 1 < d.maxAttempts()
                ? attempt(c, d, card, req, attempts, candidateIndex + 1, made + 1)
                : finish(c, ChargeStatus.DECLINED, provider, r, attempts);
            case NOT_SENT -> attempt(c, d, card, req, attempts, candidateIndex + 1, made + 1);
          };
        });
  }

  /** One attempt's answer, and what an inquiry learned when the answer was in doubt. */
  private record Answer(PspResult first, long latencyMs, InquiryResult inquiry) {
    /**
     * No proof, no failover: an in-doubt answer (timeout, reset, 5xx, unparseable) becomes
     * not_sent only when the PSP shows the payment in a state it documents as final and not
     * charged. "No such payment (yet)" proves nothing: the request may still land, so the charge
     * stays pending and the reconciler settles it.
     */
    PspResult settledResult() {
      if (inquiry == null) return first;
      return switch (inquiry.kind()) {
        case FOUND -> inquiry.result().providerReference() == null
            ? inquiry.result().withProviderReference(first.providerReference()) : inquiry.result();
        case NOT_CHARGED -> new PspResult(Outcome.NOT_SENT, first.providerReference(), null, false,
            first.providerCode(), first.message() + "; the PSP shows the payment ended without a charge");
        case NOT_FOUND -> new PspResult(Outcome.IN_DOUBT, first.providerReference(), null, false, first.providerCode(),
            first.message() + "; inquiry found no payment yet");
        case UNKNOWN -> first;
      };
    }

    String error() {
      PspResult r = settledResult();
      if (r.outcome() == Outcome.SUCCEEDED || r.outcome() == Outcome.DECLINED) {
        return inquiry == null ? null : first.message() + "; settled by inquiry";
      }
      return r.message();
    }
  }

  private static Future<Charge> finish(Charge c, ChargeStatus status, String provider, PspResult r, List<Attempt> attempts) {
    return Future.succeededFuture(c.settled(status, provider, r.providerReference(),
        status == ChargeStatus.DECLINED ? r.declineCode() : null,
        status == ChargeStatus.DECLINED || status == ChargeStatus.PENDING ? r.providerCode() : null,
        List.copyOf(attempts), now()));
  }

  // ------------------------------------------------------------------ settle (webhooks, reconciler)

  /** What became of a result reported for a charge (webhook or reconciler). */
  public enum Settlement {
    /** The charge changed: it was unsettled and the result settled it. */
    APPLIED,
    /** The charge already says this; nothing to do. */
    ALREADY,
    /** The charge is final with another outcome and the PSP reports money moved: recorded as a conflict. */
    CONFLICT,
    /** The result does not settle anything (not final, or not proof enough), or it disagrees harmlessly. */
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
   * Applies what a PSP says about a charge. An unsettled charge is settled by a final result; a
   * final charge never changes, and a success reported for a final charge that says otherwise is
   * a conflict: recorded on the charge and in the conflicts list, counted in
   * {@code router_conflicts_total}, never dropped and never acknowledged as applied.
   */
  public Future<SettleResult> settleResult(String chargeId, String provider, PspResult result, String source) {
    return store.chargeById(chargeId).compose(found -> {
      if (found.isEmpty()) return Future.succeededFuture(new SettleResult(Settlement.NOT_FOUND, null));
      Charge c = undurable.getOrDefault(chargeId, found.get());
      ChargeStatus target = switch (result.outcome()) {
        case SUCCEEDED -> ChargeStatus.SUCCEEDED;
        case DECLINED -> ChargeStatus.DECLINED;
        // Nothing was charged: only final when the caller has asked every PSP that could have
        // charged (the reconciler), or it is the PSP the pending charge is waiting on.
        case NOT_SENT -> SOURCE_RECONCILER.equals(source)
            || (c.status() == ChargeStatus.PENDING && provider.equals(c.provider())) ? ChargeStatus.FAILED : null;
        default -> null;
      };
      if (c.status().isFinal()) {
        if (target == c.status() && (target != ChargeStatus.SUCCEEDED || provider.equals(c.provider()))) {
          return Future.succeededFuture(new SettleResult(Settlement.ALREADY, c));
        }
        if (target == ChargeStatus.SUCCEEDED) return conflict(c, provider, result, source);
        if (target != null) {
          log.warn("charge {} is {} but {} reports {} ({}): left unchanged", chargeId, c.status().wire(), provider,
              target.wire(), source);
        }
        return Future.succeededFuture(new SettleResult(Settlement.IGNORED, c));
      }
      if (target == null) return Future.succeededFuture(new SettleResult(Settlement.IGNORED, c));
      if (deciding.contains(chargeId)) return Future.succeededFuture(new SettleResult(Settlement.BUSY, c));
      Charge settled = c.settled(target, target == ChargeStatus.FAILED ? null : provider,
          result.providerReference() != null ? result.providerReference() : c.providerReference(),
          target == ChargeStatus.DECLINED ? result.declineCode() : null,
          target == ChargeStatus.DECLINED ? result.providerCode() : null, attemptsSettledBy(c, provider, result, source),
          now());
      // The reconciler writes as the owner it took the charge as; a webhook is evidence from the PSP
      // and applies whoever owns the charge (a final status never changes either way).
      String owner = SOURCE_RECONCILER.equals(source) ? instanceId : null;
      return store.recordOutcome(outcome(settled, owner)).map(changed -> {
        if (!changed) {
          lostRace(settled, source);
          return new SettleResult(Settlement.LOST_RACE, c);
        }
        log.info("charge {} settled {} by {} ({})", chargeId, target.wire(), source, provider);
        metrics.count("router_settlements_total", "source", source);
        return new SettleResult(Settlement.APPLIED, settled);
      });
    });
  }

  /**
   * The webhook view of {@link #settleResult}: the charge when the result is applied to it (it
   * settled the charge, or the charge already says exactly this), else empty: a conflict, a lost
   * race, a charge being decided here or a result that settles nothing is never acknowledged as
   * applied.
   */
  public Future<Optional<Charge>> settle(String chargeId, String provider, PspResult result, String source) {
    return settleResult(chargeId, provider, result, source).map(r -> r.applied() || r.kind() == Settlement.ALREADY
        ? Optional.of(r.charge()) : Optional.<Charge>empty());
  }

  private Future<SettleResult> conflict(Charge c, String provider, PspResult result, String source) {
    String detail = "late " + result.outcome().name().toLowerCase(java.util.Locale.ROOT) + " at " + provider
        + (result.providerReference() == null ? "" : " (" + result.providerReference() + ")") + " via " + source
        + " while the charge is " + c.status().wire() + (c.provider() == null ? "" : " at " + c.provider());
    log.error("CONFLICT charge {}: {}", c.id(), detail);
    metrics.count("router_conflicts_total", "provider", provider);
    return store.recordConflict(c.id(), provider, source, c.status().wire(), AttemptOutcome.of(result.outcome()).wire(),
            result.providerReference(), detail)
        .map(v -> new SettleResult(Settlement.CONFLICT, c));
  }

  private static List<Attempt> attemptsSettledBy(Charge c, String provider, PspResult result, String source) {
    List<Attempt> atts = new ArrayList<>(c.attempts());
    for (int i = atts.size() - 1; i >= 0; i--) {
      if (atts.get(i).provider().equals(provider)) {
        atts.set(i, atts.get(i).settledBy(result, source));
        return List.copyOf(atts);
      }
    }
    atts.add(new Attempt(Ids.next("att_"), c.id(), atts.size() + 1, provider, AttemptOutcome.of(result.outcome()), 0,
        "settled by " + source, result.providerReference(), result.declineCode(), result.providerCode()));
    return List.copyOf(atts);
  }

  /** An outcome write that changed nothing: someone else settled or took the charge first. */
  private void lostRace(Charge mine, String source) {
    log.warn("charge {}: outcome {} ({}) not written: the charge was settled or taken over elsewhere first",
        mine.id(), mine.status().wire(), source);
    metrics.count("router_outcome_lost_races_total", "source", source);
  }

  private Store.Outcome outcome(Charge c, String owner) {
    Instant next = c.status() == ChargeStatus.PENDING ? c.updatedAt().plusMillis(pendingRecheckMs) : null;
    return new Store.Outcome(c.id(), c.status(), c.provider(), c.providerReference(), c.declineCode(),
        c.providerCode(), c.attempts(), c.updatedAt(), owner, next);
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
    return new RoutingInfo(d.rule(), d.strategy(), d.configVersion(), List.copyOf(d.candidates()));
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
