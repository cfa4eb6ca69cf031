package io.payrouter.connector;

import io.payrouter.domain.PspResult;


/**
 * A verified PSP callback about one charge.
 *
 * @param chargeId the router's charge id (the merchant reference the PSP echoes), or null when the
 *     event is about something else (then it is acknowledged and ignored)
 * @param result the payment's state according to the event
 */
public record WebhookEvent(String chargeId, PspResult result) {

  public static WebhookEvent ignored() {
    return new WebhookEvent(null, null);
  }
}
