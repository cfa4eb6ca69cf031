package io.payrouter.charge;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.payrouter.charge.FailoverPolicy.Next;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import org.junit.jupiter.api.Test;

/** The request path's rule: no proof that the PSP did not charge, no failover. */
class FailoverPolicyTest {
  static final PspResult IN_DOUBT = PspResult.inDoubt("ref", "HTTP 502");

  @Test
  void aProvenNotSentMovesToTheNextCandidate() {
    assertEquals(Next.NEXT_CANDIDATE, FailoverPolicy.next(PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "x"), false, true));
  }

  @Test
  void aProvenNotSentWithNoCandidateLeftFails() {
    assertEquals(Next.FAIL, FailoverPolicy.next(PspResult.notSent(NotSentReason.CIRCUIT_OPEN, "x"), false, false));
  }

  @Test
  void aFencedAttemptAbandonsTheChargeInsteadOfFailingOver() {
    assertEquals(Next.ABANDON, FailoverPolicy.next(PspResult.notSent(NotSentReason.FENCED, "x"), true, true));
  }

  @Test
  void inDoubtNeverFailsOver() {
    assertEquals(Next.PENDING, FailoverPolicy.next(IN_DOUBT, true, true));
  }

  @Test
  void aSoftDeclineFailsOverOnlyWhenTheRuleOptsIn() {
    PspResult soft = PspResult.declined("r", DeclineCode.INSUFFICIENT_FUNDS, true, "51");
    assertEquals(Next.DECLINE, FailoverPolicy.next(soft, false, true));
    assertEquals(Next.NEXT_CANDIDATE, FailoverPolicy.next(soft, true, true));
  }

  @Test
  void aHardDeclineNeverFailsOver() {
    assertEquals(Next.DECLINE, FailoverPolicy.next(PspResult.declined("r", DeclineCode.EXPIRED_CARD, false, "54"), true, true));
  }

  @Test
  void noSuchPaymentAfterADoubtfulAnswerStaysInDoubt() {
    assertEquals(Outcome.IN_DOUBT, FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.notFound()).outcome());
  }

  @Test
  void aPaymentClosedUnpaidAfterADoubtfulAnswerIsProof() {
    PspResult r = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.notCharged("cancelled"));
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertEquals(Next.NEXT_CANDIDATE, FailoverPolicy.next(r, false, true));
  }

  @Test
  void aPendingPaymentAfterADoubtfulAnswerStaysInDoubtNotProof() {
    PspResult r = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(PspResult.pending("ref", "created")));
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("created", r.providerCode());
    assertEquals(Next.PENDING, FailoverPolicy.next(r, true, true));
  }

  @Test
  void anAnswerThatWasNotInDoubtIsKeptAsItIs() {
    PspResult ok = PspResult.succeeded("ref");
    assertSame(ok, FailoverPolicy.resolveInDoubt(ok, InquiryResult.notFound()));
  }

  @Test
  void onlyADoubtfulAnswerFollowedByAnOpenPaymentIsCancelled() {
    InquiryResult open = InquiryResult.found(PspResult.pending("ref", "created"));
    assertTrue(FailoverPolicy.shouldCancel(IN_DOUBT, open));
    assertFalse(FailoverPolicy.shouldCancel(PspResult.pending("ref", "pending_charge"), open));
    assertFalse(FailoverPolicy.shouldCancel(IN_DOUBT, InquiryResult.notFound()));
  }

  @Test
  void theFoundResultKeepsTheAttemptsPspIdWhenTheInquiryNamesNone() {
    PspResult r = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(PspResult.succeeded(null)));
    assertEquals(Outcome.SUCCEEDED, r.outcome());
    assertEquals("ref", r.providerReference());
    PspResult own = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(PspResult.succeeded("theirs")));
    assertEquals("theirs", own.providerReference());
  }

  @Test
  void anOpenPaymentKeepsThePspsIdAndStatusOnTheAttempt() {
    PspResult r = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(PspResult.pending("pur_9", null)));
    assertEquals(Outcome.IN_DOUBT, r.outcome());
    assertEquals("pur_9", r.providerReference());
    assertFalse(r.message().contains("(null)"), r.message());
    PspResult keep = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(PspResult.pending(null, "created")));
    assertEquals("ref", keep.providerReference());
    assertTrue(keep.message().contains("(created)"), keep.message());
  }

  @Test
  void aFoundNotSentIsProofWithTheReasonNamed() {
    PspResult r = FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.found(
        PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, "voided")));
    assertEquals(NotSentReason.PROVEN_NOT_CHARGED, r.notSentReason());
    assertTrue(r.message().contains("(voided)"), r.message());
    PspResult unnamed = FailoverPolicy.resolveInDoubt(IN_DOUBT, new InquiryResult(InquiryResult.Kind.NOT_CHARGED, null));
    assertFalse(unnamed.message().contains("("), unnamed.message());
  }

  @Test
  void anUnknownAnswerLeavesTheDoubtAsItWas() {
    assertSame(IN_DOUBT, FailoverPolicy.resolveInDoubt(IN_DOUBT, InquiryResult.unknown("HTTP 500")));
  }
}
