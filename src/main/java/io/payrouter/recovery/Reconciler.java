package io.payrouter.recovery;

import io.payrouter.charge.ChargeService;
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

  public Reconciler(Vertx vertx, Store store, Dispatcher dispatcher, ChargeService charges, RouterConfig.Recovery cfg,
      Heartbeat heartbeat) {
    this.heartbeat = heartbeat;
    this.vertx = vertx;
    this.store = store;
    this.dispatcher = dispatcher;
    this.charges = charges;
    this.cfg = cfg;
  }

  public void start() {
    timer = vertx.setPeriodic(100, cfg.intervalMs(), t -> runOnce()); // at once: a restarted router settles what its predecessor left
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
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
    Future<List<Charge>> taken = store.takeUnsettled(charges.instanceId(), Heartbeat.OWNER_TIMEOUT_MS, cfg.intervalMs(),
        cfg.processingGraceMs(), BATCH, heartbeat == null || heartbeat.mayTakeOver());
    return taken.onComplete(x -> {
      running.set(false);
      if (rerun) {
        rerun = false;
        vertx.runOnContext(v -> runOnce());
      }
    }).compose(list -> {
      List<Future<Boolean>> work = new ArrayList<>();
      for (Charge c : list) {
        if (working.size() >= PARALLEL || !working.add(c.id())) continue; // taken again next time
        work.add(settleOne(c).timeout(SETTLE_TIMEOUT_MS, java.util.concurrent.TimeUnit.MILLISECONDS).recover(err -> {
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

  private Future<Boolean> settleOne(Charge c) {
    if (charges.isWorkedOnHere(c.id())) return Future.succeededFuture(false);
    boolean pastGrace = Duration.between(c.updatedAt(), Instant.now()).toMillis() >= cfg.processingGraceMs();
    List<String> asked = new ArrayList<>(providersToAsk(c));
    if (asked.isEmpty()) {
      return pastGrace ? fail(c, "none", "no PSP could have charged") : Future.succeededFuture(false);
    }
    List<Future<InquiryResult>> inquiries = new ArrayList<>();
    for (String p : asked) {
      inquiries.add(inquire(p, new InquiryInput(c.id(), c.id(), referenceFor(c, p), c.amount(), c.currency()), INQUIRY_RETRIES));
    }
    return Future.join(inquiries).transform(x -> {
      Verdict v = verdict(asked, inquiries.stream().map(f -> f.succeeded() ? f.result() : null).toList(), pastGrace);
      return switch (v.kind()) {
        case SUCCEEDED -> {
          Future<Boolean> done = settle(c, v.provider(), v.result());
          // Money moved at two PSPs: the second success is recorded as a conflict, never dropped.
          for (int i = 0; i < v.otherSuccesses().size(); i++) {
            String other = v.otherSuccesses().get(i);
            PspResult r = v.otherResults().get(i);
            done = done.compose(ok -> charges.settleResult(c.id(), other, r, ChargeService.SOURCE_RECONCILER).map(ok));
          }
          yield done;
        }
        case DECLINED -> settle(c, v.provider(), v.result());
        case FAILED -> fail(c, asked.get(asked.size() - 1), "no PSP has charged, and none can any more");
        case WAIT -> {
          if (!pastGrace) {
            wakeAtGraceEnd(c);
          } else {
            log.info("charge {} still undecided past its grace period: {}", c.id(), describe(asked, inquiries));
          }
          yield Future.succeededFuture(false);
        }
      };
    });
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

  private static String describe(List<String> asked, List<Future<InquiryResult>> inquiries) {
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < asked.size(); i++) {
      Future<InquiryResult> f = inquiries.get(i);
      sb.append(i == 0 ? "" : ", ").append(asked.get(i)).append('=');
      if (f.failed()) {
        sb.append("error ").append(f.cause().getClass().getSimpleName());
      } else {
        InquiryResult r = f.result();
        sb.append(r.kind()).append(r.result() == null ? "" : " " + r.result().outcome() + " " + r.result().message());
      }
    }
    return sb.toString();
  }

  private Future<Boolean> settle(Charge c, String provider, PspResult r) {
    return charges.settleResult(c.id(), provider, r, ChargeService.SOURCE_RECONCILER).map(ChargeService.SettleResult::applied);
  }

  private Future<Boolean> fail(Charge c, String provider, String why) {
    return settle(c, provider, PspResult.notSent(why));
  }

  /** What the answers of every PSP that could have charged add up to. */
  record Verdict(Kind kind, String provider, PspResult result, List<String> otherSuccesses,
      List<PspResult> otherResults) {
    enum Kind { SUCCEEDED, DECLINED, FAILED, WAIT }
  }

  /**
   * Pure decision over the inquiry answers (null = the inquiry itself failed).
   *
   * @param pastGrace the charge is older than the processing grace period: "no payment" now
   *     means the request will not land any more
   */
  static Verdict verdict(List<String> providers, List<InquiryResult> answers, boolean pastGrace) {
    String succeededAt = null;
    PspResult success = null;
    List<String> moreSuccesses = new ArrayList<>();
    List<PspResult> moreResults = new ArrayList<>();
    String declinedAt = null;
    PspResult decline = null;
    boolean undecided = false;
    for (int i = 0; i < providers.size(); i++) {
      InquiryResult r = answers.get(i);
      if (r == null || r.kind() == InquiryResult.Kind.UNKNOWN) {
        undecided = true;
      } else if (r.kind() == InquiryResult.Kind.NOT_FOUND) {
        if (!pastGrace) undecided = true;
      } else if (r.kind() == InquiryResult.Kind.FOUND) {
        switch (r.result().outcome()) {
          case SUCCEEDED -> {
            if (success == null) {
              succeededAt = providers.get(i);
              success = r.result();
            } else {
              moreSuccesses.add(providers.get(i));
              moreResults.add(r.result());
            }
          }
          case DECLINED -> {
            if (decline == null) {
              declinedAt = providers.get(i);
              decline = r.result();
            }
          }
          case PENDING, IN_DOUBT -> undecided = true;
          case NOT_SENT -> { } // a documented final not-charged state
        }
      }
      // NOT_CHARGED: proof this PSP will not charge.
    }
    if (success != null) return new Verdict(Verdict.Kind.SUCCEEDED, succeededAt, success, moreSuccesses, moreResults);
    if (undecided) return new Verdict(Verdict.Kind.WAIT, null, null, List.of(), List.of());
    if (decline != null) return new Verdict(Verdict.Kind.DECLINED, declinedAt, decline, List.of(), List.of());
    return new Verdict(Verdict.Kind.FAILED, null, null, List.of(), List.of());
  }

  /**
   * The PSP the charge is pending at; for an orphaned processing charge, every PSP it attempted or
   * could have attempted (its routing candidates), since the crash may have come after any call.
   */
  static Set<String> providersToAsk(Charge c) {
    Set<String> out = new LinkedHashSet<>();
    if (c.status() == ChargeStatus.PENDING && c.provider() != null) {
      out.add(c.provider());
      return out;
    }
    for (Attempt a : c.attempts()) {
      if (a.outcome().mayHaveCharged()) out.add(a.provider());
    }
    if (c.status() == ChargeStatus.PROCESSING && c.routing() != null) out.addAll(c.routing().candidates());
    return out;
  }

  private static String referenceFor(Charge c, String provider) {
    String ref = null;
    for (Attempt a : c.attempts()) {
      if (a.provider().equals(provider) && a.providerReference() != null) ref = a.providerReference();
    }
    if (ref == null && provider.equals(c.provider())) ref = c.providerReference();
    return ref;
  }
}
