package io.payrouter.domain;

/**
 * This instance could not prove in PostgreSQL that it still owns the charge (its lease lapsed, or
 * another instance took the charge over): the money-moving call must not be sent.
 */
public final class FencedException extends RuntimeException {
  public FencedException(String chargeId) {
    super("charge " + chargeId + " is no longer owned by this instance");
  }
}
