package io.payrouter.domain;

/**
 * Another refund of this charge is not settled yet: refunds of one charge go one at a time, so
 * that an in-doubt refund can always be told apart at the PSP. Nothing was sent; retry later.
 */
public class RefundInProgressException extends DomainException {
  public RefundInProgressException() {
    super("another refund of this charge is not settled yet; nothing was sent, retry once it is");
  }
}
