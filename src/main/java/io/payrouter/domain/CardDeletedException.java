package io.payrouter.domain;

/** The card was deleted: it can no longer be charged. */
public class CardDeletedException extends DomainException {
  public CardDeletedException() {
    super("the card was deleted and cannot be charged");
  }
}
