package io.payrouter.connector;

/** A callback whose signature or authenticity could not be verified: answered 401, changes nothing. */
public class WebhookRejectedException extends RuntimeException {
  public WebhookRejectedException(String message) {
    super(message, null, false, false);
  }
}
