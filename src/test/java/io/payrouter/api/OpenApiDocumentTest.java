package io.payrouter.api;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.swagger.v3.oas.models.OpenAPI;
import io.swagger.v3.oas.models.Operation;
import io.swagger.v3.oas.models.PathItem;
import io.swagger.v3.oas.models.media.MediaType;
import io.swagger.v3.oas.models.media.Schema;
import io.swagger.v3.oas.models.responses.ApiResponse;
import io.swagger.v3.parser.OpenAPIV3Parser;
import io.swagger.v3.parser.core.models.ParseOptions;
import io.swagger.v3.parser.core.models.SwaggerParseResult;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.junit.jupiter.api.Test;
import org.yaml.snakeyaml.Yaml;

/**
 * Lints the served contract, {@code openapi.yaml}, the way client generators read it: a strict
 * OpenAPI parse with no message at all, every operation named and summarised, every error response
 * documented as RFC 9457 problem+json, and no YAML slip (such as an unquoted comma in a flow
 * mapping) that silently turns text into a stray key.
 */
class OpenApiDocumentTest {
  static final String PROBLEM_REF = "#/components/schemas/Problem";
  static final String PROBLEM_JSON = "application/problem+json";
  static final Set<String> RESPONSE_KEYS = Set.of("description", "headers", "content", "links", "$ref");
  /** Keys where a YAML null is a legitimate value (JSON Schema / OpenAPI example values). */
  static final Set<String> NULL_ALLOWED = Set.of("default", "const", "example");
  /**
   * 4xx/5xx responses that are not problems: the readiness probe answers 503 with its own status
   * body ({"status":"DOWN","reason":...}), which the document must describe as it is.
   */
  static final Set<String> NOT_PROBLEMS = Set.of("GET /health/ready 503");

  static final String TEXT = load();
  static final SwaggerParseResult PARSED = parse(TEXT);

