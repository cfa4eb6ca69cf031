package io.payrouter.chaos;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * The chaos suite's money checks, as a pure function of what was observed: every answer the
 * merchants got, the router's database and API view of every charge at the end, and what each
 * PSP's ledger says it charged. No I/O here, so {@code VerifierTest} can prove that each check
 * fails on a synthetic violation (a check that cannot fail is a defect).
 */
final class Verifier {
  private Verifier() {}

  /** What went wrong. Every kind is a violation: the run exits non-zero on any. */
  enum Kind {
    /** Money moved more than once for one charge: at two PSPs, or twice at one. */
    DOUBLE_CHARGE,
    /** The router once answered {@code succeeded}; now it is not, or not charged once at that PSP. */
    LOST_SUCCESS,
    /** The charge is {@code succeeded} now but its PSP did not charge it exactly once. */
    SUCCEEDED_NOT_CHARGED_ONCE,
    /** Money moved for a charge that is {@code declined}, {@code failed} or unknown to the router. */
    CHARGED_WITHOUT_SUCCESS,
    /** A final answer ({@code declined}, or {@code failed} not retried since) later became another. */
    ANSWER_CHANGED,
    /** Still {@code processing} in the database or {@code pending} in the API after the wait. */
    UNSETTLED,
    /** A charge that was pending settled later than the grace period plus two reconciler intervals. */
    LATE_SETTLEMENT,
    /** The API and the database disagree at the end (an answer that was never made durable). */
    NOT_DURABLE,
    /** A PSP ledger holds charged payments no router charge accounts for. */
    UNACCOUNTED_MONEY,
    /** A same-key, same-body retry got something a merchant cannot act on (4xx other than 409, bad body). */
    UNEXPECTED_ANSWER,
    /** A ledger status the suite does not know how to count: the check would be blind to it. */
    UNKNOWN_LEDGER_STATUS,
    /** The router did not accept a fresh charge within the bound after PostgreSQL answered again. */
    SLOW_RECOVERY,
    /** The router did not become ready again after a SIGKILL. */
    ROUTER_RESTART_FAILED,
    /** A fault or outage the run promises could not be applied (the run proves less than it says). */
    CHAOS_NOT_APPLIED,
    /** Fewer charges than the plan promises were made. */
    RUN_INCOMPLETE,
    /**
     * The router's state could not be read: neither its API nor its database (only the ledgers were
     * checked), or the API would not answer for one charge (that charge checked against the database).
     */
    UNVERIFIED,
    /**
     * More was refunded than was charged: at a PSP (its ledger refunded more of a charge's payments
     * than they took) or in the router (its refunds that did not fail add up to more than the charge).
     */
    OVER_REFUND,
    /** A refund the router answered or holds as succeeded is not (all) in the PSP's ledger. */
    LOST_REFUND,
    /**
     * The PSP refunded more of a charge than the router's refunds that did not fail add up to: the
     * router failed a refund that was made (its amount would be refunded again).
     */
    REFUNDED_WITHOUT_SUCCESS,
    /**
     * A merchant webhook lost: a final charge or refund with no event of its final type in the
     * outbox, or a delivery the outbox holds as delivered whose event id the receiver never
     * answered 200 to.
     */
    WEBHOOK_LOST,
    /** A delivery still {@code pending} after the wait, or {@code failed} (the receiver was healthy). */
    WEBHOOK_NOT_DELIVERED,
    /**
     * A request the receiver got that does not verify with the endpoint's secret (Standard
     * Webhooks), or whose body is not the event its {@code webhook-id} names (another id or type, or
     * no delivery of the endpoint has that id).
     */
    WEBHOOK_BAD_EVENT,
    /** The events of one charge first reached the receiver out of their {@code event_seq} order. */
    WEBHOOK_OUT_OF_ORDER,
    /** Two requests with one {@code webhook-id} were at the receiver at the same moment (two senders at once). */
    WEBHOOK_CONCURRENT
  }

  /**
   * One row of {@code webhook_deliveries} for the run's endpoint. {@code refundId}: the refund a
   * {@code refund.*} event is about (its body's {@code data.id}), null for charge events.
   * {@code createdAt} epoch ms.
   */
  record DeliveryRow(String eventId, String eventType, String chargeId, String refundId, int eventSeq, String status,
      int attempts, long createdAt) {}

  /**
   * One request the receiver got, in arrival order ({@code seq}): its headers (lower-case names),
   * body, when it arrived and when its answer was written (epoch microseconds), and the status the
   * receiver answered.
   */
  record Hook(long seq, String webhookId, Map<String, String> headers, String body, long startUs, long endUs,
      int answered) {
    boolean ok() {
      return answered >= 200 && answered < 300;
    }
  }

