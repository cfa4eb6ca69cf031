package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Simulators are the PSPs' stand-ins: they must speak the wire format and sign webhooks on their
 * own, or a wire-format or signature bug in a connector would be mirrored by the simulator and no
 * agreement test could catch it. So nothing under {@code simulator/} refers to the router's code
 * (connectors, store, charge flow, HTTP API), by import or by fully qualified name.
 */
class SimulatorIndependenceTest {

  static final Path SIMULATOR_SOURCES = Path.of("src/main/java/io/payrouter/simulator");
  static final Pattern FORBIDDEN = Pattern.compile("\\bio\\.payrouter\\.(connector|store|charge|api)\\b");

  @Test
  void noSimulatorSourceRefersToConnectorStoreChargeOrApiCode() throws IOException {
    assertTrue(Files.isDirectory(SIMULATOR_SOURCES), "run from the project root");
    List<String> offences = new ArrayList<>();
    int files = 0;
    try (Stream<Path> paths = Files.walk(SIMULATOR_SOURCES)) {
      for (Path p : paths.filter(x -> x.toString().endsWith(".java")).toList()) {
        files++;
        List<String> lines = Files.readAllLines(p, StandardCharsets.UTF_8);
        for (int i = 0; i < lines.size(); i++) {
          Matcher m = FORBIDDEN.matcher(lines.get(i));
          if (m.find()) offences.add(p + ":" + (i + 1) + ": " + lines.get(i).trim());
        }
      }
    }
    assertTrue(files >= 5, "expected the simulator sources, found " + files + " files");
    assertEquals(List.of(), offences);
  }
}
