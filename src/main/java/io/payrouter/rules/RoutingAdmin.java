package io.payrouter.rules;

import io.payrouter.charge.CardService;
import io.payrouter.common.Ids;
import io.payrouter.domain.Card;
import io.payrouter.domain.NotFoundException;
import io.payrouter.routing.ChargeAttributes;
import io.payrouter.routing.Decision;
import io.payrouter.rules.ProviderHealthView.ProviderStatus;
import io.vertx.core.Future;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** What the operations API does with routing: read and replace the rules, explain, run providers. */
public final class RoutingAdmin {

  /**
   * A what-if charge for {@code POST /admin/routing/explain}. With {@code merchant} and
   * {@code cardId} the card's brand, country and token providers are used; otherwise the given
   * brand and country, and {@code providers} (or every provider) as the token set.
   */
  public record ExplainQuery(String merchant, String cardId, long amount, String currency, String brand,
      String issuerCountry, Map<String, String> metadata, List<String> providers) {}

  private final RulesSource rules;
  private final ProviderHealthView health;
  private final LiveRouter router;
  private final CardService cards;

  public RoutingAdmin(RulesSource rules, ProviderHealthView health, LiveRouter router, CardService cards) {
    this.rules = rules;
    this.health = health;
    this.router = router;
    this.cards = cards;
  }

  public RulesSource.Active current() {
    return rules.active();
  }

  /**
   * Validates and installs rules sent by an operator (fails listing every problem, changing
   * nothing). The body is a rules document or {@code GET /admin/routing}'s answer as it is
   * ({@link RulesDocument#fromRequest}); rules the same as those in force create no version.
   */
  public Future<RulesSource.Active> replace(Map<String, Object> raw) {
    return rules.replace(RulesDocument.fromRequest(raw), "api");
  }

  public Future<Decision> explain(ExplainQuery q) {
    Future<Card> card = q.cardId() != null && q.merchant() != null && !q.merchant().isEmpty()
        ? cards.get(q.merchant(), q.cardId()).recover(err -> Future.failedFuture(
            err instanceof NotFoundException ? new NotFoundException("card") : err))
        : Future.succeededFuture(null);
    return card.map(c -> {
      Set<String> tokenProviders = new LinkedHashSet<>();
      if (c != null) {
        tokenProviders.addAll(c.tokens().keySet());
      } else if (q.providers() != null) {
        tokenProviders.addAll(q.providers());
      } else {
        tokenProviders.addAll(health.names());
      }
      return router.explain(new ChargeAttributes("ch_explain_" + Ids.next(""), q.merchant() == null ? "" : q.merchant(),
          q.amount(), q.currency(), c != null ? c.brand() : q.brand(), c != null ? c.issuerCountry() : q.issuerCountry(),
          q.metadata(), tokenProviders));
    });
  }

  public List<ProviderStatus> providers() {
    return health.status();
  }

  /** Enables or disables a provider for routing and answers its status. */
  public ProviderStatus setEnabled(String name, boolean on) {
    if (!health.setEnabled(name, on)) throw new NotFoundException("provider " + name);
    return health.status(name).orElseThrow();
  }
}
