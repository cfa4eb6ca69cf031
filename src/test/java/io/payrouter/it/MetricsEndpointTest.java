package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.micrometer.core.instrument.Gauge;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * GET /metrics renders the whole registry (30-40 ms with the timers' histograms). It must do that
 * on a worker thread: on an event loop it stalled every charge sharing that loop at each scrape.
 */
@ExtendWith(VertxExtension.class)
class MetricsEndpointTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  @Test
  void aScrapeIsRenderedOffTheEventLoops(Vertx vertx, VertxTestContext ctx) {
    // A gauge is read while the registry is rendered: it sees the thread that renders it.
    AtomicReference<String> renderedOn = new AtomicReference<>();
    Gauge.builder("test_scrape_thread_probe", renderedOn, ref -> {
      ref.set(Thread.currentThread().getName());
      return 1.0;
    }).register(h.app.metrics.registry());
    new Api(vertx, h).get("/metrics", null).onComplete(ctx.succeeding(r -> ctx.verify(() -> {
      assertEquals(200, r.statusCode());
      assertTrue(r.getHeader("Content-Type").startsWith("text/plain; version=0.0.4"), r.getHeader("Content-Type"));
      assertTrue(r.bodyAsString().contains("test_scrape_thread_probe 1.0"), "the probe gauge is in the scrape");
      String thread = renderedOn.get();
      assertNotNull(thread, "the probe was read during the scrape");
      assertFalse(thread.contains("eventloop"), "rendered on " + thread);
      ctx.completeNow();
    })));
  }
}
