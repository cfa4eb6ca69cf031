package io.payrouter.domain;

import io.payrouter.common.FieldError;
import java.util.List;

/** Proposed routing rules have problems (every one listed); the rules in force are unchanged. */
public class InvalidRoutingRulesException extends DomainException {
  private final List<FieldError> problems;

  public InvalidRoutingRulesException(String message, List<FieldError> problems) {
    super(message);
    this.problems = List.copyOf(problems);
  }

  public List<FieldError> problems() {
    return problems;
  }
}
