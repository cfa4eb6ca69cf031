package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The credentials file of {@code simulators --credentials FILE}. */
class SimCredentialsTest {

  static final String FULL = """
      revio:      { secret_key: "rv_sk", brand_id: "rv_brand" }
      paycore:    { account_id: "pc_acc", api_key: "pc_key", callback_secret: "pc_cb" }
      fatora:     { api_key: "ft_key" }
      dintero:    { account_id: "P99887766", client_id: "dt_id", client_secret: "dt_secret", signature_secret: "dt_sig" }
      processout: { project_id: "proj_live", project_secret: "key_live" }
      """;

  @Test
  void everyProviderBlockOfTheFileIsRead() {
    SimCredentials c = SimCredentials.parse(FULL, "f.yaml");
    assertEquals("rv_sk", c.revioSecretKey());
    assertEquals("rv_brand", c.revioBrandId());
    assertEquals("pc_acc", c.payCoreAccountId());
    assertEquals("pc_key", c.payCoreApiKey());
    assertEquals("pc_cb", c.payCoreCallbackSecret());
    assertEquals("ft_key", c.fatoraApiKey());
    assertEquals("P99887766", c.dinteroAccountId());
    assertEquals("dt_id", c.dinteroClientId());
    assertEquals("dt_secret", c.dinteroClientSecret());
    assertEquals("dt_sig", c.dinteroSignatureSecret());
    assertEquals("proj_live", c.processOutProjectId());
    assertEquals("key_live", c.processOutProjectSecret());
  }

  @Test
  void aKeyOrProviderLeftOutKeepsItsBuiltInDefault() {
    SimCredentials c = SimCredentials.parse("revio: { secret_key: rv_sk }\n", "f.yaml");
    assertEquals("rv_sk", c.revioSecretKey());
    assertEquals(SimCredentials.REVIO_BRAND_ID, c.revioBrandId());
    assertEquals(SimCredentials.PAYCORE_API_KEY, c.payCoreApiKey());
    assertEquals(SimCredentials.DINTERO_ACCOUNT_ID, c.dinteroAccountId());
  }

  @Test
  void anEmptyFileIsTheDefaults() {
    assertEquals(SimCredentials.DEFAULTS, SimCredentials.parse("", "f.yaml"));
    assertEquals(SimCredentials.DEFAULTS, SimCredentials.parse("# nothing\n", "f.yaml"));
  }

  @Test
  void theDefaultsAreTheConstants() {
    assertEquals(SimCredentials.REVIO_SECRET_KEY, SimCredentials.DEFAULTS.revioSecretKey());
    assertEquals(SimCredentials.PROCESSOUT_PROJECT_SECRET, SimCredentials.DEFAULTS.processOutProjectSecret());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(delimiter = '|', value = {
    "stripe: { api_key: x }                       | f.yaml: unknown provider 'stripe'; known: revio, paycore, fatora, dintero, processout",
    "revio: { secret: x }                         | f.yaml: unknown key revio.secret; known: secret_key, brand_id",
    "revio: { secret_key: '' }                    | f.yaml: revio.secret_key must be a non-empty string",
    "revio: { secret_key: [a, b] }                | f.yaml: revio.secret_key must be a non-empty string",
    "revio: rv_sk                                 | f.yaml: revio must be a map of secret_key, brand_id",
    "dintero: { account_id: X123 }                | f.yaml: dintero.account_id must start with T (test) or P (production)",
    "- revio                                      | f.yaml: expected a map of provider blocks (revio, paycore, fatora, dintero, processout)",
  })
  void aBadFileIsOneClearLine(String yaml, String message) {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SimCredentials.parse(yaml, "f.yaml"));
    assertEquals(message, e.getMessage());
  }

  @Test
  void invalidYamlIsOneLineToo() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> SimCredentials.parse("revio: { secret_key: \"x\n", "f.yaml"));
    assertTrue(e.getMessage().startsWith("f.yaml: not valid YAML"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
  }

  @Test
  void toStringNamesTheConfiguredProvidersAndNoSecret() {
    String s = SimCredentials.parse("fatora: { api_key: ft_secret_value }\n", "f.yaml").toString();
    assertEquals("SimCredentials[fatora configured]", s);
    assertEquals("SimCredentials[defaults]", SimCredentials.DEFAULTS.toString());
  }
}
