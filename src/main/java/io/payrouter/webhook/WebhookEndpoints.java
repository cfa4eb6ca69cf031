package io.payrouter.webhook;

import io.payrouter.common.Ids;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.WebhookDelivery;
import io.payrouter.domain.WebhookEndpoint;
import io.payrouter.store.WebhookStore;
import io.vertx.core.Future;
import java.time.Instant;
import java.util.List;
import java.util.function.Consumer;

/**
 * The merchant's side of webhooks: endpoints (created with a secret shown once, rotated with an
 * overlap, enabled again after the router disabled them, deleted) and their deliveries (listed,
 * re-sent). Every read and change is scoped to the merchant of the API key.
 */
public final class WebhookEndpoints {
  /** Longest overlap of a rotation: the previous secret signs at most this long after it. */
  public static final long MAX_OVERLAP_SECONDS = 7 * 86_400L;
  public static final long DEFAULT_OVERLAP_SECONDS = 86_400L;

  /** An endpoint just created or rotated, with the secret to show once. */
  public record WithSecret(WebhookEndpoint endpoint, String secret) {}

  private final WebhookStore store;
  private final Events events;
  private final Consumer<String> subscribedHere;

  /** @param subscribedHere told of a merchant's new endpoint (the fleet tells the other instances) */
  public WebhookEndpoints(WebhookStore store, Events events, Consumer<String> subscribedHere) {
    this.store = store;
    this.events = events;
    this.subscribedHere = subscribedHere;
  }

  public Future<WithSecret> create(String merchantId, String url, List<String> eventTypes, String description) {
    Instant now = Instant.now();
    WebhookEndpoint e = new WebhookEndpoint(Ids.next("we_"), merchantId, url, eventTypes, description, "enabled",
        null, null, null, null, now, now);
    String secret = StandardWebhooks.newSecret();
    return store.insertEndpoint(e, secret).map(v -> {
      // from now on this instance renders the merchant's events; the others hear it
      events.subscribe(merchantId);
      subscribedHere.accept(merchantId);
      return new WithSecret(e, secret);
    });
  }

  public Future<List<WebhookEndpoint>> list(String merchantId) {
    return store.endpoints(merchantId);
  }

  public Future<WebhookEndpoint> get(String merchantId, String id) {
    return store.endpoint(merchantId, id).map(o -> o.orElseThrow(() -> new NotFoundException("webhook endpoint")));
  }

  /** Deletes it and gives up its pending deliveries; answers the endpoint as it was, marked deleted. */
  public Future<WebhookEndpoint> delete(String merchantId, String id) {
    return get(merchantId, id).compose(e -> store.deleteEndpoint(merchantId, id).map(deleted -> {
      if (!deleted) throw new NotFoundException("webhook endpoint");
      return new WebhookEndpoint(e.id(), e.merchantId(), e.url(), e.eventTypes(), e.description(), "deleted",
          e.disabledReason(), e.disabledAt(), e.previousSecretExpiresAt(), e.lastSuccessAt(), e.createdAt(),
          Instant.now());
    }));
  }

  /** A new secret; the current one still signs (a second signature) for {@code overlapSeconds}. */
  public Future<WithSecret> rotate(String merchantId, String id, long overlapSeconds) {
    String secret = StandardWebhooks.newSecret();
    return store.rotateSecret(merchantId, id, secret, Instant.now().plusSeconds(overlapSeconds))
        .map(o -> new WithSecret(o.orElseThrow(() -> new NotFoundException("webhook endpoint")), secret));
  }

  public Future<WebhookEndpoint> enable(String merchantId, String id) {
    return store.enable(merchantId, id).map(o -> {
      WebhookEndpoint e = o.orElseThrow(() -> new NotFoundException("webhook endpoint"));
      events.subscribe(merchantId);
      subscribedHere.accept(merchantId);
      return e;
    });
  }

  public Future<List<WebhookDelivery>> deliveries(String merchantId, String endpointId, int limit, long before,
      String status) {
    return get(merchantId, endpointId).compose(e -> store.deliveries(endpointId, limit, before, status));
  }

  public Future<WebhookDelivery> resend(String merchantId, String endpointId, long deliveryId) {
    return get(merchantId, endpointId).compose(e -> store.resend(endpointId, deliveryId))
        .map(o -> o.orElseThrow(() -> new NotFoundException("webhook delivery")));
  }
}
