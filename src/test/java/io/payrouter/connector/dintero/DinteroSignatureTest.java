package io.payrouter.connector.dintero;

import io.payrouter.domain.WebhookRejectedException;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class DinteroSignatureTest {

  static final String URL = "http://127.0.0.1:8080/v1/webhooks/dintero?method=POST&transaction_id=T11223344.abc"
      + "&session_id=T11223344.s1&merchant_reference=ch_1&time=2023-11-14T22%3A13%3A20Z&event=CAPTURE";
  static final String CANONICAL = "1700000000\nT11223344\nPOST\n127.0.0.1\n/v1/webhooks/dintero\n"
      + "event=CAPTURE&merchant_reference=ch_1&method=POST&session_id=T11223344.s1"
      + "&time=2023-11-14T22%3A13%3A20Z&transaction_id=T11223344.abc";
  /** Computed independently: printf '<CANONICAL>' | openssl dgst -sha256 -hmac dintero_sim_signature_secret */
  static final String HMAC = "540fc2942ab67d315c5c1d581971e529f61e764b1618af09ffa9d6342ce9d46d";
  static final String SECRET = "dintero_sim_signature_secret";
  static final long NOW = 1_700_000_000_000L;

  @Test
  void canonicalStringIsTsAccountMethodHostPathAndSortedRawQuery() {
    assertEquals(CANONICAL, DinteroSignature.canonical(1_700_000_000L, "T11223344", "post", URL));
  }

  @Test
  void hmacMatchesAnIndependentlyComputedVector() {
    assertEquals(HMAC, DinteroSignature.hmacHex(SECRET, CANONICAL));
  }

  @Test
  void headerIsTimestampThenV0HmacSha256() {
    assertEquals("t=1700000000,v0-hmac-sha256=" + HMAC,
        DinteroSignature.header(SECRET, "T11223344", "POST", URL, 1_700_000_000L));
  }

  @Test
  void sortedQueryOrdersByKeyThenValueKeepingRawEncoding() {
    assertEquals("a=1&a=2&b=x%20y&c", DinteroSignature.sortedQuery("c&b=x%20y&a=2&a=1"));
  }

  @Test
  void emptyQueryCanonicalizesToEmpty() {
    assertEquals("", DinteroSignature.sortedQuery(null));
  }

  @Test
  void hostnameIsLowerCasedAndPortDropped() {
    assertEquals("1\nA\nGET\nrouter.example\n/cb\n",
        DinteroSignature.canonical(1, "A", "GET", "https://Router.Example:8443/cb"));
  }

  @Test
  void verifyAcceptsTheVector() {
    assertDoesNotThrow(() -> DinteroSignature.verify("t=1700000000,v0-hmac-sha256=" + HMAC, SECRET,
        "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyAcceptsUpperCaseHex() {
    assertDoesNotThrow(() -> DinteroSignature.verify("t=1700000000, v0-hmac-sha256=" + HMAC.toUpperCase(), SECRET,
        "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyAcceptsWhenAnyOfSeveralSignaturesMatches() {
    assertDoesNotThrow(() -> DinteroSignature.verify(
        "t=1700000000,v0-hmac-sha256=" + "0".repeat(64) + ",v0-hmac-sha256=" + HMAC, SECRET,
        "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyRejectsAWrongSignature() {
    assertThrows(WebhookRejectedException.class, () -> DinteroSignature.verify(
        "t=1700000000,v0-hmac-sha256=" + "0".repeat(64), SECRET, "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyRejectsAStaleTimestamp() {
    assertThrows(WebhookRejectedException.class, () -> DinteroSignature.verify(
        "t=1700000000,v0-hmac-sha256=" + HMAC, SECRET, "T11223344", "POST", URL, NOW + 300_001));
  }

  @Test
  void verifyAcceptsExactlyFiveMinutesOld() {
    assertDoesNotThrow(() -> DinteroSignature.verify(
        "t=1700000000,v0-hmac-sha256=" + HMAC, SECRET, "T11223344", "POST", URL, NOW + 300_000));
  }

  @Test
  void verifyRejectsAHeaderWithoutTimestamp() {
    assertThrows(WebhookRejectedException.class, () -> DinteroSignature.verify(
        "v0-hmac-sha256=" + HMAC, SECRET, "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyRejectsANonNumericTimestamp() {
    assertThrows(WebhookRejectedException.class, () -> DinteroSignature.verify(
        "t=yesterday,v0-hmac-sha256=" + HMAC, SECRET, "T11223344", "POST", URL, NOW));
  }

  @Test
  void verifyRejectsWhenNoSecretIsConfigured() {
    assertThrows(WebhookRejectedException.class, () -> DinteroSignature.verify(
        "t=1700000000,v0-hmac-sha256=" + HMAC, "", "T11223344", "POST", URL, NOW));
  }

  @Test
  void paramsAreDecodedWithTheFirstValueOfEachKey() {
    assertEquals(java.util.Map.of("time", "2023-11-14T22:13:20Z", "a", "1"),
        DinteroSignature.params("http://h/p?time=2023-11-14T22%3A13%3A20Z&a=1&a=2"));
  }
}
