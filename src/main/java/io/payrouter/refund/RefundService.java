package io.payrouter.refund;

import io.payrouter.charge.ChargeService;
import io.payrouter.common.Ids;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.InquiryResult;
import io.payrouter.connector.RefundInput;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.AttemptReference;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeNotRefundableException;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.FencedException;
import io.payrouter.domain.IdempotencyKeyInProgressException;
import io.payrouter.domain.IdempotencyKeyReusedException;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.Refund;
import io.payrouter.domain.RefundExceedsChargeException;
import io.payrouter.domain.RefundInProgressException;
import io.payrouter.domain.RefundStatus;
import io.payrouter.domain.RefundUnsupportedException;
import io.payrouter.domain.UnavailableException;
import io.payrouter.store.RefundStore;
import io.payrouter.store.Store;
import io.payrouter.store.StoreUnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The refund orchestrator, under the charge's money rules (src/docs/design.md, "Refunds"):
 * the refund's intent is durable (its amount reserved on the charge under the charge's row lock,
 * never more than charged) before the PSP is called; the money call follows a fenced checkpoint;
 * an in-doubt refund is asked about at once and otherwise left pending for the reconciler, never
 * sent again; the outcome is written conditionally on this instance still owning the refund and
 * retried until it lands. Never blocks: everything is a future on the caller's event loop.
 */
public final class RefundService {
  private static final Logger log = LoggerFactory.getLogger(RefundService.class);

  /** The answer to a refund request: the refund, and whether it replays an earlier request. */
  public record Result(Refund refund, boolean replayed) {}

  /** A refund this instance is working on (key claimed), and its answer once decided. */
  private static final class InFlight {
    final String fingerprint;
    volatile Refund done;

    InFlight(String fingerprint) {
      this.fingerprint = fingerprint;
    }
  }

  /** How long the answer waits for its outcome to be durable before it is given from memory. */
  static final long OUTCOME_WAIT_MS = 2_000;

  private final Vertx vertx;
  private final Store store;
  private final RefundStore refunds;
  private final Dispatcher dispatcher;
  private final ChargeService charges;
  private final String instanceId;
  private final long processingGraceMs;
  private final long pendingRecheckMs;
  private final ConcurrentHashMap<String, InFlight> inFlight = new ConcurrentHashMap<>();
  /** Refunds this instance is deciding now (the reconciler leaves them alone). */
  private final java.util.Set<String> deciding = ConcurrentHashMap.newKeySet();
  /** Decided refunds whose outcome is not durable yet: served from here until it is. */
  private final ConcurrentHashMap<String, Refund> undurable = new ConcurrentHashMap<>();

  /**
   * @param processingGraceMs when a {@code processing} refund is first looked at by a reconciler
   * @param pendingRecheckMs how soon a {@code pending} refund is asked about again
   */
  /** The events refund outcomes report to merchants' webhook endpoints (written with each outcome). */
  private final io.payrouter.webhook.Events events;

  public RefundService(Vertx vertx, Store store, Dispatcher dispatcher, ChargeService charges, String instanceId,
      long processingGraceMs, long pendingRecheckMs, io.payrouter.webhook.Events events) {
    this.events = events;
    this.vertx = vertx;
    this.store = store;
    this.refunds = store.refunds();
    this.dispatcher = dispatcher;
    this.charges = charges;
    this.instanceId = instanceId;
    this.processingGraceMs = processingGraceMs;
    this.pendingRecheckMs = pendingRecheckMs;
  }

  public String instanceId() {
    return instanceId;
  }

  // ------------------------------------------------------------------ create

