package io.payrouter.store;

import io.payrouter.config.RouterConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real embedded PostgreSQL of the test class's own, migrated to the current schema and empty,
 * for the tests that read the schema or the planner's choices (not the router's shared one:
 * statistics and plans depend on what else is stored). The fields are static in this class, so
 * its subclasses run one at a time, as the suite runs test classes.
 */
abstract class MigratedDatabase {
  @TempDir static Path dir;
  static Database database;

  @BeforeAll
  static void startDatabase() throws Exception {
    database = Database.start(new RouterConfig.Database(null, dir, 2, 5000));
    database.migrate();
  }

  @AfterAll
  static void stopDatabase() throws Exception {
    database.close();
  }
}
