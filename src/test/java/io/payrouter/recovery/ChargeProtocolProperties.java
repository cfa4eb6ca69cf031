package io.payrouter.recovery;

import io.payrouter.charge.FailoverPolicy;
import io.payrouter.charge.SettlementPolicy;
import io.payrouter.connector.InquiryResult;
import io.payrouter.domain.Attempt;
import io.payrouter.domain.AttemptOutcome;
import io.payrouter.domain.AttemptReference;
import io.payrouter.domain.Charge;
import io.payrouter.domain.ChargeStatus;
import io.payrouter.domain.DeclineCode;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.Outcome;
import io.payrouter.domain.PspResult;
import io.payrouter.domain.RoutingInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicLong;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.lifecycle.AfterContainer;

/**
 * A stateful property test of the charge protocol (issue 14): random histories of merchant
 * requests and retries, PSP answers, webhooks, late PSP events, reconciler rounds, paused, crashed
 * and restarted instances and database outages, over a model of the fleet (PSP ledgers, a logical
 * clock, router instances with heartbeats, one database). Every decision is made by the
 * production pure policies ({@link FailoverPolicy}, {@link SettlementPolicy},
 * {@link ReconcilerVerdict}, {@link Ownership}); the model only mirrors the wiring of
 * ChargeService, Reconciler, WebhookService and the Store statements (CHECKPOINT_SQL, OUTCOME_SQL,
 * takeUnsettled, reclaimFailed). After every step, and after a final quiescence phase, it checks:
 * at most one PSP charged per idempotency key; a settled charge is succeeded exactly when one PSP
 * charged; a succeeded charge (or one answered succeeded) never becomes anything else; nothing is
 * left unsettled after the horizon.
 *
 * <p>Tries: {@code jqwik.tries.default} (surefire sets it from {@code -Dprotocol.tries}, default
 * 1,000). Simplifications, all on the side of more interleavings rather than fewer: a reconciler
 * round and a webhook are atomic steps; the request path is split at the checkpoint, the send and
 * the outcome write; the reconciler's back-off is one interval (scheduling, not safety).
 */
class ChargeProtocolProperties {

  // ---------------------------------------------------------------- scaled configuration
  static final long OWNER_TIMEOUT = 3_000;
  static final long GRACE = 10_000;
  static final long HORIZON = 60_000;
  static final long INTERVAL = 1_000;
  static final long PENDING_RECHECK = 1_000;
  /** A request that timed out lands at the PSP within this, or never (well inside the horizon). */
  static final long LAND_MAX = 20_000;
  /**
   * The design's unstated assumption: a money call goes out within LAND_MAX of its checkpoint (real:
   * a pause far below recovery.not_found_final_after, 24 h). Nothing enforces it: with
   * -Dprotocol.unboundedSendDelay=true the model lets a paused request send after the horizon, and
   * the property finds the charge failed by the new owner while the stale send charged.
   */
  static final boolean UNBOUNDED_SEND_DELAY = Boolean.getBoolean("protocol.unboundedSendDelay");
  static final String[] PSPS = {"revio", "paycore", "fatora"};
  /** The PSPs with a documented cancel (Revio, ProcessOut-like); the others have none. */
  static final Set<String> CANCELS = Set.of("revio", "fatora");
  /** The two-call PSPs know their own id before the money call and checkpoint it. */
  static final Set<String> TWO_CALL = Set.of("revio", "paycore");
  static final int KEYS = 3;
  static final int SLOTS = 3;

  static final AtomicLong HISTORIES = new AtomicLong();
  static final AtomicLong STEPS = new AtomicLong();
  /** How often the interesting things happened (takeovers, lost writes, conflicts...): the model is not vacuous. */
  static final Map<String, AtomicLong> EVENTS = new java.util.concurrent.ConcurrentSkipListMap<>();

  @AfterContainer
  static void report() {
    System.out.println("[charge protocol] histories: " + HISTORIES.get() + ", steps: " + STEPS.get() + ", events: " + EVENTS);
  }

  // ---------------------------------------------------------------- actions
  enum Kind { REQUEST, ADVANCE, WEBHOOK, LATE, RECONCILE, TICK, PAUSE, RESUME, CRASH, RESTART, DB_DOWN, DB_UP }

  /** One action; its small numbers are read modulo whatever they select, so every list is valid. */
  record Act(Kind kind, int a, int b, int c, int d) {
    @Override
    public String toString() {
      return kind + "(" + a + "," + b + "," + c + "," + d + ")";
    }
  }

