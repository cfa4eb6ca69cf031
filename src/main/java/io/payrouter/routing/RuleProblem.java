package io.payrouter.routing;

/**
 * One problem found in a rules document.
 *
 * @param path where, e.g. {@code rules[1].when.currency[0]} ({@code $} for the document itself)
 * @param message what is wrong, with a hint where one is cheap
 */
public record RuleProblem(String path, String message) {
  @Override
  public String toString() {
    return path + ": " + message;
  }
}
