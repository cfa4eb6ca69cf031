package io.payrouter.webhook;

import io.payrouter.common.Ids;
import io.payrouter.domain.Charge;
import io.payrouter.domain.EventType;
import io.payrouter.domain.Refund;
import io.payrouter.store.Store;
import io.vertx.core.json.JsonObject;
import java.time.Instant;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Function;

/**
 * The events the charge and refund paths hand to their outcome statements: an id, a type and the
 * body as it will be sent ({@code {"id", "type", "timestamp", "data"}}, {@code data} being the
 * charge or refund exactly as the merchant API renders it).
 *
 * <p>A charge's body is rendered only when its merchant has an enabled endpoint as far as this
 * instance knows (most merchants have none: the hot path then renders nothing). The outcome
 * statement decides from the database all the same; for an endpoint created on another instance a
 * moment ago, the row is written without a body, which is rendered at its first attempt.
 */
public final class Events {
  /** The charge as the API renders it, as JSON text. */
  private final Function<Charge, String> chargeJson;
  private final Function<Refund, JsonObject> refundView;
  private volatile Set<String> subscribed = Set.of();

  public Events(Function<Charge, String> chargeJson, Function<Refund, JsonObject> refundView) {
    this.chargeJson = chargeJson;
    this.refundView = refundView;
  }

  /** Merchants with an enabled endpoint, as last read from the database. */
  public void subscribed(Set<String> merchants) {
    subscribed = Set.copyOf(merchants);
  }

  /** A merchant just created an endpoint here: render its events from now on. */
  public synchronized void subscribe(String merchantId) {
    if (subscribed.contains(merchantId)) return;
    Set<String> next = new HashSet<>(subscribed);
    next.add(merchantId);
    subscribed = Set.copyOf(next);
  }

  public boolean isSubscribed(String merchantId) {
    return subscribed.contains(merchantId);
  }

  /** The event of a charge's new status (null for one that reports none). */
  public Store.OutboxEvent charge(Charge c) {
    EventType type = EventType.of(c.status()).orElse(null);
    if (type == null) return null;
    String id = Ids.next("evt_");
    return new Store.OutboxEvent(id, type.wire(),
        isSubscribed(c.merchantId()) ? body(id, type, chargeJson.apply(Store.clean(c))) : null);
  }

  /** A charge's {@code charge.conflict} event: the charge with its conflict. */
  public Store.OutboxEvent conflict(Charge c) {
    String id = Ids.next("evt_");
    return new Store.OutboxEvent(id, EventType.CHARGE_CONFLICT.wire(),
        body(id, EventType.CHARGE_CONFLICT, chargeJson.apply(Store.clean(c))));
  }

  /** The event of a refund's final status (null while it is not final). */
  public Store.OutboxEvent refund(Refund r) {
    EventType type = EventType.of(r.status()).orElse(null);
    if (type == null) return null;
    String id = Ids.next("evt_");
    return new Store.OutboxEvent(id, type.wire(), body(id, type, refundView.apply(r).encode()));
  }

  /** A body rendered late (a row written without one): the charge as it is now. */
  public String lateChargeBody(String eventId, String type, Charge c) {
    return body(eventId, EventType.fromWire(type).orElseThrow(), chargeJson.apply(c));
  }

  /** {@code {"id","type","timestamp","data"}}, as JsonObject would encode it, around data already encoded. */
  static String body(String id, EventType type, String data) {
    return "{\"id\":" + io.vertx.core.json.Json.encode(id) + ",\"type\":" + io.vertx.core.json.Json.encode(type.wire())
        + ",\"timestamp\":" + io.vertx.core.json.Json.encode(Instant.now().toString()) + ",\"data\":" + data + "}";
  }
}
