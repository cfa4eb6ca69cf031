package io.payrouter.charge;

import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.NotFoundException;
import io.vertx.core.Future;

/** A PSP callback: authenticated as that PSP documents, then applied to its charge. */
public final class WebhookService {
  private final Dispatcher dispatcher;
  private final ChargeService charges;

  public WebhookService(Dispatcher dispatcher, ChargeService charges) {
    this.dispatcher = dispatcher;
    this.charges = charges;
  }

  /**
   * Verifies the callback and settles the charge it is about.
   *
   * @return true when it was about one of our charges and was applied to it; fails with
   *     {@link io.payrouter.domain.WebhookRejectedException} when it is not authentic
   */
  public Future<Boolean> receive(String provider, WebhookInput in) {
    if (!dispatcher.has(provider)) return Future.failedFuture(new NotFoundException("provider " + provider));
    return dispatcher.webhook(provider, in).compose(event -> event.chargeId() == null || event.result() == null
        ? Future.succeededFuture(false)
        : charges.settle(event.chargeId(), provider, event.result(), ChargeService.SOURCE_WEBHOOK)
            .map(found -> found.isPresent()));
  }
}
