package io.payrouter.store;

import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the database is answering, as last seen by any statement or by the heartbeat. Writers
 * mark it down on a transient failure and up on any success; the heartbeat probes it every
 * second (every 250 ms while it is down), so charges are accepted again within a moment of
 * PostgreSQL answering, even though no charge write is attempted while it is down.
 */
public final class DatabaseHealth {
  private volatile boolean up = true;
  private final AtomicLong downSince = new AtomicLong();

  public boolean isUp() {
    return up;
  }

  public void markUp() {
    if (!up) up = true;
  }

  public void markDown() {
    if (up) {
      downSince.set(System.currentTimeMillis());
      up = false;
    }
  }

  /** Epoch millis of the last transition to down (0 if never). */
  public long downSince() {
    return downSince.get();
  }
}
