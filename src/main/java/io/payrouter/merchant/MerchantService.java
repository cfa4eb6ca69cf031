package io.payrouter.merchant;

import io.payrouter.common.Ids;
import io.payrouter.domain.MerchantExistsException;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.UnavailableException;
import io.payrouter.store.Store;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import java.util.function.LongSupplier;

/**
 * Merchants and their bearer keys. Merchant keys are stored as SHA-256 hashes only; a hit is
 * cached for 30 s (a key revoked on this instance is evicted at once). The admin key is compared in
 * constant time.
 *
 * <p>Unknown keys must not be able to exhaust the database pool: a miss is remembered for 5 s (at
 * most 10,000 of them), concurrent look-ups of one key share one query, and at most
 * {@link #MAX_LOOKUPS_IN_FLIGHT} queries run at once. Beyond that the check fails at once with
 * {@link UnavailableException} (503 with Retry-After) instead of queueing on the pool.
 */
public final class MerchantService {
  private static final long TTL_MS = 30_000;
  /** How long past its TTL a known key is still accepted while it cannot be re-checked. */
  static final long MAX_STALE_MS = 300_000;
  static final long UNKNOWN_TTL_MS = 5_000;
  static final int UNKNOWN_MAX = 10_000;
  static final int MAX_LOOKUPS_IN_FLIGHT = 4;
  /** Shortest key that can exist: config seeds need 12 characters, issued keys are longer. */
  static final int MIN_KEY_LENGTH = 12;

  /** Key look-ups sent to the database, by every instance (tests read it). */
  static final LongAdder DATABASE_LOOKUPS = new LongAdder();
  /** The most look-ups one instance had in flight at once (tests reset and read it). */
  static final AtomicInteger PEAK_LOOKUPS_IN_FLIGHT = new AtomicInteger();

  /** A key just issued: the only time its plain text is seen. */
  public record IssuedKey(String id, String merchantId, String apiKey) {}

  private record Cached(String merchantId, long until) {}

  private final Store store;
  private final Function<byte[], Future<Optional<String>>> lookup;
  private final byte[] adminHash;
  private final String keyPrefix;
  private final int maxInFlight;
  private final LongSupplier clock;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();
  /** Hashes of keys the database did not know, until when. */
  private final ConcurrentHashMap<String, Long> unknown = new ConcurrentHashMap<>();
  /** Look-ups in flight by hash: later askers share the query. */
  private final ConcurrentHashMap<String, Future<Optional<String>>> pending = new ConcurrentHashMap<>();
  private final AtomicInteger inFlight = new AtomicInteger();
  private final AtomicLong lastPurge = new AtomicLong();
  private volatile java.util.function.Consumer<String> revoked = h -> {};

  public MerchantService(Store store, String adminKey, boolean production) {
    this(store, store::merchantForKey, adminKey, production, MAX_LOOKUPS_IN_FLIGHT, System::currentTimeMillis);
  }

  MerchantService(Store store, Function<byte[], Future<Optional<String>>> lookup, String adminKey, boolean production,
      int maxInFlight, LongSupplier clock) {
    this.store = store;
    this.lookup = lookup;
    this.adminHash = hash(adminKey);
    this.keyPrefix = production ? "sk_live_" : "sk_test_";
    this.maxInFlight = maxInFlight;
    this.clock = clock;
  }

  static byte[] hash(String key) {
    return io.payrouter.common.Sha256.of(key.getBytes(StandardCharsets.UTF_8));
  }

  /**
   * The merchant a bearer key belongs to, or empty when it is unknown or revoked. Fails with
   * {@link UnavailableException} when too many look-ups are in flight, or the database fails.
   */
  public Future<Optional<String>> merchantForKey(String key) {
    if (key.length() < MIN_KEY_LENGTH) return Future.succeededFuture(Optional.empty());
    byte[] h = hash(key);
    String hex = HexFormat.of().formatHex(h);
    long now = clock.getAsLong();
    Cached c = cache.get(hex);
    if (c != null && c.until > now) return Future.succeededFuture(Optional.of(c.merchantId));
    // A known key whose entry just expired keeps working while it is re-checked, and while a
    // flood of unknown keys holds every look-up slot (at most MAX_STALE_MS): a flood must not lock
    // out the merchants it is not from. A key revoked on this instance is evicted at once.
    boolean stale = c != null && c.until + MAX_STALE_MS > now;
    Long missUntil = unknown.get(hex);
    if (missUntil != null && missUntil > now) return Future.succeededFuture(Optional.empty());
    Future<Optional<String>> shared = pending.get(hex);
    if (shared == null) {
      int n = inFlight.incrementAndGet();
      if (n > maxInFlight) {
        inFlight.decrementAndGet();
        if (stale) return Future.succeededFuture(Optional.of(c.merchantId));
        return Future.failedFuture(new UnavailableException("too many API key checks at once; retry shortly"));
      }
      PEAK_LOOKUPS_IN_FLIGHT.accumulateAndGet(n, Math::max);
      Promise<Optional<String>> mine = Promise.promise();
      shared = pending.putIfAbsent(hex, mine.future());
      if (shared == null) {
        DATABASE_LOOKUPS.increment();
        Future<Optional<String>> query;
        try {
          query = lookup.apply(h);
        } catch (RuntimeException e) {
          query = Future.failedFuture(e);
        }
        query.onComplete(ar -> {
          inFlight.decrementAndGet();
          if (ar.succeeded()) remember(hex, ar.result());
          pending.remove(hex, mine.future());
          mine.handle(ar);
        });
        return mine.future();
      }
      inFlight.decrementAndGet(); // another asker won the race: share its query
    }
    if (stale) return Future.succeededFuture(Optional.of(c.merchantId));
    return onCallerContext(shared);
  }