  /**
   * One refund answer a merchant got: {@code http} 0 = no answer; {@code status} and {@code amount}
   * from the body (null, 0 when it carried no refund).
   */
  record RefundAnswer(String chargeId, String refundId, int http, String status, long amount) {}

  /** A refund as the router's database holds it ({@code status} raw: processing, pending, ...). */
  record RefundRow(String id, String chargeId, String status, long amount) {}

  record Violation(Kind kind, String subject, String detail) {
    @Override
    public String toString() {
      return kind + " " + subject + ": " + detail;
    }
  }

  enum Source { POST, GET }

  /**
   * One answer a merchant (POST) or the pending watcher (GET) got. {@code http} 0 = no answer
   * (timeout, reset, refused). {@code status}/{@code provider}/{@code chargeId} from the body, or null.
   * {@code replayed}: the answer carried {@code Idempotent-Replayed: true}; a 201/202 to a POST
   * without it was decided by that very request (a first run, or a re-run of a failed charge).
   */
  record Answer(String key, String chargeId, long sentAt, long at, int http, String status, String provider,
      Source source, boolean replayed) {
    /** An answer that was not a fresh decision (tests). */
    Answer(String key, String chargeId, long sentAt, long at, int http, String status, String provider,
        Source source) {
      this(key, chargeId, sentAt, at, http, status, provider, source, true);
    }

    boolean freshDecision() {
      return source == Source.POST && !replayed && (http == 201 || http == 202);
    }
  }

  /** A charge as the database ({@code status} raw: processing, ...) or the API (wire status) shows it. */
  record Row(String id, String key, String status, String provider, long createdAt, long updatedAt) {}

  /** The excused window's name for a PSP that was down: only charges pending at that PSP are excused. */
  static String pspDown(String psp) {
    return "psp down: " + psp;
  }

  /**
   * A period in which the router could not settle anything (killed, or its database down), or
   * (named by {@link #pspDown}) could not settle the charges pending at one PSP.
   */
  record Window(String what, long from, long to) {
    long overlap(long a, long b) {
      return Math.max(0, Math.min(to, b) - Math.max(from, a));
    }
  }

  /** One PostgreSQL restart: when it answered again, when the router first accepted a fresh charge. */
  record Recovery(String label, long pgUpAt, long acceptedAt) {
    boolean recovered() {
      return pgUpAt > 0 && acceptedAt > 0;
    }

    long millis() {
      return recovered() ? Math.max(0, acceptedAt - pgUpAt) : -1;
    }
  }

  /** Everything observed. Maps are by charge id unless said otherwise. */
  static final class Input {
    final List<Answer> answers = new ArrayList<>();
    /** The database's charges ({@code null} entries never; absent = not in the database). */
    final Map<String, Row> db = new HashMap<>();
    /** The API's view; a present key with a null value = 404. Absent = not asked (API down). */
    final Map<String, Row> api = new HashMap<>();
    boolean apiAvailable = true;
    /** Charge ids the API would not answer for (a 5xx or no answer, every try), with the error. */
    final Map<String, String> apiErrors = new TreeMap<>();
    boolean dbAvailable = true;
    /** Charge id → PSP → ledger entries in which money moved (or is moving) for it. */
    final Map<String, Map<String, Integer>> charged = new HashMap<>();
    /** PSP → every ledger entry in which money moved (from the ledger's own summary). */
    final Map<String, Integer> ledgerChargedTotal = new HashMap<>();
    /** "psp:status" → count of ledger entries whose status the suite does not classify. */
    final Map<String, Integer> unknownLedgerStatuses = new TreeMap<>();
    final List<Window> excused = new ArrayList<>();
    final List<Recovery> recoveries = new ArrayList<>();
    /** Chaos the plan promised that did not happen, one line each. */
    final List<String> chaosProblems = new ArrayList<>();
    /** Ways the run fell short of its plan (merchants stopped early, ...), one line each. */
    final List<String> runProblems = new ArrayList<>();
    /** Router restarts after SIGKILL that failed, one line each. */
    final List<String> routerRestartFailures = new ArrayList<>();
    long settleBoundMs = 9_000;
    /**
     * Charges another instance took over from an owner that went away (a fleet's router logs); their
     * bound is {@link #settleBoundMs} plus {@link #takeoverAllowanceMs}: nobody may touch a charge
     * until its owner's lease runs out, so an owner paused or killed just before it would have
     * settled the charge costs up to one lease.
     */
    final java.util.Set<String> takenOver = new java.util.HashSet<>();
    long takeoverAllowanceMs = 0;
    long recoveryBoundMs = 2_000;
    int minCharges;
    /** Every refund answer the merchants got. */
    final List<RefundAnswer> refundAnswers = new ArrayList<>();
    /** Charge id → its refunds in the router's database (absent: none). */
    final Map<String, List<RefundRow>> dbRefunds = new HashMap<>();
    /** False when the refunds table could not be read (the router-side refund checks are skipped). */
    boolean dbRefundsRead = true;
    /** Charge id → its amount, for the charges refunds were asked for. */
    final Map<String, Long> chargeAmounts = new HashMap<>();
    /** Charge id → PSP → {taken by its payments in which money moved, refunded of them} (the ledgers). */
    final Map<String, Map<String, long[]>> ledgerRefunds = new HashMap<>();
    /** The run subscribed a webhook endpoint with this secret (null: no webhook checks). */
    String webhookSecret;
    /** When the endpoint was created (epoch ms): charges created before it have no events. */
    long webhookSince;
    /** The endpoint's rows of {@code webhook_deliveries}; {@link #deliveriesRead} false when unreadable. */
    final List<DeliveryRow> deliveries = new ArrayList<>();
    boolean deliveriesRead = true;
    /** Every request the receiver got. */
    final List<Hook> hooks = new ArrayList<>();
    /** Standard Webhooks' timestamp tolerance, applied at arrival. */
    long webhookToleranceSec = 300;
  }

