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
 * The charge orchestrator (shared/design.md): claim the idempotency key and record the intent in
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
  private final CardCache cards = new CardCache(50_000);
  /** merchant + key to the charge being worked on here: the fast path in front of the database claim. */
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Ids of the charges this instance is still deciding (an index of {@link #inFlight} without a decision). */
  private final java.util.Set<String> deciding = ConcurrentHashMap.newKeySet();
  /** Decided charges whose outcome is not yet durable: served from here until it is. */
  private final ConcurrentHashMap<String, Charge> undurable = new ConcurrentHashMap<>();

  public ChargeService(Store store, Dispatcher dispatcher, RouteDecider router, Metrics metrics,
      String publicUrl) {
    this.store = store;
    this.dispatcher = dispatcher;
    this.router = router;
    this.metrics = metrics;
    this.webhookBaseUrl = publicUrl + "/v1/webhooks/";
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
          null, null, null, null, routingInfo(decision), List.of(), now, now);
      return store.claim(intent)
          .recover(err -> {
            inFlight.remove(key, mine);
            return Future.failedFuture(err instanceof UnavailableException
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
    }).onSuccess(r -> {
      if (!r.replayed()) metrics.chargeFinished(r.charge().provider(), r.charge().status().wire(), System.nanoTime() - t0);
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
    return store.reclaimFailed(failed.id(), routingInfo(decision)).compose(ok -> {
      if (!ok) {
        inFlight.remove(key, mine);
        throw inProgress();
      }
      Charge again = new Charge(failed.id(), failed.merchantId(), failed.idempotencyKey(), failed.fingerprint(),
          failed.amount(), failed.currency(), failed.cardId(), failed.merchantReference(), ChargeStatus.PROCESSING,
          null, null, null, null, routingInfo(decision), failed.attempts(), failed.createdAt(), now());
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
          store.recordOutcome(new Store.Outcome(done.id(), done.status(), done.provider(), done.providerReference(),
                  done.declineCode(), done.providerCode(), done.attempts(), done.updatedAt()))
              .onComplete(ar -> {
                if (ar.failed()) log.error("outcome of charge {} not recorded: {}", done.id(), ar.cause().toString());
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
    ChargeInput input = new ChargeInput(c.id(), attemptId, c.amount(), c.currency(), card.brand(), token,
        req.description(), req.customerReference(), req.customerEmail(), webhookBaseUrl + provider);
    long t0 = System.nanoTime();
    return dispatcher.charge(provider, input,
            ref -> store.checkpoint(Attempt.sent(attemptId, c.id(), seq, provider, ref)))
        .compose(r -> {
          long ms = (System.nanoTime() - t0) / 1_000_000;
          if (!r.circuitOpen()) router.record(provider, r.outcome() != Outcome.NOT_SENT && r.outcome() != Outcome.IN_DOUBT, ms);
          if (r.outcome() != Outcome.IN_DOUBT) return Future.succeededFuture(new Answer(r, ms, null));
          // In doubt: ask that PSP now, by our charge id, before deciding anything.
          return dispatcher.inquire(provider, new InquiryInput(c.id(), r.providerReference(), c.amount(), c.currency()))
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
    PspResult settledResult() {
      if (inquiry == null) return first;
      return switch (inquiry.kind()) {
        case FOUND -> inquiry.result().providerReference() == null
            ? inquiry.result().withProviderReference(first.providerReference()) : inquiry.result();
        // After a definite error answer, no payment means it did not charge: the next candidate is
        // safe. After no answer at all, the request may still land: stay pending, the reconciler
        // decides once the grace period has passed.
        case NOT_FOUND -> first.noAnswer()
            ? new PspResult(Outcome.IN_DOUBT, first.providerReference(), null, false, first.providerCode(),
                first.message() + "; inquiry found no payment yet")
            : new PspResult(Outcome.NOT_SENT, first.providerReference(), null, false,
                first.providerCode(), first.message() + "; inquiry found no payment");
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

  /**
   * Applies what a PSP says about a charge that is pending (or orphaned in processing). A final
   * charge never changes; a result that is not final changes nothing.
   *
   * @return the charge after settlement, or empty when there is no such charge
   */
  public Future<Optional<Charge>> settle(String chargeId, String provider, PspResult result, String source) {
    return store.chargeById(chargeId).compose(found -> {
      if (found.isEmpty()) return Future.succeededFuture(Optional.<Charge>empty());
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
      if (c.status().isFinal() || target == null || isWorkedOnHere(chargeId)) {
        if (c.status().isFinal() && target != null && target != c.status()) {
          log.warn("charge {} is {} but {} reports {} ({}): left unchanged", chargeId, c.status().wire(), provider,
              target.wire(), source);
        }
        return Future.succeededFuture(Optional.of(c));
      }
      List<Attempt> atts = new ArrayList<>();
      boolean updated = false;
      for (int i = c.attempts().size() - 1; i >= 0; i--) {
        Attempt a = c.attempts().get(i);
        if (!updated && a.provider().equals(provider)) {
          a = a.settledBy(result, source);
          updated = true;
        }
        atts.add(0, a);
      }
      if (!updated) {
        atts.add(new Attempt(Ids.next("att_"), chargeId, atts.size() + 1, provider, AttemptOutcome.of(result.outcome()), 0,
            "settled by " + source, result.providerReference(), result.declineCode(), result.providerCode()));
      }
      Charge settled = c.settled(target, target == ChargeStatus.FAILED ? null : provider,
          result.providerReference() != null ? result.providerReference() : c.providerReference(),
          target == ChargeStatus.DECLINED ? result.declineCode() : null,
          target == ChargeStatus.DECLINED ? result.providerCode() : null, List.copyOf(atts), now());
      log.info("charge {} settled {} by {} ({})", chargeId, target.wire(), source, provider);
      metrics.count("router_settlements_total", "source", source);
      return store.recordOutcome(new Store.Outcome(settled.id(), settled.status(), settled.provider(),
          settled.providerReference(), settled.declineCode(), settled.providerCode(), settled.attempts(), settled.updatedAt()))
          .map(v -> Optional.of(settled));
    });
  }

  /** The reconciler leaves alone what this instance is still deciding. */
  public boolean isWorkedOnHere(String chargeId) {
    return deciding.contains(chargeId);
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
