package io.payrouter.api;

import io.payrouter.charge.ChargeService;
import io.payrouter.common.ProblemException;
import io.payrouter.connector.Dispatcher;
import io.payrouter.connector.WebhookInput;
import io.payrouter.connector.WebhookRejectedException;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** {@code POST /v1/webhooks/{provider}}: authenticate as the PSP documents, then settle. */
final class WebhookHandler {
  private static final Logger log = LoggerFactory.getLogger(WebhookHandler.class);
  private final Dispatcher dispatcher;
  private final ChargeService charges;

  WebhookHandler(Dispatcher dispatcher, ChargeService charges) {
    this.dispatcher = dispatcher;
    this.charges = charges;
  }

  void handle(RoutingContext rc) {
    String provider = rc.pathParam("provider");
    if (!dispatcher.has(provider)) throw ProblemException.notFound("provider " + provider);
    Map<String, String> headers = new HashMap<>();
    rc.request().headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    Map<String, String> query = new HashMap<>();
    rc.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    String body = rc.body() == null || rc.body().length() == 0 ? "" : rc.body().asString();
    WebhookInput in = new WebhookInput(rc.request().method().name(), rc.request().absoluteURI(), query, headers, body);
    dispatcher.webhook(provider, in).compose(event -> event.chargeId() == null || event.result() == null
            ? Future.succeededFuture(false)
            : charges.settle(event.chargeId(), provider, event.result(), ChargeService.SOURCE_WEBHOOK).map(found -> found.isPresent()))
        .onSuccess(applied -> Json.send(rc, 200, new JsonObject().put("received", true).put("applied", applied)))
        .onFailure(err -> {
          if (err instanceof WebhookRejectedException) {
            log.warn("{} webhook rejected: {}", provider, err.getMessage());
            rc.fail(new ProblemException(401, "webhook-rejected", "Unauthorized", "the webhook could not be authenticated", null));
          } else {
            rc.fail(err);
          }
        });
  }
}