  /** The outcome: violations (in a stable order) and the counts the summary prints. */
  static final class Verdict {
    final List<Violation> violations = new ArrayList<>();
    final Map<Kind, Integer> counts = new LinkedHashMap<>();
    final Map<String, Integer> finalStatuses = new TreeMap<>();
    int charges;
    int everPending;
    long maxSettleMs;
    int inFlightLedgerEntries;
    /** Webhook figures: distinct event ids received, requests, requests after a 200 to the same id, after a non-2xx. */
    int hookEvents;
    int hookRequests;
    int hookDuplicates;
    int hookRetries;
    /** Requests the receiver answered with other than 2xx (its injected failures). */
    int hookRefused;
    /**
     * Events whose body shows another status than the event's type (a body rendered at its first
     * attempt from the charge as it was by then: the outbox row was written without one).
     */
    int hookLaterBodies;
    /** Attempts the outbox recorded, and its rows by status. */
    long hookAttemptsRecorded;
    final Map<String, Integer> deliveryStatuses = new TreeMap<>();
    /** The slowest delivery: its row written to the receiver's first 200 for it (ms). */
    long slowestDeliveryMs;

    int count(Kind k) {
      return counts.getOrDefault(k, 0);
    }

    boolean ok() {
      return violations.isEmpty();
    }

    void add(Kind k, String subject, String detail) {
      violations.add(new Violation(k, subject, detail));
      counts.merge(k, 1, Integer::sum);
    }
  }

  static boolean isFinal(String status) {
    return "succeeded".equals(status) || "declined".equals(status) || "failed".equals(status);
  }

  /** The database's status as the API would show it ({@code processing} is {@code pending}). */
  static String wire(String dbStatus) {
    return "processing".equals(dbStatus) ? "pending" : dbStatus;
  }

