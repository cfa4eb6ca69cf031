package io.payrouter.api;

import io.payrouter.common.FieldError;
import io.vertx.core.json.JsonObject;
import io.vertx.json.schema.Draft;
import io.vertx.json.schema.JsonSchema;
import io.vertx.json.schema.JsonSchemaOptions;
import io.vertx.json.schema.OutputFormat;
import io.vertx.json.schema.OutputUnit;
import io.vertx.json.schema.SchemaRepository;
import io.vertx.json.schema.Validator;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Validates request bodies against the schemas of {@code openapi.yaml} itself, directly on the
 * event loop (RouterBuilder's validation hops to a worker thread per request, which cut a bare
 * endpoint from ~80k to ~15k req/s on this machine). The document served at /openapi.yaml is the
 * one enforced: there is no second copy of the rules to drift. Bodies that a schema's plain fast
 * check ({@link PlainSchema}, compiled from the same document) vouches for skip the full validator.
 */
public final class RequestValidator {
  private static final Pattern REQUIRED = Pattern.compile("required property \"([^\"]+)\"");
  private static final String BASE = "https://payment-router.local/openapi.json";

  private final SchemaRepository repository;
  private final Map<String, Validator> validators = new ConcurrentHashMap<>();
  private final JsonObject schemas;
  /** How many bodies went to the full validator (tests check the fast path is in use). */
  final java.util.concurrent.atomic.LongAdder fullValidations = new java.util.concurrent.atomic.LongAdder();
  /** Per schema: its plain fast check, if it has one (see {@link PlainSchema}). */
  private final Map<String, java.util.Optional<PlainSchema>> plain = new ConcurrentHashMap<>();

  public RequestValidator(JsonObject openApiDocument) {
    JsonSchemaOptions options = new JsonSchemaOptions().setDraft(Draft.DRAFT202012)
        .setBaseUri(BASE).setOutputFormat(OutputFormat.Basic);
    this.repository = SchemaRepository.create(options);
    repository.dereference(BASE, JsonSchema.of(endAnchored(openApiDocument.copy())));
    // A copy of its own: dereferencing annotates the nodes it is given with keys of its own.
    JsonObject document = endAnchored(openApiDocument.copy());
    JsonObject components = document.getJsonObject("components");
    this.schemas = components == null ? new JsonObject() : components.getJsonObject("schemas", new JsonObject());
  }

  /** Every problem of {@code body} against {@code #/components/schemas/<schema>}; empty when valid. */
  public List<FieldError> validate(String schema, Object body) {
    PlainSchema fast = plain.computeIfAbsent(schema, s -> java.util.Optional.ofNullable(
        schemas.getValue(s) instanceof JsonObject node ? PlainSchema.compile(node) : null)).orElse(null);
    if (fast != null && fast.vouchesFor(body)) return List.of();
    return validateFully(schema, body);
  }

  /** The full JSON Schema verdict and messages (no fast path); package-private for the tests. */
  List<FieldError> validateFully(String schema, Object body) {
    fullValidations.increment();
    Validator v = validators.computeIfAbsent(schema,
        s -> repository.validator(BASE + "#/components/schemas/" + s));
    OutputUnit out = v.validate(body);
    Set<FieldError> errors = new LinkedHashSet<>();
    if (!Boolean.TRUE.equals(out.getValid())) {
      List<OutputUnit> leaves = new ArrayList<>();
      flatten(out, leaves);
      for (OutputUnit u : leaves) {
        FieldError e = error(schema, u, leaves);
        if (e != null) errors.add(e);
      }
      if (errors.isEmpty()) errors.add(new FieldError("", ValidationMessages.BODY_NOT_OBJECT));
    }
    // JSON Schema counts 19.0 as an integer; the API does not (a fraction, even .0, is refused),
    // and says so in the same words as for 19.99.
    wholeNumbersWithAFraction(schemas.getValue(schema), body, "", errors);
    return new ArrayList<>(errors);
  }

  /** One leaf of the validator's output in words (null: a wrapper explained by other leaves). */
  private FieldError error(String schema, OutputUnit u, List<OutputUnit> leaves) {
    String at = location(u);
    String msg = u.getError();
    if (msg == null) return null;
    if (isWrapper(msg)) {
      // A wrapper of errors reported at or below the same place: keep only those. Alone, an
      // additionalProperties wrapper is the real thing: an unknown field.
      for (OutputUnit o : leaves) {
        if (o != u && (!isWrapper(o.getError()) && location(o).equals(at) || location(o).startsWith(at + "/"))) {
          return null;
        }
      }
      return msg.contains("additional properties") ? FieldError.unknownField(field(at)) : null;
    }
    Matcher m = REQUIRED.matcher(msg);
    // A missing property is reported at its parent: name the property itself.
    if (m.find()) return FieldError.required(field(at + "/" + m.group(1)));
    String keyword = u.getKeywordLocation() == null ? "" : u.getKeywordLocation();
    if (keyword.contains("/propertyNames/")) {
      String parent = at.substring(0, Math.max(0, at.lastIndexOf('/')));
      return new FieldError(field(at), ValidationMessages.key(field(at), nodeAt(schema, parent)));
    }
    return valueError(schema, at);
  }

  /** The value at {@code at} breaks its rule (or is not a field at all). */
  private FieldError valueError(String schema, String at) {
    JsonObject node = nodeAt(schema, at);
    if (node == FORBIDDEN) return FieldError.unknownField(field(at));
    return new FieldError(field(at), ValidationMessages.value(field(at), node));
  }

