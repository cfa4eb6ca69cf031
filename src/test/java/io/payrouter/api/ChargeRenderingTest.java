package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.RoutingInfo;
import io.payrouter.domain.SettledBy;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The charge the hot path writes straight from the record ({@link Json#chargeBuffer},
 * {@link Json#chargeJson}) is, byte for byte, the charge the JSON tree renders
 * ({@link Json#charge}): every field, its order, its nulls and its escaping, over charges of every
 * status, outcome, decline code and routing shape, with awkward strings.
 */
class ChargeRenderingTest {
  private static final String[] TEXT = {null, "", "plain", "quote \" and back\\slash", "tab\tnew\nline\u0001ctl",
      "ünïcødé €", "emoji \uD83D\uDCB3 card", "</script>", "a/b"};

  @Test
  void theStreamedChargeIsByteForByteTheTreesEncoding() {
    Random rnd = new Random(20261207);
    for (int i = 0; i < 3_000; i++) {
      Charge c = randomCharge(rnd, i);
      String tree = Json.charge(c).encode();
      assertEquals(tree, Json.chargeJson(c), "charge " + i);
      assertArrayEquals(tree.getBytes(StandardCharsets.UTF_8), Json.chargeBuffer(c).getBytes(), "charge " + i);
    }
  }

  @Test
  void everyFieldOfAFullChargeIsWritten() {
    Charge c = randomCharge(new Random(1), 0);
    for (int i = 1; c.routing() == null || c.routing().canary() == null || c.conflict() == null
        || c.routing().expectedFees().isEmpty() || c.attempts().isEmpty(); i++) {
      c = randomCharge(new Random(i), i);
    }
    String out = Json.chargeJson(c);
    for (String field : List.of("\"id\"", "\"status\"", "\"amount\"", "\"attempts\"", "\"routing\"", "\"expected_fees\"",
        "\"canary\"", "\"candidates\"", "\"settled_by\"", "\"failure_reason\"", "\"created_at\"", "\"conflict\"")) {
      assertTrue(out.contains(field), field + " in " + out);
    }
  }

  private static String text(Random rnd) {
    return TEXT[rnd.nextInt(TEXT.length)];
  }

  private static <E> E pick(Random rnd, E[] values, boolean nullable) {
    if (nullable && rnd.nextInt(4) == 0) return null;
    return values[rnd.nextInt(values.length)];
  }

  static Charge randomCharge(Random rnd, int i) {
    List<Attempt> attempts = new ArrayList<>();
    String[] providers = {"fatora", "revio", "paycore", "dintero", "processout"};
    int n = rnd.nextInt(4);
    for (int k = 0; k < n; k++) {
      attempts.add(new Attempt("att_" + i + "_" + k, "ch_" + i, k + 1, providers[rnd.nextInt(providers.length)],
          pick(rnd, AttemptOutcome.values(), false), rnd.nextInt(5_000), text(rnd), text(rnd),
          pick(rnd, DeclineCode.values(), true), text(rnd)));
    }
    RoutingInfo routing = null;
    if (rnd.nextInt(5) > 0) {
      List<String> candidates = new ArrayList<>();
      for (int k = rnd.nextInt(4); k > 0; k--) candidates.add(providers[rnd.nextInt(providers.length)]);
      List<RoutingInfo.Excluded> excluded = new ArrayList<>();
      for (int k = rnd.nextInt(3); k > 0; k--) {
        excluded.add(new RoutingInfo.Excluded(providers[rnd.nextInt(providers.length)], "no_token", text(rnd)));
      }
      Map<String, Long> fees = new LinkedHashMap<>();
      for (int k = rnd.nextInt(3); k > 0; k--) fees.put(providers[rnd.nextInt(providers.length)], (long) rnd.nextInt(900));
      RoutingInfo.Canary canary = rnd.nextBoolean() ? null
          : new RoutingInfo.Canary(rnd.nextInt(100), rnd.nextBoolean() ? "canary" : "control");
      routing = new RoutingInfo(rnd.nextInt(6) == 0 ? null : "rule-" + text(rnd), rnd.nextBoolean() ? "priority" : "weighted",
          rnd.nextInt(1_000), candidates, excluded, fees, canary);
    }
    Instant created = Instant.ofEpochSecond(1_760_000_000L + rnd.nextInt(10_000_000), rnd.nextInt(1_000_000_000));
    return new Charge("ch_" + i, "m_" + i, "key-" + i, "fp", rnd.nextLong() & Long.MAX_VALUE >>> rnd.nextInt(60),
        rnd.nextBoolean() ? "USD" : "JPY", "card_" + i, text(rnd), pick(rnd, ChargeStatus.values(), false),
        rnd.nextBoolean() ? null : providers[rnd.nextInt(providers.length)], text(rnd),
        pick(rnd, DeclineCode.values(), true), text(rnd), routing, attempts, created,
        created.plusMillis(rnd.nextInt(100_000)), rnd.nextInt(5) == 0 ? "late result: " + text(rnd) : null,
        pick(rnd, SettledBy.values(), true));
  }
}
