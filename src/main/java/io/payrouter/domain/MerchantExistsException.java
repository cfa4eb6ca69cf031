package io.payrouter.domain;

/** A merchant with this id already exists. */
public class MerchantExistsException extends DomainException {
  public MerchantExistsException(String id) {
    super("merchant " + id + " already exists");
  }
}