  private void remember(String hex, Optional<String> found) {
    long now = clock.getAsLong();
    if (found.isPresent()) {
      cache.put(hex, new Cached(found.get(), now + TTL_MS));
      unknown.remove(hex);
      return;
    }
    if (unknown.size() >= UNKNOWN_MAX) {
      long last = lastPurge.get();
      // At most one sweep a second: a flood of random keys must not make every miss scan the map.
      if (now - last >= 1_000 && lastPurge.compareAndSet(last, now)) unknown.values().removeIf(until -> until <= now);
      if (unknown.size() >= UNKNOWN_MAX) return; // full of live entries: the in-flight bound still holds
    }
    unknown.put(hex, now + UNKNOWN_TTL_MS);
  }

  /** A shared look-up completes on the context of whoever started it: hop back to the caller's. */
  private static <T> Future<T> onCallerContext(Future<T> f) {
    Context ctx = Vertx.currentContext();
    if (ctx == null) return f;
    Promise<T> p = Promise.promise();
    f.onComplete(ar -> {
      if (Vertx.currentContext() == ctx) {
        p.handle(ar);
      } else {
        ctx.runOnContext(v -> p.handle(ar));
      }
    });
    return p.future();
  }

  int unknownCached() {
    return unknown.size();
  }

  public boolean isAdminKey(String key) {
    return key != null && java.security.MessageDigest.isEqual(adminHash, hash(key));
  }

  /** Makes sure a configured merchant and its key exist (idempotent: run at every start). */
  public Future<Void> seed(String merchantId, String name, String plainKey) {
    String keyId = "key_cfg_" + merchantId + "_" + Integer.toHexString(plainKey.hashCode() & 0xfffff);
    unknown.remove(HexFormat.of().formatHex(hash(plainKey)));
    return store.ensureMerchant(merchantId, name).compose(v -> store.addKey(keyId, merchantId, hash(plainKey)));
  }

  /** Creates a merchant with its first key. */
  public Future<IssuedKey> create(String id, String name) {
    return store.createMerchant(id, name).compose(created -> {
      if (!created) throw new MerchantExistsException(id);
      return issue(id);
    });
  }

  /** Issues another key for an existing merchant. */
  public Future<IssuedKey> issueKey(String merchantId) {
    return store.merchantExists(merchantId).compose(exists -> {
      if (!exists) throw new NotFoundException("merchant " + merchantId);
      return issue(merchantId);
    });
  }

  /** Revokes a key: refused here at once, and on the other instances once they hear of it ({@link #onRevoked}). */
  public Future<Void> revokeKey(String merchantId, String keyId) {
    return store.revokeKey(merchantId, keyId).map(found -> {
      byte[] h = found.orElseThrow(() -> new NotFoundException("key " + keyId));
      String hex = HexFormat.of().formatHex(h);
      cache.remove(hex);
      revoked.accept(hex);
      return null;
    });
  }

  /** Called with the key's hash (hex) after a revocation here: the fleet tells the other instances. */
  public void onRevoked(java.util.function.Consumer<String> listener) {
    this.revoked = listener;
  }

  /** Another instance revoked the key with this hash: drop it from this instance's cache. */
  public void evict(String keyHashHex) {
    if (keyHashHex != null) cache.remove(keyHashHex);
  }

  private Future<IssuedKey> issue(String merchantId) {
    String keyId = Ids.next("key_");
    String key = Ids.secret(keyPrefix);
    unknown.remove(HexFormat.of().formatHex(hash(key)));
    return store.addKey(keyId, merchantId, hash(key)).map(v -> new IssuedKey(keyId, merchantId, key));
  }
}
