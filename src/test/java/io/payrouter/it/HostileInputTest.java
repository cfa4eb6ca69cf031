package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetClient;
import io.vertx.core.net.NetClientOptions;
import io.vertx.junit5.VertxExtension;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Hostile input at every route of the API (issue: money safety, k). A generator builds several
 * hundred malformed requests (NUL and control characters in body fields, path parameters, query
 * parameters and headers; bad UTF-8; overlong values; 10k-deep nesting; wrong types; numbers out
 * of range; duplicate keys; wrong or missing Content-Type; empty and non-object bodies; framing
 * errors and oversized headers) and sends each as raw bytes over its own TCP connection, so that
 * nothing is normalised by a client library. They are fired once; each test then checks one
 * property over every answer and names each case that breaks it.
 */
@ExtendWith(VertxExtension.class)
class HostileInputTest {
  static final String KEY = RouterHarness.MERCHANT_KEY;
  static final String ADMIN = RouterHarness.ADMIN_KEY;
  static final List<String> TABLES = List.of("charges", "cards", "provider_tokens", "idempotency_keys", "merchants",
      "api_keys", "routing_configs", "refunds");
  /** Every route of HttpApi except GET /health/ready (owned elsewhere), plus "no route". */
  static final List<String> ROUTES = List.of("POST /v1/cards", "GET /v1/cards/{id}", "DELETE /v1/cards/{id}",
      "POST /v1/charges", "GET /v1/charges", "GET /v1/charges/{id}", "POST /v1/charges/{id}/refunds",
      "GET /v1/charges/{id}/refunds", "POST /v1/webhooks/{provider}",
      "POST /admin/merchants", "POST /admin/merchants/{id}/keys", "DELETE /admin/merchants/{id}/keys/{key_id}",
      "GET /admin/routing", "PUT /admin/routing", "POST /admin/routing/explain", "GET /admin/providers",
      "POST /admin/providers/{name}/disable", "POST /admin/providers/{name}/enable", "GET /health/live",
      "GET /metrics", "GET /openapi.yaml", "no route");

  /**
   * One malformed request: the route it aims at, what is wrong with it, and its exact bytes.
   * {@code limit}, when set, says why this case cannot get a problem+json answer (it is answered,
   * or dropped, inside Vert.x before any handler of ours runs); it must still not get a 5xx.
   */
  record Case(String route, String what, byte[] bytes, String limit) {
    String name() {
      return route + " | " + what;
    }
  }

  /** The cases no handler of ours can answer, and why (see {@link Case#limit}). */
  static final Map<String, String> LIMITS = Map.of(
      "no route | WebSocket handshake", "Vert.x rejects the handshake itself (404, no body): a handshake handler"
          + " is set only so that requests of an unknown HTTP version reach the router instead of Vert.x's 501",
      "no route | WebSocket upgrade without a key", "as above, through Vert.x's handshake",
      "POST /v1/charges | bad chunk size", "a framing error after the headers: Vert.x closes the connection"
          + " while the body is being read, before a response can be written");

  /** What came back: status -1 when the connection closed (or timed out) without an answer. */
  record Answer(Case c, int status, Map<String, String> headers, byte[] body) {
    String body(int max) {
      String s = new String(body, StandardCharsets.UTF_8);
      s = s.replace("\u0000", "\\0");
      return s.length() > max ? s.substring(0, max) + "..." : s;
    }

    String describe() {
      return c.name() + " -> " + (status < 0 ? "no answer" : status + " " + headers.getOrDefault("content-type", "-")
          + " " + body(200));
    }
  }

