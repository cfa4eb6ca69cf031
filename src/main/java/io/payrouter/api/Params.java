package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.vertx.ext.web.RoutingContext;
import java.util.List;

/** Query parameters of the operations API's lists, checked once here (400 naming each one). */
final class Params {
  static final int MAX_LIMIT = 1000;

  private Params() {}

  /** {@code limit}: 1 to 1000, {@code dflt} when absent. */
  static int limit(RoutingContext rc, int dflt) {
    List<String> l = rc.queryParam("limit");
    if (l.isEmpty()) return dflt;
    String v = l.get(0);
    if (!v.matches("[0-9]{1,4}") || Integer.parseInt(v) < 1 || Integer.parseInt(v) > MAX_LIMIT) {
      throw ProblemException.validation(List.of(new FieldError("limit", "limit must be a whole number from 1 to " + MAX_LIMIT)));
    }
    return Integer.parseInt(v);
  }

  /** An optional text parameter given at most once, 1 to {@code max} characters (null when absent). */
  static String text(RoutingContext rc, String name, int max, List<FieldError> errors) {
    List<String> v = rc.queryParam(name);
    if (v.isEmpty()) return null;
    if (v.size() > 1 || v.get(0).isEmpty() || v.get(0).length() > max) {
      errors.add(new FieldError(name, name + " must be given at most once, 1 to " + max + " characters"));
      return null;
    }
    return v.get(0);
  }
}