  static Verdict verify(Input in) {
    Verdict v = new Verdict();
    Map<String, List<Answer>> byId = new HashMap<>();
    Map<String, List<Answer>> byKey = new HashMap<>();
    for (Answer a : in.answers) {
      if (a.chargeId() != null) byId.computeIfAbsent(a.chargeId(), k -> new ArrayList<>()).add(a);
      if (a.key() != null) byKey.computeIfAbsent(a.key(), k -> new ArrayList<>()).add(a);
    }
    Set<String> ids = new TreeSet<>();
    ids.addAll(in.db.keySet());
    ids.addAll(in.api.keySet());
    ids.addAll(byId.keySet());
    ids.addAll(in.charged.keySet());
    v.charges = (int) ids.stream().filter(id -> in.db.containsKey(id) || in.api.get(id) != null).count();

    // Keys whose answers a merchant could not act on.
    for (var e : new TreeMap<>(byKey).entrySet()) {
      for (Answer a : e.getValue()) {
        boolean okCode = a.http() == 0 || a.http() == 409 || a.http() >= 500;
        boolean accepted = a.http() == 201 || a.http() == 202;
        if (accepted && (a.chargeId() == null || a.status() == null)) {
          v.add(Kind.UNEXPECTED_ANSWER, e.getKey(), "HTTP " + a.http() + " without a charge id or status");
          break;
        }
        if (!okCode && !accepted && a.source() == Source.POST) {
          v.add(Kind.UNEXPECTED_ANSWER, e.getKey(), "HTTP " + a.http() + " to a same-key, same-body retry");
          break;
        }
        if (accepted && (a.http() == 202) != "pending".equals(a.status())) {
          v.add(Kind.UNEXPECTED_ANSWER, e.getKey(), "HTTP " + a.http() + " with status " + a.status());
          break;
        }
      }
    }

    // Key → charge id from the database, for answers that carried no id (409, 503, no answer).
    Map<String, String> idOfKey = new HashMap<>();
    for (Row r : in.db.values()) if (r.key() != null) idOfKey.put(r.key(), r.id());
    for (var e : byId.entrySet()) for (Answer a : e.getValue()) if (a.key() != null) idOfKey.putIfAbsent(a.key(), e.getKey());

    boolean blind = !in.dbAvailable && !in.apiAvailable;
    if (blind) {
      v.add(Kind.UNVERIFIED, "router", "neither its API nor its database could be read: only the ledgers were"
          + " checked (double charges), " + ids.size() + " charges unchecked against the router");
      for (String id : ids) {
        int total = in.charged.getOrDefault(id, Map.of()).values().stream().mapToInt(Integer::intValue).sum();
        if (total > 1) v.add(Kind.DOUBLE_CHARGE, id, "money moved " + total + " times: "
            + new TreeMap<>(in.charged.get(id)));
      }
      ids.clear();
    }
    in.apiErrors.forEach((id, err) -> v.add(Kind.UNVERIFIED, id, "GET /v1/charges/" + id + " never answered: " + err
        + " (checked against the database only)"));
    for (String id : ids) {
      Row db = in.db.get(id);
      Row api = in.api.get(id);
      boolean apiAsked = in.api.containsKey(id);
      String now = api != null ? api.status() : db != null ? wire(db.status()) : null;
      String provider = api != null ? api.provider() : db != null ? db.provider() : null;
      if (now != null) v.finalStatuses.merge(now, 1, Integer::sum);
      Map<String, Integer> money = in.charged.getOrDefault(id, Map.of());
      int total = money.values().stream().mapToInt(Integer::intValue).sum();
      List<Answer> answers = byId.getOrDefault(id, List.of());

      if (total > 1) v.add(Kind.DOUBLE_CHARGE, id, "money moved " + total + " times: " + new TreeMap<>(money)
          + " (router: " + now + " at " + provider + ")");

      // Durable: the database must hold what the API shows.
      if (in.dbAvailable && in.apiAvailable && apiAsked) {
        if (api != null && db == null) {
          v.add(Kind.NOT_DURABLE, id, "the API shows " + api.status() + " but the database has no such charge");
        } else if (api == null && db != null) {
          v.add(Kind.NOT_DURABLE, id, "in the database (" + db.status() + ") but the API answers 404");
        } else if (api != null && !api.status().equals(wire(db.status()))) {
          v.add(Kind.NOT_DURABLE, id, "API " + api.status() + " but database " + db.status());
        }
      }
      if (now == null && !answers.isEmpty() && in.dbAvailable && (apiAsked || !in.apiAvailable)) {
        v.add(Kind.NOT_DURABLE, id, "answered " + answers.get(0).status() + " but the router no longer knows it");
      }

      // Everything the router ever said succeeded must still be, charged once at that PSP.
      Answer success = answers.stream().filter(a -> "succeeded".equals(a.status())).findFirst().orElse(null);
      if (success != null) {
        int there = money.getOrDefault(success.provider(), 0);
        if (!"succeeded".equals(now) || !java.util.Objects.equals(provider, success.provider()) || there != 1) {
          v.add(Kind.LOST_SUCCESS, id, "answered succeeded at " + success.provider() + " (key " + success.key()
              + "); now " + now + " at " + provider + ", charged there " + there + "x, everywhere " + total + "x");
        }
      }
      if ("succeeded".equals(now) && success == null) {
        int there = money.getOrDefault(provider, 0);
        if (there != 1 || total != 1) {
          v.add(Kind.SUCCEEDED_NOT_CHARGED_ONCE, id, "succeeded at " + provider + " but charged there " + there
              + "x, everywhere " + new TreeMap<>(money));
        }
      }
      if (("declined".equals(now) || "failed".equals(now) || now == null) && total > 0) {
        v.add(Kind.CHARGED_WITHOUT_SUCCESS, id, "router: " + (now == null ? "no such charge" : now)
            + ", but money moved: " + new TreeMap<>(money));
      }

      // A final answer must stay: declined forever; failed unless the merchant posted again after it.
      for (Answer a : answers) {
        if ("declined".equals(a.status()) && now != null && !"declined".equals(now)) {
          v.add(Kind.ANSWER_CHANGED, id, "answered declined, now " + now);
          break;
        }
        if ("failed".equals(a.status()) && now != null && !"failed".equals(now)) {
          long after = byKey.getOrDefault(a.key(), List.of()).stream()
              .filter(b -> b.source() == Source.POST && b.sentAt() > a.at()).count();
          if (after == 0) {
            v.add(Kind.ANSWER_CHANGED, id, "answered failed, now " + now + " with no retry since");
            break;
          }
        }
      }

      // Settled?
      if ((db != null && !isFinal(db.status())) || (api != null && !isFinal(api.status()))) {
        v.add(Kind.UNSETTLED, id, "database " + (db == null ? "-" : db.status()) + ", API "
            + (api == null ? "-" : api.status()));
        continue;
      }
      // Settled in time? Every charge the router ever called pending (a 202, a pending read, or a
      // 409 "in progress" to a retry) must be final within the bound of that first moment. A POST
      // the router decided afresh (a failed charge run again for a retry) starts a new episode; an
      // earlier episode is measured to its last pending observation (its end was not seen, and a
      // lower bound never accuses wrongly).
      String key = db != null ? db.key() : answers.isEmpty() ? null : answers.get(0).key();
      List<long[]> marks = new ArrayList<>(); // {time, 0 = pending seen, 1 = fresh decision sent}
      for (Answer a : answers) {
        if ("pending".equals(a.status())) marks.add(new long[] {a.at(), 0});
      }
      for (Answer a : byKey.getOrDefault(key, List.of())) {
        boolean mine = id.equals(a.chargeId()) || (a.chargeId() == null && id.equals(idOfKey.get(a.key())));
        if (!mine) continue;
        if (a.http() == 409) marks.add(new long[] {a.at(), 0});
        if (a.freshDecision()) marks.add(new long[] {a.sentAt(), 1});
      }
      marks.sort((x, y) -> x[0] != y[0] ? Long.compare(x[0], y[0]) : Long.compare(y[1], x[1]));
      Row when = api != null ? api : db;
      long first = -1;
      long last = -1;
      boolean counted = false;
      for (int i = 0; i <= marks.size(); i++) {
        boolean end = i == marks.size();
        if (!end && marks.get(i)[1] == 0) {
          if (first < 0) first = marks.get(i)[0];
          last = marks.get(i)[0];
          continue;
        }
        if (first >= 0 && when != null) {
          if (!counted) v.everPending++;
          counted = true;
          long settledAt = end ? Math.max(when.updatedAt(), last) : last;
          long excused = 0;
          String pendingAt = null;
          for (Answer a : answers) if ("pending".equals(a.status()) && a.provider() != null) pendingAt = a.provider();
          for (Window w : in.excused) {
            if (w.what().startsWith(pspDown("")) && !w.what().equals(pspDown(String.valueOf(pendingAt)))) continue;
            excused += w.overlap(first, settledAt);
          }
          long took = settledAt - first - excused;
          v.maxSettleMs = Math.max(v.maxSettleMs, took);
          long bound = in.settleBoundMs + (in.takenOver.contains(id) ? in.takeoverAllowanceMs : 0);
          if (took > bound) {
            v.add(Kind.LATE_SETTLEMENT, id, "pending for " + took + " ms after the router first said so (bound "
                + bound + " ms" + (in.takenOver.contains(id) ? ", taken over" : "") + "; " + excused + " ms of router/database/PSP downtime not counted), "
                + (end ? "now " + now : "then run again for a retry"));
            break;
          }
        }
        first = -1;
        last = -1;
      }
    }

    // Money no charge accounts for.
    Map<String, Integer> attributed = new HashMap<>();
    for (Map<String, Integer> m : in.charged.values()) m.forEach((p, n) -> attributed.merge(p, n, Integer::sum));
    for (var e : new TreeMap<>(blind ? Map.<String, Integer>of() : in.ledgerChargedTotal).entrySet()) {
      int extra = e.getValue() - attributed.getOrDefault(e.getKey(), 0);
      if (extra > 0) {
        v.add(Kind.UNACCOUNTED_MONEY, e.getKey(), extra + " charged payment(s) at " + e.getKey()
            + " whose reference is no charge the router or the merchants know");
      }
    }
    in.unknownLedgerStatuses.forEach((s, n) -> v.add(Kind.UNKNOWN_LEDGER_STATUS, s, n + " ledger entries"));

    for (Recovery r : in.recoveries) {
      if (r.pgUpAt() <= 0) {
        v.add(Kind.CHAOS_NOT_APPLIED, r.label(), "PostgreSQL did not answer again after the restart");
      } else if (!r.recovered()) {
        v.add(Kind.SLOW_RECOVERY, r.label(), "no fresh charge accepted after PostgreSQL answered again");
      } else if (r.millis() > in.recoveryBoundMs) {
        v.add(Kind.SLOW_RECOVERY, r.label(), "first fresh charge accepted " + r.millis() + " ms after PostgreSQL"
            + " answered again (bound " + in.recoveryBoundMs + " ms)");
      }
    }
    refunds(in, v);
    webhooks(in, v);
    for (String s : in.routerRestartFailures) v.add(Kind.ROUTER_RESTART_FAILED, "router", s);
    for (String s : in.chaosProblems) v.add(Kind.CHAOS_NOT_APPLIED, "plan", s);
    for (String s : in.runProblems) v.add(Kind.RUN_INCOMPLETE, "run", s);
    if (v.charges < in.minCharges) {
      v.add(Kind.RUN_INCOMPLETE, "charges", v.charges + " charges made, the plan promises at least " + in.minCharges);
    }
    return v;
  }

