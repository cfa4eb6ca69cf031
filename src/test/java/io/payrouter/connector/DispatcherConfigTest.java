package io.payrouter.connector;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.Psps;
import io.payrouter.config.BreakerConfig;
import io.payrouter.config.ConfigException;
import io.payrouter.config.ProviderConfig;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The router refuses at start a provider its connector says it cannot use (Connector#configProblems). */
@ExtendWith(VertxExtension.class)
class DispatcherConfigTest {

  static ProviderConfig fatora(String name, String accountCurrency, String... currencies) {
    JsonObject options = accountCurrency == null ? new JsonObject() : new JsonObject().put("account_currency", accountCurrency);
    return new ProviderConfig(name, "fatora", true, "http://127.0.0.1:1/fatora", Map.of("api_key", "k"),
        new LinkedHashSet<>(List.of(currencies)), 1000, BreakerConfig.DEFAULT, options);
  }

  @Test
  void fatoraProviderRoutedInAnotherCurrencyThanItsAccountsIsRefusedAtStart(Vertx vertx) {
    ConfigException e = assertThrows(ConfigException.class, () -> new Dispatcher(vertx,
        List.of(fatora("fatora", "USD", "USD", "EUR")), Psps.connectors(), Metrics.standalone()));
    assertEquals(1, e.problems().size(), e.problems().toString());
    assertTrue(e.problems().get(0).contains("EUR"), e.problems().get(0));
  }

  @Test
  void everyProvidersProblemsAreReportedTogether(Vertx vertx) {
    ConfigException e = assertThrows(ConfigException.class, () -> new Dispatcher(vertx,
        List.of(fatora("fatora_a", "USD", "USD", "GBP"), fatora("fatora_b", null, "USD")),
        Psps.connectors(), Metrics.standalone()));
    assertEquals(2, e.problems().size(), e.problems().toString());
    assertTrue(e.problems().get(0).startsWith("providers.fatora_a."), e.problems().toString());
    assertTrue(e.problems().get(1).startsWith("providers.fatora_b."), e.problems().toString());
  }

  @Test
  void fatoraProviderRoutedOnlyInItsAccountCurrencyStarts(Vertx vertx) {
    Dispatcher d = new Dispatcher(vertx, List.of(fatora("fatora", "KWD", "KWD")), Psps.connectors(), Metrics.standalone());
    assertTrue(d.has("fatora"));
  }
}
