package io.payrouter.charge;

import io.payrouter.domain.Card;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Recently used cards (with their decrypted tokens) so that a charge on a known card costs no
 * database read. Bounded LRU; a deleted card is evicted on this instance at once, and the intent
 * write re-checks deletion in the database for every charge, so another instance's stale entry
 * cannot charge a deleted card.
 */
final class CardCache {
  private final Map<String, Card> map;

  CardCache(int capacity) {
    this.map = new LinkedHashMap<>(1024, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, Card> e) {
        return size() > capacity;
      }
    };
  }

  synchronized Card get(String id) {
    return map.get(id);
  }

  synchronized void put(Card c) {
    map.put(c.id(), c);
  }

  synchronized void evict(String id) {
    map.remove(id);
  }
}
