package io.payrouter.charge;

import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.WebhookEvent;
import io.payrouter.connector.WebhookInput;
import io.payrouter.connector.InquiryInput;
import io.payrouter.domain.Charge;
import io.payrouter.domain.NotSentReason;
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

  /** Applies a PSP's word about one attempt to a charge (ChargeService#settle with source webhook). */
  @FunctionalInterface
  interface Settler {
    Future<Optional<Charge>> settle(String chargeId, String provider, String reference, PspResult result);
  }

  private final Dispatcher dispatcher;
  private final Function<String, Future<Optional<Charge>>> chargeById;
  private final Settler settler;
  private final Metrics metrics;

  public WebhookService(Dispatcher dispatcher, ChargeService charges, Store store, Metrics metrics) {
    this(dispatcher, store::chargeById,
        charges::settle, metrics);
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
      return chargeById.apply(event.chargeId()).compose(found -> {
        if (found.isEmpty()) return Future.succeededFuture(new Receipt(false, null));
        Charge c = found.get();
        String refused = mismatch(event, c);
        if (refused == null) {
          // Pending or in doubt (an amount that cannot be read exactly) settles nothing.
          io.payrouter.domain.Outcome said = event.result().outcome();
          if (said == io.payrouter.domain.Outcome.PENDING || said == io.payrouter.domain.Outcome.IN_DOUBT) {
            return Future.succeededFuture(new Receipt(false, null));
          }
          return confirmAndSettle(provider, event, c);
        }
        // Authentic, but about other money than the charge: never applied. Answered 200 so the
        // PSP stops retrying; the counter and the warning are the flag for an operator.
        metrics.webhookMismatch(provider);
        log.warn("webhook from {} about charge {} refused ({}): the PSP states {} {}, the charge is {} {}; "
                + "charge left {}", provider, c.id(), refused, event.amount() == null ? "?" : event.amount(),
            event.currency() == null ? "?" : event.currency(), c.amount(), c.currency(), c.status().wire());
        return Future.succeededFuture(new Receipt(false, refused));
      });
    });
  }

  /**
   * A callback is a hint, the PSP's answer is the evidence: before anything settles, the attempt
   * the callback names is re-read from the PSP (a status inquiry by the attempt's reference). A
   * replayed or stale body therefore settles nothing the PSP does not say now, and applying the
   * same event twice changes nothing (the settlement policy answers ALREADY). An inquiry that
   * cannot say leaves the charge to the reconciler.
   */
  private Future<Receipt> confirmAndSettle(String provider, WebhookEvent event, Charge c) {
    String providerRef = event.result().providerReference() != null ? event.result().providerReference()
        : attemptProviderReference(c, provider, event.reference());
    InquiryInput q = new InquiryInput(c.id(), event.reference(), providerRef, c.amount(), c.currency());
    return dispatcher.inquire(provider, q).compose(now -> {
      PspResult confirmed = switch (now.kind()) {
        case FOUND -> now.result().providerReference() == null && q.providerReference() != null
            ? now.result().withProviderReference(q.providerReference()) : now.result();
        case NOT_CHARGED -> PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, now.result().message());
        case NOT_FOUND, UNKNOWN -> null;
      };
      if (confirmed == null) {
        log.info("webhook from {} about {}: the PSP could not confirm it now ({}); left to the reconciler",
            provider, event.reference(), now.kind());
        return Future.succeededFuture(new Receipt(false, null));
      }
      if (confirmed.outcome() != event.result().outcome()) {
        log.info("webhook from {} about {} said {}, the PSP says {} now: applying what the PSP says", provider,
            event.reference(), event.result().outcome(), confirmed.outcome());
      }
      return settler.settle(c.id(), provider, event.reference(), confirmed).map(f -> new Receipt(f.isPresent(), null));
    });
  }

  /** The PSP's own id recorded on the attempt the reference names, or null. */
  private static String attemptProviderReference(Charge c, String provider, String reference) {
    for (io.payrouter.domain.Attempt a : c.attempts()) {
      if (a.provider().equals(provider) && io.payrouter.domain.AttemptReference.of(c.id(), a.seq()).equals(reference)) {
        return a.providerReference();
      }
    }
    return null;
  }

  /** Why the PSP's money differs from the charge's, or null when it does not (or is not stated). */
  static String mismatch(WebhookEvent event, Charge charge) {
    if (event.currency() != null && !event.currency().equals(charge.currency())) return CURRENCY_MISMATCH;
    if (event.amount() != null && event.amount() != charge.amount()) return AMOUNT_MISMATCH;
    return null;
  }

}
