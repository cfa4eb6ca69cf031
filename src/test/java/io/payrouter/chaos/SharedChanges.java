package io.payrouter.chaos;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The shared changes of a clustered fleet, made through one instance and timed until every other
 * live instance shows them (the bound: 1 s): a routing change ({@code PUT /admin/routing},
 * then each member's {@code GET /admin/routing} version), a provider disabled or enabled
 * ({@code GET /admin/providers}), a merchant key revoked (each member's answer to that key turns
 * 401). Each member is polled every 20 ms, for at most {@link #BOUND_MS}. Blocking (the JDK's
 * HTTP client): call from the orchestrating thread.
 */
final class SharedChanges {
  /** How long a change may take to reach a member before it counts as not propagated. */
  static final long BOUND_MS = 5_000;

  /** A change made through {@code via}: how long it took to reach each member (-1: not within the bound). */
  record Propagation(String what, String via, long madeAt, Map<String, Long> reached, String problem) {
    long slowest() {
      return reached.values().stream().mapToLong(Long::longValue).map(v -> v < 0 ? Long.MAX_VALUE : v).max().orElse(0);
    }

    boolean complete() {
      return problem == null && reached.values().stream().allMatch(v -> v >= 0);
    }

    @Override
    public String toString() {
      StringBuilder b = new StringBuilder(what).append(" via ").append(via).append(": ");
      if (problem != null) return b.append("FAILED: ").append(problem).toString();
      reached.forEach((m, v) -> b.append(m).append(' ').append(v < 0 ? "NOT within " + BOUND_MS + " ms" : v + " ms").append(", "));
      return b.substring(0, b.length() - 2);
    }
  }

  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
  private final String adminKey;
  private final String merchantId;

  SharedChanges(String adminKey, String merchantId) {
    this.adminKey = adminKey;
    this.merchantId = merchantId;
  }

  /**
   * Reads the rules in force on {@code via}, reverses the provider order of its first rule, PUTs
   * them back as JSON through {@code via}, and times the new version on every member.
   */
  Propagation routingChange(String viaName, String via, Map<String, String> members) {
    try {
      JsonObject doc = json(send(get(via + "/admin/routing")), 200, "GET /admin/routing");
      // "rules" is the document as it was accepted ({rules: [...], failover: ...}); PUT takes the answer back as it is
      JsonArray rules = doc.getJsonObject("rules").getJsonArray("rules");
      JsonObject first = rules.getJsonObject(0);
      JsonArray providers = first.getJsonArray("providers");
      JsonArray reversed = new JsonArray();
      for (int i = providers.size() - 1; i >= 0; i--) reversed.add(providers.getValue(i));
      first.put("providers", reversed);
      long made = System.currentTimeMillis();
      HttpResponse<String> put = send(request(via + "/admin/routing").header("Content-Type", "application/json")
          .PUT(HttpRequest.BodyPublishers.ofString(doc.encode())));
      JsonObject answer = json(put, 200, "PUT /admin/routing");
      long version = answer.getLong("version");
      return await("routing v" + version + " (rule '" + first.getString("name") + "' providers " + reversed + ")", viaName,
          made, members, m -> version(m) >= version);
    } catch (IOException | RuntimeException e) {
      return new Propagation("routing change", viaName, System.currentTimeMillis(), Map.of(), e.getMessage());
    }
  }

  /** {@code POST /admin/providers/{name}/disable|enable} through {@code via}, timed on every member. */
  Propagation providerToggle(String viaName, String via, String provider, boolean enable, Map<String, String> members) {
    String what = provider + (enable ? " enabled" : " disabled");
    try {
      long made = System.currentTimeMillis();
      json(send(request(via + "/admin/providers/" + provider + (enable ? "/enable" : "/disable"))
          .POST(HttpRequest.BodyPublishers.noBody())), 200, "POST /admin/providers/" + provider);
      return await(what, viaName, made, members, m -> Boolean.valueOf(enable).equals(enabled(m, provider)));
    } catch (IOException | RuntimeException e) {
      return new Propagation(what, viaName, System.currentTimeMillis(), Map.of(), e.getMessage());
    }
  }

  /**
   * A new key for the merchant through {@code via}, checked to work on every member (each caches
   * it), revoked through {@code via}, then timed until every member answers it 401.
   */
  Propagation keyRevocation(String viaName, String via, Map<String, String> members) {
    try {
      JsonObject key = json(send(request(via + "/admin/merchants/" + merchantId + "/keys")
          .POST(HttpRequest.BodyPublishers.noBody())), 201, "POST /admin/merchants/" + merchantId + "/keys");
      String secret = key.getString("api_key");
      String keyId = key.getString("id");
      for (var m : members.entrySet()) {
        int s = keyStatus(m.getValue(), secret);
        if (s == 401 || s < 0) throw new IOException(m.getKey() + " answered " + s + " to the new key before its revocation");
      }
      long made = System.currentTimeMillis();
      HttpResponse<String> del = send(request(via + "/admin/merchants/" + merchantId + "/keys/" + keyId).DELETE());
      if (del.statusCode() != 204) throw new IOException("DELETE key: HTTP " + del.statusCode() + " " + del.body());
      return await("merchant key " + keyId + " revoked", viaName, made, members, m -> keyStatus(m, secret) == 401);
    } catch (IOException | RuntimeException e) {
      return new Propagation("key revocation", viaName, System.currentTimeMillis(), Map.of(), e.getMessage());
    }
  }

  /** What each member has in force now: rules version and the enabled providers (for the final agreement check). */
  Map<String, String> stateOf(Map<String, String> members) {
    Map<String, String> out = new LinkedHashMap<>();
    for (var m : members.entrySet()) {
      try {
        JsonArray data = json(send(get(m.getValue() + "/admin/providers")), 200, "providers").getJsonArray("data");
        List<String> on = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
          if (data.getJsonObject(i).getBoolean("enabled", false)) on.add(data.getJsonObject(i).getString("name"));
        }
        out.put(m.getKey(), "rules v" + version(m.getValue()) + ", enabled " + on);
      } catch (IOException | RuntimeException e) {
        out.put(m.getKey(), "unreadable: " + e.getMessage());
      }
    }
    return out;
  }

  /** {@code GET /admin/cluster} of one member (null when it cannot be read). */
  JsonObject cluster(String member) {
    try {
      return json(send(get(member + "/admin/cluster")), 200, "GET /admin/cluster");
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  // ---------------------------------------------------------------- polling

  private Propagation await(String what, String via, long made, Map<String, String> members, Predicate<String> has) {
    Map<String, Long> reached = new LinkedHashMap<>();
    List<String> waiting = new ArrayList<>(members.keySet());
    long until = made + BOUND_MS;
    while (!waiting.isEmpty() && System.currentTimeMillis() < until) {
      for (String m : List.copyOf(waiting)) {
        boolean yes;
        try {
          yes = has.test(members.get(m));
        } catch (RuntimeException e) {
          yes = false;
        }
        if (yes) {
          reached.put(m, System.currentTimeMillis() - made);
          waiting.remove(m);
        }
      }
      if (!waiting.isEmpty()) sleep(20);
    }
    for (String m : waiting) reached.put(m, -1L);
    Map<String, Long> ordered = new LinkedHashMap<>();
    for (String m : members.keySet()) ordered.put(m, reached.get(m));
    return new Propagation(what, via, made, ordered, null);
  }

  private long version(String member) {
    try {
      return json(send(get(member + "/admin/routing")), 200, "GET /admin/routing").getLong("version");
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  private Boolean enabled(String member, String provider) {
    try {
      JsonArray data = json(send(get(member + "/admin/providers")), 200, "GET /admin/providers").getJsonArray("data");
      for (int i = 0; i < data.size(); i++) {
        JsonObject p = data.getJsonObject(i);
        if (provider.equals(p.getString("name"))) return p.getBoolean("enabled");
      }
      return null;
    } catch (IOException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  /** The status a member gives a merchant key on a read of a reference nobody used (401: refused; anything else: accepted). */
  private int keyStatus(String member, String secret) {
    try {
      return send(HttpRequest.newBuilder(URI.create(member + "/v1/charges?merchant_reference=shared-change-probe"))
          .timeout(Duration.ofSeconds(2)).header("Authorization", "Bearer " + secret).GET()).statusCode();
    } catch (IOException e) {
      return -1;
    }
  }

  // ---------------------------------------------------------------- HTTP

  private HttpRequest.Builder request(String url) {
    return HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(3)).header("Authorization", "Bearer " + adminKey);
  }

  private HttpRequest.Builder get(String url) {
    return request(url).GET();
  }

  private HttpResponse<String> send(HttpRequest.Builder b) throws IOException {
    try {
      return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }

  private static JsonObject json(HttpResponse<String> r, int expected, String what) throws IOException {
    if (r.statusCode() != expected) throw new IOException(what + ": HTTP " + r.statusCode() + " " + r.body());
    return new JsonObject(r.body());
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
