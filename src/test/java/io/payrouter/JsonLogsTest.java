package io.payrouter;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.joran.JoranConfigurator;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;

/**
 * {@code logging.format: json} (logback-json.xml): one JSON object per line, and the per-charge
 * line carries charge id, merchant, provider, outcome and latency as fields. The shipped text
 * configuration keeps the per-charge logger off.
 */
class JsonLogsTest {

  static List<String> logWith(String resource, java.util.function.Consumer<LoggerContext> body) throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    LoggerContext ctx = new LoggerContext();
    ctx.setMDCAdapter(new ch.qos.logback.classic.util.LogbackMDCAdapter());
    try {
      JoranConfigurator j = new JoranConfigurator();
      j.setContext(ctx);
      j.doConfigure(JsonLogsTest.class.getResource(resource));
      body.accept(ctx);
    } finally {
      ctx.stop();
      System.setOut(out);
    }
    return captured.toString(StandardCharsets.UTF_8).lines().filter(l -> !l.isBlank()).toList();
  }

  @Test
  void theChargeLineIsOneJsonObjectWithItsFields() throws Exception {
    List<String> lines = logWith("/logback-json.xml", ctx -> {
      Logger charges = ctx.getLogger("io.payrouter.charges");
      charges.atInfo().addKeyValue("charge_id", "ch_1").addKeyValue("merchant", "demo").addKeyValue("provider", "fatora")
          .addKeyValue("outcome", "succeeded").addKeyValue("latency_ms", 12).log("charge answered");
      ctx.getLogger("io.payrouter.Application").info("started in {} ms", 900);
    });
    assertEquals(2, lines.size(), lines.toString());
    JsonObject charge = new JsonObject(lines.get(0));
    assertEquals("INFO", charge.getString("level"));
    assertEquals("charge answered", charge.getString("formattedMessage"));
    JsonObject fields = new JsonObject();
    for (Object kv : charge.getJsonArray("kvpList", new JsonArray())) fields.mergeIn((JsonObject) kv);
    assertEquals("ch_1", fields.getString("charge_id"));
    assertEquals("fatora", fields.getString("provider"));
    assertEquals("succeeded", fields.getString("outcome"));
    assertEquals("12", String.valueOf(fields.getValue("latency_ms")));
    assertEquals("started in 900 ms", new JsonObject(lines.get(1)).getString("formattedMessage"));
  }

  @Test
  void theTextFormatKeepsThePerChargeLineOff() throws Exception {
    List<String> lines = logWith("/logback.xml", ctx -> ctx.getLogger("io.payrouter.charges").info("charge answered"));
    assertTrue(lines.isEmpty(), lines.toString());
    assertFalse(logWith("/logback.xml", ctx -> ctx.getLogger("io.payrouter.Application").info("x")).isEmpty());
  }
}
