package io.payrouter.webhook;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class EndpointUrlTest {
  @Test
  void anHttpsUrlWithAHostIsAccepted() {
    assertNull(EndpointUrl.problem("https://shop.example.com/hooks/router?x=1", false));
  }

  @Test
  void plainHttpIsAcceptedOnlyWhereAllowed() {
    assertNull(EndpointUrl.problem("http://127.0.0.1:9000/hook", true));
    assertTrue(EndpointUrl.problem("http://shop.example.com/hook", false).contains("https://"));
  }

  @Test
  void otherSchemesCredentialsFragmentsAndNonsenseAreRefused() {
    for (String bad : new String[] {"ftp://example.com/x", "https://user:pw@example.com/x", "https://example.com/x#frag",
        "not a url", "https:///nohost", "", "javascript:alert(1)"}) {
      assertNotNull(EndpointUrl.problem(bad, true), bad);
    }
    assertNotNull(EndpointUrl.problem("https://example.com/" + "a".repeat(EndpointUrl.MAX_LENGTH), true));
  }
}
