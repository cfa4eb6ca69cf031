package io.payrouter.connector;

import io.payrouter.common.FieldError;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.List;

/** Validation shared by connectors whose card token is a fixed set of required string fields. */
public final class TokenFields {
  /** The same bound as openapi.yaml's {@code NonEmpty}. */
  public static final int MAX_LENGTH = 512;

  private TokenFields() {}

  /** Each of {@code required} present as a non-empty string of at most 512 characters; nothing else. */
  public static List<FieldError> requireStrings(JsonObject token, List<String> required) {
    List<FieldError> errors = new ArrayList<>();
    JsonObject t = token == null ? new JsonObject() : token;
    for (String k : t.fieldNames()) {
      if (!required.contains(k)) errors.add(FieldError.unknownField(k));
    }
    for (String f : required) {
      Object v = t.getValue(f);
      if (v == null) {
        errors.add(FieldError.required(f));
      } else if (!(v instanceof String s) || s.isBlank() || s.length() > MAX_LENGTH) {
        errors.add(new FieldError(f, f + " must be a string of 1 to " + MAX_LENGTH + " characters, not only spaces"));
      }
    }
    return errors;
  }
}
