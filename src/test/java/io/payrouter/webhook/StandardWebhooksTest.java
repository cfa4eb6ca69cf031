package io.payrouter.webhook;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.standardwebhooks.Webhook;
import com.standardwebhooks.exceptions.WebhookVerificationException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Our signatures against the Standard Webhooks reference library, and the README's worked example. */
class StandardWebhooksTest {
  /** The README's worked example (src/docs/api.md, "Verifying a webhook"). */
  static final String EXAMPLE_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
  static final String EXAMPLE_ID = "evt_0Xq9aBcDeFgHiJkLmNoPqR";
  static final long EXAMPLE_TS = 1764720000L;
  static final String EXAMPLE_BODY = "{\"id\":\"evt_0Xq9aBcDeFgHiJkLmNoPqR\",\"type\":\"charge.succeeded\",\"data\":{}}";

  static Map<String, List<String>> headers(String id, long ts, String signature) {
    return Map.of("webhook-id", List.of(id), "webhook-timestamp", List.of(Long.toString(ts)),
        "webhook-signature", List.of(signature));
  }

  @Test
  void aSignatureIsWhatTheReferenceLibrarySigns() throws Exception {
    String secret = StandardWebhooks.newSecret();
    long ts = Instant.now().getEpochSecond();
    String ours = StandardWebhooks.sign(StandardWebhooks.key(secret), "evt_1", ts, "{\"a\":1}");
    assertEquals(new Webhook(secret).sign("evt_1", ts, "{\"a\":1}"), ours);
  }

  @Test
  void theReferenceLibraryVerifiesWhatWeSend() throws Exception {
    String secret = StandardWebhooks.newSecret();
    long ts = Instant.now().getEpochSecond();
    String body = "{\"id\":\"evt_2\",\"type\":\"charge.failed\",\"data\":{\"amount\":1999,\"note\":\"é\"}}";
    String header = StandardWebhooks.header(List.of(StandardWebhooks.key(secret)), "evt_2", ts, body);
    new Webhook(secret).verify(body, headers("evt_2", ts, header));
  }

  @Test
  void duringARotationEitherSecretVerifies() throws Exception {
    String fresh = StandardWebhooks.newSecret();
    String previous = StandardWebhooks.newSecret();
    long ts = Instant.now().getEpochSecond();
    String header = StandardWebhooks.header(List.of(StandardWebhooks.key(fresh), StandardWebhooks.key(previous)),
        "evt_3", ts, "{}");
    assertEquals(2, header.split(" ").length);
    new Webhook(fresh).verify("{}", headers("evt_3", ts, header));
    new Webhook(previous).verify("{}", headers("evt_3", ts, header));
    assertThrows(WebhookVerificationException.class,
        () -> new Webhook(StandardWebhooks.newSecret()).verify("{}", headers("evt_3", ts, header)));
  }

  @Test
  void aChangedBodyDoesNotVerify() throws Exception {
    String secret = StandardWebhooks.newSecret();
    long ts = Instant.now().getEpochSecond();
    String header = StandardWebhooks.header(List.of(StandardWebhooks.key(secret)), "evt_4", ts, "{\"amount\":100}");
    assertThrows(WebhookVerificationException.class,
        () -> new Webhook(secret).verify("{\"amount\":900}", headers("evt_4", ts, header)));
  }

  @Test
  void theWorkedExampleOfTheDocsIsRight() throws Exception {
    String sig = StandardWebhooks.sign(StandardWebhooks.key(EXAMPLE_SECRET), EXAMPLE_ID, EXAMPLE_TS, EXAMPLE_BODY);
    assertEquals(new Webhook(EXAMPLE_SECRET).sign(EXAMPLE_ID, EXAMPLE_TS, EXAMPLE_BODY), sig);
    assertEquals(DOCUMENTED_SIGNATURE, sig, "the signature src/docs/api.md shows");
  }

  @Test
  void theDocsShowTheWorkedExampleThisTestChecks() throws Exception {
    String doc = java.nio.file.Files.readString(java.nio.file.Path.of("src/docs/api.md"));
    for (String v : new String[] {EXAMPLE_SECRET, EXAMPLE_ID, Long.toString(EXAMPLE_TS), EXAMPLE_BODY, DOCUMENTED_SIGNATURE}) {
      assertTrue(doc.contains(v), "src/docs/api.md shows " + v);
    }
  }

  /** What src/docs/api.md says the worked example's signature is. */
  static final String DOCUMENTED_SIGNATURE = "v1,drBpW4iiT4ZL0b3DuBxIrxzYikH9+Y6YS9bAs8PdoIg=";

  @Test
  void newSecretsAreDistinctAndTheLibrariesForm() {
    String a = StandardWebhooks.newSecret();
    String b = StandardWebhooks.newSecret();
    assertNotEquals(a, b);
    assertTrue(a.startsWith("whsec_"));
    assertEquals(32, StandardWebhooks.key(a).length);
  }
}
