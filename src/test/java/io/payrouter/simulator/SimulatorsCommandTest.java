package io.payrouter.simulator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code payment-router simulators --port N --credentials FILE}, run as its own process (the
 * class path of this JVM): a bad file stops it at once with one line and exit code 2; a good one
 * makes the simulators accept only the configured credentials.
 */
@Timeout(value = 60, unit = TimeUnit.SECONDS)
class SimulatorsCommandTest {
  @TempDir Path dir;

  @Test
  void anUnknownProviderInTheCredentialsFileIsOneLineAndExitCode2() throws Exception {
    Result r = runToEnd(file("stripe: { api_key: x }\n"));
    assertEquals(2, r.exit);
    assertEquals(1, r.lines.size(), r.lines.toString());
    assertTrue(r.lines.get(0).contains("unknown provider 'stripe'"), r.lines.get(0));
  }

  @Test
  void anUnknownKeyInTheCredentialsFileIsOneLineAndExitCode2() throws Exception {
    Result r = runToEnd(file("fatora: { api_keys: x }\n"));
    assertEquals(2, r.exit);
    assertEquals(1, r.lines.size(), r.lines.toString());
    assertTrue(r.lines.get(0).contains("unknown key fatora.api_keys"), r.lines.get(0));
  }

  @Test
  void aMissingCredentialsFileIsOneLineAndExitCode2() throws Exception {
    Result r = runToEnd(dir.resolve("nope.yaml"));
    assertEquals(2, r.exit);
    assertEquals(1, r.lines.size(), r.lines.toString());
    assertTrue(r.lines.get(0).contains("credentials file not found"), r.lines.get(0));
  }

  @Test
  void helpNamesTheCredentialsOption() throws Exception {
    Process p = start(List.of("-h"));
    List<String> lines = readAll(p);
    assertEquals(0, p.waitFor());
    assertTrue(lines.get(0).contains("simulators [--port N] [--credentials FILE]"), lines.toString());
  }

  @Test
  void theStandaloneSimulatorsAcceptOnlyTheConfiguredCredentials() throws Exception {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Process p = start(List.of("simulators", "--port", Integer.toString(port), "--credentials",
        file("fatora: { api_key: ft_configured }\n").toString()));
    try {
      BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
      String line;
      while ((line = out.readLine()) != null && !line.startsWith("PSP simulators listening on")) {
        // start-up output
      }
      assertTrue(line != null, "the simulators did not start");
      assertTrue(line.contains("credentials from"), line);
      HttpClient http = HttpClient.newHttpClient();
      assertEquals(401, collect(http, port, SimCredentials.FATORA_API_KEY), "the built-in default is refused");
      assertEquals(200, collect(http, port, "ft_configured"));
    } finally {
      p.destroy();
      p.waitFor(10, TimeUnit.SECONDS);
    }
  }

  static int collect(HttpClient http, int port, String key) throws IOException, InterruptedException {
    HttpRequest req = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/fatora/v1/payments/collect-payment"))
        .timeout(Duration.ofSeconds(5)).header("api_key", key).header("content-type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"card_token\":\"ft_ok\",\"order_id\":\"ch_cli\",\"amount\":19.99}"))
        .build();
    return http.send(req, HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  record Result(int exit, List<String> lines) {}

  Result runToEnd(Path credentials) throws Exception {
    Process p = start(List.of("simulators", "--port", "0", "--credentials", credentials.toString()));
    List<String> lines = readAll(p);
    return new Result(p.waitFor(), lines);
  }

  Path file(String text) throws IOException {
    Path f = Files.createTempFile(dir, "credentials", ".yaml");
    Files.writeString(f, text);
    return f;
  }

  static Process start(List<String> args) throws IOException {
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx128m", "-cp", classPath(), "io.payrouter.Main"));
    cmd.addAll(args);
    return new ProcessBuilder(cmd).redirectErrorStream(true).start();
  }

  /** This JVM's class path, every entry absolute. */
  static String classPath() {
    List<String> abs = new ArrayList<>();
    for (String e : System.getProperty("java.class.path").split(java.io.File.pathSeparator)) {
      if (!e.isEmpty()) abs.add(Path.of(e).toAbsolutePath().toString());
    }
    return String.join(java.io.File.pathSeparator, abs);
  }

  static List<String> readAll(Process p) throws IOException {
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        if (!line.isBlank()) lines.add(line);
      }
    }
    return lines;
  }
}
