package io.payrouter.store;

import io.payrouter.config.RouterConfig;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Purges idempotency keys past their retention ({@code idempotency.retention_hours}, at least 24 h,
 * and never while their charge is unsettled). Every {@code purge_interval_ms} it deletes keys in
 * statements of at most {@code purge_batch} rows, one statement at a time with a pause between
 * them, so a backlog of millions never holds the charge path's writes up. Counted in
 * {@code router_idempotency_keys_purged_total}.
 */
public final class KeyRetention {
  private static final Logger log = LoggerFactory.getLogger(KeyRetention.class);
  /** Statements per round at most: a round ends even if old keys remain (the next one goes on). */
  static final int MAX_STATEMENTS_PER_ROUND = 100;
  static final long PAUSE_MS = 20;

  private final Vertx vertx;
  private final Store store;
  private final RouterConfig.Idempotency cfg;
  private final Metrics metrics;
  private long timer = -1;
  private volatile boolean running;

  public KeyRetention(Vertx vertx, Store store, RouterConfig.Idempotency cfg, Metrics metrics) {
    this.vertx = vertx;
    this.store = store;
    this.cfg = cfg;
    this.metrics = metrics;
  }

  public void start() {
    timer = vertx.setPeriodic(cfg.purgeIntervalMs(), t -> {
      if (!running) runOnce();
    });
  }

  public void stop() {
    if (timer >= 0) vertx.cancelTimer(timer);
  }

  /** One round: deletes old keys batch by batch until none is left or the round's bound; answers the count. */
  public Future<Long> runOnce() {
    running = true;
    Promise<Long> done = Promise.promise();
    step(0, 0L, done);
    return done.future().onComplete(x -> running = false);
  }

  private void step(int statements, long total, Promise<Long> done) {
    store.purgeIdempotencyKeys(cfg.retentionHours(), cfg.purgeBatch()).onComplete(ar -> {
      if (ar.failed()) {
        log.warn("idempotency key purge stopped for this round: {}", ar.cause().toString());
        done.complete(total);
        return;
      }
      int n = ar.result();
      if (n > 0) metrics.keysPurged(n);
      long sum = total + n;
      if (n < cfg.purgeBatch() || statements + 1 >= MAX_STATEMENTS_PER_ROUND) {
        if (sum > 0) log.info("purged {} idempotency keys older than {} h", sum, cfg.retentionHours());
        done.complete(sum);
      } else {
        vertx.setTimer(PAUSE_MS, t -> step(statements + 1, sum, done));
      }
    });
  }
}
