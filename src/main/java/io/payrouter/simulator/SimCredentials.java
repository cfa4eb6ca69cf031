package io.payrouter.simulator;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * The credentials each simulator accepts. The constants are the built-in defaults:
 * {@code config/router.yaml} uses the same values as the defaults of its {@code ${ENV:-default}}
 * placeholders, so the embedded default works out of the box and a real deployment only swaps
 * base_url and credentials.
 *
 * <p>An instance is the set one simulator server accepts ({@link SimContext#credentials()}):
 * {@link #DEFAULTS}, or those of a credentials file ({@code simulators --credentials FILE}, see
 * {@link #parse}), so production mode can be rehearsed against non-default secrets. A simulator
 * then accepts only the configured values.
 */
public final class SimCredentials {

  public static final String REVIO_SECRET_KEY = "revio_sim_secret_key";
  public static final String REVIO_BRAND_ID = "5c523a6d-cad0-462e-b9bb-79b16495f3b9";

  public static final String PAYCORE_ACCOUNT_ID = "paycore_sim_account";
  public static final String PAYCORE_API_KEY = "paycore_sim_api_key";
  public static final String PAYCORE_CALLBACK_SECRET = "paycore_sim_callback_secret";

  public static final String FATORA_API_KEY = "fatora_sim_api_key";
  /** Accepted in a credentials file so a router block can be copied; Fatora sends no webhooks. */
  public static final String FATORA_WEBHOOK_SECRET = "fatora_sim_webhook_secret";

  public static final String DINTERO_ACCOUNT_ID = "T11223344";
  public static final String DINTERO_CLIENT_ID = "dintero_sim_client_id";
  public static final String DINTERO_CLIENT_SECRET = "dintero_sim_client_secret";
  public static final String DINTERO_SIGNATURE_SECRET = "dintero_sim_signature_secret";

  public static final String PROCESSOUT_PROJECT_ID = "test-proj_sim";
  public static final String PROCESSOUT_PROJECT_SECRET = "key_sandbox_sim_secret";

  /** Every provider and key a credentials file may name, with its default, in file order. */
  private static final Map<String, Map<String, String>> DEFAULT_VALUES = defaults();

  /** The built-in defaults (the constants above). */
  public static final SimCredentials DEFAULTS = new SimCredentials(DEFAULT_VALUES);

  private final Map<String, Map<String, String>> values;

  private SimCredentials(Map<String, Map<String, String>> values) {
    Map<String, Map<String, String>> copy = new LinkedHashMap<>();
    values.forEach((p, keys) -> copy.put(p, Collections.unmodifiableMap(new LinkedHashMap<>(keys))));
    this.values = Collections.unmodifiableMap(copy);
  }

  private static Map<String, Map<String, String>> defaults() {
    Map<String, Map<String, String>> d = new LinkedHashMap<>();
    d.put("revio", ordered("secret_key", REVIO_SECRET_KEY, "brand_id", REVIO_BRAND_ID));
    d.put("paycore", ordered("account_id", PAYCORE_ACCOUNT_ID, "api_key", PAYCORE_API_KEY,
        "callback_secret", PAYCORE_CALLBACK_SECRET));
    d.put("fatora", ordered("api_key", FATORA_API_KEY, "webhook_secret", FATORA_WEBHOOK_SECRET));
    d.put("dintero", ordered("account_id", DINTERO_ACCOUNT_ID, "client_id", DINTERO_CLIENT_ID,
        "client_secret", DINTERO_CLIENT_SECRET, "signature_secret", DINTERO_SIGNATURE_SECRET));
    d.put("processout", ordered("project_id", PROCESSOUT_PROJECT_ID, "project_secret", PROCESSOUT_PROJECT_SECRET));
    return Collections.unmodifiableMap(d);
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  // ---------------------------------------------------------------- loading

  /** {@link #parse} of the file's text; an unreadable file is an {@link IOException}. */
  public static SimCredentials load(Path file) throws IOException {
    return parse(Files.readString(file), file.toString());
  }

  /**
   * A credentials file: YAML with one block per provider, named like the provider blocks of
   * {@code config/router.yaml}, each a map of key to value:
   *
   * <pre>
   * revio:      { secret_key: "...", brand_id: "..." }
   * paycore:    { account_id: "...", api_key: "...", callback_secret: "..." }
   * fatora:     { api_key: "..." }
   * dintero:    { account_id: "T...", client_id: "...", client_secret: "...", signature_secret: "..." }
   * processout: { project_id: "...", project_secret: "..." }
   * </pre>
   *
   * A provider or key left out keeps its default. An unknown provider or key, a value that is not
   * a non-empty string (or number), or a Dintero account id not starting with T or P is an
   * {@link IllegalArgumentException} whose message is one line naming {@code source} and the key.
   */
  public static SimCredentials parse(String text, String source) {
    Object doc;
    try {
      doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(text);
    } catch (RuntimeException e) {
      String why = String.valueOf(e.getMessage()).lines().findFirst().orElse("");
      throw new IllegalArgumentException(source + ": not valid YAML: " + why);
    }
    Map<String, Map<String, String>> v = new LinkedHashMap<>();
    DEFAULT_VALUES.forEach((p, keys) -> v.put(p, new LinkedHashMap<>(keys)));
    if (doc == null) return new SimCredentials(v);
    if (!(doc instanceof Map<?, ?> top)) {
      throw new IllegalArgumentException(source + ": expected a map of provider blocks (" + known() + ")");
    }
    for (var block : top.entrySet()) {
      String provider = String.valueOf(block.getKey());
      Map<String, String> keys = v.get(provider);
      if (keys == null) {
        throw new IllegalArgumentException(source + ": unknown provider '" + provider + "'; known: " + known());
      }
      if (block.getValue() == null) continue;
      if (!(block.getValue() instanceof Map<?, ?> entries)) {
        throw new IllegalArgumentException(source + ": " + provider + " must be a map of "
            + String.join(", ", keys.keySet()));
      }
      for (var e : entries.entrySet()) {
        String key = String.valueOf(e.getKey());
        if (!keys.containsKey(key)) {
          throw new IllegalArgumentException(source + ": unknown key " + provider + "." + key + "; known: "
              + String.join(", ", keys.keySet()));
        }
        Object value = e.getValue();
        if (!(value instanceof String || value instanceof Number) || value.toString().isBlank()) {
          throw new IllegalArgumentException(source + ": " + provider + "." + key + " must be a non-empty string");
        }
        keys.put(key, value.toString());
      }
    }
    String aid = v.get("dintero").get("account_id");
    if (!aid.startsWith("T") && !aid.startsWith("P")) {
      throw new IllegalArgumentException(source + ": dintero.account_id must start with T (test) or P (production)");
    }
    return new SimCredentials(v);
  }

  private static String known() {
    return String.join(", ", DEFAULT_VALUES.keySet());
  }

  /** A copy with one value replaced (tests); the same checks as a file's. */
  public SimCredentials with(String provider, String key, String value) {
    Map<String, String> keys = values.get(provider);
    if (keys == null || !keys.containsKey(key)) throw new IllegalArgumentException("unknown " + provider + "." + key);
    if (value == null || value.isBlank()) throw new IllegalArgumentException(provider + "." + key + " must be non-empty");
    Map<String, Map<String, String>> v = new LinkedHashMap<>(values);
    Map<String, String> changed = new LinkedHashMap<>(keys);
    changed.put(key, value);
    v.put(provider, changed);
    return new SimCredentials(v);
  }

  /** The value of {@code provider.key} (e.g. {@code revio}, {@code secret_key}). */
  public String get(String provider, String key) {
    Map<String, String> keys = values.get(provider);
    String v = keys == null ? null : keys.get(key);
    if (v == null) throw new IllegalArgumentException("unknown " + provider + "." + key);
    return v;
  }

  /** Every provider's values, as a credentials file names them. */
  public Map<String, Map<String, String>> asMap() {
    return values;
  }

  // ---------------------------------------------------------------- typed accessors

  public String revioSecretKey() {
    return get("revio", "secret_key");
  }

  public String revioBrandId() {
    return get("revio", "brand_id");
  }

  public String payCoreAccountId() {
    return get("paycore", "account_id");
  }

  public String payCoreApiKey() {
    return get("paycore", "api_key");
  }

  public String payCoreCallbackSecret() {
    return get("paycore", "callback_secret");
  }

  public String fatoraApiKey() {
    return get("fatora", "api_key");
  }

  public String dinteroAccountId() {
    return get("dintero", "account_id");
  }

  public String dinteroClientId() {
    return get("dintero", "client_id");
  }

  public String dinteroClientSecret() {
    return get("dintero", "client_secret");
  }

  public String dinteroSignatureSecret() {
    return get("dintero", "signature_secret");
  }

  public String processOutProjectId() {
    return get("processout", "project_id");
  }

  public String processOutProjectSecret() {
    return get("processout", "project_secret");
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof SimCredentials c && c.values.equals(values);
  }

  @Override
  public int hashCode() {
    return values.hashCode();
  }

  /** Names the providers whose values differ from the defaults; never a secret. */
  @Override
  public String toString() {
    java.util.List<String> configured = new java.util.ArrayList<>();
    values.forEach((p, keys) -> {
      if (!keys.equals(DEFAULT_VALUES.get(p))) configured.add(p);
    });
    return "SimCredentials[" + (configured.isEmpty() ? "defaults" : String.join(", ", configured) + " configured") + "]";
  }
}
