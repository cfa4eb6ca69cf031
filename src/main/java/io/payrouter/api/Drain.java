package io.payrouter.api;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * The shutdown gate in front of {@code POST /v1/charges}, shared by every HTTP verticle. Once
 * {@link #begin()} is called (SIGTERM), a new charge request is refused before anything is written
 * or sent (503 with Retry-After, nothing charged) and readiness reports DOWN; the requests already
 * let through are counted until they are answered, so the shutdown can wait for them (bounded by
 * {@code http.drain_timeout_ms}). Thread-safe and non-blocking: called on event loops.
 *
 * <p>A request counts itself before it looks at the flag, and the drain sets the flag before it
 * looks at the count: a request either sees the flag and is refused, or is counted and waited for.
 */
public final class Drain {
  private final AtomicInteger inFlight = new AtomicInteger();
  private volatile boolean draining;

  /** True (and counted) when the request may go on; false when the router is draining (refuse it). */
  public boolean enter() {
    inFlight.incrementAndGet();
    if (draining) {
      inFlight.decrementAndGet();
      return false;
    }
    return true;
  }

  /** A request let through by {@link #enter()} has been answered (or failed). */
  public void exit() {
    inFlight.decrementAndGet();
  }

  /** Stops letting new charge requests through; idempotent. */
  public void begin() {
    draining = true;
  }

  public boolean draining() {
    return draining;
  }

  /** Charge requests let through and not answered yet. */
  public int inFlight() {
    return inFlight.get();
  }
}
