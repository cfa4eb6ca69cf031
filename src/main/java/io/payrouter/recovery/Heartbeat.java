package io.payrouter.recovery;

import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This instance's heartbeat in the {@code instances} table: renewed every second (every 250 ms
 * while the database is down, so charges are taken again within a moment of it answering). Other
 * instances take over this instance's unsettled charges only once the heartbeat has stopped for
 * {@link #OWNER_TIMEOUT_MS}. A clean stop removes the row, so takeover is immediate.
 */
public final class Heartbeat {
  private static final Logger log = LoggerFactory.getLogger(Heartbeat.class);

  /**
   * How long a silent owner is still considered alive: three missed beats. An instance that
   * itself could not beat lately (a database outage stops every heartbeat at once) takes no other
   * instance's charges until it has beaten for this long again, so no live instance is taken for
   * stopped when the database comes back.
   */
  public static final long OWNER_TIMEOUT_MS = Store.OWNER_TIMEOUT_MS;
  static final long INTERVAL_MS = 1_000;
  static final long DOWN_INTERVAL_MS = 250;

  private final Vertx vertx;
  private final Store store;
  private final String instanceId;
  private volatile boolean stopped;
  private volatile boolean lastFailed;
  /** Start of the current unbroken run of successful beats (0 while failing). */
  private volatile long beatingSince;

  public Heartbeat(Vertx vertx, Store store, String instanceId) {
    this.vertx = vertx;
    this.store = store;
    this.instanceId = instanceId;
  }

  /** Registers this instance (awaited at start) and keeps beating. */
  public Future<Void> start() {
    return store.heartbeat(instanceId).onSuccess(v -> {
      beatingSince = System.currentTimeMillis();
      schedule(INTERVAL_MS);
    });
  }

  private void schedule(long delay) {
    if (stopped) return;
    vertx.setTimer(delay, t -> store.heartbeat(instanceId).onComplete(ar -> {
      if (ar.failed() && !lastFailed) log.warn("heartbeat failed, database unavailable: {}", ar.cause().getMessage());
      if (ar.succeeded() && lastFailed) log.info("heartbeat renewed, database available again");
      if (ar.failed()) beatingSince = 0;
      else if (lastFailed || beatingSince == 0) beatingSince = System.currentTimeMillis();
      lastFailed = ar.failed();
      schedule(ar.succeeded() && store.health().isUp() ? INTERVAL_MS : DOWN_INTERVAL_MS);
    }));
  }

  /**
   * True once this instance has beaten without a break for {@link #OWNER_TIMEOUT_MS}: only then
   * may it judge another instance's silence as a stop (its own silence would look the same).
   */
  public boolean mayTakeOver() {
    long since = beatingSince;
    return since > 0 && System.currentTimeMillis() - since >= OWNER_TIMEOUT_MS;
  }

  /** Stops beating and removes this instance, so its unsettled charges are taken over at once. */
  public Future<Void> stop() {
    stopped = true;
    return store.retire(instanceId).recover(err -> Future.succeededFuture());
  }
}
