package io.payrouter.recovery;

import io.payrouter.config.RouterConfig;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Refund;
import io.payrouter.domain.RefundStatus;
import io.payrouter.refund.RefundPolicy;
import io.payrouter.refund.RefundService;
import io.payrouter.store.RefundStore;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles the refunds the request path could not: {@code pending} ones (the PSP accepted it, or
 * the router was in doubt) and {@code processing} ones whose owner stopped between the claim and
 * the outcome write. Ownership as for charges ({@link Ownership}): a round takes, in one atomic
 * statement, the due refunds this instance owns or whose owner's heartbeat stopped, raising the
 * epoch on a takeover ({@link RefundStore#takeUnsettled}). For each it asks the PSP that took the
 * charge, by the refund's own reference ({@link RefundPolicy#reconcile}): a refund never sent
 * (no checkpoint) is failed at once; one the PSP shows is settled as the PSP says; one it does
 * not show (yet) stays pending until {@code recovery.not_found_final_after} has passed. Nothing
 * is ever sent again. Runs every {@code recovery.interval_ms}, one round at a time.
 */
public final class RefundReconciler {
  private static final Logger log = LoggerFactory.getLogger(RefundReconciler.class);
  private static final int BATCH = 50;
  private static final long SETTLE_TIMEOUT_MS = 30_000;

  private final Vertx vertx;
  private final RefundStore store;
  private final Dispatcher dispatcher;
  private final RefundService refunds;
  private final RouterConfig.Recovery cfg;
  private final Heartbeat heartbeat;
  private final AtomicBoolean running = new AtomicBoolean();
  private final Set<String> working = ConcurrentHashMap.newKeySet();
  private long timer = -1;

  public RefundReconciler(Vertx vertx, RefundStore store, Dispatcher dispatcher, RefundService refunds,
      RouterConfig.Recovery cfg, Heartbeat heartbeat) {
    this.vertx = vertx;
    this.store = store;
    this.dispatcher = dispatcher;
    this.refunds = refunds;
    this.cfg = cfg;
    this.heartbeat = heartbeat;
  }

  public void start() {
    timer = vertx.setPeriodic(200, cfg.intervalMs(), t -> runOnce());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One round; answers how many refunds it settled (0 at once while a round is running). */
  public Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    return store.takeUnsettled(refunds.instanceId(), Heartbeat.OWNER_TIMEOUT_MS, cfg.intervalMs(), cfg.processingGraceMs(), BATCH,
            heartbeat == null || heartbeat.mayTakeOver())
        .onComplete(x -> running.set(false))
        .compose(taken -> {
          List<Future<Boolean>> work = new ArrayList<>();
          for (RefundStore.Taken t : taken) {
            Refund r = t.refund();
            if (t.tookOver()) log.info("refund {} taken over from its previous owner (epoch {})", r.id(), t.epoch());
            if (!working.add(r.id())) continue;
            work.add(settleOne(t).timeout(SETTLE_TIMEOUT_MS, TimeUnit.MILLISECONDS).recover(err -> {
              log.warn("refund {}: reconciliation failed: {}", r.id(), err.toString());
              return Future.succeededFuture(false);
            }).onComplete(x -> working.remove(r.id())));
          }
          return Future.join(work).map(x -> (int) work.stream().filter(f -> Boolean.TRUE.equals(f.result())).count());
        })
        .onComplete(ar -> {
          if (ar.failed()) log.warn("refund reconciliation round failed: {}", ar.cause().toString());
          else if (ar.result() > 0) log.info("refund reconciliation settled {} refund(s)", ar.result());
        });
  }

  private Future<Boolean> settleOne(RefundStore.Taken t) {
    Refund r = t.refund();
    if (refunds.isWorkedOnHere(r.id())) return Future.succeededFuture(false);
    boolean pastHorizon = Duration.between(r.updatedAt(), Instant.now()).toMillis() >= cfg.notFoundFinalAfterMs();
    Future<InquiryResult> asked = t.sent() ? dispatcher.inquireRefund(r.provider(), RefundService.inquiryOf(r))
        : Future.succeededFuture(null);
    return asked.compose(q -> {
      RefundPolicy.Decision d = RefundPolicy.reconcile(t.sent(), q, pastHorizon);
      // Pending and still pending: nothing to write (the take already set the next look).
      if (d.kind() != RefundPolicy.Kind.SETTLE || (d.status() == RefundStatus.PENDING && r.status() == RefundStatus.PENDING)) {
        return Future.succeededFuture(false);
      }
      return refunds.settle(r, t.epoch(), d);
    });
  }
}
