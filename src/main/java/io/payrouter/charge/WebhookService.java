package io.payrouter.charge;

import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.domain.Charge;
import io.payrouter.domain.NotFoundException;
import io.payrouter.domain.PspResult;
import io.payrouter.metrics.Metrics;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import java.util.Optional;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A PSP callback: authenticated (or confirmed by a call to the PSP) as that PSP allows, compared
 * with the stored charge, then applied to it. A callback whose amount or currency differs from the
 * charge's is refused: nothing changes, {@code router_webhook_mismatch_total{provider}} counts it,
 * a warning is logged (ids and amounts only), and the answer is still 200 so the PSP stops retrying.
 */
public final class WebhookService {
  private static final Logger log = LoggerFactory.getLogger(WebhookService.class);

  /**
   * What the router answers a verified callback.
   *
   * @param applied true when it was about one of our charges and was applied to it
   * @param refused why it was refused although authentic ({@link #AMOUNT_MISMATCH},
   *     {@link #CURRENCY_MISMATCH}), or null
   */
  public record Receipt(boolean applied, String refused) {}

  /** The PSP's amount for the payment differs from the charge's. */
  public static final String AMOUNT_MISMATCH = "amount_mismatch";
  /** The PSP's currency for the payment differs from the charge's. */
  public static final String CURRENCY_MISMATCH = "currency_mismatch";

  /** Applies a PSP's word to a charge (ChargeService#settle with source webhook). */
  @FunctionalInterface
  interface Settler {
    Future<Optional<Charge>> settle(String chargeId, String provider, PspResult result);
  }

  private final Dispatcher dispatcher;
  private final Function<String, Future<Optional<Charge>>> chargeById;
  private final Settler settler;
  private final Metrics metrics;

  public WebhookService(Dispatcher dispatcher, ChargeService charges, Store store, Metrics metrics) {
    this(dispatcher, store::chargeById,
        (id, provider, result) -> charges.settle(id, provider, result, ChargeService.SOURCE_WEBHOOK), metrics);
  }

  WebhookService(Dispatcher dispatcher, Function<String, Future<Optional<Charge>>> chargeById, Settler settler,
      Metrics metrics) {
    this.dispatcher = dispatcher;
    this.chargeById = chargeById;
    this.settler = settler;
    this.metrics = metrics;
  }

  /**
   * Verifies the callback and settles the charge it is about.
   *
   * @return the receipt ({@code applied}, or {@code refused} with the reason); fails with {@link io.payrouter.domain.WebhookRejectedException} when the
   *     callback is not authentic
   */
  public Future<Receipt> receive(String provider, WebhookInput in) {
    if (!dispatcher.has(provider)) return Future.failedFuture(new NotFoundException("provider " + provider));
    return dispatcher.webhook(provider, in).compose(event -> {
      if (event.chargeId() == null || event.result() == null) return Future.succeededFuture(new Receipt(false, null));
      // A PSP that states no amount or currency (none of ours today) is applied as it stands.
      if (event.amount() == null && event.currency() == null) return settle(provider, event);
      return chargeById.apply(event.chargeId()).compose(found -> {
        if (found.isEmpty()) return Future.succeededFuture(new Receipt(false, null));
        String refused = mismatch(event, found.get());
        if (refused == null) return settle(provider, event);
        // Authentic, but about other money than the charge: never applied. Answered 200 so the
        // PSP stops retrying; the counter and the warning are the flag for an operator.
        metrics.webhookMismatch(provider);
        Charge c = found.get();
        log.warn("webhook from {} about charge {} refused ({}): the PSP states {} {}, the charge is {} {}; "
                + "charge left {}", provider, c.id(), refused, event.amount() == null ? "?" : event.amount(),
            event.currency() == null ? "?" : event.currency(), c.amount(), c.currency(), c.status().wire());
        return Future.succeededFuture(new Receipt(false, refused));
      });
    });
  }

  /** Why the PSP's money differs from the charge's, or null when it does not (or is not stated). */
  static String mismatch(WebhookEvent event, Charge charge) {
    if (event.currency() != null && !event.currency().equals(charge.currency())) return CURRENCY_MISMATCH;
    if (event.amount() != null && event.amount() != charge.amount()) return AMOUNT_MISMATCH;
    return null;
  }

  private Future<Receipt> settle(String provider, WebhookEvent event) {
    return settler.settle(event.chargeId(), provider, event.result())
        .map(found -> new Receipt(found.isPresent(), null));
  }
}
