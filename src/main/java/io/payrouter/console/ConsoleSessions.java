package io.payrouter.console;

import java.security.MessageDigest;
import java.security.SecureRandom;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * The console's sessions, in memory (one instance's: a console behind a balancer needs sticky
 * sessions, or logs in again on another instance). A session id is 256 random bits from
 * {@link SecureRandom}, base64url without padding (43 characters), and so is its CSRF token. A
 * session ends when unused for the idle timeout, at the absolute timeout after its login whatever
 * its use, at logout, or when {@link #MAX_SESSIONS} newer ones exist. Thread-safe: every HTTP
 * verticle of the instance shares one.
 */
public final class ConsoleSessions {
  /** Most sessions kept at once; a login beyond it ends the least recently used one. */
  static final int MAX_SESSIONS = 1_000;
  private static final SecureRandom RANDOM = new SecureRandom();

  /**
   * One logged-in browser.
   *
   * @param tag a name for the session that is safe to log and show (not the id: a hash prefix of it)
   */
  public static final class Session {
    final String id;
    final String csrf;
    final String tag;
    final long createdAt;
    volatile long lastUsed;

    Session(String id, String csrf, long now) {
      this.id = id;
      this.csrf = csrf;
      this.tag = HexFormat.of().formatHex(sha256(id)).substring(0, 8);
      this.createdAt = now;
      this.lastUsed = now;
    }

    public String id() {
      return id;
    }

    public String csrfToken() {
      return csrf;
    }

    public String tag() {
      return tag;
    }

    public long createdAt() {
      return createdAt;
    }

    /** True when {@code token} is this session's CSRF token (compared in constant time). */
    public boolean csrfMatches(String token) {
      return token != null && MessageDigest.isEqual(sha256(token), sha256(csrf));
    }
  }

  private final ConcurrentHashMap<String, Session> sessions = new ConcurrentHashMap<>();
  private final long idleMs;
  private final long absoluteMs;
  private final LongSupplier clock;

  public ConsoleSessions(long idleMs, long absoluteMs) {
    this(idleMs, absoluteMs, System::currentTimeMillis);
  }

  ConsoleSessions(long idleMs, long absoluteMs, LongSupplier clock) {
    this.idleMs = idleMs;
    this.absoluteMs = absoluteMs;
    this.clock = clock;
  }

  public long idleMs() {
    return idleMs;
  }

  public long absoluteMs() {
    return absoluteMs;
  }

  /** A new session (a login): always a fresh id, so no id known before the login is ever valid after it. */
  public Session create() {
    long now = clock.getAsLong();
    purge(now);
    if (sessions.size() >= MAX_SESSIONS) {
      sessions.values().stream().min(java.util.Comparator.comparingLong(s -> s.lastUsed))
          .ifPresent(oldest -> sessions.remove(oldest.id, oldest));
    }
    Session s = new Session(random(), random(), now);
    sessions.put(s.id, s);
    return s;
  }

  /** The live session with this id, its idle clock restarted; empty when unknown or expired (then ended). */
  public Optional<Session> use(String id) {
    if (id == null) return Optional.empty();
    Session s = sessions.get(id);
    if (s == null) return Optional.empty();
    long now = clock.getAsLong();
    if (expired(s, now)) {
      sessions.remove(id, s);
      return Optional.empty();
    }
    s.lastUsed = now;
    return Optional.of(s);
  }

  /** When this session ends at the latest (its absolute timeout), in epoch milliseconds. */
  public long endsAt(Session s) {
    return s.createdAt + absoluteMs;
  }

  public void end(String id) {
    if (id != null) sessions.remove(id);
  }

  /** Ends every expired session (run periodically, and at each login). */
  public void purge() {
    purge(clock.getAsLong());
  }

  int size() {
    return sessions.size();
  }

  private void purge(long now) {
    sessions.values().removeIf(s -> expired(s, now));
  }

  private boolean expired(Session s, long now) {
    return now - s.lastUsed >= idleMs || now - s.createdAt >= absoluteMs;
  }

  private static String random() {
    byte[] b = new byte[32];
    RANDOM.nextBytes(b);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(b);
  }

  static byte[] sha256(String s) {
    return io.payrouter.common.Sha256.of(s.getBytes(StandardCharsets.UTF_8));
  }
}