  public Future<Result> create(RefundRequest req) {
    if (!store.acceptingCharges()) {
      return Future.failedFuture(new UnavailableException(
          "the database is unavailable or behind on writes; nothing was refunded, retry later"));
    }
    String key = req.merchantId() + '\n' + req.idempotencyKey();
    InFlight existing = inFlight.get(key);
    if (existing != null) return Future.succeededFuture(replayInFlight(existing, req.fingerprint()));
    // A charge answered a moment ago may not be durable yet: the claim reads the stored charge.
    return charges.whenDurable(req.chargeId()).timeout(Store.CLAIM_MAX_WAIT_MS, java.util.concurrent.TimeUnit.MILLISECONDS)
        .recover(slow -> Future.succeededFuture())
        .compose(v -> charges.get(req.merchantId(), req.chargeId())).compose(found -> {
      Charge c = found.orElseThrow(() -> new NotFoundException("charge " + req.chargeId()));
      if (c.status() == ChargeStatus.SUCCEEDED) {
        Optional<String> refusal = dispatcher.refundRefusal(c.provider(), c.amount(), req.amount());
        if (refusal.isPresent()) throw new RefundUnsupportedException(refusal.get());
      }
      Refund intent = intent(req, c);
      InFlight mine = new InFlight(req.fingerprint());
      InFlight raced = inFlight.putIfAbsent(key, mine);
      if (raced != null) return Future.succeededFuture(replayInFlight(raced, req.fingerprint()));
      return refunds.claim(intent, req.amount(), instanceId, now().plusMillis(processingGraceMs))
          .recover(err -> {
            inFlight.remove(key, mine);
            return Future.failedFuture(err instanceof UnavailableException ? new UnavailableException(
                "the refund could not be recorded; nothing was refunded, retry later", err.getMessage()) : err);
          })
          .compose(claim -> {
            if (claim.kind() == RefundStore.ClaimKind.CLAIMED) {
              return execute(key, mine, claim.refund(), 1).map(r -> new Result(r, false));
            }
            inFlight.remove(key, mine);
            return Future.succeededFuture(refused(claim, req, c));
          });
    });
  }

  /** The refund's intent, before the claim sets its amount: it goes to the PSP that took the charge. */
  private static Refund intent(RefundRequest req, Charge c) {
    Attempt winning = null;
    for (Attempt a : c.attempts()) {
      if (a.provider().equals(c.provider()) && a.outcome() == AttemptOutcome.SUCCEEDED) winning = a;
    }
    String reference = winning == null ? c.id() : AttemptReference.of(c.id(), winning.seq());
    String providerRef = c.providerReference() != null ? c.providerReference()
        : winning == null ? null : winning.providerReference();
    Instant now = now();
    return new Refund(Ids.next("re_"), c.id(), req.merchantId(), req.idempotencyKey(), req.fingerprint(), 0,
        c.currency(), c.provider() == null ? "none" : c.provider(), reference, providerRef, c.amount(), 0,
        req.reason(), RefundStatus.PROCESSING, null, null, now, now);
  }

  /** A claim that recorded nothing: the stored refund of the key, or why not. */
  private Result refused(RefundStore.Claim claim, RefundRequest req, Charge c) {
    return switch (claim.kind()) {
      case TAKEN -> {
        Refund r = undurable.getOrDefault(claim.refund().id(), claim.refund());
        if (!r.fingerprint().equals(req.fingerprint())) throw new IdempotencyKeyReusedException();
        if (r.status() == RefundStatus.PROCESSING) throw new IdempotencyKeyInProgressException();
        yield new Result(r, true);
      }
      case NO_CHARGE -> throw new NotFoundException("charge " + req.chargeId());
      case NOT_REFUNDABLE -> throw new ChargeNotRefundableException("the charge is "
          + ("processing".equals(claim.chargeStatus()) ? "pending" : claim.chargeStatus())
          + ("processing".equals(claim.chargeStatus()) && c.status() == ChargeStatus.SUCCEEDED
              ? " (its outcome is still being recorded; retry in a moment)" : "")
          + "; only a succeeded charge can be refunded");
      case IN_PROGRESS -> throw new RefundInProgressException();
      case EXCEEDS -> throw new RefundExceedsChargeException(claim.remaining(), "the refund asks for " + req.amount()
          + " but only " + claim.remaining() + " of the charge's " + c.amount() + " is left to refund");
      case NOTHING_LEFT -> throw new RefundExceedsChargeException(0, "the charge is refunded in full; nothing is left"
          + " to refund");
      case CLAIMED -> throw new IllegalStateException("claimed");
    };
  }

