package io.payrouter.connector;

/** A non-charge PSP call (inquiry, token deactivation, webhook fetch) could not be completed. */
public class PspUnavailableException extends RuntimeException {
  public PspUnavailableException(String message) {
    super(message, null, false, false);
  }
}
