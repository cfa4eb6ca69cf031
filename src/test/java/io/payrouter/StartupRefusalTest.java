package io.payrouter;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.ConfigException;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;

/** The router refuses to start with a provider its connector cannot use safely, before anything runs. */
@ExtendWith(VertxExtension.class)
class StartupRefusalTest {
  @TempDir Path dir;

  @Test
  void fatoraProviderRoutedInAnotherCurrencyThanItsAccountStopsTheStartBeforeTheDatabase(Vertx vertx)
      throws Exception {
    Path data = dir.resolve("data");
    Path cfg = dir.resolve("router.yaml");
    Files.writeString(cfg, """
        http: { host: 127.0.0.1, port: 0, instances: 1 }
        database: { data_dir: "%s" }
        security: { admin_key: admin_key_long_enough }
        simulators: { enabled: false }
        providers:
          fatora:
            base_url: http://127.0.0.1:1/fatora
            credentials: { api_key: k, webhook_secret: s }
            options: { account_currency: USD }
            currencies: [USD, EUR]
        """.formatted(data.toAbsolutePath()));
    ConfigException e = assertThrows(ConfigException.class,
        () -> Application.start(cfg, Map.of(), vertx, Metrics.standalone()));
    assertTrue(e.getMessage().contains("providers.fatora.currencies: EUR"), e.getMessage());
    assertFalse(Files.exists(data), "no embedded database was started");
  }
}