  @Provide
  Arbitrary<List<Act>> histories() {
    Arbitrary<Kind> kinds = Arbitraries.frequency(
        net.jqwik.api.Tuple.of(10, Kind.REQUEST), net.jqwik.api.Tuple.of(25, Kind.ADVANCE),
        net.jqwik.api.Tuple.of(8, Kind.WEBHOOK), net.jqwik.api.Tuple.of(6, Kind.LATE),
        net.jqwik.api.Tuple.of(8, Kind.RECONCILE), net.jqwik.api.Tuple.of(12, Kind.TICK),
        net.jqwik.api.Tuple.of(3, Kind.PAUSE), net.jqwik.api.Tuple.of(3, Kind.RESUME),
        net.jqwik.api.Tuple.of(2, Kind.CRASH), net.jqwik.api.Tuple.of(2, Kind.RESTART),
        net.jqwik.api.Tuple.of(2, Kind.DB_DOWN), net.jqwik.api.Tuple.of(3, Kind.DB_UP));
    Arbitrary<Integer> n = Arbitraries.integers().between(0, 11);
    Arbitrary<Act> act = Combinators.combine(kinds, n, n, n, n).as(Act::new);
    return act.list().ofMinSize(1).ofMaxSize(60);
  }

  @Property(shrinking = net.jqwik.api.ShrinkingMode.FULL)
  void theProtocolNeverChargesTwiceAndSettlesEverything(@ForAll("histories") List<Act> history) {
    Model m = new Model();
    for (Act a : history) {
      m.step(a);
      STEPS.incrementAndGet();
      m.check("after " + a);
    }
    m.quiesce();
    m.check("after quiescence");
    m.checkSettled();
    HISTORIES.incrementAndGet();
  }

  // ---------------------------------------------------------------- the model

  /** What the PSP holds for one reference. */
  enum Held { NONE, CHARGED, DECLINED, PENDING, CLOSED }

  /** A PSP event still to come: a timed-out request landing, or a pending payment resolving. */
  record Late(String psp, String ref, boolean landing, Held to, long sentAt) {}

  static final class Instance {
    final String id;
    boolean alive = true;
    boolean paused;
    long beatingSince;
    final Map<String, Flight> flights = new LinkedHashMap<>();
    /** Decided charges whose outcome write has not landed yet (ChargeService.undurable). */
    final Map<String, Charge> undurable = new HashMap<>();

    Instance(String id, long now) {
      this.id = id;
      this.beatingSince = now;
    }

    boolean deciding(String chargeId) {
      Flight f = flights.get(chargeId);
      return f != null && f.phase != Phase.WRITE;
    }

    boolean workedOnHere(String chargeId) {
      return deciding(chargeId) || undurable.containsKey(chargeId);
    }
  }

  enum Phase { CHECKPOINT, SEND, WRITE }

  /** One request path in flight on an instance (ChargeService.execute / attempt). */
  static final class Flight {
    final String key;
    final String chargeId;
    final long epoch;
    final List<String> candidates;
    final boolean failoverOnSoftDecline;
    final List<Attempt> attempts;
    int candidateIndex;
    int made;
    Phase phase = Phase.CHECKPOINT;
    Attempt pendingAttempt; // checkpointed, not sent yet
    long checkpointAt;
    Charge decided;
    Attempt last;
    PspResult lastResult;

    Flight(String key, String chargeId, long epoch, List<String> candidates, boolean soft, List<Attempt> earlier) {
      this.key = key;
      this.chargeId = chargeId;
      this.epoch = epoch;
      this.candidates = candidates;
      this.failoverOnSoftDecline = soft;
      this.attempts = new ArrayList<>(earlier);
    }
  }

  /** A charges row. */
  static final class Row {
    Charge charge;
    String owner;
    long epoch;
    long nextCheck;

    Row(Charge charge, String owner, long epoch, long nextCheck) {
      this.charge = charge;
      this.owner = owner;
      this.epoch = epoch;
      this.nextCheck = nextCheck;
    }
  }

  static final class Model {
    long now = 1_000_000;
    boolean dbUp = true;
    int instanceSeq;
    int attemptSeq;
    final Instance[] slots = new Instance[SLOTS];
    /** The instances table: id to last beat. */
    final Map<String, Long> instancesTable = new HashMap<>();
    final Map<String, Row> charges = new TreeMap<>();
    final Map<String, String> keys = new HashMap<>();
    final List<String> conflicts = new ArrayList<>();
    /** PSP ledgers: psp to reference to what it holds. */
    final Map<String, Map<String, Held>> ledgers = new HashMap<>();
    final List<Late> late = new ArrayList<>();
    final Set<String> answeredSucceeded = new HashSet<>();
    final Set<String> everSucceeded = new HashSet<>();
    final List<String> log = new ArrayList<>();

    Model() {
      for (String p : PSPS) ledgers.put(p, new HashMap<>());
      for (int i = 0; i < SLOTS; i++) slots[i] = start();
    }

    Instance start() {
      Instance in = new Instance("r" + (++instanceSeq), now);
      instancesTable.put(in.id, now);
      return in;
    }

    Instance slot(int i) {
      return slots[Math.floorMod(i, SLOTS)];
    }

    boolean runs(Instance in) {
      return in.alive && !in.paused;
    }

    Held held(String psp, String ref) {
      return ledgers.get(psp).getOrDefault(ref, Held.NONE);
    }

    static String pid(String psp, String ref) {
      return psp + ":" + ref;
    }

    // ------------------------------------------------------------ steps

