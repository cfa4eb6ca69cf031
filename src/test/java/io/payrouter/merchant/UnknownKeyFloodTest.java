package io.payrouter.merchant;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.it.Api;
import io.payrouter.it.RouterHarness;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.junit5.VertxExtension;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * 2,000 requests with unknown bearer keys over real HTTP cannot exhaust the database pool
 * (issue: money safety, j): they get 401 (or 503 with Retry-After), the look-ups the database sees
 * are bounded, and a valid merchant key keeps working meanwhile.
 */
@ExtendWith(VertxExtension.class)
class UnknownKeyFloodTest {
  static final int FLOOD = 2_000;
  static RouterHarness h;
  static String card;

  @BeforeAll
  static void router(Vertx vertx) throws Exception {
    h = RouterHarness.shared();
    card = await(new Api(vertx, h).card(RouterHarness.MERCHANT_KEY,
        new JsonObject().put("fatora", Api.token("fatora", ""))));
  }

  static <T> T await(Future<T> f) throws Exception {
    return f.toCompletionStage().toCompletableFuture().get(120, TimeUnit.SECONDS);
  }

  /** One answer: the key kind sent, status, Retry-After. */
  record Answer(boolean valid, int status, String retryAfter, String contentType) {}

  /** Fires the flood at once (the client keeps 64 connections busy); every 40th request uses the valid key. */
  static List<Answer> flood(Vertx vertx, java.util.function.IntFunction<String> unknownKey) throws Exception {
    Api api = new Api(vertx, h);
    List<Future<Answer>> all = new ArrayList<>();
    for (int i = 0; i < FLOOD; i++) {
      boolean valid = i % 40 == 0;
      String key = valid ? RouterHarness.MERCHANT_KEY : unknownKey.apply(i);
      all.add(api.get("/v1/cards/" + card, key).map(r -> new Answer(valid, r.statusCode(), r.getHeader("Retry-After"),
          r.getHeader("Content-Type"))));
    }
    return await(Future.all(all)).list();
  }

  static Map<Integer, Integer> statuses(List<Answer> answers, boolean valid) {
    Map<Integer, Integer> m = new TreeMap<>();
    for (Answer a : answers) if (a.valid() == valid) m.merge(a.status(), 1, Integer::sum);
    return m;
  }

  @Test
  void randomUnknownKeysGet401Or503AndNeverMoreLookUpsAtOnceThanTheBound(Vertx vertx) throws Exception {
    MerchantService.PEAK_LOOKUPS_IN_FLIGHT.set(0);
    List<Answer> answers = flood(vertx, i -> "sk_test_" + UUID.randomUUID());
    Map<Integer, Integer> unknown = statuses(answers, false);
    assertTrue(Map.of(401, 0, 503, 0).keySet().containsAll(unknown.keySet()), "unknown keys got " + unknown);
    for (Answer a : answers) {
      if (!a.valid()) assertEquals("application/problem+json", a.contentType());
      if (a.status() == 503) assertEquals("1", a.retryAfter(), "503 says when to retry");
    }
    assertTrue(MerchantService.PEAK_LOOKUPS_IN_FLIGHT.get() <= MerchantService.MAX_LOOKUPS_IN_FLIGHT,
        "peak look-ups in flight " + MerchantService.PEAK_LOOKUPS_IN_FLIGHT.get());
  }

  @Test
  void tenUnknownKeysRepeatedCostAtMostOneLookUpEachPerFiveSeconds(Vertx vertx) throws Exception {
    long before = MerchantService.DATABASE_LOOKUPS.sum();
    long t0 = System.nanoTime();
    List<Answer> answers = flood(vertx, i -> "sk_test_repeated_unknown_" + (i % 10));
    long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
    long lookups = MerchantService.DATABASE_LOOKUPS.sum() - before;
    long bound = 10 * (elapsedMs / MerchantService.UNKNOWN_TTL_MS + 1) + 1; // + the valid key's, once cold
    assertTrue(lookups <= bound, lookups + " look-ups for 10 unknown keys in " + elapsedMs + " ms (bound " + bound + ")");
    // Ten cold keys at once exceed the in-flight bound: some of the first ones get 503.
    assertTrue(Map.of(401, 0, 503, 0).keySet().containsAll(statuses(answers, false).keySet()), statuses(answers, false).toString());
  }

  @Test
  void aValidMerchantKeyKeepsWorkingDuringTheFlood(Vertx vertx) throws Exception {
    List<Answer> answers = flood(vertx, i -> "sk_test_" + UUID.randomUUID());
    assertEquals(Map.of(200, FLOOD / 40), statuses(answers, true));
  }
}