  /**
   * The refund checks: never more refunded than charged, at the PSP or in the router; a refund
   * answered (or stored) succeeded is in the PSP's ledger; the PSP never refunded more than the
   * router's refunds that did not fail (a refund failed though it was made).
   */
  static void refunds(Input in, Verdict v) {
    Set<String> ids = new TreeSet<>(in.ledgerRefunds.keySet());
    ids.addAll(in.dbRefunds.keySet());
    for (RefundAnswer a : in.refundAnswers) if (a.chargeId() != null) ids.add(a.chargeId());
    for (String id : ids) {
      Map<String, long[]> atPsps = in.ledgerRefunds.getOrDefault(id, Map.of());
      long pspRefunded = 0;
      for (var e : new TreeMap<>(atPsps).entrySet()) {
        long taken = e.getValue()[0];
        long refunded = e.getValue()[1];
        pspRefunded += refunded;
        if (refunded > taken) {
          v.add(Kind.OVER_REFUND, id, e.getKey() + " refunded " + refunded + " of payments that took " + taken);
        }
      }
      List<RefundRow> rows = in.dbRefunds.getOrDefault(id, List.of());
      long routerLive = 0;
      long routerSucceeded = 0;
      for (RefundRow r : rows) {
        if (!"failed".equals(r.status())) routerLive += r.amount();
        if ("succeeded".equals(r.status())) routerSucceeded += r.amount();
      }
      Long amount = in.chargeAmounts.get(id);
      if (amount != null && in.dbRefundsRead && routerLive > amount) {
        v.add(Kind.OVER_REFUND, id, "the router's refunds add up to " + routerLive + " of a charge of " + amount);
      }
      long answered = 0;
      Set<String> counted = new HashSet<>();
      for (RefundAnswer a : in.refundAnswers) {
        if (id.equals(a.chargeId()) && "succeeded".equals(a.status()) && a.refundId() != null && counted.add(a.refundId())) {
          answered += a.amount();
        }
      }
      long promised = Math.max(answered, in.dbAvailable && in.dbRefundsRead ? routerSucceeded : 0);
      if (promised > pspRefunded) {
        v.add(Kind.LOST_REFUND, id, "refunds of " + promised + " answered or stored succeeded, but the PSPs refunded "
            + pspRefunded + " " + new TreeMap<>(atPsps.keySet().stream().collect(java.util.stream.Collectors.toMap(
                p -> p, p -> atPsps.get(p)[1]))));
      }
      if (in.dbAvailable && in.dbRefundsRead && pspRefunded > routerLive) {
        v.add(Kind.REFUNDED_WITHOUT_SUCCESS, id, "the PSPs refunded " + pspRefunded + " but the router's refunds that did"
            + " not fail add up to " + routerLive + ": " + rows);
      }
    }
  }

