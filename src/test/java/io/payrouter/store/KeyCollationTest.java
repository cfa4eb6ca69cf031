package io.payrouter.store;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import io.vertx.junit5.VertxTestContext;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Text keys compare as bytes (issue 18, lever 4): a B-tree on a text column in the database's
 * libc collation calls strcoll for every comparison, about 4 % of PostgreSQL's CPU on the charge
 * path. Checked on a freshly migrated real PostgreSQL, so a later migration that adds an indexed
 * text column without {@code COLLATE "C"} fails here.
 */
@ExtendWith(VertxExtension.class)
class KeyCollationTest extends MigratedDatabase {
  /** Tables read or written only by an operator's change, where the collation costs nothing. */
  private static final List<String> COLD = List.of("provider_flags", "router_settings");

  @Test
  void everyIndexedTextKeyOfTheChargePathCollatesAsBytes(Vertx vertx, VertxTestContext ctx) {
    Pool pool = database.pool(vertx, 1);
    pool.query("""
        SELECT t.relname || '.' || a.attname || ' (' || x.relname || '): ' || coalesce(co.collname, '?')
        FROM pg_index i
        JOIN pg_class x ON x.oid = i.indexrelid
        JOIN pg_class t ON t.oid = i.indrelid
        JOIN pg_namespace n ON n.oid = t.relnamespace AND n.nspname = 'public'
        JOIN pg_am am ON am.oid = x.relam AND am.amname = 'btree'
        JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = ANY (i.indkey)
        LEFT JOIN pg_collation co ON co.oid = a.attcollation
        WHERE a.atttypid = 'text'::regtype
        ORDER BY 1""").execute()
        .map(rs -> StreamSupport.stream(rs.spliterator(), false).map(r -> r.getString(0)).toList())
        .eventually(() -> pool.close())
        .onComplete(ctx.succeeding(keys -> ctx.verify(() -> {
          assertTrue(keys.stream().anyMatch(k -> k.startsWith("charges.id (charges_pkey)")),
              "the query sees the charge path's keys: " + keys);
          List<String> locale = keys.stream()
              .filter(k -> COLD.stream().noneMatch(k::startsWith))
              .filter(k -> !k.endsWith(": C"))
              .toList();
          assertEquals(List.of(), locale, "indexed text keys in a locale collation");
          ctx.completeNow();
        })));
  }
}
