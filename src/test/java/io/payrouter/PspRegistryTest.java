package io.payrouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.config.ConfigLoader;
import io.payrouter.config.ProviderConfig;
import io.payrouter.config.RouterConfig;
import io.payrouter.simulator.SimulatedPsp;
import io.vertx.core.json.JsonObject;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/** The PSP registry is the one list: everything that names PSPs agrees with it. */
class PspRegistryTest {

  static Stream<Psps.Psp> psps() {
    return Psps.ALL.stream();
  }

  @SuppressWarnings("unchecked")
  static Map<String, Object> openApiSchemas() throws Exception {
    try (InputStream in = PspRegistryTest.class.getResourceAsStream("/openapi.yaml")) {
      Map<String, Object> doc = new Yaml(new SafeConstructor(new LoaderOptions())).load(in);
      return (Map<String, Object>) ((Map<String, Object>) doc.get("components")).get("schemas");
    }
  }

  @Test
  void typesAreUnique() {
    assertEquals(Psps.ALL.size(), new LinkedHashSet<>(Psps.types()).size(), Psps.types().toString());
  }

  @ParameterizedTest
  @MethodSource("psps")
  void connectorAndSimulatorAnswerToTheRegistryType(Psps.Psp psp) {
    assertEquals(psp.type(), psp.connector().get().type());
    assertEquals(psp.type(), psp.simulator().get().name());
  }

  @Test
  @SuppressWarnings("unchecked")
  void servedContractListsExactlyTheRegistryTokenSchemas() throws Exception {
    Map<String, Object> schemas = openApiSchemas();
    Map<String, Object> tokens = (Map<String, Object>) ((Map<String, Object>) schemas.get("Tokens")).get("properties");
    assertEquals(Psps.types(), new ArrayList<>(tokens.keySet()), "Tokens.properties must list every PSP, in registry order");
    for (Psps.Psp p : Psps.ALL) {
      assertEquals("#/components/schemas/" + p.tokenSchema(), ((Map<String, Object>) tokens.get(p.type())).get("$ref"));
      assertNotNull(schemas.get(p.tokenSchema()), "schema " + p.tokenSchema() + " is missing");
    }
  }

  @ParameterizedTest
  @MethodSource("psps")
  void simulatorSampleTokenPassesItsConnectorsValidation(Psps.Psp psp) {
    SimulatedPsp sim = psp.simulator().get();
    JsonObject token = new JsonObject(Map.copyOf(sim.sampleToken("tok_registry")));
    assertEquals(List.of(), psp.connector().get().validateToken(token));
  }

  @ParameterizedTest
  @MethodSource("psps")
  @SuppressWarnings("unchecked")
  void shippedConfigHasABlockForThePspThatMatchesItsSimulator(Psps.Psp psp) {
    String sim = "http://127.0.0.1:1";
    RouterConfig cfg = ConfigLoader.load(Path.of("config/router.yaml"),
        name -> name.equals("SIMULATOR_URL") ? sim : null, Psps.types());
    ProviderConfig shipped = cfg.providers().get(psp.type());
    assertNotNull(shipped, "config/router.yaml has no provider " + psp.type());
    assertEquals(psp.type(), shipped.type());
    Map<String, Object> expected = psp.simulator().get().providerConfig(sim);
    assertEquals(expected.get("base_url"), shipped.baseUrl());
    assertEquals(expected.get("credentials"), shipped.credentials());
    Map<String, Object> options = (Map<String, Object>) expected.get("options");
    for (var e : options.entrySet()) {
      Object actual = shipped.options().getValue(e.getKey());
      if (actual instanceof JsonObject j) {
        Map<String, Object> want = (Map<String, Object>) e.getValue();
        want.forEach((k, v) -> assertEquals(v, j.getValue(k), "options." + e.getKey() + "." + k));
      } else {
        assertEquals(e.getValue(), actual, "options." + e.getKey());
      }
    }
    assertTrue(shipped.currencies().contains(psp.simulator().get().sampleCurrency()));
  }
}
