package io.payrouter.connector;

import io.payrouter.common.Currencies;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;

/**
 * A verified PSP callback about one charge.
 *
 * @param reference the attempt's merchant reference the PSP echoes ({@code ch_X} or {@code ch_X-2},
 *     see {@link io.payrouter.domain.AttemptReference}), or null when the event is about something
 *     else (then it is acknowledged and ignored)
 * @param result the payment's state according to the event
 * @param amount the payment's amount in integer minor units as the PSP states it, or null when the
 *     PSP gives none; compared with the charge's before anything is applied
 * @param currency the payment's ISO 4217 currency as the PSP states it, or null when it gives none
 */
public record WebhookEvent(String reference, PspResult result, Long amount, String currency) {

  /** An event whose PSP states no amount or currency. */
  public WebhookEvent(String reference, PspResult result) {
    this(reference, result, null, null);
  }

  /** The router's charge id the event is about, or null. */
  public String chargeId() {
    return io.payrouter.domain.AttemptReference.chargeId(reference);
  }

  public static WebhookEvent ignored() {
    return new WebhookEvent(null, null);
  }

  /**
   * This event with the amount the PSP states, given as the PSP's JSON value: integer minor units
   * ({@code decimal == false}) or decimal major units with at most the currency's ISO 4217
   * exponent ({@code decimal == true}; a JSON number or string, read exactly, never rounded). An
   * amount that is present but cannot be read exactly leaves the amount unknown and makes the
   * event settle nothing: its result becomes in doubt, and the reconciler decides by inquiry.
   */
  public WebhookEvent withAmount(Object pspAmount, String pspCurrency, boolean decimal) {
    if (pspAmount == null) return new WebhookEvent(reference, result, null, pspCurrency);
    try {
      long minor;
      if (decimal) {
        minor = Currencies.toMinor(pspAmount, pspCurrency);
      } else if (pspAmount instanceof Integer || pspAmount instanceof Long) {
        minor = ((Number) pspAmount).longValue();
      } else {
        minor = new java.math.BigDecimal(pspAmount.toString().trim()).longValueExact();
      }
      return new WebhookEvent(reference, result, minor, pspCurrency);
    } catch (RuntimeException e) {
      PspResult doubt = result == null ? null
          : result.outcome() == Outcome.IN_DOUBT ? result
          : PspResult.inDoubt(result.providerReference(), "the PSP's amount cannot be read exactly");
      return new WebhookEvent(reference, doubt, null, pspCurrency);
    }
  }
}