  static RouterHarness h;
  static String cardId;
  static JsonObject rulesInForce;
  static final AtomicInteger seq = new AtomicInteger();
  static final List<Case> cases = new ArrayList<>();
  static final List<Answer> answers = Collections.synchronizedList(new ArrayList<>());
  static Map<String, Long> rowsBefore;
  static Map<String, Long> rowsAfter;

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  @BeforeAll
  static void fireEveryCase(Vertx vertx) throws Exception {
    h = RouterHarness.shared();
    Api api = new Api(vertx, h);
    cardId = await(api.card(KEY, new JsonObject().put("fatora", Api.token("fatora", ""))));
    JsonObject routing = await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject();
    rulesInForce = routing.getJsonObject("rules");
    buildCases();
    rowsBefore = await(countRows());
    NetClient net = vertx.createNetClient(new NetClientOptions().setConnectTimeout(5_000));
    int parallel = 8;
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int i = 0; i < parallel; i++) lanes.add(lane(vertx, net, next));
    await(Future.all(lanes));
    // An accepted charge writes its intent before answering; give late writes a moment anyway.
    Thread.sleep(500);
    rowsAfter = await(countRows());
    // Should a hostile PUT /admin/routing have been accepted, put the rules back for the other tests.
    if (!routing.getValue("version").equals(await(api.get("/admin/routing", ADMIN)).bodyAsJsonObject().getValue("version"))) {
      await(api.request(HttpMethod.PUT, "/admin/routing", ADMIN).sendJsonObject(rulesInForce));
    }
  }

  private static Future<Void> lane(Vertx vertx, NetClient net, AtomicInteger next) {
    int i = next.getAndIncrement();
    if (i >= cases.size()) return Future.succeededFuture();
    Case c = cases.get(i);
    return send(vertx, net, c).compose(a -> {
      answers.add(a);
      return lane(vertx, net, next);
    });
  }

  // ------------------------------------------------------------------ the properties

  @Test
  void atLeastTwoHundredCasesCoverEveryRoute() {
    assertTrue(cases.size() >= 200, "only " + cases.size() + " cases");
    Set<String> covered = new LinkedHashSet<>();
    for (Case c : cases) covered.add(c.route());
    List<String> missing = new ArrayList<>(ROUTES);
    missing.removeAll(covered);
    assertEquals(List.of(), missing, "routes without a hostile case");
    assertEquals(cases.size(), answers.size());
  }

  @Test
  void noHostileRequestIsAnsweredWithA5xx() {
    assertNone(a -> a.status >= 500, "answered 5xx");
  }

  @Test
  void everyHostileRequestIsAnsweredWithA4xx() {
    assertNone(a -> a.c.limit() == null ? a.status < 400 || a.status >= 500 : a.status >= 0 && a.status < 400,
        "not refused with a 4xx");
  }

  @Test
  void everyRefusalIsProblemJsonWithTypeTitleStatusAndDetail() {
    assertNone(a -> a.c.limit() == null && problemDefect(a) != null, "not a well-formed problem+json");
  }

  @Test
  void onlyTheNamedFrameworkLimitsEscapeProblemJson() {
    List<String> limited = new ArrayList<>();
    for (Case c : cases) if (c.limit() != null) limited.add(c.name());
    assertEquals(new TreeMap<>(LIMITS).keySet().stream().toList(), limited.stream().sorted().toList());
  }

  @Test
  void noHostileRequestWritesARow() {
    assertEquals(rowsBefore, rowsAfter, "rows per table before and after " + cases.size() + " hostile requests");
  }

  @Test
  void noAnswerEchoesAnApiKey() {
    assertNone(a -> {
      String b = new String(a.body, StandardCharsets.ISO_8859_1);
      return b.contains(KEY) || b.contains(ADMIN);
    }, "echoes an API key");
  }

  static String problemDefect(Answer a) {
    if (!"application/problem+json".equals(a.headers.get("content-type"))) return "content-type";
    try {
      JsonObject p = new JsonObject(new String(a.body, StandardCharsets.UTF_8));
      if (!(p.getValue("type") instanceof String t) || t.isEmpty()) return "type";
      if (!(p.getValue("title") instanceof String)) return "title";
      if (!(p.getValue("detail") instanceof String)) return "detail";
      if (!(p.getValue("status") instanceof Number n) || n.intValue() != a.status) return "status";
      return null;
    } catch (RuntimeException e) {
      return "body does not parse";
    }
  }

  static void assertNone(java.util.function.Predicate<Answer> bad, String what) {
    List<String> failures = new ArrayList<>();
    synchronized (answers) {
      for (Answer a : answers) if (bad.test(a)) failures.add(a.describe());
    }
    Collections.sort(failures);
    assertTrue(failures.isEmpty(), failures.size() + " of " + answers.size() + " cases " + what + ":\n  "
        + String.join("\n  ", failures));
  }

  // ------------------------------------------------------------------ the generator

  /** A request body endpoint: a valid body per case (unique ids and keys), what the mutations start from. */
  record BodyRoute(String route, String method, String path, String key, Function<Integer, JsonObject> base,
      boolean idempotencyKey) {}

  static void buildCases() {
    List<BodyRoute> bodyRoutes = List.of(
        new BodyRoute("POST /v1/cards", "POST", "/v1/cards", KEY, n -> new JsonObject()
            .put("customer_reference", "cust-" + n).put("brand", "visa").put("last4", "4242").put("exp_month", 12)
            .put("exp_year", 2030).put("issuer_country", "US")
            .put("tokens", new JsonObject().put("fatora", new JsonObject().put("card_token", "tok_fatora_h" + n))), false),
        new BodyRoute("POST /v1/charges", "POST", "/v1/charges", KEY, n -> new JsonObject().put("amount", 1999)
            .put("currency", "USD").put("card_id", cardId).put("merchant_reference", "hostile-" + n)
            .put("description", "order " + n)
            .put("customer", new JsonObject().put("reference", "c-" + n).put("email", "a@example.com"))
            .put("metadata", new JsonObject().put("k", "v")), true),
        // A charge that does not exist: a body that passed every check would be 404, never a refund.
        new BodyRoute("POST /v1/charges/{id}/refunds", "POST", "/v1/charges/ch_hostile_none/refunds", KEY,
            n -> new JsonObject().put("amount", 100).put("reason", "returned " + n), true),
        new BodyRoute("POST /admin/merchants", "POST", "/admin/merchants", ADMIN,
            n -> new JsonObject().put("id", "hostile-" + n).put("name", "Hostile " + n), false),
        new BodyRoute("PUT /admin/routing", "PUT", "/admin/routing", ADMIN, n -> rulesInForce.copy(), false),
        new BodyRoute("POST /admin/routing/explain", "POST", "/admin/routing/explain", ADMIN, n -> new JsonObject()
            .put("amount", 1999).put("currency", "USD").put("card_id", cardId).put("merchant", "it-merchant")
            .put("issuer_country", "US").put("metadata", new JsonObject().put("k", "v"))
            .put("providers", new JsonArray().add("fatora")), false),
        new BodyRoute("POST /v1/webhooks/{provider}", "POST", "/v1/webhooks/fatora", null, n -> new JsonObject()
            .put("order_id", "ch_hostile" + n).put("status", "SUCCESS").put("amount", "19.99"), false));
    for (BodyRoute r : bodyRoutes) bodyCases(r);
    pathCases();
    queryCases();
    headerCases();
    framingCases();
  }

  private static void add(String route, String what, byte[] bytes) {
    cases.add(new Case(route, what, bytes, LIMITS.get(route + " | " + what)));
  }

  /** A request with Host, Connection: close and Content-Length added unless the headers say otherwise. */
  static byte[] request(String method, String target, Map<String, String> headers, byte[] body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    StringBuilder head = new StringBuilder(method).append(' ').append(target).append(" HTTP/1.1\r\n");
    head.append("Host: 127.0.0.1\r\n");
    boolean hasLength = false;
    for (var e : headers.entrySet()) {
      String name = e.getKey().replaceAll("#\\d+$", ""); // "#n" suffix: the same header again
      if (name.equalsIgnoreCase("content-length") || name.equalsIgnoreCase("transfer-encoding")) hasLength = true;
      if (e.getValue() != null) head.append(name).append(": ").append(e.getValue()).append("\r\n");
    }
    if (!hasLength && (body.length > 0 || !method.equals("GET"))) head.append("Content-Length: ").append(body.length).append("\r\n");
    head.append("Connection: close\r\n\r\n");
    out.writeBytes(head.toString().getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(body);
    return out.toByteArray();
  }

  static Map<String, String> headers(String key, String contentType, Object... more) {
    Map<String, String> m = new LinkedHashMap<>();
    if (key != null) m.put("Authorization", "Bearer " + key);
    if (contentType != null) m.put("Content-Type", contentType);
    for (int i = 0; i < more.length; i += 2) m.put((String) more[i], (String) more[i + 1]);
    return m;
  }

  static byte[] bytes(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }

  static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] p : parts) out.writeBytes(p);
    return out.toByteArray();
  }

  /** Adds one case of a body route: fresh base (unique ids), body bytes, content type and extra headers. */
  static void bodyCase(BodyRoute r, String what, byte[] body, String contentType, Object... extra) {
    int n = seq.incrementAndGet();
    Map<String, String> hs = headers(r.key(), contentType);
    if (r.idempotencyKey()) hs.put("Idempotency-Key", "hostile-" + n + "-" + System.nanoTime());
    for (int i = 0; i < extra.length; i += 2) hs.put((String) extra[i], (String) extra[i + 1]);
    add(r.route(), what, request(r.method(), r.path(), hs, body));
  }

  static final String PLACEHOLDER = "@@HOSTILE@@";

  /** The base body with the value at {@code path} replaced by raw JSON (or raw bytes) text. */
  static byte[] withRaw(JsonObject base, List<Object> path, byte[] raw) {
    JsonObject copy = base.copy();
    set(copy, path, PLACEHOLDER);
    String text = copy.encode();
    int at = text.indexOf('"' + PLACEHOLDER + '"');
    return concat(bytes(text.substring(0, at)), raw, bytes(text.substring(at + PLACEHOLDER.length() + 2)));
  }

  static void set(Object node, List<Object> path, Object value) {
    for (int i = 0; i < path.size() - 1; i++) {
      Object p = path.get(i);
      node = p instanceof Integer idx ? ((JsonArray) node).getValue(idx) : ((JsonObject) node).getValue((String) p);
    }
    Object last = path.get(path.size() - 1);
    if (last instanceof Integer idx) {
      ((JsonArray) node).set(idx, value);
    } else {
      ((JsonObject) node).put((String) last, value);
    }
  }

  /** Paths to every leaf of a JSON value, by kind: "string", "number", "object", "array", "other". */
  static void leaves(Object v, List<Object> path, Map<String, List<List<Object>>> out) {
    String kind = v instanceof String ? "string" : v instanceof Number ? "number" : v instanceof JsonObject ? "object"
        : v instanceof JsonArray ? "array" : "other";
    if (!path.isEmpty()) out.computeIfAbsent(kind, k -> new ArrayList<>()).add(List.copyOf(path));
    if (v instanceof JsonObject o) {
      for (String k : o.fieldNames()) {
        path.add(k);
        leaves(o.getValue(k), path, out);
        path.remove(path.size() - 1);
      }
    } else if (v instanceof JsonArray a) {
      for (int i = 0; i < a.size(); i++) {
        path.add(i);
        leaves(a.getValue(i), path, out);
        path.remove(path.size() - 1);
      }
    }
  }

  static String show(List<Object> path) {
    StringBuilder sb = new StringBuilder();
    for (Object p : path) sb.append(p instanceof Integer ? "[" + p + "]" : (sb.length() == 0 ? "" : ".") + p);
    return sb.toString();
  }

  static String nested(String open, String leaf, String close, int depth) {
    return open.repeat(depth) + leaf + close.repeat(depth);
  }

  static void bodyCases(BodyRoute r) {
    String json = "application/json";
    JsonObject b = r.base().apply(0);
    String t = b.encode();
    // Not a JSON object at all.
    bodyCase(r, "empty body", new byte[0], json);
    bodyCase(r, "whitespace body", bytes(" \r\n\t "), json);
    bodyCase(r, "JSON null", bytes("null"), json);
    bodyCase(r, "JSON true", bytes("true"), json);
    bodyCase(r, "JSON number", bytes("42"), json);
    bodyCase(r, "JSON string", bytes("\"{}\""), json);
    bodyCase(r, "empty JSON array", bytes("[]"), json);
    bodyCase(r, "JSON array holding the valid object", bytes("[" + r.base().apply(seq.get() + 1).encode() + "]"), json);
    bodyCase(r, "truncated object", bytes(t.substring(0, t.length() / 2)), json);
    bodyCase(r, "trailing garbage after the object", bytes(r.base().apply(seq.get() + 1).encode() + "xyz"), json);
    bodyCase(r, "two objects back to back", bytes(r.base().apply(seq.get() + 1).encode() + r.base().apply(seq.get() + 1).encode()), json);
    bodyCase(r, "unquoted keys", bytes("{amount: 1, currency: USD}"), json);
    bodyCase(r, "single-quoted strings", bytes("{'id':'x','name':'y'}"), json);
    bodyCase(r, "comment before the object", bytes("/* hi */" + r.base().apply(seq.get() + 1).encode()), json);
    bodyCase(r, "10k nested arrays", bytes(nested("[", "", "]", 10_000)), json);
    bodyCase(r, "10k nested objects", bytes(nested("{\"a\":", "1", "}", 10_000)), json);
    bodyCase(r, "NUL key", bytes("{\"\\u0000\":1}"), json);
    // Content types and encodings.
    bodyCase(r, "Content-Type text/plain with a valid body", bytes(r.base().apply(seq.get() + 1).encode()), "text/plain");
    bodyCase(r, "no Content-Type with a valid body", bytes(r.base().apply(seq.get() + 1).encode()), null);
    bodyCase(r, "Content-Type application/xml", bytes("<charge><amount>1</amount></charge>"), "application/xml");
    bodyCase(r, "form-encoded body", bytes("amount=1999&currency=USD&id=x&name=y"), "application/x-www-form-urlencoded");
    bodyCase(r, "multipart body", bytes("--b\r\nContent-Disposition: form-data; name=\"amount\"\r\n\r\n1\r\n--b--\r\n"),
        "multipart/form-data; boundary=b");
    bodyCase(r, "UTF-16 body declared as such", r.base().apply(seq.get() + 1).encode().getBytes(StandardCharsets.UTF_16),
        "application/json; charset=utf-16");
    bodyCase(r, "Content-Type with NUL parameter", bytes(r.base().apply(seq.get() + 1).encode()), "application/json; x=\u0001");
    bodyCase(r, "gzip-encoded body", gzip(bytes(r.base().apply(seq.get() + 1).encode())), json, "Content-Encoding", "gzip");
    bodyCase(r, "body over 64 KiB", bytes("{\"pad\":\"" + "x".repeat(70_000) + "\"}"), json);
    bodyCase(r, "Content-Length of 10^12 with a short body", bytes(t), json, "Content-Length", "1000000000000");

    Map<String, List<List<Object>>> kinds = new TreeMap<>();
    leaves(b, new ArrayList<>(), kinds);
    // Of a list of alike elements (the routing rules) the first one stands for all.
    for (List<List<Object>> paths : kinds.values()) paths.removeIf(p -> p.stream().anyMatch(x -> x instanceof Integer i && i > 0));
    List<Object> first = kinds.containsKey("string") ? kinds.get("string").get(0) : List.of("x");
    String firstKey = b.fieldNames().iterator().next();
    Object firstValue = b.getValue(firstKey);
    String other = firstValue instanceof String ? "\"dup\"" : firstValue instanceof Number ? "7" : "null";
    bodyCase(r, "duplicate key '" + firstKey + "' with another value", dup(r, firstKey, other), json);
    bodyCase(r, "duplicate key '" + firstKey + "' with the same value", dup(r, firstKey, null), json);
    bodyCase(r, "10k nested arrays at " + show(first), withRaw(r.base().apply(seq.get() + 1), first,
        bytes(nested("[", "", "]", 10_000))), json);
    bodyCase(r, "900 nested arrays at " + show(first), withRaw(r.base().apply(seq.get() + 1), first,
        bytes(nested("[", "", "]", 900))), json);
    bodyCase(r, "900 nested objects at " + show(first), withRaw(r.base().apply(seq.get() + 1), first,
        bytes(nested("{\"a\":", "1", "}", 900))), json);

    for (List<Object> p : kinds.getOrDefault("string", List.of())) {
      String at = show(p);
      Object original = get(b, p);
      String s = String.valueOf(original);
      stringCase(r, "NUL escaped inside " + at, p, "\"" + s + "\\u0000x\"");
      stringCase(r, "only a NUL at " + at, p, "\"\\u0000\"");
      stringCase(r, "ESC control character inside " + at, p, "\"" + s + "\\u001b[31m\"");
      stringCase(r, "lone surrogate inside " + at, p, "\"" + s + "\\ud800\"");
      stringCase(r, "10k characters at " + at, p, "\"" + "a".repeat(10_000) + "\"");
      stringCase(r, "number instead of string at " + at, p, "12345");
      stringCase(r, "object instead of string at " + at, p, "{\"x\":\"y\"}");
      rawCase(r, "bad UTF-8 (C3 28) inside " + at, p, new byte[] {'"', 'a', (byte) 0xC3, 0x28, 'b', '"'});
      rawCase(r, "bad UTF-8 (FF FE) inside " + at, p, new byte[] {'"', (byte) 0xFF, (byte) 0xFE, '"'});
      rawCase(r, "overlong UTF-8 (C0 AF) inside " + at, p, new byte[] {'"', (byte) 0xC0, (byte) 0xAF, '"'});
      rawCase(r, "UTF-8 encoded surrogate (ED A0 80) inside " + at, p, new byte[] {'"', (byte) 0xED, (byte) 0xA0, (byte) 0x80, '"'});
      rawCase(r, "raw NUL byte inside " + at, p, new byte[] {'"', 'a', 0, 'b', '"'});
      rawCase(r, "raw line feed inside " + at, p, new byte[] {'"', 'a', '\n', 'b', '"'});
    }
    for (List<Object> p : kinds.getOrDefault("number", List.of())) {
      String at = show(p);
      for (String v : List.of("1e30", "-1", "0", "-0", "9223372036854775807", "9223372036854775808",
          "18446744073709553615", "-9223372036854775809", "100000000000", "1999.5", "1999.0", "1E3", "1e400",
          "NaN", "Infinity", "0x10", "\"1999\"", "true", "null", "[1999]", "1" + "0".repeat(2000))) {
        stringCase(r, "number " + (v.length() > 30 ? v.substring(0, 12) + "...(" + v.length() + " digits)" : v) + " at " + at, p, v);
      }
    }
    for (List<Object> p : kinds.getOrDefault("object", List.of())) {
      stringCase(r, "array instead of object at " + show(p), p, "[]");
      stringCase(r, "string instead of object at " + show(p), p, "\"{}\"");
      JsonObject o = (JsonObject) get(b, p);
      if (!o.isEmpty()) {
        String k = o.fieldNames().iterator().next();
        JsonObject copy = o.copy();
        copy.remove(k);
        String rest = copy.encode();
        String dup = "{\"" + k + "\\u0000\":" + io.vertx.core.json.Json.encode(o.getValue(k))
            + (rest.equals("{}") ? "}" : "," + rest.substring(1));
        stringCase(r, "NUL in the key '" + k + "' of " + show(p), p, dup);
      }
    }
    for (List<Object> p : kinds.getOrDefault("array", List.of())) {
      stringCase(r, "object instead of array at " + show(p), p, "{}");
    }
  }

  static Object get(Object node, List<Object> path) {
    for (Object p : path) node = p instanceof Integer idx ? ((JsonArray) node).getValue(idx) : ((JsonObject) node).getValue((String) p);
    return node;
  }

  static void stringCase(BodyRoute r, String what, List<Object> path, String rawJson) {
    rawCase(r, what, path, bytes(rawJson));
  }

  static void rawCase(BodyRoute r, String what, List<Object> path, byte[] raw) {
    bodyCase(r, what, withRaw(r.base().apply(seq.get() + 1), path, raw), "application/json");
  }

  static byte[] dup(BodyRoute r, String key, String otherValue) {
    JsonObject b = r.base().apply(seq.get() + 1);
    String t = b.encode();
    String value = otherValue != null ? otherValue : io.vertx.core.json.Json.encode(b.getValue(key));
    return bytes("{\"" + key + "\":" + value + "," + t.substring(1));
  }

  static byte[] gzip(byte[] in) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try (GZIPOutputStream z = new GZIPOutputStream(out)) {
      z.write(in);
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
    return out.toByteArray();
  }

  /** Hostile path segments, already percent-encoded as they go on the request line. */
  static final List<String> SEGMENTS = List.of("%00", "card_x%00", "%00card_x", "%01", "%1B%5B31m", "%7F", "%0A",
      "%0D%0Ax-injected:%201", "%C3%28", "%FF%FE", "%C0%AF", "%ED%A0%80", "%zz", "%", "x".repeat(300),
      "x".repeat(3000), "..%2F..%2Fadmin%2Frouting", "%E2%80%AE", "%20", "'%20OR%201=1--");

  static void pathCases() {
    for (String v : SEGMENTS) {
      String what = "path segment " + (v.length() > 40 ? v.length() + " x's" : v);
      add("GET /v1/cards/{id}", what, request("GET", "/v1/cards/" + v, headers(KEY, null), new byte[0]));
      add("DELETE /v1/cards/{id}", what, request("DELETE", "/v1/cards/" + v, headers(KEY, null), new byte[0]));
      add("GET /v1/charges/{id}", what, request("GET", "/v1/charges/" + v, headers(KEY, null), new byte[0]));
      add("GET /v1/charges/{id}/refunds", what, request("GET", "/v1/charges/" + v + "/refunds", headers(KEY, null),
          new byte[0]));
      add("POST /v1/charges/{id}/refunds", what, request("POST", "/v1/charges/" + v + "/refunds",
          headers(KEY, "application/json", "Idempotency-Key", "hostile-path-" + seq.incrementAndGet()), bytes("{}")));
      add("POST /v1/webhooks/{provider}", what, request("POST", "/v1/webhooks/" + v,
          headers(null, "application/json"), bytes("{}")));
      add("POST /admin/merchants/{id}/keys", what, request("POST", "/admin/merchants/" + v + "/keys",
          headers(ADMIN, "application/json"), bytes("{}")));
      add("DELETE /admin/merchants/{id}/keys/{key_id}", what + " as id", request("DELETE",
          "/admin/merchants/" + v + "/keys/key_x", headers(ADMIN, null), new byte[0]));
      add("DELETE /admin/merchants/{id}/keys/{key_id}", what + " as key_id", request("DELETE",
          "/admin/merchants/it-merchant/keys/" + v, headers(ADMIN, null), new byte[0]));
      add("POST /admin/providers/{name}/disable", what, request("POST", "/admin/providers/" + v + "/disable",
          headers(ADMIN, null), new byte[0]));
      add("POST /admin/providers/{name}/enable", what, request("POST", "/admin/providers/" + v + "/enable",
          headers(ADMIN, null), new byte[0]));
    }
  }

  static void queryCases() {
    for (String v : List.of("%00", "order%00-1", "%01", "%1B", "%7F", "%0A", "%C3%28", "%FF", "%ED%A0%80", "%zz", "%",
        "x".repeat(256), "x".repeat(3000), "")) {
      add("GET /v1/charges", "merchant_reference=" + (v.length() > 40 ? v.length() + " x's" : v),
          request("GET", "/v1/charges?merchant_reference=" + v, headers(KEY, null), new byte[0]));
    }
    add("GET /v1/charges", "no merchant_reference", request("GET", "/v1/charges", headers(KEY, null), new byte[0]));
    add("GET /v1/charges", "merchant_reference twice", request("GET", "/v1/charges?merchant_reference=a&merchant_reference=b",
        headers(KEY, null), new byte[0]));
    add("GET /v1/charges", "merchant_reference[]=a", request("GET", "/v1/charges?merchant_reference[]=a",
        headers(KEY, null), new byte[0]));
    // NUL or bad bytes in a parameter the route does not read.
    for (String q : List.of("x=%00", "x=%FF", "%00=1")) {
      add("GET /v1/cards/{id}", "ignored query " + q, request("GET", "/v1/cards/" + cardId + "?" + q, headers(KEY, null), new byte[0]));
      add("GET /v1/charges/{id}", "ignored query " + q, request("GET", "/v1/charges/ch_x?" + q, headers(KEY, null), new byte[0]));
      add("GET /admin/routing", "ignored query " + q, request("GET", "/admin/routing?" + q, headers(ADMIN, null), new byte[0]));
      add("GET /admin/providers", "ignored query " + q, request("GET", "/admin/providers?" + q, headers(ADMIN, null), new byte[0]));
      add("GET /health/live", "ignored query " + q, request("GET", "/health/live?" + q, Map.of(), new byte[0]));
      add("GET /metrics", "ignored query " + q, request("GET", "/metrics?" + q, Map.of(), new byte[0]));
      add("GET /openapi.yaml", "ignored query " + q, request("GET", "/openapi.yaml?" + q, Map.of(), new byte[0]));
      BodyRoute charges = new BodyRoute("POST /v1/charges", "POST", "/v1/charges?" + q, KEY, n -> new JsonObject()
          .put("amount", 1999).put("currency", "USD").put("card_id", cardId), true);
      bodyCase(charges, "valid body, ignored query " + q, bytes(charges.base().apply(0).encode()), "application/json");
    }
  }

  static String validCharge() {
    return new JsonObject().put("amount", 1999).put("currency", "USD").put("card_id", cardId).encode();
  }

  /** A charge with a valid body and the given header trouble. Raw header bytes go through ISO-8859-1. */
  static void chargeHeaders(String what, Object... hs) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("Content-Type", "application/json");
    boolean auth = false;
    boolean key = false;
    for (int i = 0; i < hs.length; i += 2) {
      m.put((String) hs[i], (String) hs[i + 1]);
      if (((String) hs[i]).startsWith("Authorization")) auth = true;
      if (((String) hs[i]).startsWith("Idempotency-Key")) key = true;
    }
    if (!auth) m.put("Authorization", "Bearer " + KEY);
    if (!key) m.put("Idempotency-Key", "hostile-h-" + seq.incrementAndGet() + "-" + System.nanoTime());
    m.values().removeIf(v -> v == null);
    add("POST /v1/charges", what, request("POST", "/v1/charges", m, bytes(validCharge())));
  }

  static String latin1(byte... b) {
    return new String(b, StandardCharsets.ISO_8859_1);
  }

  static void headerCases() {
    chargeHeaders("no Idempotency-Key", "Idempotency-Key", null);
    chargeHeaders("empty Idempotency-Key", "Idempotency-Key", "");
    chargeHeaders("blank Idempotency-Key", "Idempotency-Key", "   ");
    chargeHeaders("Idempotency-Key of 256 characters", "Idempotency-Key", "k".repeat(256));
    chargeHeaders("Idempotency-Key of 7000 characters", "Idempotency-Key", "k".repeat(7000));
    chargeHeaders("Idempotency-Key with a raw NUL", "Idempotency-Key", "key" + latin1((byte) 0) + "1");
    chargeHeaders("Idempotency-Key with a raw 0x01", "Idempotency-Key", "key" + latin1((byte) 1) + "1");
    chargeHeaders("Idempotency-Key with a tab", "Idempotency-Key", "key\tx");
    chargeHeaders("Idempotency-Key with DEL", "Idempotency-Key", "key" + latin1((byte) 0x7f));
    chargeHeaders("Idempotency-Key with UTF-8 bytes", "Idempotency-Key", latin1(bytes("clé-" + System.nanoTime())));
    chargeHeaders("Idempotency-Key with Latin-1 byte E9", "Idempotency-Key", "cl" + latin1((byte) 0xE9));
    chargeHeaders("two Idempotency-Key headers", "Idempotency-Key", "dup-a-" + System.nanoTime(),
        "Idempotency-Key#2", "dup-b-" + System.nanoTime());
    chargeHeaders("no Authorization", "Authorization", null);
    chargeHeaders("Authorization without scheme", "Authorization", KEY);
    chargeHeaders("Authorization Basic", "Authorization", "Basic c2tfdGVzdDp4");
    chargeHeaders("Authorization Bearer and nothing", "Authorization", "Bearer ");
    chargeHeaders("Authorization Bearer with a raw NUL", "Authorization", "Bearer " + KEY + latin1((byte) 0));
    chargeHeaders("Authorization Bearer with a raw 0x01", "Authorization", "Bearer sk" + latin1((byte) 1) + "x");
    chargeHeaders("Authorization Bearer of 6000 characters", "Authorization", "Bearer " + "k".repeat(6000));
    chargeHeaders("Authorization with UTF-8 bytes", "Authorization", "Bearer " + latin1(bytes("sk_tést_key_123")));
    chargeHeaders("the admin key on the merchant API", "Authorization", "Bearer " + ADMIN);
    chargeHeaders("two Authorization headers, the first valid", "Authorization", "Bearer " + KEY,
        "Authorization#2", "Bearer sk_test_someone_else");
    chargeHeaders("header of 20000 characters", "X-Pad", "p".repeat(20_000));
    Object[] many = new Object[400];
    for (int i = 0; i < 200; i++) {
      many[2 * i] = "X-Pad-" + i;
      many[2 * i + 1] = "p".repeat(60);
    }
    chargeHeaders("200 headers of 60 characters", many);
    chargeHeaders("header name with a space", "Bad Header", "x");
    chargeHeaders("header value with a raw NUL", "X-Note", "a" + latin1((byte) 0) + "b");
    add("GET /admin/routing", "merchant key on the admin API", request("GET", "/admin/routing", headers(KEY, null), new byte[0]));
    add("GET /admin/routing", "admin key with a raw NUL appended",
        request("GET", "/admin/routing", headers(ADMIN + latin1((byte) 0), null), new byte[0]));
    add("GET /admin/routing", "two Authorization headers, the first the admin key", request("GET", "/admin/routing",
        headers(ADMIN, null, "Authorization#2", "Bearer nope_nope_nope"), new byte[0]));
    add("GET /admin/providers", "no Authorization", request("GET", "/admin/providers", Map.of(), new byte[0]));
    add("GET /admin/providers", "Authorization of 7000 characters", request("GET", "/admin/providers",
        headers("a".repeat(7000), null), new byte[0]));
    add("GET /v1/cards/{id}", "no Authorization", request("GET", "/v1/cards/" + cardId, Map.of(), new byte[0]));
    add("GET /v1/cards/{id}", "two Authorization headers, the first valid", request("GET", "/v1/cards/" + cardId,
        headers(KEY, null, "Authorization#2", "Bearer sk_test_nope_nope"), new byte[0]));
    add("POST /admin/merchants/{id}/keys", "merchant key", request("POST", "/admin/merchants/it-merchant/keys",
        headers(KEY, "application/json"), bytes("{}")));
  }

  static void framingCases() {
    byte[] charge = bytes(validCharge());
    Map<String, String> base = headers(KEY, "application/json", "Idempotency-Key", "hostile-f-" + System.nanoTime());
    Map<String, String> cl = new LinkedHashMap<>(base);
    cl.put("Content-Length", "abc");
    add("POST /v1/charges", "Content-Length abc", request("POST", "/v1/charges", cl, charge));
    cl = new LinkedHashMap<>(base);
    cl.put("Content-Length", "-5");
    add("POST /v1/charges", "Content-Length -5", request("POST", "/v1/charges", cl, charge));
    cl = new LinkedHashMap<>(base);
    cl.put("Transfer-Encoding", "chunked");
    add("POST /v1/charges", "bad chunk size", request("POST", "/v1/charges", cl, bytes("zz\r\n{}\r\n0\r\n\r\n")));
    cl = new LinkedHashMap<>(base);
    cl.put("Transfer-Encoding", "gzip");
    add("POST /v1/charges", "Transfer-Encoding gzip", request("POST", "/v1/charges", cl, charge));
    cl = new LinkedHashMap<>(base);
    cl.put("Content-Length", charge.length + "");
    cl.put("Content-Length#2", (charge.length + 3) + "");
    add("POST /v1/charges", "two different Content-Length headers", request("POST", "/v1/charges", cl, concat(charge, bytes("   "))));
    add("no route", "garbage request line", bytes("GARBAGE\r\n\r\n"));
    add("no route", "request line with a NUL", concat(bytes("GET /v1/cards/x"), new byte[] {0}, bytes(" HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")));
    add("no route", "HTTP/1.7", bytes("GET /health/live HTTP/1.7\r\nHost: x\r\nConnection: close\r\n\r\n"));
    add("no route", "request line of 10000 characters", request("GET", "/v1/cards/" + "x".repeat(10_000), headers(KEY, null), new byte[0]));
    add("no route", "path without a leading slash", request("GET", "v1/cards/x", headers(KEY, null), new byte[0]));
    add("no route", "WebSocket handshake", request("GET", "/v1/charges", headers(KEY, null, "Upgrade", "websocket",
        "Connection", "Upgrade", "Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ==", "Sec-WebSocket-Version", "13"), new byte[0]));
    add("no route", "WebSocket upgrade without a key", request("GET", "/v1/charges", headers(KEY, null, "Upgrade", "websocket",
        "Connection", "Upgrade"), new byte[0]));
    add("no route", "unknown path", request("GET", "/v2/charges", headers(KEY, null), new byte[0]));
    add("no route", "NUL in an unknown path", request("GET", "/v1/%00", headers(KEY, null), new byte[0]));
    add("no route", "unknown method FOO", request("FOO", "/v1/charges", headers(KEY, null), new byte[0]));
    add("no route", "PATCH /v1/charges", request("PATCH", "/v1/charges", headers(KEY, "application/json"), bytes("{}")));
    add("no route", "TRACE /v1/cards/x", request("TRACE", "/v1/cards/x", headers(KEY, null), new byte[0]));
    add("no route", "PUT /v1/cards", request("PUT", "/v1/cards", headers(KEY, "application/json"), bytes("{}")));
    add("GET /health/live", "POST /health/live", request("POST", "/health/live", Map.of(), bytes("{}")));
    add("GET /metrics", "DELETE /metrics", request("DELETE", "/metrics", Map.of(), new byte[0]));
    add("GET /openapi.yaml", "PUT /openapi.yaml", request("PUT", "/openapi.yaml", headers(null, "application/yaml"), bytes("x: 1")));
    // YAML for PUT /admin/routing.
    String yaml = "application/yaml";
    Map<String, String> ah = headers(ADMIN, yaml);
    add("PUT /admin/routing", "YAML billion laughs", request("PUT", "/admin/routing", ah, bytes(laughs())));
    add("PUT /admin/routing", "YAML nested 10k deep", request("PUT", "/admin/routing", ah, bytes(nested("[", "", "]", 10_000))));
    add("PUT /admin/routing", "YAML Java type tag", request("PUT", "/admin/routing", ah,
        bytes("rules: !!javax.script.ScriptEngineManager [!!java.net.URLClassLoader [[!!java.net.URL [\"http://x\"]]]]")));
    add("PUT /admin/routing", "YAML NUL in a rule name", request("PUT", "/admin/routing", ah,
        bytes("rules:\n  - name: \"de\\0fault\"\n    strategy: priority\n    providers: [fatora]\n")));
    add("PUT /admin/routing", "YAML list document", request("PUT", "/admin/routing", ah, bytes("- a\n- b\n")));
    add("PUT /admin/routing", "YAML non-string keys", request("PUT", "/admin/routing", ah, bytes("1: x\n? [a]\n: b\n")));
    add("PUT /admin/routing", "YAML with bad UTF-8", request("PUT", "/admin/routing", ah,
        concat(bytes("rules:\n  - name: \"a"), new byte[] {(byte) 0xC3, 0x28}, bytes("\"\n    providers: [fatora]\n"))));
    add("PUT /admin/routing", "YAML empty", request("PUT", "/admin/routing", ah, new byte[0]));
    add("PUT /admin/routing", "YAML scalar", request("PUT", "/admin/routing", ah, bytes("just a string")));
    add("PUT /admin/routing", "YAML duplicate keys", request("PUT", "/admin/routing", ah,
        bytes("rules: []\nrules: []\n")));
  }

  static String laughs() {
    StringBuilder sb = new StringBuilder("a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n");
    char prev = 'a';
    for (char c = 'b'; c <= 'j'; c++) {
      sb.append(c).append(": &").append(c).append(" [");
      for (int i = 0; i < 9; i++) sb.append(i == 0 ? "" : ",").append('*').append(prev);
      sb.append("]\n");
      prev = c;
    }
    return sb.toString();
  }

  // ------------------------------------------------------------------ raw HTTP

  static Future<Answer> send(Vertx vertx, NetClient net, Case c) {
    Promise<Answer> done = Promise.promise();
    Buffer in = Buffer.buffer();
    long timer = vertx.setTimer(15_000, t -> done.tryComplete(parse(c, in, true)));
    net.connect(h.app.port(), "127.0.0.1").onFailure(err -> {
      vertx.cancelTimer(timer);
      done.tryComplete(new Answer(c, -1, Map.of(), bytes("connect failed: " + err)));
    }).onSuccess(so -> {
      so.handler(in::appendBuffer);
      so.exceptionHandler(err -> { });
      so.closeHandler(v -> {
        vertx.cancelTimer(timer);
        done.tryComplete(parse(c, in, false));
      });
      done.future().onComplete(x -> so.close());
      so.write(Buffer.buffer(c.bytes()));
    });
    return done.future();
  }

  static Answer parse(Case c, Buffer in, boolean timedOut) {
    byte[] all = in.getBytes();
    String text = new String(all, StandardCharsets.ISO_8859_1);
    int end = text.indexOf("\r\n\r\n");
    if (!text.startsWith("HTTP/") || end < 0) {
      return new Answer(c, -1, Map.of(), bytes(timedOut ? "timed out" : "closed; got: " + text));
    }
    String[] lines = text.substring(0, end).split("\r\n");
    int status = Integer.parseInt(lines[0].split(" ")[1]);
    Map<String, String> headers = new LinkedHashMap<>();
    for (int i = 1; i < lines.length; i++) {
      int colon = lines[i].indexOf(':');
      if (colon > 0) headers.put(lines[i].substring(0, colon).trim().toLowerCase(Locale.ROOT), lines[i].substring(colon + 1).trim());
    }
    byte[] rest = java.util.Arrays.copyOfRange(all, end + 4, all.length);
    if ("chunked".equalsIgnoreCase(headers.get("transfer-encoding"))) rest = dechunk(rest);
    else if (headers.containsKey("content-length")) {
      int n = Integer.parseInt(headers.get("content-length"));
      if (rest.length > n) rest = java.util.Arrays.copyOf(rest, n);
    }
    return new Answer(c, status, headers, rest);
  }

  static byte[] dechunk(byte[] b) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int i = 0;
    while (i < b.length) {
      int eol = i;
      while (eol + 1 < b.length && !(b[eol] == '\r' && b[eol + 1] == '\n')) eol++;
      int size;
      try {
        size = Integer.parseInt(new String(b, i, eol - i, StandardCharsets.ISO_8859_1).split(";")[0].trim(), 16);
      } catch (NumberFormatException e) {
        break;
      }
      if (size == 0) break;
      out.write(b, eol + 2, Math.min(size, b.length - eol - 2));
      i = eol + 2 + size + 2;
    }
    return out.toByteArray();
  }

  static Future<Map<String, Long>> countRows() {
    StringBuilder sql = new StringBuilder("SELECT ");
    for (int i = 0; i < TABLES.size(); i++) {
      sql.append(i == 0 ? "" : ", ").append("(SELECT count(*) FROM ").append(TABLES.get(i)).append(")");
    }
    return h.app.pool.query(sql.toString()).execute().map(rs -> {
      var row = rs.iterator().next();
      Map<String, Long> m = new LinkedHashMap<>();
      for (int i = 0; i < TABLES.size(); i++) m.put(TABLES.get(i), row.getLong(i));
      return m;
    });
  }
}
