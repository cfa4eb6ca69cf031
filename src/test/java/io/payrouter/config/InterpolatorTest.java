package io.payrouter.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** ${NAME} and ${NAME:-default} in every string of a YAML tree. */
class InterpolatorTest {

  static Interpolator with(String... pairs) {
    Map<String, String> env = new HashMap<>();
    for (int i = 0; i < pairs.length; i += 2) env.put(pairs[i], pairs[i + 1]);
    return new Interpolator(env::get);
  }

  @Test
  void variableIsReplacedByItsValue() {
    Interpolator i = with("A", "alpha");
    assertEquals("alpha", i.interpolate("${A}"));
    assertTrue(i.missing().isEmpty());
  }

  @Test
  void textAroundVariablesIsKept() {
    assertEquals("http://h:8080/x", with("HOST", "h", "PORT", "8080").interpolate("http://${HOST}:${PORT}/x"));
  }

  @Test
  void stringWithoutPlaceholdersIsUnchanged() {
    assertEquals("plain $A {A} $", with("A", "x").interpolate("plain $A {A} $"));
  }

  @Test
  void defaultIsUsedWhenTheVariableIsUnset() {
    Interpolator i = with();
    assertEquals("fallback", i.interpolate("${A:-fallback}"));
    assertTrue(i.missing().isEmpty());
  }

  @Test
  void defaultIsUsedWhenTheVariableIsEmpty() {
    assertEquals("fallback", with("A", "").interpolate("${A:-fallback}"));
  }

  @Test
  void valueWinsOverTheDefault() {
    assertEquals("set", with("A", "set").interpolate("${A:-fallback}"));
  }

  @Test
  void emptyDefaultGivesAnEmptyStringWithoutReportingTheVariable() {
    Interpolator i = with();
    assertEquals("", i.interpolate("${A:-}"));
    assertTrue(i.missing().isEmpty());
  }

  @Test
  void nestedDefaultIsInterpolatedWhenTheOuterVariableIsUnset() {
    assertEquals("http://sim/x", with("B", "http://sim").interpolate("${A:-${B}/x}"));
  }

  @Test
  void nestedDefaultIsNotEvaluatedWhenTheOuterVariableIsSet() {
    Interpolator i = with("A", "outer");
    assertEquals("outer", i.interpolate("${A:-${B}/x}"));
    assertTrue(i.missing().isEmpty(), "B was never needed: " + i.missing());
  }

  @Test
  void nestedDefaultsMayThemselvesHaveDefaults() {
    assertEquals("deep/x", with().interpolate("${A:-${B:-deep}/x}"));
  }

  @Test
  void unsetVariableWithoutDefaultBecomesEmptyAndIsReportedMissing() {
    Interpolator i = with();
    assertEquals("before--after", i.interpolate("before-${NOPE}-after"));
    assertEquals(Set.of("NOPE"), i.missing());
  }

  @Test
  void unsetVariableInsideANestedDefaultIsReportedMissing() {
    Interpolator i = with();
    assertEquals("/revio", i.interpolate("${REVIO_BASE_URL:-${SIMULATOR_URL}/revio}"));
    assertEquals(Set.of("SIMULATOR_URL"), i.missing());
  }

  @Test
  void everyMissingVariableIsReportedOnce() {
    Interpolator i = with("SET", "1");
    i.apply(List.of("${B}", "${A}", "${B}", "${SET}"));
    assertEquals(List.of("A", "B"), new ArrayList<>(i.missing()));
  }

  @Test
  void stringsInsideMapsAreInterpolated() {
    Map<String, Object> in = new LinkedHashMap<>();
    in.put("url", "${A}");
    in.put("nested", Map.of("key", "${B:-b}"));
    assertEquals(Map.of("url", "a", "nested", Map.of("key", "b")), with("A", "a").apply(in));
  }

  @Test
  void stringsInsideListsAreInterpolated() {
    assertEquals(List.of("a", "x-a", List.of("a")), with("A", "a").apply(List.of("${A}", "x-${A}", List.of("${A}"))));
  }

  @Test
  void nonStringScalarsAreReturnedUntouched() {
    Interpolator i = with("A", "a");
    Integer n = 8080;
    Double d = 0.5;
    assertSame(n, i.apply(n));
    assertSame(Boolean.TRUE, i.apply(Boolean.TRUE));
    assertSame(d, i.apply(d));
    assertEquals(null, i.apply(null));
    List<Object> mixed = Arrays.asList(1, true, null, 2.5, "${A}");
    assertEquals(Arrays.asList(1, true, null, 2.5, "a"), i.apply(mixed));
  }

  @Test
  void mapKeysBecomeStringsAndOrderIsKept() {
    Map<Object, Object> in = new LinkedHashMap<>();
    in.put("z", "1");
    in.put(5, "${A}");
    in.put("a", "3");
    @SuppressWarnings("unchecked")
    Map<String, Object> out = (Map<String, Object>) with("A", "2").apply(in);
    assertEquals(List.of("z", "5", "a"), new ArrayList<>(out.keySet()));
    assertEquals("2", out.get("5"));
  }

  @ParameterizedTest(name = "\"{0}\" is refused")
  @ValueSource(strings = {"${A", "x ${A:-default", "${A:-${B}", "ok ${A} then ${"})
  void unclosedPlaceholderThrows(String value) {
    assertThrows(IllegalArgumentException.class, () -> with("A", "a", "B", "b").interpolate(value));
  }

  @Test
  void unclosedPlaceholderInsideATreeThrows() {
    assertThrows(IllegalArgumentException.class, () -> with().apply(Map.of("k", List.of("${A"))));
  }
}
