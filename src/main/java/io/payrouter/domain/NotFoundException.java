package io.payrouter.domain;

/** The thing asked for does not exist, or not for this merchant. */
public class NotFoundException extends DomainException {
  public NotFoundException(String what) {
    super(what + " not found");
  }
}
