package io.payrouter.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.circuitbreaker.CircuitBreakerState;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/** The router's meters as a scrape shows them: present at 0 before any event, each with HELP text. */
class MetricsTest {
  private static final Pattern HELP = Pattern.compile("^# HELP (\\S+) (.+)$", Pattern.MULTILINE);

  static double value(String scrape, String series) {
    for (String line : scrape.split("\n")) {
      if (line.startsWith(series + " ")) return Double.parseDouble(line.substring(series.length() + 1));
    }
    throw new AssertionError("no series " + series + " in\n" + scrape);
  }

  @Test
  void everySeriesOfAConfiguredProviderExistsAtZeroBeforeItsFirstCharge() {
    Metrics m = Metrics.standalone();
    m.providers(List.of("fatora", "revio"));
    String text = m.registry().scrape();
    for (String p : List.of("fatora", "revio")) {
      for (String status : List.of("succeeded", "declined", "pending")) {
        assertEquals(0.0, value(text, "router_charges_total{provider=\"" + p + "\",status=\"" + status + "\"}"));
      }
      for (String name : List.of("router_conflicts_total", "router_psp_credentials_refused_total",
          "router_webhook_mismatch_total", "router_fencing_refusals_total", "router_checkpoints_too_late_total")) {
        assertEquals(0.0, value(text, name + "{provider=\"" + p + "\"}"));
      }
      assertEquals(0.0, value(text, "router_psp_call_duration_seconds_count{call=\"charge.1\",provider=\"" + p
          + "\",result=\"2xx\"}"));
      for (String source : Metrics.SOURCES) {
        for (String status : List.of("succeeded", "declined")) {
          assertEquals(0.0, value(text, "router_settlements_total{provider=\"" + p + "\",source=\"" + source
              + "\",status=\"" + status + "\"}"));
        }
      }
    }
    assertEquals(0.0, value(text, "router_charges_total{provider=\"none\",status=\"failed\"}"));
  }

  @Test
  void theSeriesWithoutProviderExistAtZeroFromConstruction() {
    String text = Metrics.standalone().registry().scrape();
    assertEquals(0.0, value(text, "router_charges_shed_total{reason=\"in_flight\"}"));
    assertEquals(0.0, value(text, "router_idempotency_keys_purged_total{store=\"postgres\"}"));
    assertEquals(0.0, value(text, "router_takeovers_total{reason=\"owner_lapsed\"}"));
    for (String s : Metrics.SOURCES) {
      assertEquals(0.0, value(text, "router_outcome_lost_races_total{source=\"" + s + "\"}"));
      assertEquals(0.0, value(text, "router_settlements_total{provider=\"none\",source=\"" + s + "\",status=\"failed\"}"));
    }
    for (String r : Metrics.FILE_REJECTIONS) assertEquals(0.0, value(text, "router_routing_file_rejections_total{reason=\"" + r + "\"}"));
    assertEquals(0.0, value(text, "router_charge_duration_seconds_count"));
    assertEquals(0.0, value(text, "router_ready"));
    assertEquals(0.0, value(text, "router_unsettled_charges"));
    assertEquals(0.0, value(text, "router_unsettled_oldest_age_seconds"));
  }

  @Test
  void aSettlementIsCountedBySourceFinalStatusAndProviderAndAFailedOneHasNoProvider() {
    Metrics m = Metrics.standalone();
    m.providers(List.of("fatora"));
    m.settled("webhook", "succeeded", "fatora");
    m.settled("request", "succeeded", "fatora");
    m.settled("request", "succeeded", "fatora");
    m.settled("reconciler", "failed", null);
    String text = m.registry().scrape();
    assertEquals(1.0, value(text, "router_settlements_total{provider=\"fatora\",source=\"webhook\",status=\"succeeded\"}"));
    assertEquals(2.0, value(text, "router_settlements_total{provider=\"fatora\",source=\"request\",status=\"succeeded\"}"));
    assertEquals(1.0, value(text, "router_settlements_total{provider=\"none\",source=\"reconciler\",status=\"failed\"}"));
    assertEquals(0.0, value(text, "router_settlements_total{provider=\"fatora\",source=\"reconciler\",status=\"declined\"}"));
  }

  @Test
  void aWriteQueueHasEveryMeterAtZeroWhenItsWriterIsBuilt() {
    Metrics m = Metrics.standalone();
    m.writeQueue("outcome", () -> 7);
    String text = m.registry().scrape();
    assertEquals(7.0, value(text, "router_write_queue_depth{queue=\"outcome\"}"));
    assertEquals(0.0, value(text, "router_write_batch_size_count{queue=\"outcome\"}"));
    for (String name : List.of("router_write_rejected_total", "router_write_rejected_rows_total",
        "router_write_retries_total", "router_dead_letters_total")) {
      assertEquals(0.0, value(text, name + "{queue=\"outcome\"}"), name);
    }
  }

  @Test
  void everyRouterMeterHasHelpText() {
    Metrics m = Metrics.standalone();
    m.providers(List.of("fatora"));
    m.writeQueue("intent", () -> 0);
    m.provider("fatora", () -> CircuitBreakerState.CLOSED, () -> true);
    m.cluster(() -> 1, () -> 0);
    String text = m.registry().scrape();
    Matcher h = HELP.matcher(text);
    int described = 0;
    while (h.find()) {
      if (!h.group(1).startsWith("router_")) continue;
      described++;
      // Micrometer writes the meter's name as HELP when no description was given
      assertTrue(h.group(2).contains(" "), h.group(1) + " has no real HELP text: " + h.group(2));
    }
    long families = text.lines().filter(l -> l.startsWith("# TYPE router_")).count();
    assertEquals(families, described, "a # HELP line for every router_ family");
  }

  @Test
  void theCircuitStateReadsZeroClosedOneHalfOpenTwoOpenAndEnabledOneOrZero() {
    Metrics m = Metrics.standalone();
    AtomicReference<CircuitBreakerState> state = new AtomicReference<>(CircuitBreakerState.CLOSED);
    AtomicBoolean enabled = new AtomicBoolean(true);
    m.provider("revio", state::get, enabled::get);
    String circuit = "router_circuit_state{provider=\"revio\"}";
    String on = "router_provider_enabled{provider=\"revio\"}";
    assertEquals(0.0, value(m.registry().scrape(), circuit));
    assertEquals(1.0, value(m.registry().scrape(), on));
    state.set(CircuitBreakerState.HALF_OPEN);
    assertEquals(1.0, value(m.registry().scrape(), circuit));
    state.set(CircuitBreakerState.OPEN);
    enabled.set(false);
    assertEquals(2.0, value(m.registry().scrape(), circuit));
    assertEquals(0.0, value(m.registry().scrape(), on));
  }

  @Test
  void readinessAndTheUnsettledBacklogShowTheirLastFigures() {
    Metrics m = Metrics.standalone();
    m.ready(true);
    m.unsettled(12, 95.5);
    String text = m.registry().scrape();
    assertEquals(1.0, value(text, "router_ready"));
    assertEquals(12.0, value(text, "router_unsettled_charges"));
    assertEquals(95.5, value(text, "router_unsettled_oldest_age_seconds"));
    m.ready(false);
    assertEquals(0.0, value(m.registry().scrape(), "router_ready"));
  }
}
