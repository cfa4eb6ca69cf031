package io.payrouter.api;

import io.payrouter.merchant.MerchantService;
import io.vertx.ext.web.RoutingContext;

/** Route handlers for bearer keys: the merchant API and the operations API. */
final class ApiKeys {
  static final String MERCHANT = "merchantId";

  private final MerchantService merchants;

  ApiKeys(MerchantService merchants) {
    this.merchants = merchants;
  }

  static String bearer(RoutingContext rc) {
    String h = rc.request().getHeader("Authorization");
    if (h == null || !h.regionMatches(true, 0, "Bearer ", 0, 7)) return null;
    String k = h.substring(7).trim();
    return k.isEmpty() || k.length() > 200 ? null : k;
  }

  /** Resolves the merchant of the bearer key into the context, or answers 401. */
  void merchant(RoutingContext rc) {
    String key = bearer(rc);
    if (key == null) {
      rc.fail(ProblemException.unauthorized());
      return;
    }
    merchants.merchantForKey(key).onComplete(ar -> {
      if (ar.failed()) {
        rc.fail(ProblemException.unavailable("cannot check the API key now"));
      } else if (ar.result().isEmpty()) {
        rc.fail(ProblemException.unauthorized());
      } else {
        rc.put(MERCHANT, ar.result().get());
        rc.next();
      }
    });
  }

  /**
   * The operations API: the admin key only. A valid merchant key is 403 (authenticated, not
   * allowed here); anything else 401.
   */
  void admin(RoutingContext rc) {
    String key = bearer(rc);
    if (merchants.isAdminKey(key)) {
      rc.next();
      return;
    }
    if (key == null) {
      rc.fail(ProblemException.unauthorized());
      return;
    }
    merchants.merchantForKey(key).onComplete(ar -> {
      if (ar.succeeded() && ar.result().isPresent()) {
        rc.fail(ProblemException.forbidden("a merchant key cannot use the operations API; use the admin key"));
      } else {
        rc.fail(ProblemException.unauthorized());
      }
    });
  }
}