    void step(Act a) {
      switch (a.kind()) {
        case REQUEST -> request(slot(a.a()), "k" + Math.floorMod(a.b(), KEYS), a.c(), a.d());
        case ADVANCE -> {
          Instance in = slot(a.a());
          if (!runs(in) || in.flights.isEmpty()) return;
          List<Flight> fs = new ArrayList<>(in.flights.values());
          advance(in, fs.get(Math.floorMod(a.b(), fs.size())), a.c(), a.d());
        }
        case WEBHOOK -> webhook(a.a(), a.b(), a.c(), a.d());
        case LATE -> {
          if (!late.isEmpty()) deliver(late.get(Math.floorMod(a.a(), late.size())));
        }
        case RECONCILE -> reconcile(slot(a.a()), a.c());
        case TICK -> tick(new long[] {250, 1_000, 2_000, 4_000, GRACE, HORIZON / 2}[Math.floorMod(a.a(), 6)]);
        case PAUSE -> slot(a.a()).paused = true;
        case RESUME -> slot(a.a()).paused = false;
        case CRASH -> {
          Instance in = slot(a.a());
          in.alive = false;
          in.flights.clear();
          in.undurable.clear();
          if (a.b() % 2 == 0 && dbUp) instancesTable.remove(in.id); // a clean stop retires itself
        }
        case RESTART -> {
          int i = Math.floorMod(a.a(), SLOTS);
          if (!slots[i].alive && dbUp) slots[i] = start(); // a restarted router has a new id
        }
        case DB_DOWN -> dbUp = false;
        case DB_UP -> dbUp = true;
      }
    }

    /** Time passes; the running instances beat (every second) when the database answers. */
    void tick(long ms) {
      now += ms;
      for (Instance in : slots) {
        if (!runs(in)) continue;
        if (dbUp) {
          instancesTable.put(in.id, now);
          if (in.beatingSince == 0) in.beatingSince = now;
        } else {
          in.beatingSince = 0;
        }
      }
    }

    // ------------------------------------------------------------ request path

    void request(Instance in, String key, int routing, int d) {
      if (!runs(in)) return;
      if (!dbUp) {
        note("503 " + key + " on " + in.id); // nothing recorded, nothing sent
        return;
      }
      String chargeId = keys.get(key);
      if (chargeId != null && in.flights.containsKey(chargeId)) return; // replay / 409 from the fast path
      List<String> cands = candidates(routing);
      boolean soft = d % 2 == 0;
      if (chargeId == null) {
        chargeId = "ch_" + key;
        keys.put(key, chargeId);
        Charge intent = charge(chargeId, key, ChargeStatus.PROCESSING, null, null, List.of(), null, cands);
        charges.put(chargeId, new Row(intent, in.id, 1, now + GRACE)); // Store.claim: owner, epoch 1
        in.flights.put(chargeId, new Flight(key, chargeId, 1, cands, soft, List.of()));
        return;
      }
      Row row = charges.get(chargeId);
      Charge c = in.undurable.getOrDefault(chargeId, row.charge);
      if (c.status() != ChargeStatus.FAILED) return; // 409 in progress, or the replay
      if (!SettlementPolicy.mayRetryFailed(c)) return; // the charge as it stands
      // Store.reclaimFailed: only a failed charge without a conflict; a new epoch.
      if (row.charge.status() != ChargeStatus.FAILED || row.charge.conflict() != null) return;
      row.epoch += 1;
      row.owner = in.id;
      row.nextCheck = now + GRACE;
      row.charge = with(row.charge, ChargeStatus.PROCESSING, null, null, row.charge.attempts(), row.charge.conflict());
      in.flights.put(chargeId, new Flight(key, chargeId, row.epoch, cands, soft, row.charge.attempts()));
      note("retry " + chargeId + " epoch " + row.epoch + " on " + in.id);
    }

    static List<String> candidates(int routing) {
      int r = Math.floorMod(routing, 12);
      List<String> all = new ArrayList<>(List.of(PSPS));
      java.util.Collections.rotate(all, r % 3);
      if (r / 3 % 2 == 1) java.util.Collections.swap(all, 1, 2);
      return List.copyOf(all.subList(0, 1 + r / 6 + (r % 2)));
    }

    void advance(Instance in, Flight f, int mode, int d) {
      switch (f.phase) {
        case CHECKPOINT -> checkpoint(in, f);
        case SEND -> send(in, f, mode, d);
        case WRITE -> writeOutcome(in, f);
      }
    }

