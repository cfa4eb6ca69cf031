package io.payrouter.store;

/** The database cannot take the write now (down, or the write queue is full): answer 503. */
public class StoreUnavailableException extends RuntimeException {
  public StoreUnavailableException(String message) {
    super(message, null, false, false);
  }
}
