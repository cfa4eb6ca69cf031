package io.payrouter.connector;

/**
 * A refund (or the inquiry about one) of a charge at the PSP that took it.
 *
 * @param refundId the router's refund id ({@code re_...}): the PSP's refund reference or
 *     idempotency key where it takes one
 * @param chargeId the router's charge id
 * @param chargeReference the merchant reference the PSP was sent for the attempt that succeeded
 *     ({@link io.payrouter.domain.AttemptReference}); an answer naming another is not about it
 * @param chargeProviderReference the PSP's id for the payment (Revio purchase, PayCore cpi_,
 *     Fatora transaction, Dintero transaction, ProcessOut iv_), or null
 * @param amount what to refund, minor units
 * @param currency ISO 4217 code
 * @param chargeAmount the charge's amount, minor units
 * @param refundedBefore what the charge's succeeded refunds add up to (no other refund of the
 *     charge is unsettled meanwhile): a PSP that only shows its refunded total proves this refund
 *     landed when the total is {@code refundedBefore + amount}, and not (yet) when it is
 *     {@code refundedBefore}
 * @param reason the merchant's reason, or null
 */
public record RefundInput(String refundId, String chargeId, String chargeReference, String chargeProviderReference,
    long amount, String currency, long chargeAmount, long refundedBefore, String reason) {

  /** True when this refund takes the whole charge back (nothing was refunded before). */
  public boolean full() {
    return refundedBefore == 0 && amount == chargeAmount;
  }
}
