package io.payrouter.api;

import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.Card;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.FailureReason;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.payrouter.common.FieldError;
import io.vertx.ext.web.RoutingContext;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** Rendering of API objects and request-body helpers. Tokens are never rendered. */
public final class Json {
  private Json() {}

  /** Deepest nesting of objects and arrays a request body may have (the deepest valid one has 6). */
  static final int MAX_DEPTH = 32;

  private static final JsonFactory STRICT = JsonFactory.builder()
      .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
      .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(MAX_DEPTH).maxNumberLength(100).build())
      .build();

  /**
   * The body as a JSON object, parsed strictly: declared as {@code application/json} (else 415),
   * valid UTF-8, one object, no key twice in an object, at most {@link #MAX_DEPTH} deep, finite
   * numbers, and no string or key with a control character or an unpaired surrogate (else 400,
   * naming every such field). Vert.x's own codec would take the last of two equal keys, decode
   * overlong UTF-8 ({@code C0 AF} as "/") and let U+0000 through to PostgreSQL.
   */
  static JsonObject body(RoutingContext rc) {
    if (!isJson(rc.request().getHeader("Content-Type"))) {
      throw ProblemException.unsupportedMediaType("the body must be sent as application/json (UTF-8)");
    }
    return parseObject(utf8(rc));
  }

  /** The body as text, strictly UTF-8 ("" when there is none); 400 when its bytes are not UTF-8. */
  static String utf8(RoutingContext rc) {
    var b = rc.body() == null ? null : rc.body().buffer();
    if (b == null || b.length() == 0) return "";
    try {
      return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b.getBytes())).toString();
    } catch (CharacterCodingException e) {
      throw ProblemException.badRequest("the body is not valid UTF-8");
    }
  }

  /** The media type of a Content-Type header, lower case without parameters ("" when absent). */
  static String mediaType(String contentType) {
    if (contentType == null) return "";
    int semi = contentType.indexOf(';');
    return (semi < 0 ? contentType : contentType.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
  }

  /** A charset parameter, when there is one, names UTF-8. */
  static boolean utf8Charset(String contentType) {
    if (contentType == null) return true;
    for (String param : contentType.split(";")) {
      String p = param.trim().toLowerCase(Locale.ROOT);
      if (p.startsWith("charset=")) {
        String cs = p.substring(8).replace("\"", "").trim();
        return cs.equals("utf-8") || cs.equals("utf8");
      }
    }
    return true;
  }

  static boolean isJson(String contentType) {
    String m = mediaType(contentType);
    return (m.equals("application/json") || (m.startsWith("application/") && m.endsWith("+json")))
        && utf8Charset(contentType);
  }

  /** Parses one JSON object strictly (see {@link #body}). */
  static JsonObject parseObject(String text) {
    if (text.isBlank()) throw ProblemException.badRequest("a JSON object body is required");
    List<FieldError> errors = new ArrayList<>();
    try (JsonParser p = STRICT.createParser(text)) {
      JsonToken t = p.nextToken();
      if (t != JsonToken.START_OBJECT) throw ProblemException.badRequest("the body must be a JSON object");
      JsonObject o = (JsonObject) value(p, t, "", errors);
      if (p.nextToken() != null) throw ProblemException.badRequest("the body must be one JSON object with nothing after it");
      if (!errors.isEmpty()) throw ProblemException.validation(errors);
      return o;
    } catch (StreamConstraintsException e) {
      throw ProblemException.badRequest("the body is nested deeper than " + MAX_DEPTH + " levels or holds too long a number");
    } catch (JsonProcessingException e) {
      var loc = e.getLocation();
      String where = loc == null ? "" : " (line " + loc.getLineNr() + ", column " + loc.getColumnNr() + ")";
      // Jackson's message may quote the body: only say what kind of problem it is, and where.
      String msg = String.valueOf(e.getOriginalMessage());
      throw ProblemException.badRequest(msg.startsWith("Duplicate field")
          ? "the body has a key twice in one object" + where : "the body is not valid JSON" + where);
    } catch (java.io.IOException e) {
      throw ProblemException.badRequest("the body is not valid JSON");
    }
  }

  private static Object value(JsonParser p, JsonToken t, String at, List<FieldError> errors) throws java.io.IOException {
    switch (t) {
      case START_OBJECT: {
        JsonObject o = new JsonObject(new LinkedHashMap<>());
        while (p.nextToken() == JsonToken.FIELD_NAME) {
          String name = p.currentName();
          String path = at.isEmpty() ? name : at + "." + name;
          if (Strings.hasForbidden(name)) errors.add(Strings.forbiddenKey(path));
          o.put(name, value(p, p.nextToken(), path, errors));
        }
        return o;
      }
      case START_ARRAY: {
        JsonArray a = new JsonArray();
        JsonToken n;
        while ((n = p.nextToken()) != JsonToken.END_ARRAY) a.add(value(p, n, at + "[" + a.size() + "]", errors));
        return a;
      }
      case VALUE_STRING: {
        String s = p.getText();
        if (Strings.hasForbidden(s)) errors.add(Strings.forbidden(at));
        return s;
      }
      case VALUE_NUMBER_INT:
        return p.getNumberValue();
      case VALUE_NUMBER_FLOAT: {
        double d = p.getDoubleValue();
        if (!Double.isFinite(d)) errors.add(new FieldError(Strings.printable(at), Strings.printable(at) + " is a number out of range"));
        return d;
      }
      case VALUE_TRUE:
        return Boolean.TRUE;
      case VALUE_FALSE:
        return Boolean.FALSE;
      case VALUE_NULL:
        return null;
      default:
        throw new JsonParseException(p, "unexpected token");
    }
  }

  static void send(RoutingContext rc, int status, JsonObject body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  static void send(RoutingContext rc, int status, io.vertx.core.buffer.Buffer body) {
    rc.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body);
  }

  /**
   * Writes JSON text; the same output as Vert.x's {@code encode()} (Jackson's defaults), except that
   * a character outside the BMP goes out as its four UTF-8 bytes, as {@code String.getBytes} makes
   * them, not as two {@code \\u} escapes (Jackson's UTF-8 default).
   */
  private static final JsonFactory OUT = JsonFactory.builder()
      .enable(com.fasterxml.jackson.core.json.JsonWriteFeature.COMBINE_UNICODE_SURROGATES_IN_UTF8).build();

  /**
   * A charge as {@link #charge} renders it, as UTF-8 bytes written straight from the record: the
   * same bytes as {@code charge(c).encode()} (ChargeRenderingTest), without building the tree of
   * maps and lists first and then encoding it (the hot path answers every charge with this).
   */
  public static io.vertx.core.buffer.Buffer chargeBuffer(Charge c) {
    com.fasterxml.jackson.core.util.ByteArrayBuilder out = new com.fasterxml.jackson.core.util.ByteArrayBuilder(1024);
    try (JsonGenerator g = OUT.createGenerator(out)) {
      writeCharge(g, c);
    } catch (java.io.IOException e) {
      // a string Jackson refuses to write as UTF-8 (an unpaired surrogate): the tree's way
      return io.vertx.core.buffer.Buffer.buffer(charge(c).encode());
    }
    return io.vertx.core.buffer.Buffer.buffer(out.toByteArray());
  }

  /** The same as {@link #chargeBuffer}, as text (the data of a webhook event). */
  public static String chargeJson(Charge c) {
    java.io.StringWriter out = new java.io.StringWriter(1024);
    try (JsonGenerator g = OUT.createGenerator(out)) {
      writeCharge(g, c);
    } catch (java.io.IOException e) {
      return charge(c).encode();
    }
    return out.toString();
  }

  /** Field for field what {@link #charge} puts, in its order; keep the two in step (ChargeRenderingTest). */
  private static void writeCharge(JsonGenerator g, Charge c) throws java.io.IOException {
    g.writeStartObject();
    g.writeStringField("id", c.id());
    g.writeStringField("status", c.status() == ChargeStatus.PROCESSING ? "pending" : c.status().wire());
    g.writeNumberField("amount", c.amount());
    g.writeStringField("currency", c.currency());
    g.writeStringField("card_id", c.cardId());
    g.writeStringField("merchant_reference", c.merchantReference());
    g.writeStringField("provider", c.provider());
    g.writeStringField("provider_reference", c.providerReference());
    g.writeStringField("decline_code", c.declineCode() == null ? null : c.declineCode().wire());
    g.writeStringField("provider_code", c.providerCode());
    g.writeArrayFieldStart("attempts");
    for (Attempt a : c.attempts()) {
      g.writeStartObject();
      g.writeStringField("provider", a.provider());
      g.writeStringField("outcome", (a.outcome() == AttemptOutcome.SENT ? AttemptOutcome.IN_DOUBT : a.outcome()).wire());
      g.writeNumberField("latency_ms", a.latencyMs());
      if (a.error() != null) g.writeStringField("error", a.error());
      if (a.declineCode() != null) g.writeStringField("decline_code", a.declineCode().wire());
      g.writeEndObject();
    }
    g.writeEndArray();
    g.writeFieldName("routing");
    if (c.routing() == null) {
      g.writeNull();
    } else {
      var r = c.routing();
      g.writeStartObject();
      g.writeStringField("rule", r.rule());
      g.writeStringField("strategy", r.strategy());
      g.writeNumberField("config_version", r.configVersion());
      g.writeArrayFieldStart("candidates");
      for (String p : r.candidates()) g.writeString(p);
      g.writeEndArray();
      if (!r.expectedFees().isEmpty()) {
        g.writeObjectFieldStart("expected_fees");
        for (Map.Entry<String, Long> e : r.expectedFees().entrySet()) {
          g.writeFieldName(e.getKey());
          if (e.getValue() == null) g.writeNull();
          else g.writeNumber(e.getValue().longValue());
        }
        g.writeEndObject();
      }
      if (r.canary() != null) {
        g.writeObjectFieldStart("canary");
        g.writeNumberField("generation", r.canary().generation());
        g.writeStringField("arm", r.canary().arm());
        g.writeEndObject();
      }
      g.writeEndObject();
    }
    g.writeStringField("settled_by", c.settledBy() == null ? null : c.settledBy().wire());
    g.writeFieldName("failure_reason");
    FailureReason f = FailureReason.of(c);
    if (f == null) {
      g.writeNull();
    } else {
      g.writeStartObject();
      g.writeStringField("code", f.code());
      g.writeStringField("message", f.message());
      g.writeArrayFieldStart("providers");
      for (FailureReason.Provider p : f.providers()) {
        g.writeStartObject();
        g.writeStringField("provider", p.provider());
        if (p.answered() != null) {
          g.writeStringField("answered", p.answered());
          if (p.message() != null) g.writeStringField("message", p.message());
          if (p.declineCode() != null) g.writeStringField("decline_code", p.declineCode());
        } else {
          g.writeStringField("reason", p.reason());
          if (p.detail() != null) g.writeStringField("detail", p.detail());
        }
        g.writeEndObject();
      }
      g.writeEndArray();
      g.writeEndObject();
    }
    g.writeStringField("created_at", c.createdAt().toString());
    g.writeStringField("updated_at", c.updatedAt().toString());
    if (c.conflict() != null) g.writeStringField("conflict", c.conflict());
    g.writeEndObject();
  }

  /**
   * A charge as the merchant API renders it (also the data of its webhook events). The hot paths
   * write the same thing without the tree ({@link #chargeBuffer}, {@link #chargeJson}): a field
   * added here must be added there too, which ChargeRenderingTest checks.
   */
  public static JsonObject charge(Charge c) {
    JsonArray attempts = new JsonArray();
    for (Attempt a : c.attempts()) {
      JsonObject o = new JsonObject().put("provider", a.provider())
          .put("outcome", (a.outcome() == AttemptOutcome.SENT ? AttemptOutcome.IN_DOUBT : a.outcome()).wire()).put("latency_ms", a.latencyMs());
      if (a.error() != null) o.put("error", a.error());
      if (a.declineCode() != null) o.put("decline_code", a.declineCode().wire());
      attempts.add(o);
    }
    JsonObject routing = null;
    if (c.routing() != null) {
      routing = new JsonObject().put("rule", c.routing().rule()).put("strategy", c.routing().strategy())
          .put("config_version", c.routing().configVersion())
          .put("candidates", new JsonArray(new ArrayList<>(c.routing().candidates())));
      // the fee each candidate was expected to charge when the charge was routed (its fee schedule)
      if (!c.routing().expectedFees().isEmpty()) {
        routing.put("expected_fees", new JsonObject(new java.util.LinkedHashMap<>(c.routing().expectedFees())));
      }
      // a routing canary's charge: which canary and which arm decided it
      if (c.routing().canary() != null) {
        routing.put("canary", new JsonObject().put("generation", c.routing().canary().generation())
            .put("arm", c.routing().canary().arm()));
      }
    }
    // "processing" is internal: to a merchant the charge is pending until it settles.
    String status = c.status() == ChargeStatus.PROCESSING ? "pending" : c.status().wire();
    JsonObject out = new JsonObject().put("id", c.id()).put("status", status).put("amount", c.amount())
        .put("currency", c.currency()).put("card_id", c.cardId()).put("merchant_reference", c.merchantReference())
        .put("provider", c.provider()).put("provider_reference", c.providerReference())
        .put("decline_code", c.declineCode() == null ? null : c.declineCode().wire()).put("provider_code", c.providerCode())
        .put("attempts", attempts).put("routing", routing)
        .put("settled_by", c.settledBy() == null ? null : c.settledBy().wire())
        .put("failure_reason", failureReason(FailureReason.of(c)))
        .put("created_at", c.createdAt().toString()).put("updated_at", c.updatedAt().toString());
    // A late result that disagreed with the final status (see GET /admin/conflicts).
    if (c.conflict() != null) out.put("conflict", c.conflict());
    return out;
  }

  /** A charge's {@code failure_reason}: null unless it is failed or declined. */
  static JsonObject failureReason(FailureReason f) {
    if (f == null) return null;
    JsonArray providers = new JsonArray();
    for (FailureReason.Provider p : f.providers()) {
      JsonObject o = new JsonObject().put("provider", p.provider());
      if (p.answered() != null) {
        o.put("answered", p.answered());
        if (p.message() != null) o.put("message", p.message());
        if (p.declineCode() != null) o.put("decline_code", p.declineCode());
      } else {
        o.put("reason", p.reason());
        if (p.detail() != null) o.put("detail", p.detail());
      }
      providers.add(o);
    }
    return new JsonObject().put("code", f.code()).put("message", f.message()).put("providers", providers);
  }

  /** A refund as the merchant API renders it ({@code processing} is {@code pending}). */
  public static JsonObject refund(io.payrouter.domain.Refund r) {
    JsonObject o = new JsonObject().put("id", r.id()).put("charge_id", r.chargeId()).put("amount", r.amount())
        .put("currency", r.currency()).put("status", r.status().wire()).put("provider", r.provider());
    if (r.providerReference() != null) o.put("provider_reference", r.providerReference());
    if (r.reason() != null) o.put("reason", r.reason());
    if (r.failureReason() != null) o.put("failure_reason", r.failureReason());
    return o.put("created_at", r.createdAt().toString()).put("updated_at", r.updatedAt().toString());
  }

  static int chargeStatusCode(Charge c) {
    return c.status().isFinal() ? 201 : 202;
  }

  static JsonObject card(Card c) {
    return new JsonObject().put("id", c.id()).put("customer_reference", c.customerReference())
        .put("brand", c.brand()).put("last4", c.last4()).put("exp_month", c.expMonth()).put("exp_year", c.expYear())
        .put("issuer_country", c.issuerCountry()).put("providers", new JsonArray(new ArrayList<>(c.tokens().keySet())))
        .put("deleted", c.deleted()).put("created_at", c.createdAt().toString());
  }

  /** SHA-256 of the canonical form of a JSON value (object keys sorted), for idempotency. */
  static String fingerprint(JsonObject body) {
    StringBuilder sb = new StringBuilder();
    canonical(body.getMap(), sb);
    return HexFormat.of().formatHex(io.payrouter.common.Sha256.of(sb.toString().getBytes(StandardCharsets.UTF_8)));
  }

  @SuppressWarnings("unchecked")
  private static void canonical(Object v, StringBuilder sb) {
    if (v instanceof JsonObject j) v = j.getMap();
    if (v instanceof JsonArray a) v = a.getList();
    if (v instanceof Map<?, ?> m) {
      sb.append('{');
      boolean first = true;
      for (var e : new TreeMap<>((Map<String, Object>) m).entrySet()) {
        if (!first) sb.append(',');
        first = false;
        sb.append(io.vertx.core.json.Json.encode(e.getKey())).append(':');
        canonical(e.getValue(), sb);
      }
      sb.append('}');
    } else if (v instanceof List<?> l) {
      sb.append('[');
      for (int i = 0; i < l.size(); i++) {
        if (i > 0) sb.append(',');
        canonical(l.get(i), sb);
      }
      sb.append(']');
    } else {
      sb.append(io.vertx.core.json.Json.encode(v));
    }
  }
}
