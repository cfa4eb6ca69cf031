package io.payrouter.merchant;

import io.payrouter.common.Ids;
import io.payrouter.domain.MerchantExistsException;
import io.payrouter.domain.NotFoundException;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Merchants and their bearer keys. Merchant keys are stored as SHA-256 hashes only; a hit is
 * cached for 30 s (a key revoked on this instance is evicted at once). The admin key is compared in
 * constant time.
 */
public final class MerchantService {
  private static final long TTL_MS = 30_000;

  /** A key just issued: the only time its plain text is seen. */
  public record IssuedKey(String id, String merchantId, String apiKey) {}

  private record Cached(String merchantId, long until) {}

  private final Store store;
  private final byte[] adminHash;
  private final String keyPrefix;
  private final ConcurrentHashMap<String, Cached> cache = new ConcurrentHashMap<>();

  public MerchantService(Store store, String adminKey, boolean production) {
    this.store = store;
    this.adminHash = hash(adminKey);
    this.keyPrefix = production ? "sk_live_" : "sk_test_";
  }

  static byte[] hash(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /** The merchant a bearer key belongs to, or empty when it is unknown or revoked. */
  public Future<Optional<String>> merchantForKey(String key) {
    byte[] h = hash(key);
    String hex = HexFormat.of().formatHex(h);
    Cached c = cache.get(hex);
    if (c != null && c.until > System.currentTimeMillis()) return Future.succeededFuture(Optional.of(c.merchantId));
    return store.merchantForKey(h).map(found -> {
      found.ifPresent(m -> cache.put(hex, new Cached(m, System.currentTimeMillis() + TTL_MS)));
      return found;
    });
  }

  public boolean isAdminKey(String key) {
    return key != null && MessageDigest.isEqual(adminHash, hash(key));
  }

  /** Makes sure a configured merchant and its key exist (idempotent: run at every start). */
  public Future<Void> seed(String merchantId, String name, String plainKey) {
    String keyId = "key_cfg_" + merchantId + "_" + Integer.toHexString(plainKey.hashCode() & 0xfffff);
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

  public Future<Void> revokeKey(String merchantId, String keyId) {
    return store.revokeKey(merchantId, keyId).map(found -> {
      byte[] h = found.orElseThrow(() -> new NotFoundException("key " + keyId));
      cache.remove(HexFormat.of().formatHex(h));
      return null;
    });
  }

  private Future<IssuedKey> issue(String merchantId) {
    String keyId = Ids.next("key_");
    String key = Ids.secret(keyPrefix);
    return store.addKey(keyId, merchantId, hash(key)).map(v -> new IssuedKey(keyId, merchantId, key));
  }
}
