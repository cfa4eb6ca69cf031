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
  void shippedHttpAndPathSettings() {
    RouterConfig c = shipped();
    assertEquals(new RouterConfig.Http("127.0.0.1", 8080, 2, "http://127.0.0.1:8080"), c.http());
    assertEquals(ROUTER_YAML.toAbsolutePath().getParent().resolve("routing.yaml").normalize(), c.routingFile());
    assertEquals(ROUTER_YAML.toAbsolutePath().getParent().resolve("../data").normalize(), c.database().dataDir());
    assertEquals(8, c.database().poolSize());
    assertEquals(new RouterConfig.Writer(20_000, 256, 2), c.writer());
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

  @Test
  void productionModeRefusesDemoKeysAndRequiresATokenKeyListingEveryProblemAtOnce() {
    List<String> problems = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_DATABASE_URL", DB_URL));
    assertEquals(List.of(
        "security.admin_key: the demo admin key is refused in production mode (set ROUTER_ADMIN_KEY)",
        "merchants.demo.api_key: the demo key is refused in production mode",
        "security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)"), problems);
  }

  @Test
  void productionModeWithOwnKeysLoadsWithoutSimulators() {
    RouterConfig c = shipped("ROUTER_DATABASE_URL", DB_URL, "ROUTER_ADMIN_KEY", "admin_live_0123456789",
        "ROUTER_DEMO_MERCHANT_KEY", "sk_live_0123456789", "ROUTER_TOKEN_KEY", TOKEN_KEY);
    assertTrue(c.production());
    assertEquals(DB_URL, c.database().url());
    assertFalse(c.simulatorsEnabled());
    assertEquals("admin_live_0123456789", c.adminKey());
    assertEquals(TOKEN_KEY, c.tokenKey());
    assertEquals("sk_live_0123456789", c.merchants().get(0).apiKey());
  }

  @Test
  void productionModeOnlyWantsTheTokenKeyWhenTheKeysAreReplaced() {
    List<String> problems = problems(ROUTER_YAML, env("SIMULATOR_URL", SIM, "ROUTER_DATABASE_URL", DB_URL,
        "ROUTER_ADMIN_KEY", "admin_live_0123456789", "ROUTER_DEMO_MERCHANT_KEY", "sk_live_0123456789"));
    assertEquals(List.of("security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)"), problems);
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
        "security.token_encryption_key: required in production mode (ROUTER_TOKEN_KEY)"), problems(f, env()));
  }

  @Test
  void simulatorsCanBeForcedOnInProductionMode() throws IOException {
    Path f = yaml(SECURITY + ONE_PROVIDER + """
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
}