  /**
   * The merchant-webhook checks (the outbox under chaos): every final charge and refund delivered
   * at least once and received, nothing left pending or failed, every request signed with the
   * endpoint's secret and carrying the event its id names, each charge's events first received in
   * their order, and never two requests with one {@code webhook-id} at the receiver at once. Also
   * the figures: events, requests, duplicates (at least once allows them), retries.
   */
  static void webhooks(Input in, Verdict v) {
    if (in.webhookSecret == null) return;
    Map<String, List<Hook>> byId = new TreeMap<>();
    List<Hook> hooks = new ArrayList<>(in.hooks);
    hooks.sort(java.util.Comparator.comparingLong(Hook::seq));
    for (Hook h : hooks) byId.computeIfAbsent(h.webhookId(), k -> new ArrayList<>()).add(h);
    Map<String, DeliveryRow> rows = new HashMap<>();
    for (DeliveryRow r : in.deliveries) rows.put(r.eventId(), r);

    // Figures.
    v.hookRequests = hooks.size();
    v.hookEvents = byId.size();
    for (List<Hook> l : byId.values()) {
      boolean delivered = false;
      boolean refused = false;
      for (Hook h : l) {
        if (delivered) v.hookDuplicates++;
        else if (refused) v.hookRetries++;
        if (h.ok()) delivered = true;
        else {
          refused = true;
          v.hookRefused++;
        }
      }
    }
    for (List<Hook> l : byId.values()) {
      try {
        io.vertx.core.json.JsonObject b = new io.vertx.core.json.JsonObject(l.get(0).body());
        String type = String.valueOf(b.getString("type"));
        io.vertx.core.json.JsonObject data = b.getJsonObject("data");
        if (data != null && type.indexOf('.') > 0 && !type.endsWith(".conflict")
            && !type.substring(type.indexOf('.') + 1).equals(data.getString("status"))) {
          v.hookLaterBodies++;
        }
      } catch (RuntimeException notJson) {
        // judged below
      }
    }
    for (DeliveryRow r : in.deliveries) {
      v.deliveryStatuses.merge(r.status(), 1, Integer::sum);
      v.hookAttemptsRecorded += r.attempts();
      Hook first = byId.getOrDefault(r.eventId(), List.of()).stream().filter(Hook::ok).findFirst().orElse(null);
      if (first != null) v.slowestDeliveryMs = Math.max(v.slowestDeliveryMs, first.startUs() / 1000 - r.createdAt());
    }

    // Every request: signed with the endpoint's secret, and the event its webhook-id names.
    com.standardwebhooks.Webhook wh = new com.standardwebhooks.Webhook(in.webhookSecret);
    for (Hook h : hooks) {
      String problem = signatureProblem(wh, h, in.webhookToleranceSec);
      if (problem == null) problem = bodyProblem(h, in.deliveriesRead ? rows.get(h.webhookId()) : null, in.deliveriesRead);
      if (problem != null) v.add(Kind.WEBHOOK_BAD_EVENT, h.webhookId(), "request #" + h.seq() + " " + problem);
    }

    // No two requests of one event at the receiver at once (one sender at a time).
    for (var e : byId.entrySet()) {
      List<Hook> l = new ArrayList<>(e.getValue());
      l.sort(java.util.Comparator.comparingLong(Hook::startUs));
      for (int i = 1; i < l.size(); i++) {
        Hook a = null;
        for (int j = 0; j < i; j++) if (l.get(j).endUs() > l.get(i).startUs()) a = l.get(j);
        if (a != null) {
          Hook b = l.get(i);
          v.add(Kind.WEBHOOK_CONCURRENT, e.getKey(), "request #" + b.seq() + " arrived "
              + (a.endUs() - b.startUs()) / 1000.0 + " ms before request #" + a.seq() + " was answered");
          break;
        }
      }
    }

    if (!in.deliveriesRead) {
      v.add(Kind.UNVERIFIED, "webhooks", "webhook_deliveries could not be read: only the " + hooks.size()
          + " requests the receiver got were checked (signatures, one at a time)");
      return;
    }

    // The outbox: nothing left pending or failed; a delivered row was received.
    Map<String, List<DeliveryRow>> perCharge = new TreeMap<>();
    Set<String> haveEvent = new HashSet<>(); // "charge id|type" and "refund id|type"
    for (DeliveryRow r : in.deliveries) {
      perCharge.computeIfAbsent(r.chargeId(), k -> new ArrayList<>()).add(r);
      haveEvent.add((r.refundId() != null ? r.refundId() : r.chargeId()) + "|" + r.eventType());
      boolean got = byId.getOrDefault(r.eventId(), List.of()).stream().anyMatch(Hook::ok);
      if (!"delivered".equals(r.status())) {
        v.add(Kind.WEBHOOK_NOT_DELIVERED, r.eventId(), r.eventType() + " of " + r.chargeId() + " is " + r.status()
            + " after " + r.attempts() + " attempt(s)" + (got ? " (the receiver did answer 200 to it)" : ""));
      } else if (!got) {
        v.add(Kind.WEBHOOK_LOST, r.eventId(), r.eventType() + " of " + r.chargeId() + " is delivered in the outbox, "
            + "but the receiver never answered 200 to it (" + byId.getOrDefault(r.eventId(), List.of()).size() + " requests)");
      }
    }

    // Every final state has its event.
    if (in.dbAvailable) {
      for (Row c : new TreeMap<>(in.db).values()) {
        if (!isFinal(c.status()) || c.createdAt() < in.webhookSince) continue;
        if (!haveEvent.contains(c.id() + "|charge." + c.status())) {
          v.add(Kind.WEBHOOK_LOST, c.id(), "the charge is " + c.status() + " but the outbox has no charge." + c.status()
              + " event for it (" + perCharge.getOrDefault(c.id(), List.of()).stream().map(DeliveryRow::eventType).toList() + ")");
        }
      }
    }
    if (in.dbRefundsRead) {
      for (var e : new TreeMap<>(in.dbRefunds).entrySet()) {
        for (RefundRow r : e.getValue()) {
          if (!"succeeded".equals(r.status()) && !"failed".equals(r.status())) continue;
          if (!haveEvent.contains(r.id() + "|refund." + r.status())) {
            v.add(Kind.WEBHOOK_LOST, r.id(), "the refund of " + r.chargeId() + " is " + r.status()
                + " but the outbox has no refund." + r.status() + " event for it");
          }
        }
      }
    }

    // Per charge, the events first reached the receiver in their order.
    for (var e : perCharge.entrySet()) {
      List<DeliveryRow> l = new ArrayList<>(e.getValue());
      l.sort(java.util.Comparator.comparingInt(DeliveryRow::eventSeq));
      DeliveryRow prev = null;
      long prevFirst = -1;
      for (DeliveryRow r : l) {
        List<Hook> got = byId.get(r.eventId());
        if (got == null) continue;
        long first = got.get(0).seq();
        if (prev != null && prev.eventSeq() < r.eventSeq() && first < prevFirst) {
          v.add(Kind.WEBHOOK_OUT_OF_ORDER, e.getKey(), r.eventType() + " (event_seq " + r.eventSeq() + ", " + r.eventId()
              + ") first arrived as request #" + first + ", before " + prev.eventType() + " (event_seq "
              + prev.eventSeq() + ", " + prev.eventId() + ", request #" + prevFirst + ")");
          break;
        }
        if (first > prevFirst) {
          prev = r;
          prevFirst = first;
        }
      }
    }
  }

