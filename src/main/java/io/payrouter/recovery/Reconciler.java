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
 * router was in doubt) and {@code processing} charges left by a crash between the PSP call and the
 * outcome write. It asks each PSP that could have charged, by the router's charge id (and the
 * provider reference checkpointed before the money-moving call), and:
 * <ul>
 *   <li>any PSP says succeeded: the charge succeeded (at most one can: failover is only on not_sent);
 *   <li>a PSP says declined: declined;
 *   <li>every PSP says it has no such payment, and the charge is older than the grace period:
 *       failed (nothing was charged; the merchant may retry with the same key);
 *   <li>otherwise it stays as it is and is asked again next round.
 * </ul>
 * Runs on start and then every {@code recovery.interval_ms}; one round at a time.
 */
public final class Reconciler {
  private static final Logger log = LoggerFactory.getLogger(Reconciler.class);
  private static final int BATCH = 100;

  private final Vertx vertx;
  private final Store store;
  private final Dispatcher dispatcher;
  private final ChargeService charges;
  private final RouterConfig.Recovery cfg;
  private final AtomicBoolean running = new AtomicBoolean();
  private long timer = -1;

  public Reconciler(Vertx vertx, Store store, Dispatcher dispatcher, ChargeService charges, RouterConfig.Recovery cfg) {
    this.vertx = vertx;
    this.store = store;
    this.dispatcher = dispatcher;
    this.charges = charges;
    this.cfg = cfg;
  }

  public void start() {
    timer = vertx.setPeriodic(1_000, cfg.intervalMs(), t -> runOnce());
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One round; returns how many charges it settled. Overlapping calls return 0 at once. */
  public Future<Integer> runOnce() {
    if (!running.compareAndSet(false, true)) return Future.succeededFuture(0);
    long pendingAgeMs = Math.min(cfg.intervalMs(), 2_000);
    return store.unsettled(cfg.processingGraceMs(), pendingAgeMs, BATCH).compose(list -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Charge c : list) {
        chain = chain.compose(n -> settleOne(c).map(settled -> settled ? n + 1 : n));
      }
      return chain;
    }).onComplete(ar -> {
      running.set(false);
      if (ar.failed()) log.warn("reconciliation round failed: {}", ar.cause().toString());
      else if (ar.result() > 0) log.info("reconciliation settled {} charge(s)", ar.result());
    });
  }

  private Future<Boolean> settleOne(Charge c) {
    if (charges.isWorkedOnHere(c.id())) return Future.succeededFuture(false);
    List<String> asked = new ArrayList<>(providersToAsk(c));
    if (asked.isEmpty()) return concludeNothingCharged(c, null);
    List<Future<InquiryResult>> inquiries = new ArrayList<>();
    for (String p : asked) {
      inquiries.add(dispatcher.inquire(p, new InquiryInput(c.id(), referenceFor(c, p), c.amount(), c.currency())));
    }
    return Future.join(inquiries).transform(x -> {
      String declinedBy = null;
      PspResult declined = null;
      boolean allNotFound = true;
      for (int i = 0; i < asked.size(); i++) {
        InquiryResult r = inquiries.get(i).result();
        if (r == null || r.kind() != InquiryResult.Kind.NOT_FOUND) allNotFound = false;
        if (r != null && r.kind() == InquiryResult.Kind.FOUND) {
          if (r.result().outcome() == Outcome.SUCCEEDED) {
            return charges.settle(c.id(), asked.get(i), r.result(), ChargeService.SOURCE_RECONCILER).map(o -> true);
          }
          if (r.result().outcome() == Outcome.DECLINED) {
            declinedBy = asked.get(i);
            declined = r.result();
          }
        }
      }
      if (declined != null) {
        return charges.settle(c.id(), declinedBy, declined, ChargeService.SOURCE_RECONCILER).map(o -> true);
      }
      if (allNotFound) return concludeNothingCharged(c, asked.get(asked.size() - 1));
      return Future.succeededFuture(false);
    });
  }

  /** Every PSP that could have charged says it has no payment: failed, once past the grace period. */
  private Future<Boolean> concludeNothingCharged(Charge c, String provider) {
    boolean oldEnough = Duration.between(c.updatedAt(), Instant.now()).toMillis() >= cfg.processingGraceMs()
        || c.status() == ChargeStatus.PROCESSING;
    if (!oldEnough) return Future.succeededFuture(false);
    return charges.settle(c.id(), provider == null ? "none" : provider,
            PspResult.notSent("no PSP has a payment for this charge"), ChargeService.SOURCE_RECONCILER)
        .map(o -> true);
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
