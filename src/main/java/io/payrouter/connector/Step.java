package io.payrouter.connector;

import io.payrouter.domain.Outcome;


import java.util.function.Function;

/**
 * A connector flow as a small state machine of pure functions: either send one more HTTP call and
 * continue with its reply, or stop with a value. The dispatcher alone performs the calls (under
 * the provider's breaker and timeout); connectors stay free of I/O and are unit-tested by feeding
 * canned {@link HttpReply}s.
 *
 * <p>Transport failures never reach {@code next}: for a charge flow the dispatcher maps them to
 * {@link Outcome#NOT_SENT} (connection refused, breaker open, or any failure of a call with
 * {@code movesMoney=false}) or {@link Outcome#IN_DOUBT} (timeout/reset on a money-moving call); for
 * other flows they fail the future with {@code PspUnavailableException}.
 */
public sealed interface Step<T> permits Step.Call, Step.Done {

  record Call<T>(HttpCall call, Function<HttpReply, Step<T>> next) implements Step<T> {}

  record Done<T>(T value) implements Step<T> {}

  static <T> Step<T> call(HttpCall call, Function<HttpReply, Step<T>> next) {
    return new Call<>(call, next);
  }

  static <T> Step<T> done(T value) {
    return new Done<>(value);
  }
}
