package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.payrouter.domain.WebhookRejectedException;
import io.payrouter.connector.dintero.DinteroSignature;
import io.payrouter.simulator.dintero.DinteroCallbackSignature;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.junit.jupiter.api.Test;

/**
 * One Dintero callback signature, fixed by hand from the documented algorithm (src/docs/psps.md
 * section 4: {@code t=<ts>,v0-hmac-sha256=<hex>}, HMAC-SHA256 over
 * {@code ts\naccount_id\nMETHOD\nhostname\npathname\nsorted_query}); Dintero publishes no vector.
 * The simulator's signer and the connector's verifier are each checked against it, so a bug in
 * either fails here even if both agree with each other.
 */
class DinteroSignatureKnownAnswerTest {

  static final String SECRET = "dintero_kat_signature_secret";
  static final String ACCOUNT = "T11223445";
  static final long TS = 1_714_979_289L;
  /** Query deliberately unsorted; the port is not part of {@code hostname}. */
  static final String URL = "http://localhost:9090/v1/webhooks/dintero?method=POST"
      + "&transaction_id=T11223445.5cyWnV68vzJ1kYjZPrKWWm&session_id=T11223445.5cyWnV68vzJ1kYjZPrKWWn"
      + "&merchant_reference=order-1&time=2024-05-06T07%3A08%3A09.123Z&event=CAPTURE";
  /** The signed string, written out by hand. */
  static final String SIGNED = "1714979289\nT11223445\nPOST\nlocalhost\n/v1/webhooks/dintero\n"
      + "event=CAPTURE&merchant_reference=order-1&method=POST"
      + "&session_id=T11223445.5cyWnV68vzJ1kYjZPrKWWn&time=2024-05-06T07%3A08%3A09.123Z"
      + "&transaction_id=T11223445.5cyWnV68vzJ1kYjZPrKWWm";
  /** {@code printf '<SIGNED>' | openssl dgst -sha256 -hmac dintero_kat_signature_secret}. */
  static final String HMAC_HEX = "fd60451e96a43fb68426555da45d15f5fa6064c7ce4ecd6b043d4c5ada392ed9";
  static final String HEADER = "t=1714979289,v0-hmac-sha256=" + HMAC_HEX;

  @Test
  void vectorIsTheHmacSha256OfTheSignedStringByPlainJdkCrypto() throws Exception {
    Mac mac = Mac.getInstance("HmacSHA256");
    mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
    assertEquals(HMAC_HEX, HexFormat.of().formatHex(mac.doFinal(SIGNED.getBytes(StandardCharsets.UTF_8))));
  }

  @Test
  void simulatorBuildsTheHandWrittenSignedString() {
    assertEquals(SIGNED, DinteroCallbackSignature.signedString(TS, ACCOUNT, "POST", URL));
  }

  @Test
  void simulatorSignsTheVector() {
    assertEquals(HEADER, DinteroCallbackSignature.header(SECRET, ACCOUNT, "POST", URL, TS));
  }

  @Test
  void simulatorSignatureDoesNotDependOnTheOrderOfQueryParameters() {
    String reordered = "http://localhost:9090/v1/webhooks/dintero?event=CAPTURE&time=2024-05-06T07%3A08%3A09.123Z"
        + "&merchant_reference=order-1&session_id=T11223445.5cyWnV68vzJ1kYjZPrKWWn"
        + "&transaction_id=T11223445.5cyWnV68vzJ1kYjZPrKWWm&method=POST";
    assertEquals(HEADER, DinteroCallbackSignature.header(SECRET, ACCOUNT, "POST", reordered, TS));
  }

  @Test
  void connectorAcceptsTheVector() {
    assertDoesNotThrow(() -> DinteroSignature.verify(HEADER, SECRET, ACCOUNT, "POST", URL, TS * 1000));
  }

  @Test
  void connectorRejectsTheVectorWithOneHexDigitChanged() {
    String wrong = "t=1714979289,v0-hmac-sha256=" + HMAC_HEX.substring(0, 63) + "8";
    assertThrows(WebhookRejectedException.class,
        () -> DinteroSignature.verify(wrong, SECRET, ACCOUNT, "POST", URL, TS * 1000));
  }

  @Test
  void connectorRejectsTheVectorForAnotherMethod() {
    assertThrows(WebhookRejectedException.class,
        () -> DinteroSignature.verify(HEADER, SECRET, ACCOUNT, "GET", URL, TS * 1000));
  }
}
