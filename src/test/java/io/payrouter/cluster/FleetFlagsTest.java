package io.payrouter.cluster;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.vertx.core.json.JsonObject;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FleetFlagsTest {

  @Test
  void aProviderDisabledOnOneMemberAndEnabledOnTheOtherIsADifference() {
    assertTrue(Fleet.differ(new JsonObject().put("revio", false), Map.of("revio", true)));
  }

  @Test
  void aProviderOnlyOneMemberHasIsNoDifference() {
    assertFalse(Fleet.differ(new JsonObject().put("revio", true).put("dintero", false), Map.of("revio", true)));
    assertFalse(Fleet.differ(new JsonObject().put("revio", true), Map.of("revio", true, "dintero", true)));
  }
}