    /** The attempt loop's head (ChargeService.attempt) and the fenced checkpoint (CHECKPOINT_SQL). */
    void checkpoint(Instance in, Flight f) {
      if (f.candidateIndex >= f.candidates.size() || f.made >= f.candidates.size()) {
        decide(in, f, with(base(f), ChargeStatus.FAILED, null, null, List.copyOf(f.attempts), null), null, null);
        return;
      }
      String psp = f.candidates.get(f.candidateIndex);
      int seq = f.attempts.size() + 1;
      String ref = AttemptReference.of(f.chargeId, seq);
      Attempt sent = Attempt.sent("att_" + (++attemptSeq), f.chargeId, seq, psp, TWO_CALL.contains(psp) ? pid(psp, ref) : null);
      if (!dbUp) {
        afterAnswer(in, f, sent, PspResult.notSent(NotSentReason.CHECKPOINT_FAILED, "attempt could not be recorded"));
        return;
      }
      Row row = charges.get(f.chargeId);
      Long beat = instancesTable.get(in.id);
      boolean ok = Ownership.mayCheckpoint(in.id.equals(row.owner), row.epoch == f.epoch,
          row.charge.status() == ChargeStatus.PROCESSING, beat == null ? Long.MAX_VALUE : now - beat, OWNER_TIMEOUT);
      if (!ok) {
        note("fenced " + f.chargeId + " on " + in.id + " epoch " + f.epoch);
        afterAnswer(in, f, sent, PspResult.notSent(NotSentReason.FENCED, "this instance no longer owns the charge"));
        return;
      }
      List<Attempt> atts = new ArrayList<>(row.charge.attempts());
      atts.add(sent);
      row.charge = withAttempts(row.charge, atts);
      f.pendingAttempt = sent;
      f.checkpointAt = now;
      f.phase = Phase.SEND;
    }

    /** The money call, its answer, and for an in-doubt answer the inquiry and maybe the cancel. */
    void send(Instance in, Flight f, int mode, int d) {
      Attempt a = f.pendingAttempt;
      String psp = a.provider();
      String ref = AttemptReference.of(f.chargeId, a.seq());
      String pid = pid(psp, ref);
      Map<String, Held> ledger = ledgers.get(psp);
      if (!UNBOUNDED_SEND_DELAY && now - f.checkpointAt > LAND_MAX) mode = 8; // never reaches the PSP
      PspResult first = switch (Math.floorMod(mode, 12)) {
        case 0, 10 -> {
          ledger.put(ref, Held.CHARGED);
          yield PspResult.succeeded(pid);
        }
        case 1 -> {
          ledger.put(ref, Held.DECLINED);
          yield PspResult.declined(pid, DeclineCode.INSUFFICIENT_FUNDS, false, "51");
        }
        case 2 -> {
          ledger.put(ref, Held.DECLINED);
          yield PspResult.declined(pid, DeclineCode.DO_NOT_HONOR, true, "05");
        }
        case 3 -> { // a 5xx after charging
          ledger.put(ref, Held.CHARGED);
          yield PspResult.inDoubt(a.providerReference(), "500 after charging");
        }
        case 4 -> PspResult.inDoubt(a.providerReference(), "502 without charging"); // never lands
        case 5 -> { // a timeout; the request lands later (charged, declined or pending) or never
          Held to = new Held[] {Held.CHARGED, Held.DECLINED, Held.PENDING, Held.NONE}[Math.floorMod(d, 4)];
          if (to != Held.NONE) late.add(new Late(psp, ref, true, to, now));
          yield PspResult.inDoubt(a.providerReference(), "read timeout");
        }
        case 6 -> pendingWithLate(psp, ref, Held.CHARGED, PspResult.pending(pid, "processing"));
        case 7 -> pendingWithLate(psp, ref, Held.CLOSED, PspResult.pending(pid, "processing"));
        case 8 -> PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "connection refused");
        case 9 -> pendingWithLate(psp, ref, d % 2 == 0 ? Held.CHARGED : Held.CLOSED,
            PspResult.inDoubt(a.providerReference(), "read timeout, payment open at the PSP"));
        default -> { // a timeout after the PSP charged
          ledger.put(ref, Held.CHARGED);
          yield PspResult.inDoubt(a.providerReference(), "read timeout after charging");
        }
      };
      PspResult r = first;
      if (first.outcome() == Outcome.IN_DOUBT) {
        InquiryResult found = d % 3 == 2 ? InquiryResult.unknown("inquiry failed") : inquire(psp, ref);
        InquiryResult answer = found;
        if (FailoverPolicy.shouldCancel(first, found)) {
          InquiryResult closed = cancel(psp, ref);
          answer = closed.kind() == InquiryResult.Kind.UNKNOWN ? found : closed;
        }
        r = FailoverPolicy.resolveInDoubt(first, answer);
      }
      f.pendingAttempt = null;
      afterAnswer(in, f, a, r);
    }

    PspResult pendingWithLate(String psp, String ref, Held to, PspResult answer) {
      ledgers.get(psp).put(ref, Held.PENDING);
      late.add(new Late(psp, ref, false, to, now));
      return answer;
    }

