package io.payrouter.cluster;

import io.payrouter.routing.ProviderStats;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.internal.VertxInternal;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.core.spi.cluster.ClusterManager;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What router instances tell each other, over the Vert.x event bus (clustered on Hazelcast in
 * cluster mode; local to the process otherwise, where the same code runs with one member).
 * PostgreSQL stays the source of truth: a message only says "look again" or "drop this from your
 * cache"; a member that missed one catches up from the next beacon.
 *
 * <ul>
 *   <li>{@link #BEACON} every {@value #BEACON_MS} ms: instance, Hazelcast node, URL, the rules
 *       version in force, the provider flags, the providers whose breaker is open here. A member
 *       with a newer rules version makes the others load it; different flags make them re-read
 *       the flags from PostgreSQL.</li>
 *   <li>{@link #RULES}: "version N is in force" at once after a change on one member.</li>
 *   <li>{@link #PROVIDERS}: an operator enabled or disabled a provider.</li>
 *   <li>{@link #KEYS} / {@link #CARDS}: a merchant key was revoked / a card deleted: evict.</li>
 *   <li>{@link #HEALTH} every second: this member's counts of the second before, per provider
 *       ({@link ProviderStats.Second}), merged into every other member's routing window.</li>
 * </ul>
 */
public final class Fleet {
  private static final Logger log = LoggerFactory.getLogger(Fleet.class);
  public static final String BEACON = "router.fleet.beacon";
  public static final String RULES = "router.fleet.rules";
  public static final String PROVIDERS = "router.fleet.providers";
  public static final String KEYS = "router.fleet.keys";
  public static final String CARDS = "router.fleet.cards";
  public static final String WEBHOOKS = "router.fleet.webhook-endpoints";
  public static final String HEALTH = "router.fleet.health";
  static final long BEACON_MS = 500;
  /** A member not heard from for this long is shown as silent (and dropped from agreement). */
  static final long SILENT_MS = 3_000;
  /** A silent member is forgotten after this long (it left, or was replaced). */
  static final long FORGET_MS = 60_000;

  /** What this instance tells the others about itself. */
  public interface Local {
    long rulesVersion();

    Map<String, Boolean> providerFlags();

    List<String> openCircuits();

    /** This instance's counts of one past second, per provider (only providers with calls). */
    Map<String, ProviderStats.Second> healthSecond(long epochSecond);

    /** This instance's shadow routing counts (ShadowRouting#counts), null when it runs no shadow. */
    default JsonObject shadowCounts() {
      return null;
    }

    /** This instance's routing canary tallies (CanaryRouting#counts), null when it runs no canary. */
    default JsonObject canaryCounts() {
      return null;
    }
  }

  /** What this instance does with what the others tell it. */
  public interface Listener {
    void rulesInForce(long version);

    /** Another member runs other provider flags than this one: re-read them from PostgreSQL. */
    void providerFlagsDiffer();

    void providerChanged(String provider, boolean enabled);

    void keyRevoked(String keyHashHex);

    void cardDeleted(String cardId);

    /** A merchant created (or enabled) a webhook endpoint on another instance: render its events. */
    void webhookSubscribed(String merchantId);

    void health(String provider, ProviderStats.Second second);
  }

  /** One member as {@code GET /admin/cluster} shows it. */
  public record Member(String instance, String node, String url, long rulesVersion, long lastHeardMs,
      boolean self, boolean silent, List<String> openCircuits) {}

  /** The cluster as this instance sees it. */
  public record View(boolean clustered, String answeredBy, String node, List<String> nodes, List<Member> members,
      List<Agreement.Behind> behind) {}

  private record Heard(JsonObject beacon, long atMs) {}

  private final Vertx vertx;
  private final String instanceId;
  private final String url;
  private final Local local;
  private final Listener listener;
  private final ClusterManager clusterManager;
  private final Agreement agreement = new Agreement();
  private final Map<String, Heard> heard = new ConcurrentHashMap<>();
  private final List<MessageConsumer<?>> consumers = new ArrayList<>();
  private volatile List<Agreement.Behind> behind = List.of();
  private long beaconTimer = -1;
  private long healthTimer = -1;

  public Fleet(Vertx vertx, String instanceId, String url, Local local, Listener listener) {
    this.vertx = vertx;
    this.instanceId = instanceId;
    this.url = url;
    this.local = local;
    this.listener = listener;
    this.clusterManager = vertx instanceof VertxInternal vi ? vi.clusterManager() : null;
  }

  public boolean clustered() {
    return clusterManager != null;
  }

  public String instanceId() {
    return instanceId;
  }

  public void start() {
    EventBus bus = vertx.eventBus();
    consumers.add(bus.<JsonObject>consumer(BEACON, m -> beacon(m.body())));
    consumers.add(bus.<JsonObject>consumer(RULES, m -> {
      if (!mine(m.body())) listener.rulesInForce(m.body().getLong("version", 0L));
    }));
    consumers.add(bus.<JsonObject>consumer(PROVIDERS, m -> {
      if (!mine(m.body())) listener.providerChanged(m.body().getString("provider"), m.body().getBoolean("enabled", true));
    }));
    consumers.add(bus.<JsonObject>consumer(KEYS, m -> {
      if (!mine(m.body())) listener.keyRevoked(m.body().getString("key_hash"));
    }));
    consumers.add(bus.<JsonObject>consumer(CARDS, m -> {
      if (!mine(m.body())) listener.cardDeleted(m.body().getString("card_id"));
    }));
    consumers.add(bus.<JsonObject>consumer(WEBHOOKS, m -> {
      if (!mine(m.body())) listener.webhookSubscribed(m.body().getString("merchant_id"));
    }));
    consumers.add(bus.<JsonObject>consumer(HEALTH, m -> {
      if (!mine(m.body())) health(m.body());
    }));
    beaconTimer = vertx.setPeriodic(0, BEACON_MS, t -> {
      sendBeacon();
      view(); // observes agreement every beat, whether or not anyone asks
    });
    healthTimer = vertx.setPeriodic(1_000, t -> sendHealth());
  }

  public void stop() {
    if (beaconTimer >= 0) vertx.cancelTimer(beaconTimer);
    if (healthTimer >= 0) vertx.cancelTimer(healthTimer);
    consumers.forEach(MessageConsumer::unregister);
  }

  // ------------------------------------------------------------------ telling the others

  public void rulesInForce(long version) {
    publish(RULES, new JsonObject().put("version", version));
    sendBeacon();
  }

  public void providerChanged(String provider, boolean enabled) {
    publish(PROVIDERS, new JsonObject().put("provider", provider).put("enabled", enabled));
  }

  public void keyRevoked(String keyHashHex) {
    publish(KEYS, new JsonObject().put("key_hash", keyHashHex));
  }

  public void cardDeleted(String cardId) {
    publish(CARDS, new JsonObject().put("card_id", cardId));
  }

  public void webhookSubscribed(String merchantId) {
    publish(WEBHOOKS, new JsonObject().put("merchant_id", merchantId));
  }

  private void publish(String address, JsonObject body) {
    vertx.eventBus().publish(address, body.put("from", instanceId));
  }

  private boolean mine(JsonObject body) {
    return instanceId.equals(body.getString("from"));
  }

  private JsonObject selfBeacon() {
    return new JsonObject().put("from", instanceId).put("node", nodeId()).put("url", url)
        .put("rules_version", local.rulesVersion()).put("flags", new JsonObject(new LinkedHashMap<>(local.providerFlags())))
        .put("open_circuits", new JsonArray(new ArrayList<>(local.openCircuits())))
        .put("shadow", local.shadowCounts()).put("canary", local.canaryCounts());
  }

  /**
   * The routing canary tallies of every member heard lately and not silent, by instance, this one
   * first (a null value: that member runs no canary).
   */
  public Map<String, JsonObject> canaryCounts() {
    return byMember(local.canaryCounts(), "canary");
  }

  /**
   * The shadow counts of every member heard lately and not silent, by instance, this one first
   * (a null value: that member runs no shadow).
   */
  public Map<String, JsonObject> shadowCounts() {
    return byMember(local.shadowCounts(), "shadow");
  }

  /** This instance's {@code own} and the beacon field {@code field} of every other member not silent. */
  private Map<String, JsonObject> byMember(JsonObject own, String field) {
    long now = System.currentTimeMillis();
    Map<String, JsonObject> m = new LinkedHashMap<>();
    m.put(instanceId, own);
    heard.forEach((id, h) -> {
      if (now - h.atMs() <= SILENT_MS) m.put(id, h.beacon().getJsonObject(field));
    });
    return m;
  }

  private void sendBeacon() {
    try {
      vertx.eventBus().publish(BEACON, selfBeacon());
    } catch (RuntimeException e) {
      log.debug("beacon not sent: {}", e.toString());
    }
  }

  private void sendHealth() {
    long second = System.currentTimeMillis() / 1000 - 1;
    Map<String, ProviderStats.Second> counts = local.healthSecond(second);
    if (counts.isEmpty()) return;
    JsonObject providers = new JsonObject();
    counts.forEach((p, s) -> {
      JsonArray lat = new JsonArray();
      for (long n : s.latency()) lat.add(n);
      providers.put(p, new JsonObject().put("ok", s.successes()).put("failed", s.failures()).put("latency", lat));
    });
    publish(HEALTH, new JsonObject().put("second", second).put("providers", providers));
  }

  // ------------------------------------------------------------------ hearing the others

  private void beacon(JsonObject b) {
    String from = b.getString("from");
    if (from == null || from.equals(instanceId)) return;
    heard.put(from, new Heard(b, System.currentTimeMillis()));
    long theirs = b.getLong("rules_version", 0L);
    if (theirs > local.rulesVersion()) listener.rulesInForce(theirs);
    JsonObject flags = b.getJsonObject("flags");
    if (flags != null && differ(flags, local.providerFlags())) listener.providerFlagsDiffer();
  }

  /** Flags differ on a provider both members have (a provider only one of them has is no difference). */
  static boolean differ(JsonObject theirs, Map<String, Boolean> mine) {
    for (Map.Entry<String, Boolean> e : mine.entrySet()) {
      Object t = theirs.getValue(e.getKey());
      if (t instanceof Boolean tb && tb != e.getValue().booleanValue()) return true;
    }
    return false;
  }

  private void health(JsonObject h) {
    long second = h.getLong("second", 0L);
    JsonObject providers = h.getJsonObject("providers", new JsonObject());
    for (String p : providers.fieldNames()) {
      JsonObject c = providers.getJsonObject(p);
      JsonArray lat = c.getJsonArray("latency", new JsonArray());
      long[] hist = new long[lat.size()];
      for (int i = 0; i < hist.length; i++) hist[i] = lat.getLong(i);
      listener.health(p, new ProviderStats.Second(second, c.getLong("ok", 0L), c.getLong("failed", 0L), hist));
    }
  }

  // ------------------------------------------------------------------ the view

  private String nodeId() {
    return clusterManager == null ? "local" : clusterManager.getNodeId();
  }

  /** Every member heard lately, this one first; refreshes the agreement state. */
  public View view() {
    long now = System.currentTimeMillis();
    heard.values().removeIf(h -> now - h.atMs() > FORGET_MS);
    List<Member> members = new ArrayList<>();
    members.add(new Member(instanceId, nodeId(), url, local.rulesVersion(), now, true, false, local.openCircuits()));
    Map<String, Long> versions = new LinkedHashMap<>();
    versions.put(instanceId, local.rulesVersion());
    List<Member> others = new ArrayList<>();
    heard.forEach((id, h) -> {
      JsonObject b = h.beacon();
      boolean silent = now - h.atMs() > SILENT_MS;
      List<String> open = new ArrayList<>();
      b.getJsonArray("open_circuits", new JsonArray()).forEach(o -> open.add(String.valueOf(o)));
      others.add(new Member(id, b.getString("node"), b.getString("url"), b.getLong("rules_version", 0L), h.atMs(),
          false, silent, open));
      if (!silent) versions.put(id, b.getLong("rules_version", 0L));
    });
    others.sort(Comparator.comparing(Member::instance));
    members.addAll(others);
    behind = agreement.observe(now, versions);
    List<String> nodes = clusterManager == null ? List.of("local") : List.copyOf(clusterManager.getNodes());
    return new View(clustered(), instanceId, nodeId(), nodes, members, behind);
  }

  /** Members (this one included) that disagree on the rules version, as of the last {@link #view}. */
  public long disagreeing() {
    return view().behind().stream().filter(Agreement.Behind::disagrees).count();
  }

  /** Why this instance is not ready as a member: it has run older rules than another member for too long. */
  public Optional<String> readinessProblem() {
    for (Agreement.Behind b : view().behind()) {
      if (b.disagrees() && b.instance().equals(instanceId)) {
        return Optional.of("routing rules version " + b.version() + " in force here while another member runs version "
            + b.newest() + " (for " + (System.currentTimeMillis() - b.sinceMs()) / 1000 + " s): this instance cannot load it");
      }
    }
    return Optional.empty();
  }

  /** Members whose breaker for {@code provider} is open (other than this one). */
  public List<String> openElsewhere(String provider) {
    long now = System.currentTimeMillis();
    List<String> out = new ArrayList<>();
    heard.forEach((id, h) -> {
      if (now - h.atMs() <= SILENT_MS && h.beacon().getJsonArray("open_circuits", new JsonArray()).contains(provider)) out.add(id);
    });
    out.sort(null);
    return out;
  }

  static String iso(long ms) {
    return Instant.ofEpochMilli(ms).toString();
  }
}