  private Result replayInFlight(InFlight e, String fingerprint) {
    if (!e.fingerprint.equals(fingerprint)) throw new IdempotencyKeyReusedException();
    Refund done = e.done;
    if (done == null) throw new IdempotencyKeyInProgressException();
    return new Result(done, true);
  }

  // ------------------------------------------------------------------ the PSP call

  private Future<Refund> execute(String key, InFlight mine, Refund r, long epoch) {
    deciding.add(r.id());
    RefundInput in = input(r);
    return dispatcher.refund(r.provider(), in, ref -> sendDeadline(refunds.checkpoint(r.id(), instanceId, epoch), r))
        .compose(answer -> answer.outcome() != Outcome.IN_DOUBT ? Future.succeededFuture(RefundPolicy.onAnswer(answer, null))
            : dispatcher.inquireRefund(r.provider(), in).map(q -> {
              log.info("refund {} of charge {} at {} in doubt ({}); asked at once: {}", r.id(), r.chargeId(), r.provider(),
                  answer.message(), q.kind());
              return RefundPolicy.onAnswer(answer, q);
            }))
        .recover(err -> {
          // A bug, not a PSP answer: leave the refund unsettled for the reconciler, never guess.
          log.error("refund {} stopped unexpectedly; left for reconciliation", r.id(), err);
          return Future.succeededFuture(RefundPolicy.onAnswer(PspResult.inDoubt(null, "internal error"), null));
        })
        .compose(d -> {
          deciding.remove(r.id());
          if (d.kind() != RefundPolicy.Kind.SETTLE) {
            // Fenced: another instance owns the refund now and settles it. Nothing more was sent.
            Refund shown = r.settled(RefundStatus.PROCESSING, null, null, r.updatedAt());
            mine.done = shown;
            inFlight.remove(key, mine);
            return Future.succeededFuture(shown);
          }
          Refund done = r.settled(d.status(), d.providerReference(), d.failureReason(), now());
          mine.done = done;
          undurable.put(done.id(), done);
          log.info("refund {} of charge {} at {}: {}{}", done.id(), done.chargeId(), done.provider(), done.status().wire(),
              done.failureReason() == null ? "" : " (" + done.failureReason() + ")");
          Future<Boolean> written = durably(outcome(done, instanceId, epoch)).onComplete(ar -> {
            if (ar.failed()) {
              log.error("refund {}: outcome {} refused by the database ({}); the reconciler settles it",
                  done.id(), done.status().db(), ar.cause().toString());
            } else if (!ar.result()) {
              log.warn("refund {}: outcome {} not written: it was settled or taken over elsewhere first", done.id(),
                  done.status().db());
            }
            undurable.remove(done.id(), done);
            inFlight.remove(key, mine);
          });
          // The answer waits for the write a little (a merchant reading it back, or refunding the
          // rest, then finds it settled), never longer: until it lands it is served from memory.
          Promise<Refund> answer = Promise.promise();
          long timer = vertx.setTimer(OUTCOME_WAIT_MS, t -> answer.tryComplete(done));
          written.onComplete(x -> {
            vertx.cancelTimer(timer);
            answer.tryComplete(done);
          });
          return answer.future();
        });
  }

  /**
   * The checkpoint's proof of ownership is stale when it took longer than the lease: then the
   * call is not sent (the refund, checkpointed as sent, is left to the reconciler's inquiry).
   */
  private Future<Void> sendDeadline(Future<Void> checkpoint, Refund r) {
    long t0 = System.nanoTime();
    return checkpoint.compose(v -> {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      if (ms <= Store.OWNER_TIMEOUT_MS) return Future.succeededFuture();
      log.warn("refund {}: the checkpoint answered after {} ms, longer than the {} ms lease; not sending", r.id(), ms,
          Store.OWNER_TIMEOUT_MS);
      return Future.failedFuture(new FencedException(r.chargeId()));
    });
  }