    /** ChargeService.attempt after the answer: the attempt is recorded and FailoverPolicy decides. */
    void afterAnswer(Instance in, Flight f, Attempt a, PspResult r) {
      Attempt made = new Attempt(a.id(), f.chargeId, a.seq(), a.provider(), AttemptOutcome.of(r.outcome()), 1,
          r.message(), r.providerReference() != null ? r.providerReference() : a.providerReference(), r.declineCode(),
          r.providerCode());
      f.attempts.add(made);
      boolean candidateLeft = f.candidateIndex + 1 < f.candidates.size() && f.made + 1 < f.candidates.size();
      Charge base = base(f);
      switch (FailoverPolicy.next(r, f.failoverOnSoftDecline, candidateLeft)) {
        case SUCCEED -> decide(in, f, with(base, ChargeStatus.SUCCEEDED, a.provider(), r.providerReference(),
            List.copyOf(f.attempts), null), made, r);
        case PENDING -> decide(in, f, with(base, ChargeStatus.PENDING, a.provider(), r.providerReference(),
            List.copyOf(f.attempts), null), made, r);
        case DECLINE -> decide(in, f, with(base, ChargeStatus.DECLINED, a.provider(), r.providerReference(),
            List.copyOf(f.attempts), null), made, r);
        case FAIL -> decide(in, f, with(base, ChargeStatus.FAILED, null, null, List.copyOf(f.attempts), null), made, r);
        case NEXT_CANDIDATE -> {
          f.candidateIndex++;
          f.made++;
          f.phase = Phase.CHECKPOINT;
        }
        case ABANDON -> {
          in.flights.remove(f.chargeId); // fenced: answered pending, nothing written, the owner settles it
          note("abandon " + f.chargeId + " on " + in.id);
        }
      }
    }

    Charge base(Flight f) {
      return charges.get(f.chargeId).charge;
    }

    void decide(Instance in, Flight f, Charge done, Attempt last, PspResult lastResult) {
      f.decided = done;
      f.last = last;
      f.lastResult = lastResult;
      f.phase = Phase.WRITE;
      in.undurable.put(done.id(), done);
      if (done.status() == ChargeStatus.SUCCEEDED) answeredSucceeded.add(f.key);
      note("answer " + f.chargeId + " " + done.status() + " on " + in.id + " epoch " + f.epoch);
    }

    /** The request path's outcome write: retried while the database is down; conditional on owner and epoch. */
    void writeOutcome(Instance in, Flight f) {
      if (!dbUp) return; // retried
      boolean changed = write(f.decided, in.id, f.epoch);
      in.flights.remove(f.chargeId);
      if (!changed) {
        note("lost write " + f.chargeId + " " + f.decided.status() + " on " + in.id);
        if (f.last != null && f.lastResult != null && f.lastResult.outcome() == Outcome.SUCCEEDED) {
          settleResult(in, f.chargeId, new SettlementPolicy.Evidence(f.last.provider(),
              AttemptReference.of(f.chargeId, f.last.seq()), f.lastResult, SettlementPolicy.Source.REQUEST), null, 1);
        }
      }
      in.undurable.remove(f.chargeId);
    }

    /** OUTCOME_SQL: only a charge that is not final, and where an owner is given, owned by it under the epoch. */
    boolean write(Charge settled, String owner, Long epoch) {
      Row row = charges.get(settled.id());
      if (row.charge.status().isFinal()) return false;
      if (owner != null && (!owner.equals(row.owner) || row.epoch != epoch)) return false;
      Map<String, Attempt> byId = new LinkedHashMap<>();
      for (Attempt x : row.charge.attempts()) byId.put(x.id(), x);
      for (Attempt x : settled.attempts()) byId.put(x.id(), x);
      List<Attempt> atts = new ArrayList<>(byId.values());
      atts.sort(java.util.Comparator.comparingInt(Attempt::seq));
      row.charge = with(settled, settled.status(), settled.provider(), settled.providerReference(), List.copyOf(atts),
          row.charge.conflict());
      row.nextCheck = settled.status() == ChargeStatus.PENDING ? now + PENDING_RECHECK : Long.MAX_VALUE;
      if (settled.status() == ChargeStatus.SUCCEEDED) everSucceeded.add(settled.id());
      note("write " + settled.id() + " " + settled.status() + (owner == null ? "" : " by " + owner + "@" + epoch));
      return true;
    }

    // ------------------------------------------------------------ settlement (ChargeService.settleResult)

    void settleResult(Instance in, String chargeId, SettlementPolicy.Evidence e, Long epoch, int retries) {
      Row row = charges.get(chargeId);
      if (row == null) return;
      Charge c = in.undurable.getOrDefault(chargeId, row.charge);
      SettlementPolicy.Verdict v = SettlementPolicy.decide(c, e);
      switch (v.kind()) {
        case ALREADY, IGNORE -> { }
        case CONFLICT -> {
          String detail = "late " + e.result().outcome() + " at " + e.provider() + " for " + e.reference() + " via "
              + e.source().wire() + " while " + c.status().wire();
          conflicts.add(chargeId + ": " + detail);
          Charge x = row.charge; // Store.recordConflict: only the conflict column changes
          row.charge = new Charge(x.id(), x.merchantId(), x.idempotencyKey(), x.fingerprint(), x.amount(), x.currency(),
              x.cardId(), x.merchantReference(), x.status(), x.provider(), x.providerReference(), x.declineCode(),
              x.providerCode(), x.routing(), x.attempts(), x.createdAt(), x.updatedAt(), detail);
          note("conflict " + chargeId + " " + detail);
        }
        case APPLY -> {
          if (e.source() != SettlementPolicy.Source.REQUEST && in.deciding(chargeId)) return; // BUSY
          Charge settled = with(c, v.target(), v.target() == ChargeStatus.FAILED ? null : e.provider(),
              e.result().providerReference() != null ? e.result().providerReference() : c.providerReference(),
              attemptsSettledBy(c, e), c.conflict());
          boolean changed = write(settled, epoch == null ? null : in.id, epoch);
          if (!changed && retries > 0 && e.result().outcome() == Outcome.SUCCEEDED
              && e.source() != SettlementPolicy.Source.RECONCILER) {
            settleResult(in, chargeId, e, epoch, retries - 1);
          }
        }
      }
    }

