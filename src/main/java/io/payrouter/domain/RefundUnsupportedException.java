package io.payrouter.domain;

/** The PSP that took the charge documents no refund call for this (e.g. no partial refunds). */
public class RefundUnsupportedException extends DomainException {
  public RefundUnsupportedException(String detail) {
    super(detail);
  }
}
