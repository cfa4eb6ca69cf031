package io.payrouter.chaos;

import io.payrouter.simulator.Ledger;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Whether a simulated PSP's ledger entry means money moved, in that PSP's own words. Each PSP
 * writes an entry before any money moves for some calls (PayCore's invoice, Revio's purchase being
 * charged), so counting entries would count set-ups; only these statuses count.
 */
final class Money {
  private Money() {}

  enum State {
    /** Money was taken. */
    CHARGED,
    /** Accepted and settling: money will be taken (the simulators approve these 2 s later). */
    IN_FLIGHT,
    /** Nothing taken: an invoice or purchase never charged, a decline, an error. */
    NONE,
    /** A status this table does not know: counted as charged, and reported. */
    UNKNOWN
  }

  private record Table(Set<String> charged, Set<String> inFlight, Set<String> none) {}

  private static final Map<String, Table> TABLES = Map.of(
      "revio", new Table(Set.of("paid"), Set.of("pending_charge"), Set.of("created", "error", "cancelled")),
      // process_pending is an invoice awaiting its sale, or a sale in progress (sale_started).
      "paycore", new Table(Set.of("processed"), Set.of(), Set.of("process_pending", "process_failed", "terminated",
          "expired")),
      "fatora", new Table(Set.of("SUCCESS"), Set.of("PENDING"), Set.of("FAILURE")),
      "dintero", new Table(Set.of("CAPTURED", "AUTHORIZED"), Set.of("ON_HOLD"), Set.of("FAILED", "DECLINED",
          "AUTHORIZATION_VOIDED")),
      "processout", new Table(Set.of("completed"), Set.of("pending"), Set.of("failed", "waiting", "voided")));

  /** The PSP types this table covers (a sixth PSP must be added here, or its entries are UNKNOWN). */
  static Set<String> psps() {
    return TABLES.keySet();
  }

  static State of(String psp, String status, boolean paycoreSaleStarted) {
    Table t = TABLES.get(psp);
    if (t == null || status == null) return State.UNKNOWN;
    if (t.charged().contains(status)) return State.CHARGED;
    if (t.inFlight().contains(status)) return State.IN_FLIGHT;
    if ("paycore".equals(psp) && "process_pending".equals(status) && paycoreSaleStarted) return State.IN_FLIGHT;
    if (t.none().contains(status)) return State.NONE;
    return State.UNKNOWN;
  }

  static State of(String psp, Ledger.Entry e) {
    boolean saleStarted = false;
    if ("paycore".equals(psp)) {
      synchronized (e.data) {
        saleStarted = Boolean.TRUE.equals(e.data.getValue("sale_started"));
      }
    }
    return of(psp, e.status(), saleStarted);
  }

  /** Statuses that count as charged, for comparing with a ledger's {@code summary()}. */
  static Set<String> chargedStatuses(String psp) {
    Table t = TABLES.get(psp);
    return t == null ? Set.of() : t.charged();
  }

  /**
   * Reads the ledgers into the verifier's input: per PSP the total of charged entries (from the
   * ledger's own summary, read first, so an entry that settles meanwhile is never counted as
   * extra), then per charge id (each id once) the entries in which money moved or is moving, and a
   * description of every entry into {@code detail}. Returns the entries still settling.
   */
  static int read(Map<String, Ledger> ledgers, Collection<String> ids, Verifier.Input in,
      Map<String, List<JsonObject>> detail) {
    ledgers.forEach((p, l) -> {
      JsonObject byStatus = l.summary().getJsonObject("by_status");
      int total = 0;
      for (String s : chargedStatuses(p)) total += byStatus.getInteger(s, 0);
      in.ledgerChargedTotal.put(p, total);
    });
    int inFlight = 0;
    for (String id : new LinkedHashSet<>(ids)) {
      for (var le : ledgers.entrySet()) {
        String p = le.getKey();
        for (Ledger.Entry e : entriesOf(le.getValue(), id)) {
          State st = of(p, e);
          long refunded = e.refunded();
          if (refunded > 0 || st == State.CHARGED) {
            long[] tr = in.ledgerRefunds.computeIfAbsent(id, k -> new TreeMap<>()).computeIfAbsent(p, k -> new long[2]);
            if (st == State.CHARGED) tr[0] += e.amount;
            tr[1] += refunded;
          }
          detail.computeIfAbsent(id, k -> new ArrayList<>()).add(new JsonObject().put("psp", p).put("entry", e.id)
              .put("status", e.status()).put("money", st.name()).put("amount", e.amount).put("created_at", e.createdAt)
              .put("refunded", refunded));
          if (st == State.NONE) continue;
          if (st == State.IN_FLIGHT) inFlight++;
          if (st == State.UNKNOWN) in.unknownLedgerStatuses.merge(p + ":" + e.status(), 1, Integer::sum);
          in.charged.computeIfAbsent(id, k -> new TreeMap<>()).merge(p, 1, Integer::sum);
        }
      }
    }
    return inFlight;
  }

  /** Most attempts one charge can make across retries that the suite looks for (its plans make far fewer). */
  static final int MAX_ATTEMPT_REFERENCES = 50;

  /**
   * Every entry of a charge at one PSP: each attempt has its own merchant reference (the charge
   * id, then {@code <id>-2}, {@code <id>-3}, ...; domain/AttemptReference).
   */
  static List<Ledger.Entry> entriesOf(Ledger ledger, String chargeId) {
    List<Ledger.Entry> out = new ArrayList<>(ledger.byReference(chargeId));
    for (int seq = 2; seq <= MAX_ATTEMPT_REFERENCES; seq++) {
      out.addAll(ledger.byReference(io.payrouter.domain.AttemptReference.of(chargeId, seq)));
    }
    return out;
  }
}
