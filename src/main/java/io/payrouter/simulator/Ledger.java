package io.payrouter.simulator;

import io.vertx.core.Context;
import io.vertx.core.Vertx;
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
 *
 * <p>Two views: {@link #get}/{@link #byReference} are the PSP's primary store (charging,
 * de-duplication, the control API) and always current; {@link #replicaGet}/{@link
 * #replicaByReference} are what the PSP's status-inquiry endpoints read, and lag behind for
 * charges whose answer the edge lost under {@code ambiguous_lag_ms} (see
 * {@link #lagWritesOf}).
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
    /** 0, or when the latest change becomes visible to the PSP's inquiry endpoints. */
    private volatile long visibleAt;
    private volatile Ledger ledger;
    /** Order of arrival in the ledger (set by {@link Ledger#add}). */
    private long seq;
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
      Ledger l = ledger;
      if (l != null) l.stampLag(this);
    }

    /**
     * True when the PSP's inquiry endpoints show this entry's latest change. False only for a
     * while after a charge whose answer the edge lost under {@code ambiguous_lag_ms}; an inquiry
     * endpoint then answers as if that change had not happened yet.
     */
    public boolean visible() {
      long v = visibleAt;
      return v == 0 || System.currentTimeMillis() >= v;
    }

    public JsonObject toJson() {
      JsonArray rs = new JsonArray();
      for (Refund r : refunds) rs.add(r.toJson());
      return new JsonObject().put("id", id).put("reference", reference).put("amount", amount)
          .put("currency", currency).put("token", token).put("status", status)
          .put("created_at", createdAt).put("refunded_amount", refunded()).put("refunds", rs);
    }

    // ---------------------------------------------------------------- refunds

    /** The shared empty list until the first refund (most payments have none: a ledger holds 200,000). */
    private volatile List<Refund> refunds = List.of();

    /**
     * Records a refund of {@code amount} if it fits in what is left of the payment (refunds that
     * did not fail count, pending ones too): a PSP never refunds more than it took. Null when it
     * does not fit. Its visibility to inquiries lags like any write of a lagged request.
     */
    public synchronized Refund refund(String refundId, long refundAmount, String refundStatus, String refundReference) {
      if (refundAmount <= 0 || refundAmount > refundable()) return null;
      Refund r = new Refund(refundId, refundAmount, refundStatus, refundReference);
      Ledger l = ledger;
      if (l != null) r.visibleAt = l.lagUntil();
      if (!(refunds instanceof CopyOnWriteArrayList)) refunds = new CopyOnWriteArrayList<>(refunds);
      refunds.add(r);
      return r;
    }

    /** Moves a refund to another status (a pending one settling, succeeded or failed). */
    public synchronized void settleRefund(Refund r, String refundStatus) {
      r.status = refundStatus;
    }

    /** Everything refunded or being refunded (refunds that did not fail). */
    public synchronized long refunded() {
      long sum = 0;
      for (Refund r : refunds) if (!Refund.FAILED.equals(r.status)) sum += r.amount;
      return sum;
    }

    /** What may still be refunded. */
    public synchronized long refundable() {
      return amount - refunded();
    }

    /** This payment's refunds, oldest first. */
    public List<Refund> refunds() {
      return List.copyOf(refunds);
    }

    /** The refunds the PSP's inquiry endpoints show (a lagged one only once it is visible). */
    public List<Refund> visibleRefunds() {
      List<Refund> out = new ArrayList<>();
      for (Refund r : refunds) if (r.visible()) out.add(r);
      return out;
    }

    /** What the visible refunds in {@code status} add up to. */
    public long visibleRefunded(String refundStatus) {
      long sum = 0;
      for (Refund r : visibleRefunds()) if (refundStatus.equals(r.status())) sum += r.amount;
      return sum;
    }
  }

  /** One refund of a payment, as the PSP holds it. */
  public static final class Refund {
    public static final String SUCCEEDED = "succeeded";
    public static final String PENDING = "pending";
    public static final String FAILED = "failed";

    public final String id;
    public final long amount;
    /** The merchant's reference for the refund, where the PSP takes one (else null). */
    public final String reference;
    public final long createdAt = System.currentTimeMillis();
    private volatile String status;
    private volatile long visibleAt;

    Refund(String id, long amount, String status, String reference) {
      this.id = id;
      this.amount = amount;
      this.status = status;
      this.reference = reference;
    }

    public String status() {
      return status;
    }

    public boolean visible() {
      long v = visibleAt;
      return v == 0 || System.currentTimeMillis() >= v;
    }

    public JsonObject toJson() {
      return new JsonObject().put("id", id).put("amount", amount).put("status", status).put("reference", reference)
          .put("created_at", createdAt);
    }
  }

  /**
   * How many payments a ledger keeps (system property {@code sim.ledgerCapacity}, default 200,000):
   * past it the oldest are forgotten, so a long load test cannot grow the simulator without bound
   * (it reached 3.5 GB in a 7-minute bench). Far above any test or chaos run; a payment forgotten
   * this way is counted in {@link #summary()} as {@code evicted}.
   */
  public static final int DEFAULT_CAPACITY = Integer.getInteger("sim.ledgerCapacity", 200_000);

  private final int capacity;
  private final Map<String, Entry> byId = new ConcurrentHashMap<>();
  private final Map<String, List<Entry>> byReference = new ConcurrentHashMap<>();
  /**
   * Entries whose reference is a later attempt's ({@code R-2}, {@code R-3}, ...), by the charge's
   * reference {@code R}: see {@link #attemptsOf}.
   */
  private final Map<String, List<Entry>> byChargeReference = new ConcurrentHashMap<>();
  private final java.util.concurrent.atomic.AtomicLong arrivals = new java.util.concurrent.atomic.AtomicLong();
  /** Insertion order, for forgetting the oldest past {@link #capacity}. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Entry> order = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private final java.util.concurrent.atomic.AtomicInteger held = new java.util.concurrent.atomic.AtomicInteger();
  private final java.util.concurrent.atomic.AtomicLong evicted = new java.util.concurrent.atomic.AtomicLong();

  public Ledger() {
    this(DEFAULT_CAPACITY);
  }

  public Ledger(int capacity) {
    if (capacity < 1) throw new IllegalArgumentException("ledger capacity must be positive");
    this.capacity = capacity;
  }
  /** Requests (by their Vert.x context) whose writes inquiries see late, and how late (ms). */
  private final Map<Context, Long> lagging = new ConcurrentHashMap<>();

  public Entry add(Entry e) {
    e.ledger = this;
    e.seq = arrivals.incrementAndGet();
    stampLag(e);
    byId.put(e.id, e);
    if (e.reference != null) {
      byReference.computeIfAbsent(e.reference, k -> new CopyOnWriteArrayList<>()).add(e);
      String charge = chargeReferenceOf(e.reference);
      if (charge != null) byChargeReference.computeIfAbsent(charge, k -> new CopyOnWriteArrayList<>()).add(e);
    }
    order.add(e);
    if (held.incrementAndGet() > capacity) {
      Entry old;
      while (held.get() > capacity && (old = order.poll()) != null) forget(old);
    }
    return e;
  }

  private void forget(Entry old) {
    held.decrementAndGet();
    evicted.incrementAndGet();
    byId.remove(old.id, old);
    if (old.reference != null) {
      byReference.computeIfPresent(old.reference, (k, l) -> {
        l.remove(old);
        return l.isEmpty() ? null : l;
      });
      String charge = chargeReferenceOf(old.reference);
      if (charge != null) {
        byChargeReference.computeIfPresent(charge, (k, l) -> {
          l.remove(old);
          return l.isEmpty() ? null : l;
        });
      }
    }
  }

  /**
   * The charge reference {@code R} of a later attempt's reference {@code R-<digits>}, or null when
   * {@code reference} has no such suffix. The router sends its charge id ({@code ch_X}) on a
   * charge's first attempt and {@code ch_X-2}, {@code ch_X-3}, ... on later ones.
   */
  static String chargeReferenceOf(String reference) {
    int dash = reference.lastIndexOf('-');
    if (dash <= 0 || dash == reference.length() - 1) return null;
    for (int i = dash + 1; i < reference.length(); i++) {
      char c = reference.charAt(i);
      if (c < '0' || c > '9') return null;
    }
    return reference.substring(0, dash);
  }

  public Entry get(String id) {
    return id == null ? null : byId.get(id);
  }

  public List<Entry> byReference(String reference) {
    List<Entry> l = reference == null ? null : byReference.get(reference);
    return l == null ? List.of() : new ArrayList<>(l);
  }

  /**
   * Every payment for one charge: those whose reference is {@code reference} itself or
   * {@code reference + "-" + digits} (the router's later attempts, {@code ch_X-2}, {@code ch_X-3},
   * ...), in the order they reached the ledger. What {@code GET /_sim/{provider}/ledger?reference=}
   * answers, so a test can count everything charged for a charge. The PSPs themselves (inquiries,
   * de-duplication) only ever match a reference exactly: see {@link #byReference}.
   */
  public List<Entry> attemptsOf(String reference) {
    if (reference == null) return List.of();
    List<Entry> out = byReference(reference);
    List<Entry> later = byChargeReference.get(reference);
    if (later != null && !later.isEmpty()) {
      out.addAll(later);
      out.sort(java.util.Comparator.comparingLong(e -> e.seq));
    }
    return out;
  }

  /** {@link #get}, as the PSP's inquiry endpoints see it: null while the entry is not visible. */
  public Entry replicaGet(String id) {
    Entry e = get(id);
    return e == null || !e.visible() ? null : e;
  }

  /** {@link #byReference}, as the PSP's inquiry endpoints see it: entries not visible left out. */
  public List<Entry> replicaByReference(String reference) {
    List<Entry> all = byReference(reference);
    if (!all.isEmpty()) all.removeIf(e -> !e.visible());
    return all;
  }

  /**
   * Every entry the request running on {@code request} (a Vert.x request context) adds or changes
   * becomes visible to inquiries only {@code lagMs} after the write, until {@link #endLag}. The
   * edge calls this for a money-moving call whose answer it is going to lose; the simulators need
   * not know. Each HTTP request runs on its own duplicated context, inherited by its timers.
   */
  public void lagWritesOf(Context request, long lagMs) {
    lagging.put(request, lagMs);
  }

  public void endLag(Context request) {
    lagging.remove(request);
  }

  /** 0, or when a write made now by a lagged request becomes visible to inquiries. */
  long lagUntil() {
    if (lagging.isEmpty()) return 0;
    Context c = Vertx.currentContext();
    Long lag = c == null ? null : lagging.get(c);
    return lag == null ? 0 : System.currentTimeMillis() + lag;
  }

  private void stampLag(Entry e) {
    if (lagging.isEmpty()) return;
    Context c = Vertx.currentContext();
    Long lag = c == null ? null : lagging.get(c);
    if (lag != null) e.visibleAt = System.currentTimeMillis() + lag;
  }

  /** The control API's answer for {@code ?reference=}: {@link #attemptsOf} as JSON. */
  public JsonArray toJson(String reference) {
    JsonArray a = new JsonArray();
    for (Entry e : attemptsOf(reference)) a.add(e.toJson());
    return a;
  }

  public JsonObject summary() {
    Map<String, Integer> counts = new TreeMap<>();
    for (Entry e : byId.values()) counts.merge(e.status(), 1, Integer::sum);
    JsonObject o = new JsonObject();
    counts.forEach(o::put);
    long refunded = 0;
    int refunds = 0;
    for (Entry e : byId.values()) {
      refunded += e.refunded();
      refunds += e.refunds.size();
    }
    return new JsonObject().put("total", byId.size()).put("by_status", o).put("evicted", evicted.get())
        .put("refunds", refunds).put("refunded_amount", refunded);
  }

  public void clear() {
    byId.clear();
    byReference.clear();
    byChargeReference.clear();
    order.clear();
    held.set(0);
  }

  public int size() {
    return byId.size();
  }
}
