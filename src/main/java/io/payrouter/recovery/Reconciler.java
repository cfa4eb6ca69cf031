package io.payrouter.recovery;

import io.payrouter.charge.ChargeService;
import io.payrouter.charge.SettlementPolicy;
import io.payrouter.domain.AttemptReference;
import io.payrouter.metrics.Metrics;
import io.payrouter.config.RouterConfig;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.InquiryInput;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles what the request path could not: {@code pending} charges (the PSP accepted, or the
 * router was in doubt) and {@code processing} charges whose owner stopped between the PSP call and
 * the outcome write. Ownership is explicit: a round takes, in one atomic statement, the due charges
 * this instance owns or whose owner's heartbeat stopped ({@link Store#takeUnsettled}); it skips
 * the ones this instance is still deciding. It asks each PSP that could have charged, by the
 * router's charge id (and the provider reference checkpointed before the money-moving call):
 * <ul>
 *   <li>a PSP says succeeded: succeeded (a second PSP saying so too is recorded as a conflict);
 *   <li>any PSP cannot say yet (unknown, still pending, or no payment yet while the charge is
 *       younger than the processing grace period): nothing is decided, asked again later; a
 *       decline elsewhere never overrides this;
 *   <li>a PSP says declined and every other one proved it did not charge: declined;
 *   <li>every PSP proved it will not charge (a documented final not-charged state, or no payment
 *       once the charge is past the grace period): failed (the merchant may retry the same key).
 * </ul>
 * Runs every {@code recovery.interval_ms}; one round at a time per instance, charges of a round
 * worked a few at a time. A charge that stays undecided is looked at again one interval later
 * (behind every charge already due, so stuck charges never starve newer ones), and with
 * exponential back-off once it has been undecided for twice the grace period.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final int BATCH = 100;
  /** Charges worked at once, across rounds: their inquiries run in parallel (each bounded by its PSP's timeout). */
  private static final int PARALLEL = 64;

  private final Vertx vertx;
  private final Store store;
  private final Dispatcher dispatcher;
  private final ChargeService charges;
  private final RouterConfig.Recovery cfg;
  private final Heartbeat heartbeat;
  private final AtomicBoolean running = new AtomicBoolean();
  private volatile boolean rerun;
  /** A charge's inquiries and settlement never hold its place in {@link #working} longer than this. */
  private static final long SETTLE_TIMEOUT_MS = 30_000;
  private static final int INQUIRY_RETRIES = 2;
  private static final long INQUIRY_RETRY_DELAY_MS = 100;
  /** Pending one-shot rounds, by 100 ms bucket (see wakeAtGraceEnd). */
  private final java.util.Set<Long> wakeUps = java.util.concurrent.ConcurrentHashMap.newKeySet();
  /** Charges this instance's reconciler is working on right now. */
  private final java.util.Set<String> working = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private long timer = -1;
  private long backlogTimer = -1;
  private final AtomicBoolean measuring = new AtomicBoolean();

  private final Metrics metrics;

  public Reconciler(Vertx vertx, Store store, Dispatcher dispatcher, ChargeService charges, RouterConfig.Recovery cfg,
      Heartbeat heartbeat, Metrics metrics) {
    this.metrics = metrics;
    this.heartbeat = heartbeat;
    this.vertx = vertx;
    this.store = store;
    this.dispatcher = dispatcher;
    this.charges = charges;
    this.cfg = cfg;
  }

  public void start() {
    timer = vertx.setPeriodic(100, cfg.intervalMs(), t -> runOnce()); // at once: a restarted router settles what its predecessor left
    backlogTimer = vertx.setPeriodic(0, Math.max(1_000, cfg.intervalMs()), t -> measureBacklog());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
    if (backlogTimer >= 0) vertx.cancelTimer(backlogTimer);
  }

  /**
   * What is left to settle (router_unsettled_charges, router_unsettled_oldest_age_seconds): one
   * aggregate query per recovery interval (at least 1 s apart), one at a time. When the database
   * does not answer the gauges keep their last figures (readiness says the database is down).
   */
  void measureBacklog() {
    if (!measuring.compareAndSet(false, true)) return;
    store.unsettledBacklog().onComplete(ar -> {
      measuring.set(false);
      if (ar.succeeded()) metrics.unsettled(ar.result().charges(), ar.result().oldestAgeSeconds());
      else log.debug("unsettled backlog not measured: {}", ar.cause().toString());
    });
  }

  /**
   * One round: takes the due charges and works them, at most {@link #PARALLEL} at a time across
   * rounds. A round does not wait for the previous one's slow inquiries (a PSP hanging until its
   * timeout must not delay every other charge); a charge still being worked is skipped. Returns
   * how many charges this round settled. A call while a take is under way returns 0 at once.
   */
  public Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) {
      rerun = true; // asked for while a take is under way: take again right after it
      return Future.succeededFuture(0);
    }
    Future<List<Store.Taken>> taken = store.takeUnsettled(charges.instanceId(), Heartbeat.OWNER_TIMEOUT_MS, cfg.intervalMs(),
        cfg.processingGraceMs(), BATCH, heartbeat == null || heartbeat.mayTakeOver());
    return taken.onComplete(x -> {
      running.set(false);
      if (rerun) {
        rerun = false;
        vertx.runOnContext(v -> runOnce());
      }
    }).compose(list -> {
      List<Future<Boolean>> work = new ArrayList<>();
      for (Store.Taken t : list) {
        Charge c = t.charge();
        if (t.tookOver()) {
          metrics.takeover();
          log.info("charge {} taken over from its previous owner (epoch {})", c.id(), t.epoch());
        }
        if (working.size() >= PARALLEL || !working.add(c.id())) continue; // taken again next time
        work.add(settleOne(c, t.epoch()).timeout(SETTLE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).recover(err -> {
          log.warn("charge {}: reconciliation failed: {}", c.id(), err.toString());
          return Future.succeededFuture(false);
        }).onComplete(x -> working.remove(c.id())));
      }
      return Future.join(work).map(x -> {
        int settled = 0;
        for (Future<Boolean> f : work) if (Boolean.TRUE.equals(f.result())) settled++;
        return settled;
      });
    }).onComplete(ar -> {
      if (ar.failed()) log.warn("reconciliation round failed: {}", ar.cause().toString());
      else if (ar.result() > 0) log.info("reconciliation settled {} charge(s)", ar.result());
    });
  }

  /**
   * Asks the PSP of every attempt that may have moved money, by that attempt's reference, and
   * settles the charge by {@link ReconcilerVerdict}. An attempt the PSP holds open and unpaid is
   * closed through the PSP's documented cancel where the verdict says so, and the verdict is taken
   * again with the PSP's answer to the cancel.
   */
  private Future<Boolean> settleOne(Charge c, long epoch) {
    if (charges.isWorkedOnHere(c.id())) return Future.succeededFuture(false);
    long age = Duration.between(c.updatedAt(), Instant.now()).toMillis();
    boolean pastGrace = age >= cfg.processingGraceMs();
    boolean pastHorizon = age >= cfg.notFoundFinalAfterMs();
    List<Attempt> toAsk = attemptsToAsk(c);
    List<Future<InquiryResult>> inquiries = new ArrayList<>();
    for (Attempt a : toAsk) inquiries.add(inquire(a.provider(), input(c, a, null), INQUIRY_RETRIES));
    return Future.join(inquiries).transform(x -> {
      List<ReconcilerVerdict.Asked> asked = new ArrayList<>();
      for (int i = 0; i < toAsk.size(); i++) {
        Attempt a = toAsk.get(i);
        Future<InquiryResult> f = inquiries.get(i);
        asked.add(new ReconcilerVerdict.Asked(a, AttemptReference.of(c.id(), a.seq()), f.succeeded() ? f.result() : null,
            pastHorizon));
      }
      ReconcilerVerdict.Verdict v = ReconcilerVerdict.decide(asked, pastGrace);
      if (v.kind() != ReconcilerVerdict.Kind.WAIT || v.cancellable().isEmpty()) return act(c, epoch, v, asked, pastGrace);
      // Close what the PSP holds open and unpaid, then decide again with its answers.
      List<Future<InquiryResult>> cancels = new ArrayList<>();
      for (ReconcilerVerdict.Asked a : v.cancellable()) {
        log.info("charge {}: asking {} to cancel the unpaid payment of {}", c.id(), a.attempt().provider(), a.reference());
        cancels.add(cancel(a.attempt().provider(), input(c, a.attempt(), a.answer()), INQUIRY_RETRIES));
      }
      return Future.join(cancels).transform(y -> {
        List<ReconcilerVerdict.Asked> again = new ArrayList<>(asked);
        for (int i = 0; i < v.cancellable().size(); i++) {
          ReconcilerVerdict.Asked a = v.cancellable().get(i);
          Future<InquiryResult> f = cancels.get(i);
          if (f.succeeded() && f.result().kind() != InquiryResult.Kind.UNKNOWN) {
            again.set(again.indexOf(a), new ReconcilerVerdict.Asked(a.attempt(), a.reference(), f.result(), pastHorizon));
          }
        }
        return act(c, epoch, ReconcilerVerdict.decide(again, pastGrace), again, pastGrace);
      });
    });
  }

  private Future<Boolean> act(Charge c, long epoch, ReconcilerVerdict.Verdict v, List<ReconcilerVerdict.Asked> asked,
      boolean pastGrace) {
    return switch (v.kind()) {
      case SUCCEEDED -> {
        Future<Boolean> done = settle(c, epoch, v.settling());
        // Money moved at two PSPs: each further success is recorded as a conflict, never dropped.
        for (ReconcilerVerdict.Asked other : v.otherSuccesses()) {
          done = done.compose(ok -> settle(c, epoch, other).map(ok));
        }
        yield done;
      }
      case DECLINED -> settle(c, epoch, v.settling());
      case FAILED -> charges.settleNothingCharged(c, epoch, asked.isEmpty()
              ? "no money call was sent to any PSP" : "no PSP has charged, and none can any more")
          .map(ChargeService.SettleResult::applied);
      case WAIT -> {
        if (!pastGrace) {
          wakeAtGraceEnd(c);
        } else {
          log.info("charge {} still undecided past its grace period: {}", c.id(), describe(asked));
        }
        yield Future.succeededFuture(false);
      }
    };
  }

  private Future<Boolean> settle(Charge c, long epoch, ReconcilerVerdict.Asked a) {
    PspResult r = a.answer().result();
    return charges.settleResult(c.id(), a.attempt().provider(), a.reference(), r, SettlementPolicy.Source.RECONCILER, epoch)
        .map(ChargeService.SettleResult::applied);
  }

  /** Every attempt that may have moved money (all but the proven not-sent ones), in order. */
  static List<Attempt> attemptsToAsk(Charge c) {
    List<Attempt> out = new ArrayList<>();
    for (Attempt a : c.attempts()) if (a.outcome().mayHaveCharged()) out.add(a);
    return out;
  }

  private static InquiryInput input(Charge c, Attempt a, InquiryResult found) {
    String ref = a.providerReference();
    if (ref == null && found != null && found.result() != null) ref = found.result().providerReference();
    return new InquiryInput(c.id(), AttemptReference.of(c.id(), a.seq()), ref, c.amount(), c.currency());
  }

  /**
   * A charge waiting only for its grace period to pass is looked at right when it does, not up to
   * a round later: one extra round is triggered then (coalesced per 100 ms).
   */
  private void wakeAtGraceEnd(Charge c) {
    long at = c.updatedAt().toEpochMilli() + cfg.processingGraceMs() + 50;
    long delay = at - System.currentTimeMillis();
    if (delay <= 0 || delay > cfg.processingGraceMs() + 1_000) return;
    long bucket = at / 100;
    if (!wakeUps.add(bucket)) return;
    vertx.setTimer(Math.max(1, delay), t -> {
      wakeUps.remove(bucket);
      runOnce();
    });
  }

  /**
   * An inquiry that could not get an answer (a 5xx, a reset, a timeout) is asked again at once, a
   * couple of times: one lost answer should not cost the charge a whole round.
   */
  private Future<InquiryResult> inquire(String provider, InquiryInput in, int retries) {
    return dispatcher.inquire(provider, in)
        .recover(err -> Future.succeededFuture(InquiryResult.unknown(err.getClass().getSimpleName())))
        .compose(r -> r.kind() != InquiryResult.Kind.UNKNOWN || retries <= 0 ? Future.succeededFuture(r)
            : vertx.timer(INQUIRY_RETRY_DELAY_MS).compose(t -> inquire(provider, in, retries - 1)));
  }

  /**
   * The PSP's documented cancel of a payment it holds open and unpaid, asked again at once, a
   * couple of times, when it got no answer (a 5xx, a reset, a timeout), as inquiries are: closing
   * an open, unpaid payment twice changes nothing, and the next round would send it again anyway,
   * one interval later (seen in the fleet run: two faulty cancels in a row put a charge 1 s past
   * its settle bound).
   */
  private Future<InquiryResult> cancel(String provider, InquiryInput in, int retries) {
    return dispatcher.cancel(provider, in)
        .recover(err -> Future.succeededFuture(InquiryResult.unknown(err.getClass().getSimpleName())))
        .compose(r -> r.kind() != InquiryResult.Kind.UNKNOWN || retries <= 0 ? Future.succeededFuture(r)
            : vertx.timer(INQUIRY_RETRY_DELAY_MS).compose(t -> cancel(provider, in, retries - 1)));
  }

  private static String describe(List<ReconcilerVerdict.Asked> asked) {
    StringBuilder sb = new StringBuilder();
    for (ReconcilerVerdict.Asked a : asked) {
      sb.append(sb.length() == 0 ? "" : ", ").append(a.attempt().provider()).append(' ').append(a.reference()).append('=');
      InquiryResult r = a.answer();
      if (r == null) sb.append("no answer");
      else sb.append(r.kind()).append(r.result() == null ? "" : " " + r.result().outcome() + " " + r.result().message());
    }
    return sb.toString();
  }

}