  /**
   * Why a request does not verify with the endpoint's secret, or null. The reference library
   * judges; it also applies the timestamp tolerance against this moment, so a request it refuses
   * only for its age is judged again by its signature (the library's own {@code sign}) and its
   * timestamp against the moment it arrived.
   */
  static String signatureProblem(com.standardwebhooks.Webhook wh, Hook h, long toleranceSec) {
    Map<String, List<String>> headers = new HashMap<>();
    h.headers().forEach((k, val) -> headers.put(k.toLowerCase(java.util.Locale.ROOT), List.of(val)));
    try {
      wh.verify(h.body(), headers);
      return null;
    } catch (com.standardwebhooks.exceptions.WebhookVerificationException e) {
      String id = h.headers().get("webhook-id");
      String ts = h.headers().get("webhook-timestamp");
      String sig = h.headers().get("webhook-signature");
      if (id == null || ts == null || sig == null) return "does not verify: " + e.getMessage();
      try {
        long t = Long.parseLong(ts.trim());
        if (Math.abs(h.startUs() / 1_000_000 - t) > toleranceSec) {
          return "does not verify: webhook-timestamp " + t + " is " + (h.startUs() / 1_000_000 - t)
              + " s from its arrival";
        }
        String expected = wh.sign(id, t, h.body());
        String mine = expected.substring(expected.indexOf(',') + 1);
        for (String s : sig.trim().split(" ")) {
          if (s.startsWith("v1,") && java.security.MessageDigest.isEqual(s.substring(3).getBytes(
              java.nio.charset.StandardCharsets.UTF_8), mine.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            return null;
          }
        }
        return "does not verify with the endpoint's secret: " + e.getMessage();
      } catch (NumberFormatException | com.standardwebhooks.exceptions.WebhookSigningException x) {
        return "does not verify: " + e.getMessage() + " (" + x.getMessage() + ")";
      }
    }
  }

  /** Why the body is not the event the request's webhook-id names (and the outbox holds), or null. */
  static String bodyProblem(Hook h, DeliveryRow row, boolean rowsRead) {
    io.vertx.core.json.JsonObject b;
    try {
      b = new io.vertx.core.json.JsonObject(h.body());
    } catch (RuntimeException e) {
      return "has a body that is not a JSON object";
    }
    if (!java.util.Objects.equals(b.getString("id"), h.webhookId())) {
      return "carries event " + b.getString("id") + " under webhook-id " + h.webhookId();
    }
    if (b.getString("type") == null || b.getString("timestamp") == null || b.getJsonObject("data") == null) {
      return "lacks type, timestamp or data: " + h.body();
    }
    if (rowsRead && row == null) return "names an event no delivery of the endpoint has";
    if (row != null && !row.eventType().equals(b.getString("type"))) {
      return "is a " + b.getString("type") + " body for a " + row.eventType() + " event";
    }
    return null;
  }

  /** Distinct charge ids per violation kind (the summary's figures count charges, not lines). */
  static Map<Kind, Set<String>> subjects(Verdict v) {
    Map<Kind, Set<String>> m = new LinkedHashMap<>();
    for (Violation x : v.violations) m.computeIfAbsent(x.kind(), k -> new HashSet<>()).add(x.subject());
    return m;
  }
}
