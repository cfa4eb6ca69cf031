package io.payrouter.domain;

/** Only a succeeded charge can be refunded; this one is not (declined, failed, pending, ...). */
public class ChargeNotRefundableException extends DomainException {
  public ChargeNotRefundableException(String detail) {
    super(detail);
  }
}
