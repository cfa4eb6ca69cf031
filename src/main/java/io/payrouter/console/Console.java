package io.payrouter.console;

import io.payrouter.api.HttpApi;
import io.payrouter.api.ProblemException;
import io.payrouter.api.Problems;
import io.vertx.core.Vertx;
import io.vertx.core.http.Cookie;
import io.vertx.core.http.CookieSameSite;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Optional;
import java.util.Set;
import java.util.function.Predicate;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The SRE console at {@code /console}: a login form, a session cookie, static pages, and the
 * operations API under {@code /console/api/*} authorised by the session instead of the admin key
 * (the browser never holds the key). Every state-changing call under {@code /console/api/*} needs
 * the session's CSRF token in {@code X-CSRF-Token}, which the page reads from
 * {@code GET /console/api/session}. Routes only; the handlers below are short and never block.
 */
public final class Console implements HttpApi.OperationsSurface {
  private static final Logger log = LoggerFactory.getLogger(Console.class);
  public static final String COOKIE = "console_session";
  public static final String CSRF_HEADER = "X-CSRF-Token";
  static final String PATH = "/console";
  static final String API = "/console/api";
  /** A wrong key is answered after this pause: a guesser gets a handful of tries a second per connection. */
  static final long WRONG_KEY_DELAY_MS = 250;
  /** Longest admin key looked at (the router's bearer keys are at most 200 characters too). */
  static final int MAX_KEY_LENGTH = 200;
  private static final Set<HttpMethod> SAFE = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.OPTIONS);
  /** Scripts, styles and calls from this origin only; no inline script, no framing, forms to here only. */
  static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
      + "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

  private final ConsoleSessions sessions;
  private final Predicate<String> isAdminKey;
  private final String loginPage;
  private final String appPage;

  /**
   * @param isAdminKey the operations API's own check of the admin key (constant time)
   */
  public Console(ConsoleSessions sessions, Predicate<String> isAdminKey) {
    this.sessions = sessions;
    this.isAdminKey = isAdminKey;
    this.loginPage = resource("console/login.html");
    this.appPage = resource("console/app.html");
  }

  @Override
  public String adminPrefix() {
    return API;
  }

  @Override
  public void mount(Vertx vertx, Router r) {
    r.route().pathRegex("/console(/.*)?").handler(Console::securityHeaders);
    r.get(PATH).handler(this::page);
    r.get(PATH + "/").handler(rc -> rc.response().setStatusCode(303).putHeader("Location", PATH).end());
    r.post(PATH + "/login").handler(this::login);
    r.post(PATH + "/logout").handler(this::logout);
    r.get(API + "/session").handler(this::session);
    r.route(HttpMethod.GET, PATH + "/assets/*").handler(StaticHandler.create("console/assets")
        .setCachingEnabled(false).setDirectoryListing(false).setIncludeHidden(false).setDefaultContentEncoding("UTF-8"));
  }

  /** {@code /console/api/*}: a live session, and for anything but a read its CSRF token. */
  @Override
  public void guard(RoutingContext rc) {
    Optional<ConsoleSessions.Session> s = current(rc);
    if (s.isEmpty()) {
      Problems.send(rc, new ProblemException(401, "console-login-required", "Unauthorized",
          "no console session (or it expired): log in at /console", null));
      return;
    }
    if (!SAFE.contains(rc.request().method()) && !s.get().csrfMatches(rc.request().getHeader(CSRF_HEADER))) {
      Problems.send(rc, new ProblemException(403, "csrf-token-invalid", "Forbidden", "a state-changing console call"
          + " needs the session's CSRF token in the " + CSRF_HEADER + " header (GET /console/api/session)", null));
      return;
    }
    rc.put(HttpApi.ACTOR, "console session " + s.get().tag());
    rc.next();
  }

  private void page(RoutingContext rc) {
    if (current(rc).isPresent()) {
      html(rc, 200, appPage);
    } else {
      html(rc, 200, login(""));
    }
  }

  /**
   * {@code POST /console/login} with the form field {@code admin_key}: 303 to the console with a
   * new session's cookie, or 401 with the form again. The key is never logged or echoed.
   */
  private void login(RoutingContext rc) {
    String key = rc.request().getFormAttribute("admin_key");
    String peer = peer(rc);
    if (key != null && key.length() <= MAX_KEY_LENGTH && isAdminKey.test(key)) {
      sessions.end(cookieValue(rc));
      ConsoleSessions.Session s = sessions.create();
      log.info("console login from {}: session {}", peer, s.tag());
      rc.response().addCookie(cookie(s.id(), secure(rc)));
      rc.response().setStatusCode(303).putHeader("Location", PATH).end();
      return;
    }
    log.warn("console login from {} refused: wrong admin key", peer);
    rc.vertx().setTimer(WRONG_KEY_DELAY_MS, t -> {
      if (!rc.response().ended() && !rc.response().closed()) {
        html(rc, 401, login("That is not the admin key. Nothing was changed."));
      }
    });
  }

  /**
   * {@code POST /console/logout}: ends the session (CSRF token in the header or the form field
   * {@code csrf_token}) and answers 303 to the login form. Without a live session there is nothing
   * to end: 303 as well.
   */
  private void logout(RoutingContext rc) {
    Optional<ConsoleSessions.Session> s = current(rc);
    if (s.isPresent()) {
      String token = rc.request().getHeader(CSRF_HEADER);
      if (token == null) token = rc.request().getFormAttribute("csrf_token");
      if (!s.get().csrfMatches(token)) {
        Problems.send(rc, new ProblemException(403, "csrf-token-invalid", "Forbidden",
            "logging out needs the session's CSRF token (" + CSRF_HEADER + " header or csrf_token field)", null));
        return;
      }
      sessions.end(s.get().id());
      log.info("console logout from {}: session {}", peer(rc), s.get().tag());
    }
    Cookie gone = cookie("", secure(rc)).setMaxAge(0);
    rc.response().addCookie(gone);
    rc.response().setStatusCode(303).putHeader("Location", PATH).end();
  }

  /** {@code GET /console/api/session}: the CSRF token and the session's limits, for the page's script. */
  private void session(RoutingContext rc) {
    Optional<ConsoleSessions.Session> s = current(rc);
    if (s.isEmpty()) {
      Problems.send(rc, new ProblemException(401, "console-login-required", "Unauthorized",
          "no console session (or it expired): log in at /console", null));
      return;
    }
    JsonObject body = new JsonObject().put("csrf_token", s.get().csrfToken()).put("session", s.get().tag())
        .put("expires_at", Instant.ofEpochMilli(sessions.endsAt(s.get())).toString())
        .put("idle_timeout_seconds", sessions.idleMs() / 1000).put("absolute_timeout_seconds", sessions.absoluteMs() / 1000);
    rc.response().setStatusCode(200).putHeader("Content-Type", "application/json").end(body.encode());
  }

  private Optional<ConsoleSessions.Session> current(RoutingContext rc) {
    return sessions.use(cookieValue(rc));
  }

  private static String cookieValue(RoutingContext rc) {
    Cookie c = rc.request().getCookie(COOKIE);
    return c == null || c.getValue().isEmpty() ? null : c.getValue();
  }

  /** HttpOnly, SameSite=Strict, scoped to /console; Secure when the browser reached us over TLS. */
  static Cookie cookie(String value, boolean secure) {
    return Cookie.cookie(COOKIE, value).setPath(PATH).setHttpOnly(true).setSameSite(CookieSameSite.STRICT)
        .setSecure(secure);
  }

  /** Over TLS here, or at a TLS-terminating proxy that says so ({@code X-Forwarded-Proto: https}). */
  static boolean secure(RoutingContext rc) {
    String proto = rc.request().getHeader("X-Forwarded-Proto");
    return rc.request().isSSL() || proto != null && proto.split(",")[0].trim().equalsIgnoreCase("https");
  }

  private static String peer(RoutingContext rc) {
    var a = rc.request().remoteAddress();
    return a == null ? "?" : a.hostAddress();
  }

  private static void securityHeaders(RoutingContext rc) {
    rc.response().putHeader("Cache-Control", "no-store").putHeader("X-Content-Type-Options", "nosniff")
        .putHeader("X-Frame-Options", "DENY").putHeader("Referrer-Policy", "no-referrer")
        .putHeader("Content-Security-Policy", CSP);
    rc.next();
  }

  private String login(String error) {
    return loginPage.replace("{{error}}", error.isEmpty() ? "" : "<p class=\"error\" role=\"alert\" id=\"login-error\">"
        + escape(error) + "</p>");
  }

  private static void html(RoutingContext rc, int status, String page) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8").end(page);
  }

  static String escape(String s) {
    return s.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("\"", "&quot;");
  }

  private static String resource(String name) {
    try (InputStream in = Console.class.getClassLoader().getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException("cannot read " + name, e);
    }
  }
}
