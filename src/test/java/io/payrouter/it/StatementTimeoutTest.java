package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Every connection of the application's pool has a statement timeout (database.statement_timeout_ms, 5 s). */
@ExtendWith(VertxExtension.class)
class StatementTimeoutTest {
  static RouterHarness h;

  @BeforeAll
  static void router() throws Exception {
    h = RouterHarness.shared();
  }

  @Test
  void aQueryOnTheApplicationPoolIsCancelledAfterTheStatementTimeout(VertxTestContext ctx) throws Exception {
    long t0 = System.nanoTime();
    h.app.pool.query("SELECT pg_sleep(10)").execute().onComplete(ar -> ctx.verify(() -> {
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertTrue(ar.failed(), "pg_sleep(10) finished after " + ms + " ms: no statement timeout");
      assertTrue(String.valueOf(ar.cause().getMessage()).contains("statement timeout"), String.valueOf(ar.cause()));
      assertTrue(ms >= 4_500 && ms < 8_000, "cancelled after " + ms + " ms, expected about 5000");
      ctx.completeNow();
    }));
    assertTrue(ctx.awaitCompletion(20, TimeUnit.SECONDS));
  }
}
