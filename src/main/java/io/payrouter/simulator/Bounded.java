package io.payrouter.simulator;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Maps and sets a simulator keeps per payment, bounded like its {@link Ledger}: past
 * {@code capacity} keys the oldest inserted goes, so a long load test cannot grow a standalone
 * simulator without bound. Thread-safe (one lock per map: simulators are test partners, not the
 * hot path under measurement). A key forgotten this way is the PSP forgetting a payment that long
 * ago; {@link Ledger#DEFAULT_CAPACITY} is far above any test or chaos run.
 */
public final class Bounded {
  private Bounded() {}

  /** A map that keeps the {@code capacity} most recently inserted keys. */
  public static <K, V> Map<K, V> map(int capacity) {
    return Collections.synchronizedMap(newest(capacity));
  }

  /** The unsynchronized map both {@link #map} and {@link #set} wrap (one lock each, not two). */
  private static <K, V> Map<K, V> newest(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("capacity must be positive");
    return new LinkedHashMap<K, V>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<K, V> eldest) {
        return size() > capacity;
      }
    };
  }

  /** {@link #map} at the ledgers' capacity. */
  public static <K, V> Map<K, V> map() {
    return map(Ledger.DEFAULT_CAPACITY);
  }

  /** A set that keeps the {@code capacity} most recently added elements, in the order they came. */
  public static <E> Set<E> set(int capacity) {
    return Collections.synchronizedSet(Collections.newSetFromMap(newest(capacity)));
  }

  /** {@link #set} at the ledgers' capacity. */
  public static <E> Set<E> set() {
    return set(Ledger.DEFAULT_CAPACITY);
  }

  /** A copy of a {@link #set}'s elements, oldest first (iterating the set itself needs its lock). */
  public static <E> List<E> snapshot(Set<E> set) {
    synchronized (set) {
      return new ArrayList<>(set);
    }
  }
}
