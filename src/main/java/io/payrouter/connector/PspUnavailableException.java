package io.payrouter.connector;

import io.payrouter.domain.UnavailableException;

/** A non-charge PSP call (inquiry, token deactivation, webhook fetch) could not be completed. */
public class PspUnavailableException extends UnavailableException {
  public PspUnavailableException(String message) {
    super("the provider could not be reached; retry later", message);
  }
}