    List<Attempt> attemptsSettledBy(Charge c, SettlementPolicy.Evidence e) {
      List<Attempt> atts = new ArrayList<>(c.attempts());
      for (int i = atts.size() - 1; i >= 0; i--) {
        Attempt a = atts.get(i);
        if (a.provider().equals(e.provider()) && AttemptReference.of(c.id(), a.seq()).equals(e.reference())) {
          atts.set(i, a.settledBy(e.result()));
          return List.copyOf(atts);
        }
      }
      PspResult r = e.result();
      atts.add(new Attempt("att_" + (++attemptSeq), c.id(), atts.size() + 1, e.provider(), AttemptOutcome.of(r.outcome()),
          0, null, r.providerReference(), r.declineCode(), r.providerCode()).settledBy(r));
      return List.copyOf(atts);
    }

    void settleNothingCharged(Instance in, Row row, long epoch) {
      Charge c = in.undurable.getOrDefault(row.charge.id(), row.charge);
      SettlementPolicy.Verdict v = SettlementPolicy.decideNothingCharged(c);
      if (v.kind() != SettlementPolicy.Kind.APPLY || in.deciding(c.id())) return;
      List<Attempt> atts = new ArrayList<>();
      for (Attempt a : c.attempts()) {
        atts.add(a.outcome().mayHaveCharged() && a.outcome() != AttemptOutcome.DECLINED
            ? a.settledBy(PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, "nothing charged")) : a);
      }
      write(with(c, ChargeStatus.FAILED, null, null, List.copyOf(atts), c.conflict()), in.id, epoch);
    }

    // ------------------------------------------------------------ PSP side

    InquiryResult inquire(String psp, String ref) {
      String pid = pid(psp, ref);
      return switch (held(psp, ref)) {
        case NONE -> InquiryResult.notFound();
        case CHARGED -> InquiryResult.found(PspResult.succeeded(pid));
        case DECLINED -> InquiryResult.found(PspResult.declined(pid, DeclineCode.INSUFFICIENT_FUNDS, false, "51"));
        case PENDING -> InquiryResult.found(PspResult.pending(pid, "processing"));
        case CLOSED -> InquiryResult.notCharged("expired");
      };
    }

    /** The PSP's documented cancel: closes an open unpaid payment; a PSP without one cannot say. */
    InquiryResult cancel(String psp, String ref) {
      if (!CANCELS.contains(psp)) return InquiryResult.unknown("no cancel at " + psp);
      if (held(psp, ref) == Held.PENDING) {
        note("cancelled " + psp + " " + ref);
        ledgers.get(psp).put(ref, Held.CLOSED);
        return InquiryResult.notCharged("cancelled");
      }
      return inquire(psp, ref);
    }

    /** A PSP event: a timed-out request lands (within LAND_MAX, else never), or a pending payment resolves. */
    void deliver(Late e) {
      late.remove(e);
      Map<String, Held> ledger = ledgers.get(e.psp());
      if (e.landing()) {
        if (now - e.sentAt() > LAND_MAX || held(e.psp(), e.ref()) != Held.NONE) return;
        ledger.put(e.ref(), e.to());
        if (e.to() == Held.PENDING) late.add(new Late(e.psp(), e.ref(), false, Held.CHARGED, now));
        note("landed " + e.psp() + " " + e.ref() + " " + e.to());
      } else if (held(e.psp(), e.ref()) == Held.PENDING) {
        ledger.put(e.ref(), e.to());
        note("resolved " + e.psp() + " " + e.ref() + " " + e.to());
      }
    }

    // ------------------------------------------------------------ webhooks (WebhookService)

    void webhook(int pspIdx, int keyIdx, int refIdx, int variant) {
      String chargeId = keys.get("k" + Math.floorMod(keyIdx, KEYS));
      if (chargeId == null || !dbUp) return; // unknown charge, or a 5xx: the PSP sends it again later
      Instance in = null;
      for (int i = 0; i < SLOTS; i++) {
        Instance x = slot(variant + i);
        if (runs(x)) {
          in = x;
          break;
        }
      }
      if (in == null) return;
      Row row = charges.get(chargeId);
      String psp = PSPS[Math.floorMod(pspIdx, PSPS.length)];
      int n = row.charge.attempts().size();
      String ref = AttemptReference.of(chargeId, 1 + Math.floorMod(refIdx, n + 1));
      // Any body the PSP signed (a replay, a stale one, one naming another attempt): only those that
      // would settle something are confirmed, by re-reading the PSP now.
      int body = Math.floorMod(variant, 4);
      if (body == 3) return; // a pending body settles nothing
      InquiryResult now = inquire(psp, ref);
      PspResult confirmed = switch (now.kind()) {
        case FOUND -> now.result();
        case NOT_CHARGED -> PspResult.notSent(NotSentReason.PROVEN_NOT_CHARGED, now.result().message());
        case NOT_FOUND, UNKNOWN -> null;
      };
      if (confirmed == null) return;
      settleResult(in, chargeId, new SettlementPolicy.Evidence(psp, ref, confirmed, SettlementPolicy.Source.WEBHOOK), null, 1);
    }

    // ------------------------------------------------------------ reconciler (Reconciler + Store.takeUnsettled)

    void reconcile(Instance in, int flags) {
      if (!runs(in) || !dbUp) return;
      boolean takeOthers = in.beatingSince > 0 && now - in.beatingSince >= OWNER_TIMEOUT;
      for (Row row : new ArrayList<>(charges.values())) {
        ChargeStatus st = row.charge.status();
        if (st != ChargeStatus.PROCESSING && st != ChargeStatus.PENDING) continue;
        if (row.nextCheck > now) continue;
        boolean same = in.id.equals(row.owner);
        boolean known = row.owner != null && instancesTable.containsKey(row.owner);
        long ownerAge = known ? now - instancesTable.get(row.owner) : Long.MAX_VALUE;
        if (!Ownership.mayTakeOver(same, known, ownerAge, takeOthers ? now - in.beatingSince : 0, OWNER_TIMEOUT)) continue;
        row.epoch = Ownership.epochAfterTake(same, row.epoch);
        if (!same) note("take " + row.charge.id() + " by " + in.id + " epoch " + row.epoch);
        row.owner = in.id;
        long graceEnd = row.charge.updatedAt().toEpochMilli() + GRACE;
        row.nextCheck = Math.min(now + INTERVAL * 8 / 10, graceEnd > now ? graceEnd : Long.MAX_VALUE);
        if (in.workedOnHere(row.charge.id())) continue;
        settleOne(in, row, row.epoch, flags);
      }
    }

    void settleOne(Instance in, Row row, long epoch, int flags) {
      Charge c = row.charge;
      long age = now - c.updatedAt().toEpochMilli();
      boolean pastGrace = age >= GRACE;
      boolean pastHorizon = age >= HORIZON;
      List<ReconcilerVerdict.Asked> asked = new ArrayList<>();
      int i = 0;
      for (Attempt a : c.attempts()) {
        if (!a.outcome().mayHaveCharged()) continue;
        String ref = AttemptReference.of(c.id(), a.seq());
        boolean fails = ((flags >> (i++ % 3)) & 1) == 1 && flags >= 8; // some inquiries get no answer
        asked.add(new ReconcilerVerdict.Asked(a, ref, fails ? InquiryResult.unknown("timeout") : inquire(a.provider(), ref),
            pastHorizon));
      }
      ReconcilerVerdict.Verdict v = ReconcilerVerdict.decide(asked, pastGrace);
      if (v.kind() == ReconcilerVerdict.Kind.WAIT && !v.cancellable().isEmpty()) {
        List<ReconcilerVerdict.Asked> again = new ArrayList<>(asked);
        for (ReconcilerVerdict.Asked a : v.cancellable()) {
          InquiryResult r = cancel(a.attempt().provider(), a.reference());
          if (r.kind() != InquiryResult.Kind.UNKNOWN) {
            again.set(again.indexOf(a), new ReconcilerVerdict.Asked(a.attempt(), a.reference(), r, pastHorizon));
          }
        }
        asked = again;
        v = ReconcilerVerdict.decide(again, pastGrace);
      }
      switch (v.kind()) {
        case SUCCEEDED -> {
          settleAsked(in, c.id(), v.settling(), epoch);
          for (ReconcilerVerdict.Asked other : v.otherSuccesses()) settleAsked(in, c.id(), other, epoch);
        }
        case DECLINED -> settleAsked(in, c.id(), v.settling(), epoch);
        case FAILED -> settleNothingCharged(in, row, epoch);
        case WAIT -> { }
      }
    }

    void settleAsked(Instance in, String chargeId, ReconcilerVerdict.Asked a, long epoch) {
      settleResult(in, chargeId, new SettlementPolicy.Evidence(a.attempt().provider(), a.reference(), a.answer().result(),
          SettlementPolicy.Source.RECONCILER), epoch, 1);
    }

    // ------------------------------------------------------------ quiescence and invariants

    /** The end of a history: the database answers, everyone resumes, events arrive, time passes, reconcilers run. */
    void quiesce() {
      dbUp = true;
      for (Instance in : slots) in.paused = false;
      boolean anyAlive = false;
      for (Instance in : slots) anyAlive |= in.alive;
      if (!anyAlive) slots[0] = start();
      tick(1_000);
      int mode = 0;
      for (int guard = 0; guard < 100; guard++) {
        boolean any = false;
        for (Instance in : slots) {
          if (!runs(in) || in.flights.isEmpty()) continue;
          any = true;
          advance(in, in.flights.values().iterator().next(), mode++, mode);
          check("during quiescence");
        }
        if (!any) break;
      }
      while (!late.isEmpty()) {
        deliver(late.get(0));
        check("during quiescence");
      }
      tick(HORIZON + GRACE);
      for (int round = 0; round < 6; round++) {
        for (Instance in : slots) {
          reconcile(in, 0);
          check("during quiescence");
        }
        tick(OWNER_TIMEOUT + INTERVAL);
      }
    }

    void check(String when) {
      for (Map.Entry<String, String> k : keys.entrySet()) {
        String id = k.getValue();
        Row row = charges.get(id);
        int charged = 0;
        List<String> where = new ArrayList<>();
        for (String p : PSPS) {
          for (Map.Entry<String, Held> e : ledgers.get(p).entrySet()) {
            if (e.getValue() == Held.CHARGED && AttemptReference.chargeId(e.getKey()).equals(id)) {
              charged++;
              where.add(p + "/" + e.getKey());
            }
          }
        }
        ChargeStatus st = row.charge.status();
        if (charged > 1) fail(when, "key " + k.getKey() + " charged more than once: " + where);
        if (st.isFinal() && (st == ChargeStatus.SUCCEEDED) != (charged == 1)) {
          fail(when, "charge " + id + " is " + st + " but the PSPs charged " + where
              + (row.charge.conflict() == null ? " (no conflict recorded)" : " (conflict recorded: " + row.charge.conflict() + ")"));
        }
        if (everSucceeded.contains(id) && st != ChargeStatus.SUCCEEDED) {
          fail(when, "charge " + id + " was succeeded and is now " + st);
        }
        if (answeredSucceeded.contains(k.getKey()) && st.isFinal() && st != ChargeStatus.SUCCEEDED) {
          fail(when, "key " + k.getKey() + " was answered succeeded and its charge is now " + st);
        }
      }
    }

    void checkSettled() {
      for (Row row : charges.values()) {
        if (!row.charge.status().isFinal()) {
          fail("after quiescence", "charge " + row.charge.id() + " still " + row.charge.status() + " (owner "
              + row.owner + "@" + row.epoch + ", attempts " + describe(row.charge.attempts()) + ")");
        }
      }
    }

    String describe(List<Attempt> atts) {
      StringBuilder sb = new StringBuilder();
      for (Attempt a : atts) {
        String ref = AttemptReference.of(a.chargeId(), a.seq());
        sb.append(sb.length() == 0 ? "" : ", ").append(a.provider()).append(' ').append(ref).append('=')
            .append(a.outcome()).append(" psp:").append(held(a.provider(), ref));
      }
      return sb.toString();
    }

    /** A line of the model's log, and one more of its kind in the run's statistics. */
    void note(String line) {
      log.add(line);
      String[] w = line.split(" ");
      String kind = w[0].equals("write") || w[0].equals("answer") ? w[0] + " " + w[2] : w[0];
      EVENTS.computeIfAbsent(kind, k -> new AtomicLong()).incrementAndGet();
    }

    void fail(String when, String what) {
      throw new AssertionError(what + " " + when + "\nmodel log:\n  " + String.join("\n  ", log));
    }

    // ------------------------------------------------------------ charge rows

    Charge charge(String id, String key, ChargeStatus st, String provider, String providerRef, List<Attempt> atts,
        String conflict, List<String> cands) {
      Instant at = Instant.ofEpochMilli(now);
      return new Charge(id, "m1", key, "fp", 1000, "EUR", "card_1", null, st, provider, providerRef, null, null,
          new RoutingInfo("default", "priority", 1, cands), atts, at, at, conflict);
    }

    Charge with(Charge c, ChargeStatus st, String provider, String providerRef, List<Attempt> atts, String conflict) {
      return new Charge(c.id(), c.merchantId(), c.idempotencyKey(), c.fingerprint(), c.amount(), c.currency(),
          c.cardId(), c.merchantReference(), st, provider, providerRef, null, null, c.routing(), atts, c.createdAt(),
          Instant.ofEpochMilli(now), conflict);
    }

    static Charge withAttempts(Charge c, List<Attempt> atts) {
      return new Charge(c.id(), c.merchantId(), c.idempotencyKey(), c.fingerprint(), c.amount(), c.currency(),
          c.cardId(), c.merchantReference(), c.status(), c.provider(), c.providerReference(), c.declineCode(),
          c.providerCode(), c.routing(), List.copyOf(atts), c.createdAt(), c.updatedAt(), c.conflict());
    }
  }
}