  /** Marks a place the schema forbids (a property of a closed object that it does not declare). */
  private static final JsonObject FORBIDDEN = new JsonObject();

  /**
   * The schema of the value at a JSON pointer of the body, $refs resolved: {@link #FORBIDDEN} for
   * an undeclared property of a closed object, null where the schema says nothing plain.
   */
  JsonObject nodeAt(String schema, String pointer) {
    JsonObject node = resolve(schemas.getValue(schema));
    for (String raw : pointer.split("/")) {
      if (raw.isEmpty()) continue;
      if (node == null || node == FORBIDDEN) return null;
      String seg = raw.replace("~1", "/").replace("~0", "~");
      JsonObject props = node.getValue("properties") instanceof JsonObject p ? p : null;
      if (props != null && props.getValue(seg) instanceof JsonObject declared) {
        node = resolve(declared);
      } else if (node.getValue("items") instanceof JsonObject items && seg.chars().allMatch(Character::isDigit)) {
        node = resolve(items);
      } else if (node.getValue("additionalProperties") instanceof JsonObject extra) {
        node = resolve(extra);
      } else if (Boolean.FALSE.equals(node.getValue("additionalProperties"))) {
        node = FORBIDDEN;
      } else {
        node = null;
      }
    }
    return node;
  }

  private JsonObject resolve(Object node) {
    Object n = node;
    for (int guard = 0; n instanceof JsonObject o && o.getValue("$ref") instanceof String ref && guard < 16; guard++) {
      n = ref.startsWith("#/components/schemas/") ? schemas.getValue(ref.substring("#/components/schemas/".length())) : null;
    }
    return n instanceof JsonObject o ? o : null;
  }

  /** Every number with a fraction (19.0 included) where the schema wants an integer. */
  private void wholeNumbersWithAFraction(Object schemaNode, Object value, String at, Set<FieldError> errors) {
    JsonObject node = resolve(schemaNode);
    if (node == null) return;
    if (value instanceof JsonObject o) {
      JsonObject props = node.getValue("properties") instanceof JsonObject p ? p : new JsonObject();
      for (Map.Entry<String, Object> e : o) {
        String path = at + "/" + e.getKey().replace("~", "~0").replace("/", "~1");
        Object child = props.getValue(e.getKey()) instanceof JsonObject declared ? declared
            : node.getValue("additionalProperties") instanceof JsonObject extra ? extra : null;
        if (child != null) wholeNumbersWithAFraction(child, e.getValue(), path, errors);
      }
    } else if (value instanceof io.vertx.core.json.JsonArray a && node.getValue("items") instanceof JsonObject items) {
      for (int i = 0; i < a.size(); i++) wholeNumbersWithAFraction(items, a.getValue(i), at + "/" + i, errors);
    } else if ((value instanceof Double || value instanceof Float || value instanceof java.math.BigDecimal)
        && "integer".equals(node.getValue("type"))) {
      errors.add(new FieldError(field(at), ValidationMessages.value(field(at), node)));
    }
  }

  private static void flatten(OutputUnit unit, List<OutputUnit> out) {
    List<OutputUnit> children = unit.getErrors();
    if (children != null && !children.isEmpty()) {
      for (OutputUnit c : children) flatten(c, out);
    } else {
      out.add(unit);
    }
  }

  private static String location(OutputUnit u) {
    String l = u.getInstanceLocation() == null ? "" : u.getInstanceLocation();
    return l.startsWith("#") ? l.substring(1) : l;
  }

  private static boolean isWrapper(String msg) {
    return msg != null && (msg.startsWith("A subschema had errors") || msg.endsWith("did not match schema")
        || msg.endsWith("does not match schema")
        || msg.endsWith("does not match additional properties schema"));
  }

  /**
   * The validator runs patterns with java.util.regex, where {@code $} also matches before a final
   * line terminator ("USD\n" would pass {@code ^[A-Z]{3}$}); JSON Schema's ECMA-262 {@code $} does
   * not. Patterns ending in {@code $} are given Java's end-of-input {@code \z} instead.
   */
  private static JsonObject endAnchored(JsonObject node) {
    for (String k : node.fieldNames()) {
      Object v = node.getValue(k);
      if (k.equals("pattern") && v instanceof String p && p.endsWith("$") && !p.endsWith("\\$")) {
        node.put(k, p.substring(0, p.length() - 1) + "\\z");
      } else if (v instanceof JsonObject o) {
        endAnchored(o);
      } else if (v instanceof io.vertx.core.json.JsonArray a) {
        for (Object x : a) if (x instanceof JsonObject o) endAnchored(o);
      }
    }
    return node;
  }

  static String field(String pointer) {
    if (pointer == null) return "";
    String p = pointer.startsWith("#") ? pointer.substring(1) : pointer;
    if (p.startsWith("/")) p = p.substring(1);
    StringBuilder out = new StringBuilder();
    for (String seg : p.split("/", -1)) {
      if (seg.isEmpty()) continue;
      String s = seg.replace("~1", "/").replace("~0", "~");
      if (s.chars().allMatch(Character::isDigit)) {
        out.append('[').append(s).append(']');
      } else {
        if (out.length() > 0) out.append('.');
        out.append(s);
      }
    }
    return out.toString();
  }

}
