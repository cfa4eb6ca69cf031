package io.payrouter.charge;

import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptReference;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import java.util.Locale;

/**
 * What a reported result does to a charge: the settlement rules as a pure function.
 *
 * <ul>
 *   <li>Only the PSP of the charge's current attempt, for that attempt's reference, settles it.
 *       The current attempt is the last one that may have moved money; failover happens only after
 *       proof, so every earlier attempt is proven not charged.</li>
 *   <li>A result about any other attempt, PSP or reference is evidence, never a settlement: a
 *       conflict when it says money moved, otherwise ignored.</li>
 *   <li>A final charge never changes: the same result again is {@code ALREADY} (a replayed webhook
 *       changes nothing), a success that disagrees is a conflict.</li>
 *   <li>A {@code processing} charge is being worked on by its owner: a webhook or a lost-race
 *       write may settle it only with a success (money moved: the charge must say so); declines
 *       and closures wait for the owner or its reconciler.</li>
 *   <li>"Not charged" settles a charge as {@code failed} only when it is proof (the PSP shows the
 *       payment closed unpaid), never a "no such payment".</li>
 * </ul>
 */
public final class SettlementPolicy {
  private SettlementPolicy() {}

  /** Where a result comes from. */
  public enum Source {
    /**
     * The request path: its own outcome write (a final answer, once durable, is settled by the
     * request), or the settlement of its result after that write lost its conditional update
     * (another writer went first).
     */
    REQUEST,
    /** A PSP callback, verified and re-read from the PSP. */
    WEBHOOK,
    /** The reconciler, writing as the charge's owner (fenced by its lease epoch). */
    RECONCILER;

    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One PSP's word about one attempt.
   *
   * @param provider the PSP that said it
   * @param reference the attempt's merchant reference the PSP named ({@code ch_X}, {@code ch_X-2})
   */
  public record Evidence(String provider, String reference, PspResult result, Source source) {}

  public enum Kind {
    /** Settle the charge to {@link Verdict#target()}. */
    APPLY,
    /** The charge already says exactly this. */
    ALREADY,
    /** Money moved where the charge does not say so: record a conflict. */
    CONFLICT,
    /** Nothing to do (not final, not proof, not this charge's current attempt, or not the source's to apply). */
    IGNORE
  }

  public record Verdict(Kind kind, ChargeStatus target, String why) {
    static Verdict apply(ChargeStatus target) {
      return new Verdict(Kind.APPLY, target, null);
    }

    static Verdict of(Kind kind, String why) {
      return new Verdict(kind, null, why);
    }
  }

  /** The status a result would settle a charge to, or null when it settles nothing. */
  public static ChargeStatus target(PspResult r) {
    return switch (r.outcome()) {
      case SUCCEEDED -> ChargeStatus.SUCCEEDED;
      case DECLINED -> ChargeStatus.DECLINED;
      case NOT_SENT -> r.notSentReason() == NotSentReason.PROVEN_NOT_CHARGED ? ChargeStatus.FAILED : null;
      case PENDING, IN_DOUBT -> null;
    };
  }

  /** The attempt the charge waits on: the last one that may have moved money, or null. */
  public static Attempt currentAttempt(Charge c) {
    for (int i = c.attempts().size() - 1; i >= 0; i--) {
      Attempt a = c.attempts().get(i);
      if (a.outcome().mayHaveCharged()) return a;
    }
    return null;
  }

  /** True when the evidence is about the charge's current attempt (PSP, reference, PSP's own id). */
  public static boolean isAboutCurrentAttempt(Charge c, Evidence e) {
    Attempt cur = currentAttempt(c);
    if (cur == null || !cur.provider().equals(e.provider())) return false;
    if (!AttemptReference.of(c.id(), cur.seq()).equals(e.reference())) return false;
    String theirs = e.result().providerReference();
    return cur.providerReference() == null || theirs == null || cur.providerReference().equals(theirs);
  }

  public static Verdict decide(Charge c, Evidence e) {
    ChargeStatus target = target(e.result());
    boolean moneyMoved = e.result().outcome() == Outcome.SUCCEEDED;
    boolean current = isAboutCurrentAttempt(c, e);
    if (c.status().isFinal()) {
      if (target == c.status() && (current || target == ChargeStatus.FAILED)) {
        return Verdict.of(Kind.ALREADY, "the charge already says this");
      }
      if (moneyMoved) return Verdict.of(Kind.CONFLICT, "a success for a charge that is " + c.status().wire());
      return Verdict.of(Kind.IGNORE, target == null ? "not final" : "the charge is final with another outcome");
    }
    if (!current) {
      return moneyMoved ? Verdict.of(Kind.CONFLICT, "a success from an attempt the charge is not waiting on")
          : Verdict.of(Kind.IGNORE, "not the attempt the charge is waiting on");
    }
    if (target == null) return Verdict.of(Kind.IGNORE, "not final, or not proof");
    if (c.status() == ChargeStatus.PROCESSING && e.source() != Source.RECONCILER && target != ChargeStatus.SUCCEEDED) {
      return Verdict.of(Kind.IGNORE, "the charge is being worked on by its owner");
    }
    return Verdict.apply(target);
  }

  /**
   * The reconciler's verdict that nothing was charged anywhere (every attempt that may have moved
   * money is proven not charged): settles an unsettled charge as failed.
   */
  public static Verdict decideNothingCharged(Charge c) {
    if (c.status() == ChargeStatus.FAILED) return Verdict.of(Kind.ALREADY, "already failed");
    if (c.status().isFinal()) return Verdict.of(Kind.IGNORE, "the charge is final");
    return Verdict.apply(ChargeStatus.FAILED);
  }

  /**
   * A merchant's retry of a {@code failed} charge with its key may try again only when nothing
   * was charged: no PSP ever reported money moved on it (no conflict, no succeeded attempt).
   * Otherwise the retry gets the charge as it stands.
   */
  public static boolean mayRetryFailed(Charge c) {
    if (c.status() != ChargeStatus.FAILED || c.conflict() != null) return false;
    for (Attempt a : c.attempts()) {
      if (a.outcome() == io.payrouter.domain.AttemptOutcome.SUCCEEDED) return false;
    }
    return true;
  }
}
