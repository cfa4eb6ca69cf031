package io.payrouter.charge;

import io.payrouter.common.FieldError;
import io.payrouter.connector.Connector;
import io.payrouter.connector.Dispatcher;
import io.payrouter.domain.Card;
import io.payrouter.domain.NotFoundException;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/** Stored cards: store, read, validate a PSP token, and delete (deactivating tokens where the PSP can). */
public final class CardService {

  /**
   * A deleted card; when this call deleted it ({@code justDeleted}), how each provider's token
   * deactivation went ({@code deactivated}, {@code failed}, {@code not_supported}).
   */
  public record Deletion(Card card, boolean justDeleted, Map<String, String> tokenDeactivation) {}

  private final Store store;
  private final Dispatcher dispatcher;
  private final Consumer<String> evict;

  /** @param evict drops a card from the charge path's cache on this instance */
  public CardService(Store store, Dispatcher dispatcher, Consumer<String> evict) {
    this.store = store;
    this.dispatcher = dispatcher;
    this.evict = evict;
  }

  /**
   * The problems of one PSP's token object (field names relative to the token), or empty when the
   * router has no such provider.
   */
  public Optional<List<FieldError>> tokenProblems(String provider, JsonObject token) {
    Connector c = dispatcher.connector(provider);
    return c == null ? Optional.empty() : Optional.of(c.validateToken(token));
  }

  public Future<Card> create(Card card) {
    return store.insertCard(card).map(card);
  }

  public Future<Card> get(String merchantId, String cardId) {
    return store.card(merchantId, cardId).map(found -> found.orElseThrow(() -> new NotFoundException("card " + cardId)));
  }

  /**
   * Deactivates the card's tokens at the PSPs that support it (Fatora, ProcessOut), then marks it
   * deleted. Deleting a deleted card changes nothing and answers it as it is.
   */
  public Future<Deletion> delete(String merchantId, String cardId) {
    return get(merchantId, cardId).compose(card -> {
      if (card.deleted()) return Future.succeededFuture(new Deletion(card, false, Map.of()));
      Map<String, String> results = new LinkedHashMap<>();
      List<Future<?>> calls = new ArrayList<>();
      card.tokens().forEach((provider, token) ->
          calls.add(dispatcher.deactivate(provider, token).onSuccess(r -> results.put(provider, r))));
      return Future.join(calls)
          .transform(x -> store.deleteCard(merchantId, cardId))
          .map(v -> {
            evict.accept(cardId);
            return new Deletion(card.asDeleted(), true, Map.copyOf(results));
          });
    });
  }
}
