package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Base64;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AES-256-GCM of provider tokens at rest, bound to card and provider by the associated data. */
class TokenCipherTest {
  static final String TOKEN = "{\"client_id\":\"c-1\",\"recurring_token\":\"rt_SECRET_0123456789\"}";
  static final String AAD = "card_abc|revio";

  static byte[] key(int fill) {
    byte[] k = new byte[32];
    Arrays.fill(k, (byte) fill);
    return k;
  }

  final TokenCipher cipher = new TokenCipher(key(7));

  @Test
  void decryptGivesBackThePlaintext() {
    assertEquals(TOKEN, cipher.decrypt(cipher.encrypt(TOKEN, AAD), AAD));
  }

  @Test
  void nonAsciiAndEmptyPlaintextsRoundTrip() {
    assertEquals("tök€n+/\\|", cipher.decrypt(cipher.encrypt("tök€n+/\\|", AAD), AAD));
    assertEquals("", cipher.decrypt(cipher.encrypt("", AAD), AAD));
  }

  @Test
  void aNewInstanceWithTheSameKeyDecrypts() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    assertEquals(TOKEN, new TokenCipher(key(7)).decrypt(blob, AAD));
  }

  @Test
  void base64KeyRoundTrips() {
    String b64 = TokenCipher.newKeyBase64();
    assertEquals(32, Base64.getDecoder().decode(b64).length);
    byte[] blob = TokenCipher.fromBase64(b64).encrypt(TOKEN, AAD);
    assertEquals(TOKEN, TokenCipher.fromBase64(" " + b64 + "\n").decrypt(blob, AAD));
  }

  @Test
  void generatedKeysDiffer() {
    assertFalse(TokenCipher.newKeyBase64().equals(TokenCipher.newKeyBase64()));
  }

  @Test
  void blobIsVersionNonceCiphertextAndTag() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    assertEquals(1, blob[0]);
    assertEquals(1 + 12 + TOKEN.getBytes(StandardCharsets.UTF_8).length + 16, blob.length);
  }

  @Test
  void samePlaintextEncryptsDifferentlyEachTimeWithAFreshNonce() {
    byte[] a = cipher.encrypt(TOKEN, AAD);
    byte[] b = cipher.encrypt(TOKEN, AAD);
    assertFalse(Arrays.equals(a, b));
    assertFalse(Arrays.equals(Arrays.copyOfRange(a, 1, 13), Arrays.copyOfRange(b, 1, 13)), "nonce reused");
    assertEquals(TOKEN, cipher.decrypt(b, AAD));
  }

  @Test
  void plaintextIsNotVisibleInTheCiphertext() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    byte[] secret = "rt_SECRET_0123456789".getBytes(StandardCharsets.UTF_8);
    assertEquals(-1, indexOf(blob, secret));
    assertEquals(-1, indexOf(blob, "SECRET".getBytes(StandardCharsets.UTF_8)));
    assertEquals(-1, indexOf(blob, AAD.getBytes(StandardCharsets.UTF_8)), "the associated data is not stored");
  }

  @Test
  void wrongAssociatedDataFails() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(blob, "card_other|revio"));
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(blob, "card_abc|paycore"));
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(blob, ""));
  }

  @Test
  void wrongKeyFails() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    assertThrows(IllegalStateException.class, () -> new TokenCipher(key(8)).decrypt(blob, AAD));
  }

  @Test
  void everyTamperedByteFails() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    for (int i = 0; i < blob.length; i++) {
      byte[] t = blob.clone();
      t[i] ^= 0x01;
      int at = i;
      assertThrows(IllegalStateException.class, () -> cipher.decrypt(t, AAD), "byte " + at + " flipped");
    }
  }

  @Test
  void truncatedBlobFails() {
    byte[] blob = cipher.encrypt(TOKEN, AAD);
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(Arrays.copyOf(blob, blob.length - 1), AAD));
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(Arrays.copyOf(blob, 20), AAD));
    assertThrows(IllegalStateException.class, () -> cipher.decrypt(new byte[0], AAD));
  }

  @ParameterizedTest(name = "{0}-byte key is refused")
  @ValueSource(ints = {0, 16, 24, 31, 33, 64})
  void keyMustBe32Bytes(int length) {
    assertThrows(IllegalArgumentException.class, () -> new TokenCipher(new byte[length]));
  }

  @Test
  void base64KeyOfTheWrongLengthIsRefused() {
    String sixteen = Base64.getEncoder().encodeToString(new byte[16]);
    assertThrows(IllegalArgumentException.class, () -> TokenCipher.fromBase64(sixteen));
  }

  @Test
  void encryptDoesNotKeepAReferenceToTheCallersKeyArray() {
    byte[] k = key(9);
    TokenCipher c = new TokenCipher(k);
    byte[] blob = c.encrypt(TOKEN, AAD);
    Arrays.fill(k, (byte) 0);
    assertArrayEquals(TOKEN.getBytes(StandardCharsets.UTF_8),
        c.decrypt(blob, AAD).getBytes(StandardCharsets.UTF_8));
  }

  static int indexOf(byte[] haystack, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= haystack.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (haystack[i + j] != needle[j]) continue outer;
      }
      return i;
    }
    return -1;
  }
}
