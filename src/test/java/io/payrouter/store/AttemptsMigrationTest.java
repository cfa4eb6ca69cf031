package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.payrouter.config.RouterConfig;
import io.vertx.core.json.JsonArray;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.flywaydb.core.Flyway;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Migration V17 moves every stored attempt onto its charge row, in seq order and with what the
 * attempts table held, before it drops the table: a database that upgrades keeps every charge's
 * history (what the reconciler and the API read). On a real PostgreSQL, migrated to V16, given
 * rows the way the router wrote them, then migrated to the current schema. Plain JDBC on the
 * test's own thread, as Flyway itself uses (no event loop here).
 */
class AttemptsMigrationTest {
  @TempDir static Path dir;
  static Database database;
  static String jdbc;

  @BeforeAll
  static void startAtV16() throws Exception {
    database = Database.start(new RouterConfig.Database(null, dir, 2, 5000));
    var c = database.connectOptions();
    jdbc = "jdbc:postgresql://" + c.getHost() + ":" + c.getPort() + "/" + c.getDatabase();
    Flyway.configure().dataSource(jdbc, c.getUser(), c.getPassword()).locations("classpath:db/migration")
        .target("16").load().migrate();
    try (Connection conn = connect(); Statement st = conn.createStatement()) {
      st.execute("INSERT INTO merchants (id, name) VALUES ('m1', 'm1')");
      for (String id : new String[] {"ch_two", "ch_none"}) {
        st.execute("INSERT INTO charges (id, merchant_id, idempotency_key, fingerprint, amount, currency, status, "
            + "created_at, updated_at) VALUES ('" + id + "', 'm1', '" + id + "', 'fp', 100, 'USD', 'succeeded', now(), now())");
      }
      // inserted out of order: the array follows seq, not the insert order
      st.execute("INSERT INTO attempts (id, charge_id, seq, provider, outcome, latency_ms, provider_reference) "
          + "VALUES ('att_b', 'ch_two', 2, 'revio', 'succeeded', 35, 'R-2')");
      st.execute("INSERT INTO attempts (id, charge_id, seq, provider, outcome, latency_ms, error, decline_code, provider_code) "
          + "VALUES ('att_a', 'ch_two', 1, 'fatora', 'declined', 20, 'refused', 'insufficient_funds', '51')");
    }
    database.migrate();
  }

  @AfterAll
  static void stop() throws Exception {
    database.close();
  }

  private static Connection connect() throws Exception {
    var c = database.connectOptions();
    return DriverManager.getConnection(jdbc, c.getUser(), c.getPassword());
  }

  private static String one(String sql) throws Exception {
    try (Connection conn = connect(); Statement st = conn.createStatement(); ResultSet rs = st.executeQuery(sql)) {
      rs.next();
      return rs.getString(1);
    }
  }

  @Test
  void aChargesAttemptsArriveOnItsRowInSeqOrderWithEveryField() throws Exception {
    JsonArray got = new JsonArray(one("SELECT attempts::text FROM charges WHERE id = 'ch_two'"));
    assertEquals(new JsonArray("""
        [{"id":"att_a","seq":1,"provider":"fatora","outcome":"declined","latency_ms":20,"error":"refused",
          "decline_code":"insufficient_funds","provider_code":"51"},
         {"id":"att_b","seq":2,"provider":"revio","outcome":"succeeded","latency_ms":35,"provider_reference":"R-2"}]"""),
        got);
  }

  @Test
  void aChargeThatHadNoAttemptsHasAnEmptyArray() throws Exception {
    assertEquals("[]", one("SELECT attempts::text FROM charges WHERE id = 'ch_none'"));
  }

  @Test
  void theAttemptsTableIsGone() throws Exception {
    assertEquals("gone", one("SELECT CASE WHEN to_regclass('public.attempts') IS NULL THEN 'gone' ELSE 'there' END"));
  }
}
