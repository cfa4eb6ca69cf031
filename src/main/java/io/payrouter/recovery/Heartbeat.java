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

  /** How long a silent owner is still considered alive. */
  public static final long OWNER_TIMEOUT_MS = Long.getLong("router.ownerTimeoutMs", 10_000);
  static final long INTERVAL_MS = 1_000;
  static final long DOWN_INTERVAL_MS = 250;

  private final Vertx vertx;
  private final Store store;
  private final String instanceId;
  private volatile boolean stopped;
  private volatile boolean lastFailed;

  public Heartbeat(Vertx vertx, Store store, String instanceId) {
    this.vertx = vertx;
    this.store = store;
    this.instanceId = instanceId;
  }

  /** Registers this instance (awaited at start) and keeps beating. */
  public Future<Void> start() {
    return store.heartbeat(instanceId).onSuccess(v -> schedule(INTERVAL_MS));
  }

  private void schedule(long delay) {
    if (stopped) return;
    vertx.setTimer(delay, t -> store.heartbeat(instanceId).onComplete(ar -> {
      if (ar.failed() && !lastFailed) log.warn("heartbeat failed, database unavailable: {}", ar.cause().getMessage());
      if (ar.succeeded() && lastFailed) log.info("heartbeat renewed, database available again");
      lastFailed = ar.failed();
      schedule(ar.succeeded() && store.health().isUp() ? INTERVAL_MS : DOWN_INTERVAL_MS);
    }));
  }

  /** Stops beating and removes this instance, so its unsettled charges are taken over at once. */
  public Future<Void> stop() {
    stopped = true;
    return store.retire(instanceId).recover(err -> Future.succeededFuture());
  }
}
