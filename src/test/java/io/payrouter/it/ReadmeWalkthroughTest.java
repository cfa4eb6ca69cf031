package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.payrouter.Application;
import io.payrouter.metrics.Metrics;
import io.vertx.core.Vertx;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The README's "Walk-through with curl" runs as pasted: its shell block is run with bash, curl
 * and jq against the embedded default (the shipped config/router.yaml and config/routing.yaml,
 * demo keys, its own PostgreSQL and simulators, on a free port), and every line it prints must
 * match the block's {@code #>} lines, in order ({@code ...} stands for anything). Skipped where
 * bash, curl or jq is missing.
 */
class ReadmeWalkthroughTest {
  static final String HEADING = "## Walk-through with curl";

  /** The first ```bash block after the heading. */
  static String walkthrough(String readme) {
    int at = readme.indexOf(HEADING);
    assertTrue(at >= 0, "README has " + HEADING);
    int start = readme.indexOf("```bash\n", at);
    assertTrue(start >= 0, "a bash block follows " + HEADING);
    start += "```bash\n".length();
    int end = readme.indexOf("\n```", start);
    return readme.substring(start, end + 1);
  }

  /** What the block says it prints: its {@code #>} lines. */
  static List<String> expected(String block) {
    List<String> out = new ArrayList<>();
    for (String line : block.split("\n", -1)) {
      if (line.startsWith("#> ")) out.add(line.substring(3));
    }
    return out;
  }

  static boolean matches(String expected, String actual) {
    StringBuilder re = new StringBuilder();
    String[] parts = expected.split(Pattern.quote("..."), -1);
    for (int i = 0; i < parts.length; i++) {
      if (i > 0) re.append(".*");
      re.append(Pattern.quote(parts[i]));
    }
    return Pattern.compile(re.toString()).matcher(actual).matches();
  }

  static boolean onPath(String... tools) throws Exception {
    StringBuilder cmd = new StringBuilder();
    for (String t : tools) cmd.append("command -v ").append(t).append(" >/dev/null && ");
    try {
      Process p = new ProcessBuilder("bash", "-c", cmd + "true").redirectErrorStream(true).start();
      return p.waitFor(10, TimeUnit.SECONDS) && p.exitValue() == 0;
    } catch (java.io.IOException e) {
      return false; // no bash
    }
  }

  @Test
  void theWalkthroughMatchesTheRouterLineByLine() throws Exception {
    assumeTrue(onPath("curl", "jq", "python3"), "bash, curl, jq and python3 are needed to run the README's walk-through");
    String block = walkthrough(Files.readString(Path.of("README.md")));
    List<String> expected = expected(block);
    assertTrue(expected.size() > 10, "the walk-through shows its output: " + expected);

    Path dir = Files.createTempDirectory("readme-walkthrough");
    Path config = Files.createDirectories(dir.resolve("config"));
    Files.copy(Path.of("config/router.yaml"), config.resolve("router.yaml"));
    Files.copy(Path.of("config/routing.yaml"), config.resolve("routing.yaml"));
    Vertx vertx = Vertx.vertx();
    Application app = Application.start(config.resolve("router.yaml"), Map.of("ROUTER_PORT", "0"), vertx,
        new Metrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT)));
    try {
      Path script = dir.resolve("walkthrough.sh");
      Files.writeString(script, block);
      ProcessBuilder pb = new ProcessBuilder("bash", "-e", "-o", "pipefail", script.toString())
          .directory(dir.toFile()).redirectError(dir.resolve("stderr.txt").toFile());
      pb.environment().put("ROUTER", app.url());
      try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
        pb.environment().put("HOOK_PORT", Integer.toString(free.getLocalPort())); // the receiver of step 11
      }
      Process p = pb.start();
      byte[] out = p.getInputStream().readAllBytes();
      assertTrue(p.waitFor(180, TimeUnit.SECONDS), "the walk-through finished");
      String stdout = new String(out, StandardCharsets.UTF_8).replace("\r", "");
      String stderr = Files.readString(dir.resolve("stderr.txt"));
      assertEquals(0, p.exitValue(), () -> "the walk-through failed:\n" + stdout + "\n" + stderr);
      List<String> actual = List.of(stdout.split("\n"));
      for (int i = 0; i < Math.min(expected.size(), actual.size()); i++) {
        String e = expected.get(i);
        String a = actual.get(i);
        int n = i + 1;
        assertTrue(matches(e, a), () -> "output line " + n + ":\n  README: " + e + "\n  router: " + a
            + "\nwhole output:\n" + stdout);
      }
      assertEquals(expected.size(), actual.size(), () -> "as many lines as the README shows:\n" + stdout);
    } finally {
      app.close();
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }
}
