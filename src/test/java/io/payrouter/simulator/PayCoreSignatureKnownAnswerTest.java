package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ProviderConfig;
import io.payrouter.connector.CallContext;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.WebhookRejectedException;
import io.payrouter.connector.paycore.PayCoreConnector;
import io.payrouter.simulator.paycore.PayCoreCallbackSignature;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * One PayCore callback signature, fixed by hand from the documented algorithm (src/docs/psps.md
 * section 2: {@code X-Signature = base64(sha1(secret + rawBody + secret))}, binary digest); PayCore
 * publishes no vector. The simulator's signer and the connector's verifier are each checked
 * against it.
 */
class PayCoreSignatureKnownAnswerTest {

  static final String SECRET = "paycore_kat_callback_secret";
  static final String BODY = "{\"data\":{\"type\":\"payment-invoices\",\"id\":\"cpi_ADzwZTG99f3q3utQ\","
      + "\"attributes\":{\"status\":\"processed\",\"reference_id\":\"ch_kat_1\",\"amount\":1,\"currency\":\"USD\"}}}";
  /** {@code printf '%s' "$SECRET$BODY$SECRET" | openssl sha1 -binary | base64}. */
  static final String SIGNATURE = "2CEIff3M+xlIj1AWmfOxTUxFY20=";

  @Test
  void vectorIsBase64OfTheBinarySha1OfSecretBodySecretByPlainJdkCrypto() throws Exception {
    byte[] digest = MessageDigest.getInstance("SHA-1")
        .digest((SECRET + BODY + SECRET).getBytes(StandardCharsets.UTF_8));
    assertEquals(SIGNATURE, Base64.getEncoder().encodeToString(digest));
  }

  @Test
  void simulatorSignsTheVector() {
    assertEquals(SIGNATURE, PayCoreCallbackSignature.sign(SECRET, BODY));
  }

  @Test
  void connectorAcceptsTheVector() {
    assertNotNull(new PayCoreConnector().webhook(ctx(), callback(SIGNATURE)));
  }

  @Test
  void connectorRejectsAHexInsteadOfBase64Digest() {
    String hex = "d821087dfdccfb19488f501699f3b14d4c45636d"; // the same digest, wrongly hex-encoded
    assertThrows(WebhookRejectedException.class, () -> new PayCoreConnector().webhook(ctx(), callback(hex)));
  }

  @Test
  void connectorRejectsTheVectorOverAnotherBody() {
    WebhookInput in = new WebhookInput("POST", "http://127.0.0.1/v1/webhooks/paycore", Map.of(),
        Map.of("x-signature", SIGNATURE), BODY.replace("processed", "process_failed"));
    assertThrows(WebhookRejectedException.class, () -> new PayCoreConnector().webhook(ctx(), in));
  }

  static WebhookInput callback(String signature) {
    return new WebhookInput("POST", "http://127.0.0.1/v1/webhooks/paycore", Map.of(),
        Map.of("x-signature", signature, "content-type", "application/json"), BODY);
  }

  static CallContext ctx() {
    return new CallContext(new ProviderConfig("paycore", "paycore", true, "http://127.0.0.1:1/paycore/api",
        Map.of("account_id", "acc", "api_key", "key", "callback_secret", SECRET), Set.of("USD"), 5000,
        BreakerConfig.DEFAULT, new JsonObject()), null);
  }
}
