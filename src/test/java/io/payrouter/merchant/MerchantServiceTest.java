package io.payrouter.merchant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.domain.UnavailableException;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Bearer key checks against a counted stand-in for the database, on a clock the test moves. */
@ExtendWith(VertxExtension.class)
class MerchantServiceTest {
  final AtomicLong now = new AtomicLong(1_000_000);
  final AtomicInteger lookups = new AtomicInteger();
  final List<Promise<Optional<String>>> open = new ArrayList<>();

  MerchantService service(Function<byte[], Future<Optional<String>>> db, int maxInFlight) {
    return new MerchantService(null, h -> {
      lookups.incrementAndGet();
      return db.apply(h);
    }, "admin_key_long_enough", false, maxInFlight, now::get);
  }

  /** A database that never answers until the test completes the query. */
  Future<Optional<String>> hanging(byte[] h) {
    Promise<Optional<String>> p = Promise.promise();
    open.add(p);
    return p.future();
  }

  static String key(int i) {
    return "sk_test_unknown_" + i;
  }

  @Test
  void anUnknownKeyIsLookedUpOncePerFiveSeconds() {
    MerchantService s = service(h -> Future.succeededFuture(Optional.empty()), 4);
    for (int i = 0; i < 3; i++) assertEquals(Optional.empty(), s.merchantForKey(key(1)).result());
    assertEquals(1, lookups.get());
    now.addAndGet(MerchantService.UNKNOWN_TTL_MS + 1);
    assertEquals(Optional.empty(), s.merchantForKey(key(1)).result());
    assertEquals(2, lookups.get());
  }

  @Test
  void concurrentChecksOfOneKeyShareOneQuery() {
    MerchantService s = service(this::hanging, 4);
    List<Future<Optional<String>>> answers = new ArrayList<>();
    for (int i = 0; i < 50; i++) answers.add(s.merchantForKey(key(7)));
    assertEquals(1, lookups.get());
    open.get(0).complete(Optional.of("acme"));
    for (Future<Optional<String>> f : answers) assertEquals(Optional.of("acme"), f.result());
  }

  @Test
  void checksBeyondTheBoundFailAtOnceInsteadOfQueueingOnThePool() {
    MerchantService s = service(this::hanging, 4);
    for (int i = 0; i < 4; i++) assertFalse(s.merchantForKey(key(i)).isComplete());
    Future<Optional<String>> fifth = s.merchantForKey(key(4));
    assertTrue(fifth.failed(), "the fifth distinct key is refused at once");
    assertTrue(fifth.cause() instanceof UnavailableException, String.valueOf(fifth.cause()));
    assertEquals(4, lookups.get());
    open.get(0).complete(Optional.empty());
    assertFalse(s.merchantForKey(key(5)).isComplete(), "a finished query frees its place");
    assertEquals(5, lookups.get());
  }

  @Test
  void theUnknownKeyCacheHoldsAtMostTenThousandKeys() {
    MerchantService s = service(h -> Future.succeededFuture(Optional.empty()), 4);
    for (int i = 0; i < MerchantService.UNKNOWN_MAX + 500; i++) s.merchantForKey(key(i));
    assertEquals(MerchantService.UNKNOWN_MAX, s.unknownCached());
    now.addAndGet(MerchantService.UNKNOWN_TTL_MS + 1_000);
    s.merchantForKey(key(-1));
    assertEquals(1, s.unknownCached(), "expired entries are swept when the cache is full");
  }

  @Test
  void aFailedLookUpIsNotRememberedAsUnknown() {
    AtomicInteger calls = new AtomicInteger();
    MerchantService s = service(h -> calls.getAndIncrement() == 0
        ? Future.failedFuture(new IllegalStateException("database down")) : Future.succeededFuture(Optional.of("acme")), 4);
    assertTrue(s.merchantForKey(key(1)).failed());
    assertEquals(Optional.of("acme"), s.merchantForKey(key(1)).result());
  }

  @Test
  void aKnownKeyIsNotLookedUpAgainWithinThirtySeconds() {
    MerchantService s = service(h -> Future.succeededFuture(Optional.of("acme")), 4);
    s.merchantForKey(key(1));
    now.addAndGet(29_000);
    assertEquals(Optional.of("acme"), s.merchantForKey(key(1)).result());
    assertEquals(1, lookups.get());
  }

  @Test
  void aKeyTooShortToExistIsNotLookedUp() {
    MerchantService s = service(h -> Future.succeededFuture(Optional.of("acme")), 4);
    assertEquals(Optional.empty(), s.merchantForKey("sk_short").result());
    assertEquals(0, lookups.get());
  }
}
