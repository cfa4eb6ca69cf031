package io.payrouter.api;

import io.payrouter.common.ProblemException;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer keys. Merchant keys are stored as SHA-256 hashes only; a hit is cached for 30 s (a key
 * revoked on this instance is evicted at once). The admin key is compared in constant time.
 */
public final class ApiKeys {
  public static final String MERCHANT = "merchantId";
  private static final long TTL_MS = 30_000;

  private record Cached(String merchantId, long until) {}

  private final Store store;
  private final byte[] adminHash;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public ApiKeys(Store store, String adminKey) {
    this.store = store;
    this.adminHash = hash(adminKey);
  }

  public static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  static String bearer(RoutingContext rc) {
    String h = rc.request().getHeader("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String k = h.substring(7).trim();
    return k.isEmpty() || k.length() > 200 ? null : k;
  }

  /** Route handler: resolves the merchant of the bearer key into the context, or answers 401. */
  public void merchant(RoutingContext rc) {
    String key = bearer(rc);
    if (key == null) {
      rc.fail(ProblemException.unauthorized());
      return;
    }
    byte[] h = hash(key);
    String hex = HexFormat.of().formatHex(h);
    Cached c = cache.get(hex);
    if (c != null && c.until > System.currentTimeMillis()) {
      rc.put(MERCHANT, c.merchantId);
      rc.next();
      return;
    }
    store.merchantForKey(h).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ProblemException.unavailable("cannot check the API key now"));
      } else if (ar.result().isEmpty()) {
        rc.fail(ProblemException.unauthorized());
      } else {
        cache.put(hex, new Cached(ar.result().get(), System.currentTimeMillis() + TTL_MS));
        rc.put(MERCHANT, ar.result().get());
        rc.next();
      }
    });
  }

  /** Route handler for the operations API. */
  public void admin(RoutingContext rc) {
    String key = bearer(rc);
    if (key == null || !MessageDigest.isEqual(adminHash, hash(key))) {
      rc.fail(ProblemException.unauthorized());
    } else {
      rc.next();
    }
  }

  public void evict(byte[] keyHash) {
    cache.remove(HexFormat.of().formatHex(keyHash));
  }

  public Future<Void> seed(String keyId, String merchantId, String plainKey) {
    return store.addKey(keyId, merchantId, hash(plainKey));
  }
}
