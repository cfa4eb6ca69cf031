package io.payrouter.common;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Ids keep their shape (prefix + 22 base62), are unique, and sort by creation time. */
class IdsTest {

  @Test
  void haveThePrefixAnd22Base62Characters() {
    String id = Ids.next("ch_");
    assertTrue(id.matches("ch_[0-9A-Za-z]{22}"), id);
  }

  @Test
  void areUniqueWithinOneMillisecondAndBeyond() {
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 200_000; i++) assertTrue(seen.add(Ids.next("att_")), "duplicate id");
  }

  @Test
  void startWithTheCreationTimeSoIdsOfOnePeriodClusterInTheIndex() throws Exception {
    String a = Ids.next("ch_");
    Thread.sleep(5); // a test thread, not an event loop
    String b = Ids.next("ch_");
    assertTrue(a.substring(3, 11).compareTo(b.substring(3, 11)) < 0, a + " then " + b);
    assertEquals(a.substring(3, 7), b.substring(3, 7), "the leading time characters change slowly");
  }
}
