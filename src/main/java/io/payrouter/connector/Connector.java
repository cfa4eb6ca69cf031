package io.payrouter.connector;

import io.payrouter.domain.WebhookRejectedException;

import io.payrouter.domain.PspResult;


import io.payrouter.common.FieldError;
import io.payrouter.config.ProviderConfig;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a PSP does for us, as pure mapping. Implementations live in {@code connector/<psp>} and do
 * no I/O: each method returns a {@link Step} flow that {@link Dispatcher} runs.
 */
public interface Connector {

  /** The connector type, e.g. "revio"; matched against {@code providers.<name>.type}. */
  String type();

  /**
   * Validates this PSP's token object of {@code POST /v1/cards} ({@code tokens.<provider>}).
   * Field names in errors are relative to the token object (e.g. "recurring_token").
   * Unknown fields are errors too.
   */
  List<FieldError> validateToken(JsonObject token);

  /**
   * What is wrong with a provider's configuration for this PSP, as full sentences starting with the
   * key path ({@code providers.<name>.…}); empty when it can be used. The {@link Dispatcher} asks
   * every provider at construction and refuses to start with all problems listed
   * ({@link io.payrouter.config.ConfigException}). Pure: no I/O.
   */
  default List<String> configProblems(ProviderConfig provider) {
    return List.of();
  }

  /** Charges a stored token. */
  Step<PspResult> charge(CallContext ctx, ChargeInput input);

  /** Asks the PSP for the state of a charge it may have received. */
  Step<InquiryResult> inquire(CallContext ctx, InquiryInput input);

  /**
   * Closes an unpaid payment through the call the PSP documents for that (Revio's purchase cancel,
   * ProcessOut's invoice void), where it has one. The flow answers the payment's state after the
   * call as an inquiry would: {@link InquiryResult.Kind#NOT_CHARGED} once the PSP shows it closed
   * unpaid, {@code FOUND} with a success when it was paid meanwhile, {@code UNKNOWN} otherwise.
   * Empty when the PSP documents no such call: then only its own final states or the
   * {@code recovery.not_found_final_after} horizon prove that nothing was charged.
   */
  default Optional<Step<InquiryResult>> cancel(CallContext ctx, InquiryInput input) {
    return Optional.empty();
  }

  /**
   * Why this PSP cannot refund {@code requested} of a charge of {@code chargeAmount} (null: the
   * rest), as a sentence for the merchant; empty when it can. Asked before anything is recorded:
   * a PSP without a documented refund call, or without documented partial refunds, is refused
   * with 422 and nothing is sent. Pure.
   */
  default Optional<String> refundRefusal(long chargeAmount, Long requested) {
    return Optional.of("this PSP documents no refund call");
  }

  /**
   * Refunds (part of) a charge through the PSP's documented refund call. The call that moves the
   * money is marked {@link HttpCall#movingMoney()}: the dispatcher runs the fenced checkpoint
   * before it, and a timeout or an unreadable answer is in doubt. The result reads as for a
   * charge: {@code SUCCEEDED} refunded, {@code PENDING} accepted and settling, {@code DECLINED}
   * refused by the PSP (nothing refunded), {@code NOT_SENT} nothing refunded (for a reason the
   * result names), {@code IN_DOUBT} the inquiry decides. Empty when the PSP has no refund call.
   */
  default Optional<Step<PspResult>> refund(CallContext ctx, RefundInput input) {
    return Optional.empty();
  }

  /**
   * Asks the PSP whether a refund landed: {@code FOUND} with succeeded (refunded), pending or
   * declined (the PSP refused or failed it); {@code NOT_FOUND} when the PSP shows no such refund
   * (yet: only the {@code recovery.not_found_final_after} horizon makes that proof); {@code
   * UNKNOWN} when it cannot say. Never sends the refund again.
   */
  default Step<InquiryResult> inquireRefund(CallContext ctx, RefundInput input) {
    return Step.done(InquiryResult.unknown("this PSP documents no refund inquiry"));
  }

  /** Deactivates a stored token where the PSP's API supports it (Fatora, ProcessOut). */
  default Optional<Step<Boolean>> deactivateToken(CallContext ctx, Map<String, String> token) {
    return Optional.empty();
  }

  /**
   * Verifies and parses a callback. Throws {@link WebhookRejectedException} for a bad or missing
   * signature; may call the PSP (ProcessOut: fetch the event) through the returned flow.
   */
  Step<WebhookEvent> webhook(CallContext ctx, WebhookInput input);

  /**
   * For PSPs that hand out bearer tokens (Dintero): the flow that obtains one. The dispatcher
   * caches it per provider and refreshes it before expiry; never one per charge.
   */
  default Optional<Step<AccessToken>> authenticate(CallContext ctx) {
    return Optional.empty();
  }
}
