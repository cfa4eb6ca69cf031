package io.payrouter.api;

import io.payrouter.charge.WebhookService;
import io.payrouter.connector.WebhookInput;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;

/** {@code POST /v1/webhooks/{provider}}: hand the raw callback to the webhook service, render. */
final class WebhookHandler {
  private final WebhookService webhooks;

  WebhookHandler(WebhookService webhooks) {
    this.webhooks = webhooks;
  }

  void handle(RoutingContext rc) {
    Map<String, String> headers = new HashMap<>();
    rc.request().headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
    Map<String, String> query = new HashMap<>();
    rc.queryParams().forEach(e -> query.putIfAbsent(e.getKey(), e.getValue()));
    String body = rc.body() == null || rc.body().length() == 0 ? "" : rc.body().asString();
    WebhookInput in = new WebhookInput(rc.request().method().name(), rc.request().absoluteURI(), query, headers, body);
    webhooks.receive(rc.pathParam("provider"), in)
        .onSuccess(receipt -> {
          JsonObject answer = new JsonObject().put("received", true).put("applied", receipt.applied());
          if (receipt.refused() != null) answer.put("refused", receipt.refused());
          Json.send(rc, 200, answer);
        })
        .onFailure(rc::fail);
  }
}
