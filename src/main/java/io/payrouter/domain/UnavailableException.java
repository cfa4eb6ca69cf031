package io.payrouter.domain;

/**
 * Something the request needs cannot be reached now (the database, a PSP, a full write queue):
 * nothing was changed, and the same request may be retried. {@link #getMessage()} is for logs;
 * {@link #publicDetail()} is what the caller is told.
 */
public class UnavailableException extends DomainException {
  private final String publicDetail;

  public UnavailableException(String publicDetail) {
    this(publicDetail, publicDetail);
  }

  public UnavailableException(String publicDetail, String internalMessage) {
    super(internalMessage);
    this.publicDetail = publicDetail;
  }

  public String publicDetail() {
    return publicDetail;
  }
}
