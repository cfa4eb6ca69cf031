package io.payrouter.domain;

/** A callback whose signature or authenticity could not be verified: answered 401, changes nothing. */
public class WebhookRejectedException extends DomainException {
  public WebhookRejectedException(String message) {
    super(message);
  }
}
