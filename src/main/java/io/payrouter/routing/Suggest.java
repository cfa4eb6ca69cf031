package io.payrouter.routing;

import java.util.Collection;
import java.util.Locale;

/** "Did you mean" hints: the closest option by edit distance, when it is close enough. */
final class Suggest {
  private Suggest() {}

  /** The closest option to {@code input} (case-insensitive), or null when none is close. */
  static String closest(String input, Collection<String> options) {
    String needle = input.toLowerCase(Locale.ROOT);
    int limit = needle.length() <= 3 ? 1 : 2;
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String option : options) {
      int d = distance(needle, option.toLowerCase(Locale.ROOT));
      if (d < bestDistance) {
        best = option;
        bestDistance = d;
      }
    }
    return bestDistance <= limit ? best : null;
  }

  /** " (did you mean 'x'?)" or "". */
  static String hint(String input, Collection<String> options) {
    String best = closest(input, options);
    return best == null ? "" : " (did you mean '" + best + "'?)";
  }

  /** Levenshtein distance, with adjacent transposition counted as one edit. */
  static int distance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) d[i][0] = i;
    for (int j = 0; j <= b.length(); j++) d[0][j] = j;
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1), d[i - 1][j - 1] + cost);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }
}
