package io.payrouter.config;

import static io.payrouter.config.ConfigLoaderTest.DB_URL;
import static io.payrouter.config.ConfigLoaderTest.ROUTER_YAML;
import static io.payrouter.config.ConfigLoaderTest.SECURITY;
import static io.payrouter.config.ConfigLoaderTest.ONE_PROVIDER;
import static io.payrouter.config.ConfigLoaderTest.TOKEN_KEY;
import static io.payrouter.config.ConfigLoaderTest.env;
import static io.payrouter.config.ConfigLoaderTest.problems;
import static io.payrouter.config.ConfigLoaderTest.productionEnvWithout;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@code http.allow_loopback_public_url} (env {@code ROUTER_HTTP_ALLOW_LOOPBACK_PUBLIC_URL}): the
 * one rehearsal setting that lets production mode run with a loopback public URL, so several
 * instances behind a balancer on one machine can be rehearsed. Never on by default, refused
 * without it, wildcards refused even with it, and said out loud when on. Also {@code
 * http.drain_timeout_ms}.
 */
class RehearsalSettingTest {
  @TempDir Path dir;

  private static Function<String, String> with(Function<String, String> base, String... pairs) {
    Function<String, String> extra = env(pairs);
    return n -> extra.apply(n) != null ? extra.apply(n) : base.apply(n);
  }

  private static RouterConfig load(Path file, Function<String, String> env) {
    return ConfigLoader.load(file, env, io.payrouter.Psps.types());
  }

  private Path yaml(String text) throws IOException {
    Path f = dir.resolve("router.yaml");
    Files.writeString(f, text);
    return f;
  }

  /** Production mode (database URL, token key) with a loopback public URL, plus {@code http} extras. */
  private Path loopbackProduction(String httpExtra) throws IOException {
    return yaml(SECURITY + ONE_PROVIDER + "database: { url: " + DB_URL + " }\n"
        + "http: { public_url: \"http://127.0.0.1:18080\"" + httpExtra + " }\n");
  }

  @Test
  void neverOnByDefault() throws IOException {
    RouterConfig shipped = load(ROUTER_YAML, productionEnvWithout());
    assertTrue(shipped.production());
    assertFalse(shipped.http().allowLoopbackPublicUrl());
    assertEquals(List.of(), shipped.rehearsalWarnings());
    RouterConfig minimal = load(yaml(SECURITY + ONE_PROVIDER), env());
    assertFalse(minimal.http().allowLoopbackPublicUrl());
    assertEquals(List.of(), minimal.rehearsalWarnings());
  }