  /** An outcome write, retried while the database is unreachable (25 ms doubling to 2 s) until it lands. */
  private Future<Boolean> durably(RefundStore.Outcome o) {
    Promise<Boolean> p = Promise.promise();
    write(o, 25, p);
    return p.future();
  }

  private void write(RefundStore.Outcome o, long delayMs, Promise<Boolean> p) {
    refunds.recordOutcome(o).onComplete(ar -> {
      if (ar.succeeded()) {
        p.complete(ar.result());
      } else if (ar.cause() instanceof StoreUnavailableException) {
        vertx.setTimer(delayMs, t -> write(o, Math.min(delayMs * 2, 2_000), p));
      } else {
        p.fail(ar.cause());
      }
    });
  }

  private RefundStore.Outcome outcome(Refund r, String owner, Long epoch) {
    Instant next = r.status() == RefundStatus.PENDING ? r.updatedAt().plusMillis(pendingRecheckMs) : null;
    return new RefundStore.Outcome(r.id(), r.status(), r.providerReference(), r.failureReason(), r.updatedAt(), owner,
        epoch, next, events.refund(r));
  }

  static RefundInput input(Refund r) {
    return new RefundInput(r.id(), r.chargeId(), r.chargeReference(), r.chargeProviderReference(), r.amount(),
        r.currency(), r.chargeAmount(), r.refundedBefore(), r.reason());
  }

  // ------------------------------------------------------------------ the reconciler's side

  /** The reconciler leaves alone what this instance is deciding, or decided and has not made durable. */
  public boolean isWorkedOnHere(String refundId) {
    return deciding.contains(refundId) || undurable.containsKey(refundId);
  }

  /** What the reconciler needs to ask the PSP about a refund. */
  public static RefundInput inquiryOf(Refund r) {
    return input(r);
  }

  /**
   * The reconciler's verdict for a refund it owns under {@code epoch}: written only if this
   * instance still owns it. True when it changed the refund.
   */
  public Future<Boolean> settle(Refund r, long epoch, RefundPolicy.Decision d) {
    if (d.kind() != RefundPolicy.Kind.SETTLE || isWorkedOnHere(r.id())) return Future.succeededFuture(false);
    Refund done = r.settled(d.status(), d.providerReference(), d.failureReason(), now());
    return durably(outcome(done, instanceId, epoch)).map(changed -> {
      if (changed) {
        log.info("refund {} of charge {} settled {} by reconciler ({}){}", done.id(), done.chargeId(),
            done.status().wire(), done.provider(), done.failureReason() == null ? "" : ": " + done.failureReason());
      } else {
        log.warn("refund {}: reconciler outcome {} not written: settled or taken over elsewhere first", done.id(),
            done.status().db());
      }
      return changed;
    });
  }

  // ------------------------------------------------------------------ reads

  /** A charge's refunds, oldest first (404 when the charge is not the merchant's). */
  public Future<List<Refund>> list(String merchantId, String chargeId) {
    return charges.get(merchantId, chargeId).compose(found -> {
      if (found.isEmpty()) throw new NotFoundException("charge " + chargeId);
      return refunds.ofCharge(chargeId).map(list -> {
        List<Refund> out = new ArrayList<>(list.size());
        for (Refund r : list) out.add(undurable.getOrDefault(r.id(), r));
        return out;
      });
    });
  }

  private static Instant now() {
    return Instant.now().truncatedTo(ChronoUnit.MILLIS);
  }

  /** For logs and tests: what an inquiry said, briefly. */
  static String describe(InquiryResult q) {
    return q == null ? "no answer" : q.kind() + (q.result() == null ? "" : " " + q.result().outcome());
  }
}
