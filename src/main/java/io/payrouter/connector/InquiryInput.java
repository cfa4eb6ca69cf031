package io.payrouter.connector;

/**
 * A status inquiry for one charge at one PSP.
 *
 * @param chargeId the router's charge id (the merchant reference the PSP saw)
 * @param providerReference the PSP's id if one was known (Revio purchase, PayCore cpi_, ProcessOut
 *     iv_), or null
 * @param amount minor units
 * @param currency ISO 4217 code
 */
public record InquiryInput(String chargeId, String providerReference, long amount, String currency) {}