  @Test
  void withoutTheSettingALoopbackPublicUrlIsRefusedInProductionMode() throws IOException {
    List<String> p = problems(loopbackProduction(""), env("ROUTER_TOKEN_KEY", TOKEN_KEY));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).startsWith("http.public_url: 127.0.0.1 is a loopback or wildcard address"), p.toString());
    // Off explicitly: the same.
    assertEquals(p, problems(loopbackProduction(", allow_loopback_public_url: false"), env("ROUTER_TOKEN_KEY", TOKEN_KEY)));
  }

  @Test
  void withTheSettingInTheFileALoopbackPublicUrlIsAcceptedAndSaidOutLoud() throws IOException {
    RouterConfig c = load(loopbackProduction(", allow_loopback_public_url: true"), env("ROUTER_TOKEN_KEY", TOKEN_KEY));
    assertTrue(c.production());
    assertTrue(c.http().allowLoopbackPublicUrl());
    assertEquals("http://127.0.0.1:18080", c.http().publicUrl());
    assertEquals(1, c.rehearsalWarnings().size());
    assertTrue(c.rehearsalWarnings().get(0).contains("http.allow_loopback_public_url is on"), c.rehearsalWarnings().toString());
    assertTrue(c.rehearsalWarnings().get(0).contains("http://127.0.0.1:18080"), c.rehearsalWarnings().toString());
  }

  @Test
  void theEnvironmentVariableTurnsItOnAndOff() throws IOException {
    Function<String, String> on = env("ROUTER_TOKEN_KEY", TOKEN_KEY, ConfigLoader.ALLOW_LOOPBACK_ENV, "true");
    assertTrue(load(loopbackProduction(""), on).http().allowLoopbackPublicUrl());
    // The variable wins over the file, both ways.
    Function<String, String> off = env("ROUTER_TOKEN_KEY", TOKEN_KEY, ConfigLoader.ALLOW_LOOPBACK_ENV, "false");
    assertEquals(1, problems(loopbackProduction(", allow_loopback_public_url: true"), off).size());
    // The shipped file in production mode with ROUTER_PUBLIC_URL on loopback: refused, then let through.
    Function<String, String> shipped = with(productionEnvWithout(), "ROUTER_PUBLIC_URL", "http://127.0.0.1:18080");
    assertEquals(1, problems(ROUTER_YAML, shipped).size());
    RouterConfig c = load(ROUTER_YAML, with(shipped, ConfigLoader.ALLOW_LOOPBACK_ENV, "true"));
    assertEquals("http://127.0.0.1:18080", c.http().publicUrl());
    assertEquals(1, c.rehearsalWarnings().size());
  }

  @Test
  void aValueThatIsNotABooleanIsAProblem() throws IOException {
    assertEquals(List.of(ConfigLoader.ALLOW_LOOPBACK_ENV + ": must be true or false",
            "http.public_url: 127.0.0.1 is a loopback or wildcard address, which PSP webhooks cannot reach (set the"
                + " router's public URL)"),
        problems(loopbackProduction(""), env("ROUTER_TOKEN_KEY", TOKEN_KEY, ConfigLoader.ALLOW_LOOPBACK_ENV, "yes")));
    assertEquals(List.of("http.allow_loopback_public_url: must be true or false"),
        problems(yaml(SECURITY + ONE_PROVIDER + "http: { allow_loopback_public_url: maybe }\n"), env()));
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://0.0.0.0:8080", "http://[::]", "http://0", "http://[::ffff:0.0.0.0]"})
  void aWildcardPublicUrlIsRefusedEvenWithTheSetting(String url) throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + "database: { url: " + DB_URL + " }\n"
        + "http: { public_url: \"" + url + "\", allow_loopback_public_url: true }\n");
    List<String> p = problems(f, env("ROUTER_TOKEN_KEY", TOKEN_KEY));
    assertEquals(1, p.size(), p.toString());
    assertTrue(p.get(0).contains("is a wildcard address"), p.toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://localhost:8080", "http://[::1]:8080", "http://127.0.0.2"})
  void everyLoopbackFormIsLetThroughWithTheSetting(String url) throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + "database: { url: " + DB_URL + " }\n"
        + "http: { public_url: \"" + url + "\", allow_loopback_public_url: true }\n");
    assertEquals(url, load(f, env("ROUTER_TOKEN_KEY", TOKEN_KEY)).http().publicUrl());
  }

  @Test
  void theSettingRelaxesNothingElse() {
    // Simulator credentials, demo keys and a missing token key are refused exactly as before.
    Function<String, String> base = with(env("SIMULATOR_URL", ConfigLoaderTest.SIM, "ROUTER_DATABASE_URL", DB_URL,
        "ROUTER_PUBLIC_URL", "http://127.0.0.1:18080"), ConfigLoader.ALLOW_LOOPBACK_ENV, "true");
    List<String> without = new ArrayList<>(problems(ROUTER_YAML, env("SIMULATOR_URL", ConfigLoaderTest.SIM,
        "ROUTER_DATABASE_URL", DB_URL)));
    without.removeIf(s -> s.startsWith("http.public_url"));
    assertEquals(without, problems(ROUTER_YAML, base));
    assertTrue(without.stream().anyMatch(s -> s.contains("a PSP simulator default is refused")), without.toString());
  }

  @Test
  void outsideProductionModeTheSettingChangesNothingAndWarnsNothing() throws IOException {
    RouterConfig c = load(yaml(SECURITY + ONE_PROVIDER + "http: { allow_loopback_public_url: true }\n"), env());
    assertFalse(c.production());
    assertEquals(List.of(), c.rehearsalWarnings());
  }

  @Test
  void drainTimeoutDefaultsToTenSecondsAndIsConfigurable() throws IOException {
    assertEquals(10_000, load(yaml(SECURITY + ONE_PROVIDER), env()).http().drainTimeoutMs());
    assertEquals(2_500, load(yaml(SECURITY + ONE_PROVIDER + "http: { drain_timeout_ms: 2500 }\n"), env()).http().drainTimeoutMs());
    assertEquals(List.of("http.drain_timeout_ms: must be between 0 and 300000"),
        problems(yaml(SECURITY + ONE_PROVIDER + "http: { drain_timeout_ms: -1 }\n"), env()));
    // Kept across a port change.
    assertEquals(2_500, load(yaml(SECURITY + ONE_PROVIDER + "http: { drain_timeout_ms: 2500 }\n"), env())
        .withHttpPort(1234).http().drainTimeoutMs());
  }
}
