package io.payrouter.it;

import static io.payrouter.it.RouterHarness.await;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.slf4j.LoggerFactory;

/**
 * The console's session and CSRF rules over plain HTTP (no browser): the login form, the cookie's
 * attributes, 303 on a good key and 401 on a wrong one (never logged), 401 and 403 problems on the
 * console's API without a session or without the CSRF token, the idle and absolute expiry (short
 * here through {@code console.idle_timeout} and {@code console.absolute_timeout}), and logout.
 */
@ExtendWith(VertxExtension.class)
class ConsoleSessionTest {
  static final long IDLE_MS = 3_000;
  static final long ABSOLUTE_MS = 7_000;
  static RouterHarness h;
  static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) throws Exception {
    h = RouterHarness.start(Files.createTempDirectory("router-console-http"), RouterHarness.routingYaml(), 1000,
        yaml -> yaml + "console: { idle_timeout: " + IDLE_MS + "ms, absolute_timeout: " + ABSOLUTE_MS / 1000 + "s }\n");
    client = WebClient.create(vertx);
  }

  @AfterAll
  static void stop() throws Exception {
    if (h != null) h.close();
  }

  static HttpRequest<Buffer> request(HttpMethod m, String path) {
    return client.requestAbs(m, h.url() + path).followRedirects(false).timeout(30_000);
  }

  static HttpResponse<Buffer> login(String key, String forwardedProto) throws Exception {
    HttpRequest<Buffer> r = request(HttpMethod.POST, "/console/login");
    if (forwardedProto != null) r.putHeader("X-Forwarded-Proto", forwardedProto);
    return await(r.sendForm(MultiMap.caseInsensitiveMultiMap().add("admin_key", key)));
  }

  /** A logged-in session: its cookie header value and its CSRF token. */
  record Session(String cookie, String csrf) {}

  static Session session() throws Exception {
    HttpResponse<Buffer> r = login(RouterHarness.ADMIN_KEY, null);
    assertEquals(303, r.statusCode());
    String cookie = r.cookies().get(0).split(";", 2)[0];
    JsonObject s = await(request(HttpMethod.GET, "/console/api/session").putHeader("Cookie", cookie).send()).bodyAsJsonObject();
    return new Session(cookie, s.getString("csrf_token"));
  }

  static HttpResponse<Buffer> get(Session s, String path) throws Exception {
    return await(request(HttpMethod.GET, path).putHeader("Cookie", s.cookie()).send());
  }

  @Test
  void withoutASessionTheConsoleIsTheLoginForm() throws Exception {
    HttpResponse<Buffer> r = await(request(HttpMethod.GET, "/console").send());
    assertEquals(200, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("text/html"));
    String page = r.bodyAsString();
    assertTrue(page.contains("action=\"/console/login\"") && page.contains("name=\"admin_key\""), page);
    assertEquals("no-store", r.getHeader("Cache-Control"));
    assertEquals("DENY", r.getHeader("X-Frame-Options"));
    assertTrue(r.getHeader("Content-Security-Policy").contains("script-src 'self'"));
    assertEquals(200, await(request(HttpMethod.GET, "/console/assets/console.js").send()).statusCode());
  }

  @Test
  void aGoodKeyAnswers303WithAStrictHttpOnlySessionCookie() throws Exception {
    HttpResponse<Buffer> r = login(RouterHarness.ADMIN_KEY, null);
    assertEquals(303, r.statusCode());
    assertEquals("/console", r.getHeader("Location"));
    assertEquals(1, r.cookies().size(), r.cookies().toString());
    String cookie = r.cookies().get(0);
    List<String> attrs = attributes(cookie);
    String value = cookie.split(";")[0].substring("console_session=".length());
    assertTrue(cookie.startsWith("console_session="), cookie);
    assertTrue(value.matches("[A-Za-z0-9_-]{43}"), "256 random bits, base64url: " + value);
    assertTrue(attrs.contains("httponly"), cookie);
    assertTrue(attrs.contains("samesite=strict"), cookie);
    assertTrue(attrs.contains("path=/console"), cookie);
    assertFalse(attrs.contains("secure"), "plain HTTP, no TLS proxy: not Secure (the browser would drop it): " + cookie);
    assertFalse(r.getHeader("Location").contains(RouterHarness.ADMIN_KEY));

    String again = login(RouterHarness.ADMIN_KEY, null).cookies().get(0);
    assertNotEquals(cookie.split(";")[0], again.split(";")[0], "a new session id at every login");

    String behindTls = login(RouterHarness.ADMIN_KEY, "https").cookies().get(0);
    assertTrue(attributes(behindTls).contains("secure"), "behind a TLS-terminating proxy: Secure: " + behindTls);

    HttpResponse<Buffer> page = await(request(HttpMethod.GET, "/console").putHeader("Cookie", cookie.split(";")[0]).send());
    assertEquals(200, page.statusCode());
    assertTrue(page.bodyAsString().contains("console.js") && !page.bodyAsString().contains("name=\"admin_key\""),
        "with a session: the console itself");
  }

  /** A Set-Cookie's attributes after the value, lower case (their names are case-insensitive, RFC 6265). */
  static List<String> attributes(String setCookie) {
    String[] parts = setCookie.split(";\\s*");
    return java.util.Arrays.stream(parts).skip(1).map(p -> p.toLowerCase(java.util.Locale.ROOT)).toList();
  }

  @Test
  void aWrongKeyAnswers401WithTheFormAndIsNeverLogged() throws Exception {
    String wrong = "admin_wrong_" + System.nanoTime();
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> logs = new ListAppender<>();
    logs.start();
    root.addAppender(logs);
    HttpResponse<Buffer> r;
    try {
      r = login(wrong, null);
      login(RouterHarness.ADMIN_KEY, null);
    } finally {
      root.detachAppender(logs);
    }
    assertEquals(401, r.statusCode());
    assertTrue(r.getHeader("Content-Type").startsWith("text/html"));
    assertTrue(r.cookies().isEmpty(), "no session for a wrong key");
    String page = r.bodyAsString();
    assertTrue(page.contains("id=\"login-error\"") && page.contains("not the admin key"), page);
    assertTrue(page.contains("name=\"admin_key\""), "the form again");
    assertFalse(page.contains(wrong), "the key is not echoed");
    assertTrue(logs.list.stream().anyMatch(e -> e.getFormattedMessage().contains("console login")), "logins are logged");
    for (ILoggingEvent e : logs.list) {
      assertFalse(e.getFormattedMessage().contains(wrong) || e.getFormattedMessage().contains(RouterHarness.ADMIN_KEY),
          "a key in the log: " + e.getFormattedMessage());
    }
    assertEquals(401, login("", null).statusCode());
  }

  @Test
  void theConsoleApiIsTheOperationsApiBehindTheSessionAndItsCsrfToken() throws Exception {
    HttpResponse<Buffer> none = await(request(HttpMethod.GET, "/console/api/providers").send());
    assertEquals(401, none.statusCode());
    assertEquals("application/problem+json", none.getHeader("Content-Type"));
    assertTrue(none.bodyAsJsonObject().getString("type").endsWith("/console-login-required"));
    assertEquals(401, await(request(HttpMethod.GET, "/console/api/providers")
        .putHeader("Authorization", "Bearer " + RouterHarness.ADMIN_KEY).send()).statusCode(), "the admin key is no session");

    Session s = session();
    HttpResponse<Buffer> providers = get(s, "/console/api/providers");
    assertEquals(200, providers.statusCode());
    HttpResponse<Buffer> admin = await(request(HttpMethod.GET, "/admin/providers")
        .putHeader("Authorization", "Bearer " + RouterHarness.ADMIN_KEY).send());
    assertEquals(admin.bodyAsJsonObject().getJsonArray("data").size(), providers.bodyAsJsonObject().getJsonArray("data").size(),
        "the same handler as /admin/providers");

    for (String token : new String[] {null, "wrong", s.csrf().substring(1)}) {
      HttpRequest<Buffer> disable = request(HttpMethod.POST, "/console/api/providers/revio/disable").putHeader("Cookie", s.cookie());
      if (token != null) disable.putHeader("X-CSRF-Token", token);
      HttpResponse<Buffer> refused = await(disable.send());
      assertEquals(403, refused.statusCode(), "token " + token);
      assertEquals("application/problem+json", refused.getHeader("Content-Type"));
      assertTrue(refused.bodyAsJsonObject().getString("type").endsWith("/csrf-token-invalid"));
    }
    assertTrue(provider(get(s, "/console/api/providers").bodyAsJsonObject(), "revio").getBoolean("enabled"), "nothing changed");
    HttpResponse<Buffer> explain = await(request(HttpMethod.POST, "/console/api/routing/explain").putHeader("Cookie", s.cookie())
        .sendJsonObject(new JsonObject().put("amount", 100).put("currency", "USD")));
    assertEquals(403, explain.statusCode(), "every non-GET call needs the token");

    HttpResponse<Buffer> off = await(request(HttpMethod.POST, "/console/api/providers/revio/disable").putHeader("Cookie", s.cookie())
        .putHeader("X-CSRF-Token", s.csrf()).send());
    assertEquals(200, off.statusCode(), off.bodyAsString());
    assertFalse(off.bodyAsJsonObject().getBoolean("enabled"));
    HttpResponse<Buffer> on = await(request(HttpMethod.POST, "/console/api/providers/revio/enable").putHeader("Cookie", s.cookie())
        .putHeader("X-CSRF-Token", s.csrf()).send());
    assertTrue(on.bodyAsJsonObject().getBoolean("enabled"));

    // A rules change through the console is recorded as the console's, with the peer address.
    JsonObject rules = get(s, "/console/api/routing").bodyAsJsonObject().getJsonObject("rules");
    JsonObject changed = rules.copy();
    changed.getJsonArray("rules").getJsonObject(0).put("description", "changed from the console");
    HttpResponse<Buffer> put = await(request(HttpMethod.PUT, "/console/api/routing").putHeader("Cookie", s.cookie())
        .putHeader("X-CSRF-Token", s.csrf()).sendJsonObject(changed));
    assertEquals(200, put.statusCode(), put.bodyAsString());
    JsonObject newest = get(s, "/console/api/routing/versions?limit=1").bodyAsJsonObject().getJsonArray("data").getJsonObject(0);
    assertTrue(newest.getString("changed_by").matches("console session [0-9a-f]{8} from 127\\.0\\.0\\.1"), newest.encode());
  }

  static JsonObject provider(JsonObject providers, String name) {
    return providers.getJsonArray("data").stream().map(JsonObject.class::cast).filter(p -> p.getString("name").equals(name))
        .findFirst().orElseThrow();
  }

  @Test
  void aSessionEndsWhenIdleForTheIdleTimeout() throws Exception {
    Session s = session();
    assertEquals(200, get(s, "/console/api/session").statusCode());
    Thread.sleep(IDLE_MS + 500);
    assertEquals(401, get(s, "/console/api/session").statusCode(), "idle past the idle timeout");
    HttpResponse<Buffer> page = get(s, "/console");
    assertTrue(page.bodyAsString().contains("name=\"admin_key\""), "back to the login form");
  }

  @Test
  void aSessionInUseEndsAtTheAbsoluteTimeout() throws Exception {
    Session s = session();
    long start = System.currentTimeMillis();
    // Used every second, so never idle; still ended at the absolute timeout after the login.
    while (System.currentTimeMillis() - start < ABSOLUTE_MS - 1_500) {
      assertEquals(200, get(s, "/console/api/session").statusCode(), "alive at " + (System.currentTimeMillis() - start) + " ms");
      Thread.sleep(1_000);
    }
    while (System.currentTimeMillis() - start < ABSOLUTE_MS + 300) {
      get(s, "/console/api/session");
      Thread.sleep(500);
    }
    assertEquals(401, get(s, "/console/api/session").statusCode(), "ended at the absolute timeout though in use");
  }

  @Test
  void logoutNeedsTheTokenEndsTheSessionAndClearsTheCookie() throws Exception {
    Session s = session();
    HttpResponse<Buffer> refused = await(request(HttpMethod.POST, "/console/logout").putHeader("Cookie", s.cookie()).send());
    assertEquals(403, refused.statusCode());
    assertEquals(200, get(s, "/console/api/session").statusCode(), "still logged in");

    HttpResponse<Buffer> out = await(request(HttpMethod.POST, "/console/logout").putHeader("Cookie", s.cookie())
        .putHeader("X-CSRF-Token", s.csrf()).send());
    assertEquals(303, out.statusCode());
    assertEquals("/console", out.getHeader("Location"));
    String cleared = out.cookies().get(0);
    assertTrue(cleared.startsWith("console_session=;") && cleared.contains("Max-Age=0"), cleared);
    assertEquals(401, get(s, "/console/api/session").statusCode(), "the session is gone");

    Session form = session();
    HttpResponse<Buffer> viaForm = await(request(HttpMethod.POST, "/console/logout").putHeader("Cookie", form.cookie())
        .sendForm(MultiMap.caseInsensitiveMultiMap().add("csrf_token", form.csrf())));
    assertEquals(303, viaForm.statusCode(), "the token as a form field works too");
    assertEquals(401, get(form, "/console/api/session").statusCode());
    assertEquals(303, await(request(HttpMethod.POST, "/console/logout").send()).statusCode(), "no session: nothing to end");
  }
}
