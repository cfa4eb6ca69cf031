package io.payrouter;

import io.payrouter.connector.Connector;
import io.payrouter.connector.dintero.DinteroConnector;
import io.payrouter.connector.fatora.FatoraConnector;
import io.payrouter.connector.paycore.PayCoreConnector;
import io.payrouter.connector.processout.ProcessOutConnector;
import io.payrouter.connector.revio.RevioConnector;
import io.payrouter.simulator.SimulatedPsp;
import io.payrouter.simulator.dintero.DinteroSimulator;
import io.payrouter.simulator.fatora.FatoraSimulator;
import io.payrouter.simulator.paycore.PayCoreSimulator;
import io.payrouter.simulator.processout.ProcessOutSimulator;
import io.payrouter.simulator.revio.RevioSimulator;
import java.util.List;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * The PSPs the router speaks: one line each. Everything that needs the list derives from here: the
 * dispatcher's connectors, the simulator server, config validation of {@code providers.*.type},
 * the OpenAPI token schemas (checked by a test) and the tests parameterised over every PSP.
 * Adding a sixth PSP: its connector, its simulator, their tests, one line here, one block in
 * {@code config/router.yaml} and its token schema in {@code openapi.yaml} (README recipe).
 */
public final class Psps {
  private Psps() {}

  /**
   * One PSP.
   *
   * @param type the connector type ({@code providers.<name>.type}) and the simulator's path prefix
   * @param tokenSchema the OpenAPI schema of its card token ({@code CardTokens.<type>})
   */
  public record Psp(String type, Supplier<Connector> connector, Supplier<SimulatedPsp> simulator, String tokenSchema) {}

  public static final List<Psp> ALL = List.of(
      new Psp("revio", RevioConnector::new, RevioSimulator::new, "RevioToken"),
      new Psp("paycore", PayCoreConnector::new, PayCoreSimulator::new, "PayCoreToken"),
      new Psp("fatora", FatoraConnector::new, FatoraSimulator::new, "FatoraToken"),
      new Psp("dintero", DinteroConnector::new, DinteroSimulator::new, "DinteroToken"),
      new Psp("processout", ProcessOutConnector::new, ProcessOutSimulator::new, "ProcessOutToken"));

  public static List<String> types() {
    return ALL.stream().map(Psp::type).toList();
  }

  public static List<Connector> connectors() {
    return ALL.stream().map(p -> p.connector().get()).toList();
  }

  public static List<SimulatedPsp> simulators() {
    return ALL.stream().map(p -> p.simulator().get()).toList();
  }

  public static Optional<Psp> byType(String type) {
    return ALL.stream().filter(p -> p.type().equals(type)).findFirst();
  }
}
