package io.payrouter.store;

import io.payrouter.domain.UnavailableException;

/** The database cannot take the work now (down, or the write queue is full): nothing was changed. */
public class StoreUnavailableException extends UnavailableException {
  public StoreUnavailableException(String message) {
    super("the database is unavailable; nothing was changed, retry later", message);
  }
}
