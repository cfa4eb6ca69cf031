package io.payrouter.routing;

import java.util.List;

/**
 * Outcome of {@link RulesParser#parse}: either the rules (version 0) or every problem found.
 *
 * @param rules the parsed rules, null when there are problems
 * @param problems all problems, empty when valid
 */
public record ParseResult(RoutingRules rules, List<RuleProblem> problems) {

  public ParseResult {
    problems = List.copyOf(problems);
    if ((rules == null) == problems.isEmpty()) {
      throw new IllegalArgumentException("either rules or problems");
    }
  }

  /** True when the document is valid and {@link #rules()} is set. */
  public boolean ok() {
    return rules != null;
  }
}
