package io.payrouter.connector;

/**
 * A status inquiry (or a cancel) for one attempt of a charge at one PSP.
 *
 * @param chargeId the router's charge id
 * @param reference the attempt's merchant reference, as the PSP was sent it
 *     ({@link io.payrouter.domain.AttemptReference}); an answer naming another reference is not
 *     about this attempt
 * @param providerReference the PSP's id if one was known (Revio purchase, PayCore cpi_, ProcessOut
 *     iv_), or null
 * @param amount minor units
 * @param currency ISO 4217 code
 */
public record InquiryInput(String chargeId, String reference, String providerReference, long amount, String currency) {}
