package io.payrouter.simulator;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every payment one simulated PSP received, so that a status inquiry finds it and a test can count
 * how many times a reference was charged. Thread-safe: simulator instances share it.
 */
public final class Ledger {

  /** One payment. {@code status} and {@code data} change as the payment settles. */
  public static final class Entry {
    public final String id;
    public final String reference;
    public final long amount;
    public final String currency;
    public final String token;
    public final long createdAt;
    private volatile String status;
    /** PSP-specific fields (purchase body, invoice attributes, ...). Guard with synchronized. */
    public final JsonObject data;

    public Entry(String id, String reference, long amount, String currency, String token,
        String status, JsonObject data) {
      this.id = id;
      this.reference = reference;
      this.amount = amount;
      this.currency = currency;
      this.token = token;
      this.status = status;
      this.data = data == null ? new JsonObject() : data;
      this.createdAt = System.currentTimeMillis();
    }

    public String status() {
      return status;
    }

    public void status(String s) {
      this.status = s;
    }

    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("reference", reference).put("amount", amount)
          .put("currency", currency).put("token", token).put("status", status)
          .put("created_at", createdAt);
    }
  }

  private final Map<String, Entry> byId = new ConcurrentHashMap<>();
  private final Map<String, List<Entry>> byReference = new ConcurrentHashMap<>();

  public Entry add(Entry e) {
    byId.put(e.id, e);
    if (e.reference != null) {
      byReference.computeIfAbsent(e.reference, k -> new CopyOnWriteArrayList<>()).add(e);
    }
    return e;
  }

  public Entry get(String id) {
    return id == null ? null : byId.get(id);
  }

  public List<Entry> byReference(String reference) {
    List<Entry> l = reference == null ? null : byReference.get(reference);
    return l == null ? List.of() : new ArrayList<>(l);
  }

  public JsonArray toJson(String reference) {
    JsonArray a = new JsonArray();
    for (Entry e : byReference(reference)) a.add(e.toJson());
    return a;
  }

  public JsonObject summary() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Entry e : byId.values()) counts.merge(e.status(), 1, Integer::sum);
    JsonObject o = new JsonObject();
    counts.forEach(o::put);
    return new JsonObject().put("total", byId.size()).put("by_status", o);
  }

  public void clear() {
    byId.clear();
    byReference.clear();
  }

  public int size() {
    return byId.size();
  }
}
