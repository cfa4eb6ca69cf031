package io.payrouter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** config/router.yaml as shipped, production-mode rules, and every problem listed at once. */
class ConfigLoaderTest {
  static final Path ROUTER_YAML = Path.of("config/router.yaml");
  static final String SIM = "http://127.0.0.1:1";
  static final String DB_URL = "postgresql://router:pw@db.internal:5432/router";
  static final String TOKEN_KEY = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=";

  @TempDir Path dir;

  static Function<String, String> env(String... pairs) {
    Map<String, String> m = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) m.put(pairs[i], pairs[i + 1]);
    return m::get;
  }

  static RouterConfig shipped(String... extraEnv) {
    List<String> pairs = new ArrayList<>(List.of("SIMULATOR_URL", SIM));
    pairs.addAll(List.of(extraEnv));
    return ConfigLoader.load(ROUTER_YAML, env(pairs.toArray(String[]::new)), io.payrouter.Psps.types());
  }

  static List<String> problems(Path file, Function<String, String> env) {
    return assertThrows(ConfigException.class, () -> ConfigLoader.load(file, env, io.payrouter.Psps.types())).problems();
  }

  Path yaml(String text) throws IOException {
    Path f = dir.resolve("router.yaml");
    Files.writeString(f, text);
    return f;
  }

  /** Smallest file that loads; tests append or replace parts of it. */
  static final String SECURITY = """
      security:
        admin_key: admin_key_long_enough
      """;
  static final String ONE_PROVIDER = """
      providers:
        p1:
          type: revio
          base_url: http://127.0.0.1:1/p1
          currencies: [USD]
      """;

  // ---------------------------------------------------------------- fee schedules

  @Test
  void shippedProvidersHaveExampleFeeSchedulesWithAnAccountCountry() {
    io.payrouter.routing.FeeSchedule revio = shipped().providers().get("revio").fees();
    assertEquals("US", revio.accountCountry());
    assertEquals(320, revio.fee(10_000, "USD", "visa", "US"), "2.9 % + 30");
    assertEquals(305, revio.fee(10_000, "EUR", "visa", "DE"), "EUR visa 1.8 % + 25, plus 1 % cross-border");
  }

  @Test
  void feeLinesAreReadExactlyInMillionthsOfTheAmount() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + """
            account_country: gb
            fees:
              - { percent: 2.9, fixed: 30 }
              - { currency: EUR, brand: Visa, percent: 0.0125 }
        """);
    io.payrouter.routing.FeeSchedule s = ConfigLoader.load(f, env(), io.payrouter.Psps.types()).providers().get("p1").fees();
    assertEquals("GB", s.accountCountry());
    assertEquals(new io.payrouter.routing.FeeSchedule.Line(null, null, false, 29_000, 30), s.lines().get(0));
    assertEquals(new io.payrouter.routing.FeeSchedule.Line("EUR", "visa", false, 125, 0), s.lines().get(1));
  }

  @Test
  void badFeeLinesAreEachNamedWithTheirField() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + """
            account_country: USA
            fees:
              - { percent: 2.91234, fixed: 30 }
              - { percent: 3, fixed: 1.5 }
              - { currency: XXQ, percent: 101 }
              - { brand: visa }
              - { pct: 2 }
        """);
    String all = String.join("\n", problems(f, env()));
    for (String want : List.of("providers.p1.account_country", "providers.p1.fees[0].percent", "providers.p1.fees[1].fixed",
        "providers.p1.fees[2].currency", "providers.p1.fees[2].percent", "providers.p1.fees[3]: percent or fixed",
        "providers.p1.fees[4]: unknown key 'pct'")) {
      assertTrue(all.contains(want), want + " in:\n" + all);
    }
  }

  // ---------------------------------------------------------------- the shipped file

  @Test
  void shippedFileHasTheFiveProvidersInConfigOrder() {
    assertEquals(List.of("revio", "paycore", "fatora", "dintero", "processout"),
        new ArrayList<>(shipped().providers().keySet()));
  }

  @Test
  void shippedProvidersHaveTheirCurrencies() {
    Map<String, ProviderConfig> p = shipped().providers();
    assertEquals(Set.of("USD", "EUR", "GBP", "ZAR", "MYR"), p.get("revio").currencies());
    assertEquals(Set.of("USD", "EUR", "GBP", "UAH"), p.get("paycore").currencies());
    assertEquals(Set.of("USD"), p.get("fatora").currencies());
    assertEquals(Set.of("NOK", "SEK", "DKK", "EUR"), p.get("dintero").currencies());
    assertEquals(Set.of("USD", "EUR", "GBP", "NOK", "SEK", "DKK", "JPY", "BHD", "KWD"),
        p.get("processout").currencies());
  }

  @Test
  void shippedProvidersHaveTimeoutAndBreakerSettings() {
    for (ProviderConfig p : shipped().providers().values()) {
      assertEquals(2000, p.timeoutMs(), p.name());
      assertEquals(new BreakerConfig(5, 10_000, 5_000), p.breaker(), p.name());
      assertTrue(p.enabled(), p.name());
      assertEquals(p.name(), p.type(), p.name());
    }
  }

  @Test
  void shippedProviderUrlsPointAtTheSimulatorUrlFromTheEnvironment() {
    Map<String, ProviderConfig> p = shipped().providers();
    assertEquals(SIM + "/revio/api/v1", p.get("revio").baseUrl());
    assertEquals(SIM + "/paycore/api", p.get("paycore").baseUrl());
    assertEquals(SIM + "/fatora", p.get("fatora").baseUrl());
    assertEquals(SIM + "/dintero/v1", p.get("dintero").baseUrl());
    assertEquals(SIM + "/processout", p.get("processout").baseUrl());
  }

  @Test
  void shippedCredentialsAndOptionsDefaultToTheSimulatorOnes() {
    Map<String, ProviderConfig> p = shipped().providers();
    assertEquals("fatora_sim_api_key", p.get("fatora").credential("api_key"));
    assertEquals("fatora_sim_webhook_secret", p.get("fatora").credential("webhook_secret"));
    assertEquals("USD", p.get("fatora").option("account_currency", null));
    assertEquals("5c523a6d-cad0-462e-b9bb-79b16495f3b9", p.get("revio").option("brand_id", null));
    assertEquals("payment_card_usd_hpp",
        p.get("paycore").options().getJsonObject("services").getString("USD"));
  }

  @Test
  void providerSecretsComeFromTheEnvironmentWhenSet() {
    ProviderConfig fatora = shipped("FATORA_API_KEY", "live_key_123").providers().get("fatora");
    assertEquals("live_key_123", fatora.credential("api_key"));
  }

  @Test
  void shippedFileSeedsTheDemoMerchantWithTheDemoKey() {
    assertEquals(List.of(new RouterConfig.MerchantSeed("demo", "Demo Merchant", RouterConfig.DEMO_MERCHANT_KEY)),
        shipped().merchants());
  }

  @Test
  void shippedFileWithoutDatabaseUrlIsTheEmbeddedDefaultWithSimulators() {
    RouterConfig c = shipped();
    assertFalse(c.production());
    assertNull(c.database().url());
    assertTrue(c.simulatorsEnabled());
    assertEquals(0, c.simulatorsPort());
    assertEquals(RouterConfig.DEMO_ADMIN_KEY, c.adminKey());
    assertNull(c.tokenKey());
  }

  @Test
  void eventLoopsFollowHttpInstancesAndFallBackToTheCores(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    assertEquals(2, ConfigLoader.eventLoops(ROUTER_YAML), "the shipped http.instances");
    int cores = Math.max(1, Runtime.getRuntime().availableProcessors());
    Path none = dir.resolve("none.yaml");
    java.nio.file.Files.writeString(none, "http:\n  port: 8080\n");
    assertEquals(cores, ConfigLoader.eventLoops(none));
    Path three = dir.resolve("three.yaml");
    java.nio.file.Files.writeString(three, "http:\n  instances: 3\n");
    assertEquals(3, ConfigLoader.eventLoops(three));
    Path broken = dir.resolve("broken.yaml");
    java.nio.file.Files.writeString(broken, "http: [unclosed\n");
    assertEquals(cores, ConfigLoader.eventLoops(broken), "a broken file is reported by the full load, not here");
  }

  @Test
  void shippedHttpAndPathSettings() {
    RouterConfig c = shipped();
    assertEquals(new RouterConfig.Http("127.0.0.1", 8080, 2, "http://127.0.0.1:8080", 1_024), c.http());
    assertEquals(ROUTER_YAML.toAbsolutePath().getParent().resolve("routing.yaml").normalize(), c.routingFile());
    assertEquals(ROUTER_YAML.toAbsolutePath().getParent().resolve("../data").normalize(), c.database().dataDir());
    assertEquals(8, c.database().poolSize());
    assertEquals(new RouterConfig.Writer(20_000, 256, 1, 2, 128), c.writer(), "the write linger is on: 2 ms, 128 rows");
    assertEquals(new RouterConfig.Recovery(5_000, 60_000), c.recovery());
  }

  @Test
  void statementTimeoutDefaultsToFiveSecondsAndIsConfigurable() throws IOException {
    assertEquals(5_000, shipped().database().statementTimeoutMs());
    assertEquals(5_000, ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER), env(), io.payrouter.Psps.types())
        .database().statementTimeoutMs());
    assertEquals(750, ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER + "database: { statement_timeout_ms: 750 }\n"),
        env(), io.payrouter.Psps.types()).database().statementTimeoutMs());
    assertEquals(List.of("database.statement_timeout_ms: must be between 100 and 3600000"),
        problems(yaml(SECURITY + ONE_PROVIDER + "database: { statement_timeout_ms: 0 }\n"), env()));
  }

  @Test
  void staticHelpersAgreeWithLoadOnTheShippedFile() {
    assertTrue(ConfigLoader.simulatorsWanted(ROUTER_YAML, env()));
    assertFalse(ConfigLoader.isProduction(ROUTER_YAML, env()));
    assertTrue(ConfigLoader.isProduction(ROUTER_YAML, env("ROUTER_DATABASE_URL", DB_URL)));
    assertFalse(ConfigLoader.simulatorsWanted(ROUTER_YAML, env("ROUTER_DATABASE_URL", DB_URL)));
    assertEquals(0, ConfigLoader.simulatorsPort(ROUTER_YAML));
  }

  @Test
  void routerPortOverridesTheFileAndThePublicUrl() {
    RouterConfig c = shipped("ROUTER_PORT", "9091");
    assertEquals(9091, c.http().port());
    assertEquals("http://127.0.0.1:9091", c.http().publicUrl());
  }

  @Test
  void invalidRouterPortIsAProblem() {
    List<String> problems = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_PORT", "70000"));
    assertEquals(List.of("port: must be an integer 0..65535"), problems);
  }

  @Test
  void withoutSimulatorUrlEveryEnabledProviderLacksABaseUrlAndTheVariableIsNamed() {
    List<String> problems = problems(ROUTER_YAML, env());
    assertEquals(5, problems.size(), problems.toString());
    for (String name : List.of("revio", "paycore", "fatora", "dintero", "processout")) {
      assertTrue(problems.contains("providers." + name + ".base_url: an http(s) URL is required for an enabled"
          + " provider (unset variables: [SIMULATOR_URL])"), problems.toString());
    }
  }

  // ---------------------------------------------------------------- production mode

  /** The shipped file in production mode with every key, secret and setting replaced: loads. */
  static final String[] PRODUCTION_ENV = {"ROUTER_DATABASE_URL", DB_URL, "ROUTER_ADMIN_KEY", "admin_live_0123456789",
      "ROUTER_DEMO_MERCHANT_KEY", "sk_live_0123456789", "ROUTER_TOKEN_KEY", TOKEN_KEY,
      "ROUTER_PUBLIC_URL", "https://router.example.com", "PAYCORE_TEST_MODE", "false",
      "REVIO_SECRET_KEY", "live_revio", "PAYCORE_ACCOUNT_ID", "live_pc_account", "PAYCORE_API_KEY", "live_pc_key",
      "PAYCORE_CALLBACK_SECRET", "live_pc_callback", "FATORA_API_KEY", "live_fatora",
      "FATORA_WEBHOOK_SECRET", "live_fatora_webhook", "DINTERO_CLIENT_ID", "live_dintero_id",
      "DINTERO_CLIENT_SECRET", "live_dintero_secret", "DINTERO_SIGNATURE_SECRET", "live_dintero_signature",
      "PROCESSOUT_PROJECT_ID", "proj_live", "PROCESSOUT_PROJECT_SECRET", "key_live_secret"};

  /** {@link #PRODUCTION_ENV} with some names left unset ("" = back to the shipped default). */
  static Function<String, String> productionEnvWithout(String... unset) {
    List<String> pairs = new ArrayList<>(List.of("SIMULATOR_URL", SIM));
    for (int i = 0; i < PRODUCTION_ENV.length; i += 2) {
      if (!List.of(unset).contains(PRODUCTION_ENV[i])) pairs.addAll(List.of(PRODUCTION_ENV[i], PRODUCTION_ENV[i + 1]));
    }
    return env(pairs.toArray(String[]::new));
  }

  static final List<String> SIMULATOR_CREDENTIAL_PROBLEMS = List.of(
      "providers.revio.credentials.secret_key",
      "providers.paycore.credentials.account_id", "providers.paycore.credentials.api_key",
      "providers.paycore.credentials.callback_secret",
      "providers.fatora.credentials.api_key", "providers.fatora.credentials.webhook_secret",
      "providers.dintero.credentials.client_id", "providers.dintero.credentials.client_secret",
      "providers.dintero.credentials.signature_secret",
      "providers.processout.credentials.project_id", "providers.processout.credentials.project_secret");

  @Test
  void productionModeWithTheShippedDefaultsListsEveryProblemAtOnce() {
    List<String> problems = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_DATABASE_URL", DB_URL));
    List<String> expected = new ArrayList<>(List.of(
        "security.admin_key: the demo admin key is refused in production mode (set ROUTER_ADMIN_KEY)",
        "merchants.demo.api_key: the demo key is refused in production mode",
        "security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)",
        "http.public_url: required in production mode (the default is this host's loopback address, which PSP"
            + " webhooks cannot reach)"));
    // Per provider in config order: its credentials, then (PayCore) its test mode.
    for (String provider : List.of("revio", "paycore", "fatora", "dintero", "processout")) {
      for (String c : SIMULATOR_CREDENTIAL_PROBLEMS) {
        if (c.startsWith("providers." + provider + ".")) {
          expected.add(c + ": a PSP simulator default is refused in production mode (set the real credential)");
        }
      }
      if (provider.equals("paycore")) {
        expected.add("providers.paycore.options.test_mode: PayCore test mode is refused in production mode; set"
            + " test_mode: false, or allow_test_mode: true to use PayCore's test environment on purpose");
      }
    }
    assertEquals(expected, problems);
  }

  @Test
  void productionModeWithEverythingReplacedLoadsWithoutSimulators() {
    RouterConfig c = ConfigLoader.load(ROUTER_YAML, productionEnvWithout(), io.payrouter.Psps.types());
    assertTrue(c.production());
    assertEquals(DB_URL, c.database().url());
    assertFalse(c.simulatorsEnabled());
    assertEquals("admin_live_0123456789", c.adminKey());
    assertEquals(TOKEN_KEY, c.tokenKey());
    assertEquals("sk_live_0123456789", c.merchants().get(0).apiKey());
    assertEquals("https://router.example.com", c.http().publicUrl());
    assertEquals("live_fatora_webhook", c.providers().get("fatora").credential("webhook_secret"));
  }

  @Test
  void productionModeOnlyWantsTheTokenKeyWhenEverythingElseIsReplaced() {
    assertEquals(List.of("security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)"),
        problems(ROUTER_YAML, productionEnvWithout("ROUTER_TOKEN_KEY")));
  }

  @ParameterizedTest(name = "{0} left at its simulator default")
  @ValueSource(strings = {"REVIO_SECRET_KEY", "PAYCORE_ACCOUNT_ID", "PAYCORE_API_KEY", "PAYCORE_CALLBACK_SECRET",
      "FATORA_API_KEY", "FATORA_WEBHOOK_SECRET", "DINTERO_CLIENT_ID", "DINTERO_CLIENT_SECRET",
      "DINTERO_SIGNATURE_SECRET", "PROCESSOUT_PROJECT_ID", "PROCESSOUT_PROJECT_SECRET"})
  void productionModeRefusesEachSimulatorDefaultCredentialWithoutRepeatingIt(String variable) {
    List<String> problems = problems(ROUTER_YAML, productionEnvWithout(variable));
    assertEquals(1, problems.size(), problems.toString());
    String key = variable.toLowerCase(java.util.Locale.ROOT).replaceFirst("^[a-z]+_", "");
    assertTrue(problems.get(0).matches("providers\\.[a-z]+\\.credentials\\." + key + ": a PSP simulator default is"
        + " refused in production mode \\(set the real credential\\)"), problems.toString());
    for (String secret : ProductionChecks.SIMULATOR_CREDENTIALS) {
      assertFalse(problems.get(0).contains(secret), "the value is not repeated: " + problems);
    }
  }

  @Test
  void simulatorDefaultsCoverEveryCredentialTheSimulatorsAccept() {
    // Every credential of every simulator's own provider block.
    for (var sim : io.payrouter.Psps.simulators()) {
      @SuppressWarnings("unchecked")
      Map<String, Object> creds = (Map<String, Object>) sim.providerConfig("http://x").get("credentials");
      for (var e : creds.entrySet()) {
        assertTrue(ProductionChecks.isSimulatorCredential(String.valueOf(e.getValue())),
            sim.name() + " credential " + e.getKey() + " is not in ProductionChecks.SIMULATOR_CREDENTIALS");
      }
    }
    // Every value SimCredentials holds is one of them, or a non-secret option of a fixture (Revio's
    // brand id, Dintero's account id), which production mode lets through.
    List<Object> options = new ArrayList<>();
    for (var sim : io.payrouter.Psps.simulators()) {
      Object o = sim.providerConfig("http://x").get("options");
      if (o instanceof Map<?, ?> m) options.addAll(m.values());
    }
    for (java.lang.reflect.Field f : io.payrouter.simulator.SimCredentials.class.getFields()) {
      if (f.getType() != String.class || !java.lang.reflect.Modifier.isStatic(f.getModifiers())) continue;
      try {
        String v = (String) f.get(null);
        assertTrue(ProductionChecks.isSimulatorCredential(v) || options.contains(v),
            "SimCredentials." + f.getName() + " is neither a listed simulator credential nor an option");
      } catch (IllegalAccessException e) {
        throw new AssertionError(e);
      }
    }
    // And what the shipped file falls back to is exactly that list.
    java.util.Set<String> shippedDefaults = new java.util.HashSet<>();
    shipped().providers().values().forEach(p -> shippedDefaults.addAll(p.credentials().values()));
    assertEquals(ProductionChecks.SIMULATOR_CREDENTIALS, shippedDefaults);
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"http://127.0.0.1:8080", "http://127.8.9.10/", "https://localhost", "http://LocalHost.:80",
      "http://router.localhost", "http://[::1]:8080", "http://[0:0:0:0:0:0:0:1]", "http://0.0.0.0:8080", "http://[::]",
      "http://127.1", "http://2130706433", "http://0x7f.0.0.1", "http://0177.0.0.1", "http://[::ffff:127.0.0.1]"})
  void productionModeRefusesALoopbackPublicUrl(String url) {
    Function<String, String> base = productionEnvWithout();
    List<String> problems = problems(ROUTER_YAML, n -> n.equals("ROUTER_PUBLIC_URL") ? url : base.apply(n));
    assertEquals(1, problems.size(), problems.toString());
    assertTrue(problems.get(0).startsWith("http.public_url: ") && problems.get(0).contains("loopback or wildcard"),
        problems.toString());
  }

  @ParameterizedTest(name = "{0}")
  @ValueSource(strings = {"https://router.example.com", "http://10.1.2.3:8080", "http://128.0.0.1",
      "https://[2001:db8::1]", "https://localhost.example.com"})
  void productionModeAcceptsAPublicUrlThatIsNotLoopback(String url) {
    Function<String, String> base = productionEnvWithout();
    RouterConfig c = ConfigLoader.load(ROUTER_YAML, n -> n.equals("ROUTER_PUBLIC_URL") ? url : base.apply(n),
        io.payrouter.Psps.types());
    assertEquals(url, c.http().publicUrl());
  }

  @Test
  void productionModeRefusesAnEmptyPublicUrlWhichWouldDefaultToLoopback() {
    assertEquals(List.of("http.public_url: required in production mode (the default is this host's loopback address,"
        + " which PSP webhooks cannot reach)"), problems(ROUTER_YAML, productionEnvWithout("ROUTER_PUBLIC_URL")));
  }

  @Test
  void productionModeRefusesAPublicUrlThatIsNotAnHttpUrl() {
    Function<String, String> base = productionEnvWithout();
    assertEquals(List.of("http.public_url: an http(s) URL with a host is required"),
        problems(ROUTER_YAML, n -> n.equals("ROUTER_PUBLIC_URL") ? "router.example.com" : base.apply(n)));
  }

  @Test
  void productionModeRefusesPayCoreTestModeWhenItIsOnOrLeftToItsDefault() throws IOException {
    String head = SECURITY + "http: { public_url: https://router.example.com }\ndatabase: { url: " + DB_URL
        + " }\nproviders:\n";
    String on = "  pc:\n    type: paycore\n    base_url: http://p\n    currencies: [USD]\n    options: { test_mode: true }\n";
    String absent = "  pc2:\n    type: paycore\n    base_url: http://p\n    currencies: [USD]\n";
    assertEquals(List.of(
        "providers.pc.options.test_mode: PayCore test mode is refused in production mode; set test_mode: false,"
            + " or allow_test_mode: true to use PayCore's test environment on purpose",
        "providers.pc2.options.test_mode: PayCore test mode is refused in production mode (it defaults to true);"
            + " set test_mode: false, or allow_test_mode: true to use PayCore's test environment on purpose"),
        problems(yaml(head + on + absent), env("ROUTER_TOKEN_KEY", TOKEN_KEY)));
  }

  @Test
  void productionModeLetsPayCoreTestModeThroughWhenExplicitlyAllowed() throws IOException {
    String file = SECURITY + "http: { public_url: https://router.example.com }\ndatabase: { url: " + DB_URL
        + " }\nproviders:\n  pc:\n    type: paycore\n    base_url: http://p\n    currencies: [USD]\n"
        + "    options: { test_mode: true, allow_test_mode: true }\n";
    RouterConfig c = ConfigLoader.load(yaml(file), env("ROUTER_TOKEN_KEY", TOKEN_KEY), io.payrouter.Psps.types());
    assertTrue(c.production());
  }

  @Test
  void outsideProductionModeTheSimulatorDefaultsLoopbackAndTestModeAreFine() {
    RouterConfig c = shipped();
    assertFalse(c.production());
    assertEquals("http://127.0.0.1:8080", c.http().publicUrl());
    assertEquals("true", c.providers().get("paycore").option("test_mode", null));
  }

  @Test
  void databaseUrlInTheFileAlsoMeansProductionMode() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + """
        database:
          url: postgresql://u:p@db:5432/r
        merchants:
          - id: demo
            api_key: sk_test_demo
        """);
    assertTrue(ConfigLoader.isProduction(f, env()));
    assertEquals(List.of("merchants.demo.api_key: the demo key is refused in production mode",
        "security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)",
        "http.public_url: required in production mode (the default is this host's loopback address, which PSP"
            + " webhooks cannot reach)"), problems(f, env()));
  }

  @Test
  void simulatorsCanBeForcedOnInProductionMode() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + """
        http:
          public_url: https://router.example.com
        simulators:
          enabled: true
        """);
    RouterConfig c = ConfigLoader.load(f, env("ROUTER_DATABASE_URL", DB_URL, "ROUTER_TOKEN_KEY", TOKEN_KEY), io.payrouter.Psps.types());
    assertTrue(c.production());
    assertTrue(c.simulatorsEnabled());
  }

  // ---------------------------------------------------------------- negative cases

  @Test
  void minimalFileLoads() throws IOException {
    RouterConfig c = ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER), env(), io.payrouter.Psps.types());
    ProviderConfig p = c.providers().get("p1");
    assertEquals("http://127.0.0.1:1/p1", p.baseUrl());
    assertEquals(2000, p.timeoutMs());
    assertEquals(BreakerConfig.DEFAULT, p.breaker());
    assertEquals(List.of(), c.merchants());
  }

  @Test
  void unknownTopLevelKeyIsReported() throws IOException {
    assertEquals(List.of("unknown key 'bogus'"), problems(yaml(SECURITY + ONE_PROVIDER + "bogus: 1\n"), env()));
  }

  @Test
  void unknownProviderKeyIsReported() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + "    colour: blue\n");
    assertEquals(List.of("providers.p1: unknown key 'colour'"), problems(f, env()));
  }

  @Test
  void unknownCurrencyIsReported() throws IOException {
    Path f = yaml(SECURITY + """
        providers:
          p1:
            type: fatora
            base_url: http://127.0.0.1:1/p1
            currencies: [USD, XAU, usd]
        """);
    assertEquals(List.of("providers.p1.currencies: unknown currency 'XAU'",
        "providers.p1.currencies: unknown currency 'usd'"), problems(f, env()));
  }

  @Test
  void providerWithoutCurrenciesIsReported() throws IOException {
    Path f = yaml(SECURITY + """
        providers:
          p1:
            type: fatora
            base_url: http://127.0.0.1:1/p1
        """);
    assertEquals(List.of("providers.p1.currencies: a list of ISO 4217 codes is required"), problems(f, env()));
  }

  @Test
  void missingProvidersAndShortAdminKeyAreReported() throws IOException {
    Path f = yaml("security:\n  admin_key: short\n");
    assertEquals(List.of("security.admin_key: at least 12 characters required",
        "providers: a mapping of provider name to settings is required"), problems(f, env()));
  }

  @Test
  void everyProblemOfAFileIsListedAtOnce() throws IOException {
    Path f = yaml("""
        bogus: 1
        http:
          port: 99999
        security:
          admin_key: short
        merchants:
          - id: Bad Id
            api_key: short
        providers:
          p1:
            type: fatora
            base_url: ftp://nope
            currencies: [ABC]
            timeout_ms: 10
            colour: blue
        """);
    List<String> problems = problems(f, env());
    List<String> expected = List.of(
        "unknown key 'bogus'",
        "http.port: must be between 0 and 65535",
        "security.admin_key: at least 12 characters required",
        "merchants[0].id: lower-case letters, digits, _ and -",
        "merchants[0].api_key: at least 12 characters required",
        "providers.p1: unknown key 'colour'",
        "providers.p1.currencies: unknown currency 'ABC'",
        "providers.p1.timeout_ms: must be between 50 and 120000",
        "providers.p1.base_url: an http(s) URL is required for an enabled provider");
    assertEquals(Set.copyOf(expected), Set.copyOf(problems), problems.toString());
    assertEquals(expected.size(), problems.size(), problems.toString());
  }

  @Test
  void providerOfAnUnknownPspTypeIsRefusedNamingTheKnownOnes() throws IOException {
    List<String> problems = problems(yaml(SECURITY + ONE_PROVIDER.replace("type: revio", "type: stripe")), env());
    assertTrue(problems.stream().anyMatch(p -> p.startsWith("providers.p1.type: unknown PSP type 'stripe'")
        && p.contains("revio") && p.contains("processout")), problems.toString());
  }

  @Test
  void exceptionMessageListsTheProblems() throws IOException {
    ConfigException e = assertThrows(ConfigException.class,
        () -> ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER + "bogus: 1\n"), env(), io.payrouter.Psps.types()));
    assertTrue(e.getMessage().contains("unknown key 'bogus'"), e.getMessage());
  }

  @Test
  void documentThatIsNotAMappingIsRefused() throws IOException {
    assertEquals(List.of("the document must be a mapping"), problems(yaml("- a\n- b\n"), env()));
  }

  @Test
  void missingFileIsAProblemNotACrash() {
    List<String> problems = problems(dir.resolve("absent.yaml"), env());
    assertEquals(1, problems.size());
    assertTrue(problems.get(0).startsWith("cannot read "), problems.toString());
  }

  @Test
  void clusterModeIsOffByDefault() {
    RouterConfig.Cluster c = shipped().cluster();
    assertEquals(false, c.enabled());
    assertEquals(5701, c.port());
  }

  @Test
  void clusterSettingsComeFromTheEnvironmentLikeTheOtherKeys() {
    RouterConfig.Cluster c = ConfigLoader.cluster(ROUTER_YAML, env("ROUTER_CLUSTER_ENABLED", "true",
        "ROUTER_CLUSTER_HOST", "127.0.0.1", "ROUTER_CLUSTER_PORT", "5702",
        "ROUTER_CLUSTER_MEMBERS", "127.0.0.1:5701, 127.0.0.1:5702"));
    assertEquals(new RouterConfig.Cluster(true, "127.0.0.1", 5702, List.of("127.0.0.1:5701", "127.0.0.1:5702")), c);
  }

  @Test
  void clusterModeOnTheEmbeddedDatabaseIsRefused() {
    List<String> p = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_CLUSTER_ENABLED", "true"));
    assertTrue(p.stream().anyMatch(x -> x.startsWith("cluster.enabled: clustered mode needs an external PostgreSQL")), p.toString());
  }

  @Test
  void aClusterMemberThatIsNotHostAndPortIsAProblem() {
    List<String> p = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_CLUSTER_MEMBERS", "127.0.0.1"));
    assertTrue(p.contains("cluster.members: '127.0.0.1' is not host:port"), p.toString());
  }

  @Test
  void aMalformedTokenKeyIsAConfigurationProblemListedWithTheOthers() {
    List<String> p = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_TOKEN_KEY", "not-base64-32-bytes"));
    assertTrue(p.stream().anyMatch(x -> x.startsWith("security.token_encryption_key: must be 32 bytes in base64")), p.toString());
  }

  @Test
  void aJdbcDatabaseUrlIsAProblemThatShowsTheFormExpected() {
    List<String> p = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_DATABASE_URL", "jdbc:postgresql://db:5432/router"));
    assertTrue(p.contains("database.url: a jdbc: URL is not taken; write postgresql://user:password@host:5432/database"),
        p.toString());
  }

  // ---------------------------------------------------------------- webhooks

  @Test
  void webhooksDefaultToHyperswitchsScheduleAndPlainHttpOnlyInTheEmbeddedDefault() throws IOException {
    RouterConfig c = ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER), env(), io.payrouter.Psps.types());
    assertEquals(RouterConfig.Webhooks.HYPERSWITCH_MS, c.webhooks().retryScheduleMs());
    assertEquals(10_000, c.webhooks().timeoutMs());
    assertTrue(c.webhooks().allowHttp(), "the embedded default takes http:// receivers on loopback");
    assertEquals(false, ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER + "webhooks: { allow_http: false }\n"), env(),
        io.payrouter.Psps.types()).webhooks().allowHttp(), "https:// only when set so (the production default)");
  }

  @Test
  void aWebhookRetryScheduleIsAListOfDurations() throws IOException {
    RouterConfig c = ConfigLoader.load(yaml(SECURITY + ONE_PROVIDER + "webhooks: { retry_schedule: [500ms, 30s, 2m, 1h] }\n"),
        env(), io.payrouter.Psps.types());
    assertEquals(List.of(500L, 30_000L, 120_000L, 3_600_000L), c.webhooks().retryScheduleMs());
  }

  @Test
  void aBadWebhookScheduleOrALeaseShorterThanAnAttemptIsRefused() throws IOException {
    List<String> p = problems(yaml(SECURITY + ONE_PROVIDER
        + "webhooks: { retry_schedule: [1m, soon], timeout: 30s, lease: 20s }\n"), env());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("webhooks.retry_schedule:") && x.contains("soon")), p.toString());
    assertTrue(p.stream().anyMatch(x -> x.startsWith("webhooks.lease:")), p.toString());
    assertTrue(problems(yaml(SECURITY + ONE_PROVIDER + "webhooks: { retry_schedule: [] }\n"), env()).stream()
        .anyMatch(x -> x.startsWith("webhooks.retry_schedule:")));
  }
}