  static String load() {
    try (InputStream in = OpenApiDocumentTest.class.getResourceAsStream("/openapi.yaml")) {
      assertNotNull(in, "openapi.yaml on the classpath");
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static SwaggerParseResult parse(String text) {
    ParseOptions options = new ParseOptions();
    options.setResolve(true);
    options.setValidateInternalRefs(true);
    options.setValidateExternalRefs(true);
    return new OpenAPIV3Parser().readContents(text, null, options);
  }

  static OpenAPI api() {
    assertNotNull(PARSED.getOpenAPI(), () -> "the document does not parse: " + PARSED.getMessages());
    return PARSED.getOpenAPI();
  }

  /** Calls {@code each} with "METHOD /path" and the operation, for every operation of the document. */
  static void operations(BiConsumer<String, Operation> each) {
    api().getPaths().forEach((path, item) -> item.readOperationsMap()
        .forEach((method, op) -> each.accept(method + " " + path, op)));
  }

  static ApiResponse dereference(ApiResponse r) {
    if (r.get$ref() == null) return r;
    String name = r.get$ref().substring(r.get$ref().lastIndexOf('/') + 1);
    ApiResponse target = api().getComponents() == null || api().getComponents().getResponses() == null
        ? null : api().getComponents().getResponses().get(name);
    assertNotNull(target, "response $ref " + r.get$ref() + " resolves");
    return dereference(target);
  }

  @Test
  void parsesWithoutAnyParserMessage() {
    List<String> messages = PARSED.getMessages() == null ? List.of() : PARSED.getMessages();
    assertTrue(messages.isEmpty(), () -> messages.size() + " parser message(s):\n  " + String.join("\n  ", messages));
  }

  @Test
  void declaresOpenApi31() {
    assertTrue(api().getOpenapi().startsWith("3.1."), "openapi: " + api().getOpenapi());
    assertTrue(PARSED.isOpenapi31(), "parsed as OpenAPI 3.1");
  }

  @Test
  void everyOperationHasASummary() {
    List<String> missing = new ArrayList<>();
    operations((name, op) -> {
      if (op.getSummary() == null || op.getSummary().isBlank()) missing.add(name);
    });
    assertTrue(missing.isEmpty(), () -> missing.size() + " operation(s) without a summary: " + missing);
  }

  @Test
  void everyOperationHasAUniqueOperationId() {
    List<String> problems = new ArrayList<>();
    Map<String, String> seen = new HashMap<>();
    operations((name, op) -> {
      String id = op.getOperationId();
      if (id == null || id.isBlank()) {
        problems.add(name + ": no operationId");
      } else if (seen.putIfAbsent(id, name) != null) {
        problems.add(name + ": operationId " + id + " already used by " + seen.get(id));
      }
    });
    assertTrue(problems.isEmpty(), () -> String.join("\n", problems));
  }

  @Test
  void everyErrorResponseIsProblemJsonWithTheProblemSchema() {
    List<String> problems = new ArrayList<>();
    operations((name, op) -> op.getResponses().forEach((status, response) -> {
      if (!status.matches("[45]\\d\\d") || NOT_PROBLEMS.contains(name + " " + status)) return;
      ApiResponse r = dereference(response);
      MediaType media = r.getContent() == null ? null : r.getContent().get(PROBLEM_JSON);
      Schema<?> schema = media == null ? null : media.getSchema();
      if (schema == null || !PROBLEM_REF.equals(schema.get$ref())) {
        problems.add(name + " " + status + ": content " + (r.getContent() == null ? "none" : r.getContent().keySet()));
      }
    }));
    assertTrue(problems.isEmpty(), () -> problems.size() + " error response(s) not documented as " + PROBLEM_JSON
        + " with $ref " + PROBLEM_REF + ":\n  " + String.join("\n  ", problems));
  }

  @Test
  void problemSchemaIsWhatTheRouterEmits() {
    Schema<?> problem = api().getComponents().getSchemas().get("Problem");
    assertNotNull(problem, "components/schemas/Problem");
    assertEquals(Set.of("type", "title", "status", "detail", "errors"), problem.getProperties().keySet());
    assertEquals(Set.of("type", "title", "status", "detail"), Set.copyOf(nonNull(problem.getRequired())));
    Schema<?> error = problem.getProperties().get("errors").getItems();
    assertEquals(Set.of("field", "message", "line"), error.getProperties().keySet());
    assertEquals(Set.of("field", "message"), Set.copyOf(nonNull(error.getRequired())));
  }

  private static List<String> nonNull(List<String> l) {
    return l == null ? List.of() : l;
  }

  @Test
  @SuppressWarnings("unchecked")
  void responseObjectsHaveOnlyTheKeysOpenApiAllows() {
    Map<String, Object> raw = new Yaml().load(TEXT);
    Map<String, Map<String, Object>> responses = new java.util.LinkedHashMap<>();
    ((Map<String, Object>) raw.get("paths")).forEach((path, item) -> ((Map<String, Object>) item).forEach((method, op) -> {
      if (op instanceof Map<?, ?> operation && operation.get("responses") instanceof Map<?, ?> rs) {
        rs.forEach((status, r) -> responses.put(method + " " + path + " " + status, (Map<String, Object>) r));
      }
    }));
    Map<String, Object> components = (Map<String, Object>) raw.getOrDefault("components", Map.of());
    ((Map<String, Object>) components.getOrDefault("responses", Map.of()))
        .forEach((name, r) -> responses.put("components/responses/" + name, (Map<String, Object>) r));

    List<String> problems = new ArrayList<>();
    responses.forEach((where, r) -> {
      for (String key : r.keySet()) {
        if (!RESPONSE_KEYS.contains(key) && !key.startsWith("x-")) problems.add(where + ": '" + key + "'");
      }
    });
    assertTrue(problems.isEmpty(), () -> problems.size() + " response key(s) OpenAPI does not allow:\n  "
        + String.join("\n  ", problems));
  }

  /**
   * The unquoted-comma trap anywhere, including places a linter cannot see it (a schema accepts
   * unknown keywords): {@code { description: a, b }} leaves a key {@code b} with no value.
   */
  @Test
  void noKeyIsLeftWithoutAValue() {
    List<String> problems = new ArrayList<>();
    walk(new Yaml().load(TEXT), "#", problems);
    assertTrue(problems.isEmpty(), () -> problems.size() + " key(s) without a value:\n  " + String.join("\n  ", problems));
  }

  private static void walk(Object node, String at, List<String> problems) {
    if (node instanceof Map<?, ?> map) {
      map.forEach((k, v) -> {
        String key = String.valueOf(k);
        if (v == null && !NULL_ALLOWED.contains(key)) problems.add(at + "/" + key);
        walk(v, at + "/" + key, problems);
      });
    } else if (node instanceof List<?> list) {
      for (int i = 0; i < list.size(); i++) walk(list.get(i), at + "/" + i, problems);
    }
  }
}
