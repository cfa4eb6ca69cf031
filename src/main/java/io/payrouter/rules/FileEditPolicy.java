package io.payrouter.rules;

import java.util.Optional;

/**
 * What an edit of the routing file does, decided on the newest stored version (under the routing
 * lock, so every instance that sees the same edit decides the same). The file and the API both
 * change the rules; in a fleet every instance watches its own copy of the file, so:
 *
 * <ul>
 *   <li>{@link Verdict#ADOPT}: the newest version already is this file text (another instance
 *       stored it first): take it, store nothing. One edit is one version, however many
 *       instances see it.</li>
 *   <li>{@link Verdict#APPLY}: store the file's rules as a new version. When the newest version
 *       came from the file too (or there is none); or when it came from the API but discards
 *       nothing: the file now holds the same rules (the operator copied the rules in force into
 *       the file), or the API set the very rules the file held before this edit.</li>
 *   <li>{@link Verdict#REFUSE}: the newest version came from the API and the file's rules differ.
 *       Applying the file would silently discard the API change, so nothing changes; the refusal
 *       is logged and shown in {@code GET /admin/routing} ({@code file.status = refused}).</li>
 * </ul>
 */
public final class FileEditPolicy {
  public enum Verdict { ADOPT, APPLY, REFUSE }

  private FileEditPolicy() {}

  /**
   * @param newestSource the stored source of the newest version (empty when there is none)
   * @param fileSource the source name of this file text ({@code file:<sha256>})
   * @param sameRulesAsNewest whether the file's rules equal the newest version's
   * @param newestIsPreviousFile whether the newest version's rules equal those of the file text
   *     this instance read before the edit (false when it read none, or that text was invalid)
   */
  public static Verdict decide(Optional<String> newestSource, String fileSource, boolean sameRulesAsNewest,
      boolean newestIsPreviousFile) {
    if (newestSource.isEmpty()) return Verdict.APPLY;
    String newest = newestSource.get();
    if (newest.equals(fileSource)) return Verdict.ADOPT;
    if (RulesSource.isFile(newest) || sameRulesAsNewest || newestIsPreviousFile) return Verdict.APPLY;
    return Verdict.REFUSE;
  }
}
