package io.payrouter.chaos;

import io.payrouter.Psps;
import io.payrouter.chaos.Verifier.Answer;
import io.payrouter.chaos.Verifier.Source;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything that talks to the router's merchant API, all asynchronous on the chaos JVM's Vert.x
 * event loops (nothing here blocks):
 *
 * <ul>
 *   <li>the merchants: {@code clients} virtual users sharing one keep-alive pool, each taking the
 *       next charge from a paced schedule. A charge has a fresh Idempotency-Key; on a timeout, a
 *       dropped or refused connection, a 409 (in progress) or a 5xx, the merchant sends the same key
 *       and body again after a short back-off, for at most {@code retryForMs};</li>
 *   <li>the watcher: every charge the router called pending is read back every 300 ms until final;</li>
 *   <li>the recovery probe: after a PostgreSQL restart, a fresh charge every 100 ms until one is
 *       accepted (201/202).</li>
 * </ul>
 * Every answer is recorded ({@link #answers}).
 */
final class Traffic {
  private static final String[] LANES = {"a", "b", "c", "d"};
  private static final Set<Integer> SPECIAL = Set.of(51, 5, 54, 59, 91, 96, 77);
  private static final int[] DECLINES = {51, 5, 54, 59};

  private final Vertx vertx;
  private final WebClient client;
  private final String url;
  private final String apiKey;
  private final ChaosPlan plan;
  private final String runId;
  private final List<String> cards = new ArrayList<>();

  final ConcurrentLinkedQueue<Answer> answers = new ConcurrentLinkedQueue<>();
  final Set<String> keys = ConcurrentHashMap.newKeySet();
  final Set<String> gaveUp = ConcurrentHashMap.newKeySet();
  final LongAdder posts = new LongAdder();
  final LongAdder retries = new LongAdder();
  /** Retries of a {@code failed} answer (also counted in {@link #retries}). */
  final LongAdder failedRetries = new LongAdder();
  final LongAdder reads = new LongAdder();
  private final Map<String, String> watch = new ConcurrentHashMap<>(); // charge id -> key
  private final AtomicInteger tickets = new AtomicInteger();
  private final AtomicInteger clientsLeft = new AtomicInteger();
  private final Promise<Void> done = Promise.promise();
  private volatile boolean aborted;
  private long watcherTimer = -1;
  private final AtomicBoolean watching = new AtomicBoolean();

  Traffic(Vertx vertx, String url, String apiKey, ChaosPlan plan, String runId) {
    this.vertx = vertx;
    this.url = url;
    this.apiKey = apiKey;
    this.plan = plan;
    this.runId = runId;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true).setConnectTimeout(1_000)
        .setIdleTimeout(30), new PoolOptions().setHttp1MaxSize(plan.clients() + 32));
  }

  // ---------------------------------------------------------------- set-up

  /** Stores {@code n} cards, each with a token at every PSP; bounded retries. */
  Future<Void> createCards(int n) {
    Future<Void> chain = Future.succeededFuture();
    for (int i = 0; i < n; i++) {
      int c = i;
      chain = chain.compose(v -> createCard(c, 0));
    }
    return chain;
  }

  private Future<Void> createCard(int i, int attempt) {
    JsonObject tokens = new JsonObject();
    for (Psps.Psp p : Psps.ALL) {
      tokens.put(p.type(), new JsonObject(new java.util.LinkedHashMap<String, Object>(
          p.simulator().get().sampleToken("tok_chaos_" + p.type() + "_" + runId + "_" + i))));
    }
    JsonObject card = new JsonObject().put("customer_reference", "chaos-" + i).put("brand", "visa")
        .put("last4", "4242").put("exp_month", 12).put("exp_year", 2030).put("issuer_country", "US").put("tokens", tokens);
    return client.postAbs(url + "/v1/cards").putHeader("Authorization", "Bearer " + apiKey).timeout(10_000)
        .sendJsonObject(card).compose(r -> {
          if (r.statusCode() == 201) {
            synchronized (cards) {
              cards.add(r.bodyAsJsonObject().getString("id"));
            }
            return Future.<Void>succeededFuture();
          }
          return Future.<Void>failedFuture("card: HTTP " + r.statusCode() + " " + r.bodyAsString());
        }).recover(e -> attempt >= 5 ? Future.failedFuture(e)
            : vertx.timer(500).compose(t -> createCard(i, attempt + 1)));
  }

  /** The stored cards' ids (after {@link #createCards}). */
  List<String> cards() {
    synchronized (cards) {
      return List.copyOf(cards);
    }
  }

  /** Sets one PSP's faults through the simulators' control API. */
  Future<JsonObject> faults(String simUrl, String psp, JsonObject faults) {
    return client.postAbs(simUrl + "/_sim/" + psp + "/faults").timeout(5_000).sendJsonObject(faults).map(r -> {
      if (r.statusCode() != 200) throw new IllegalStateException("faults " + psp + ": " + r.bodyAsString());
      return r.bodyAsJsonObject();
    });
  }

  // ---------------------------------------------------------------- merchants

  /** Starts the merchants at {@code t0}; the future completes when every charge is answered or given up. */
  Future<Void> start(long t0) {
    clientsLeft.set(plan.clients());
    for (int c = 0; c < plan.clients(); c++) {
      SplittableRandom rnd = new SplittableRandom(31L * c + runId.hashCode());
      vertx.runOnContext(v -> nextCharge(t0, rnd));
    }
    watcherTimer = vertx.setPeriodic(300, t -> watchRound());
    return done.future();
  }

  /** Stops starting charges and stops retrying (in-flight requests still get recorded). */
  void abort() {
    aborted = true;
  }

  int started() {
    return Math.min(tickets.get(), plan.charges());
  }

  private void nextCharge(long t0, SplittableRandom rnd) {
    int i = aborted ? plan.charges() : tickets.getAndIncrement();
    if (i >= plan.charges()) {
      if (clientsLeft.decrementAndGet() == 0) done.tryComplete();
      return;
    }
    long due = t0 + i * plan.loadMs() / plan.charges();
    long delay = due - System.currentTimeMillis();
    Runnable go = () -> {
      String key = "chaos-" + runId + "-" + i;
      charge(key, body(key, rnd), System.currentTimeMillis(), 0).onComplete(x -> nextCharge(t0, rnd));
    };
    if (delay > 0) {
      vertx.setTimer(delay, t -> go.run());
    } else {
      go.run();
    }
  }

  /** A merchant's order: mostly approvals, some declines (51/05/54/59), a few pending (77). */
  JsonObject body(String key, SplittableRandom rnd) {
    boolean nok = rnd.nextInt(100) < 15;
    long amount;
    int roll = rnd.nextInt(100);
    if (roll < 85) {
      do {
        amount = 1_000 + rnd.nextInt(9_000);
      } while (SPECIAL.contains((int) (amount % 100)));
    } else if (roll < 95) {
      amount = (10 + rnd.nextInt(90)) * 100L + DECLINES[rnd.nextInt(DECLINES.length)];
    } else {
      amount = (10 + rnd.nextInt(90)) * 100L + 77;
    }
    String card;
    synchronized (cards) {
      card = cards.get(rnd.nextInt(cards.size()));
    }
    JsonObject b = new JsonObject().put("amount", amount).put("currency", nok ? "NOK" : "USD").put("card_id", card)
        .put("merchant_reference", key);
    int lane = rnd.nextInt(10);
    if (!nok && lane < LANES.length * 2) b.put("metadata", new JsonObject().put("lane", LANES[lane % LANES.length]));
    return b;
  }

  /** One charge: the same key and body until an answer a merchant can act on, or the time is up. */
  private Future<Void> charge(String key, JsonObject body, long firstAt, int attempt) {
    return charge(key, body, firstAt, attempt, 0);
  }

  /**
   * {@code failedRetries}: how often this merchant already retried a {@code failed} answer (with
   * {@link ChaosPlan#retryFailed()}, a failed charge is retried with the same key and body up to
   * {@link ChaosPlan#FAILED_RETRIES} times: the API says nothing was charged and invites it).
   */
  private Future<Void> charge(String key, JsonObject body, long firstAt, int attempt, int failedRetries) {
    keys.add(key);
    posts.increment();
    long sent = System.currentTimeMillis();
    return client.postAbs(url + "/v1/charges").putHeader("Authorization", "Bearer " + apiKey)
        .putHeader("Idempotency-Key", key).timeout(plan.clientTimeoutMs()).sendJsonObject(body)
        .transform(ar -> {
          int code = ar.succeeded() ? ar.result().statusCode() : 0;
          String status = record(key, sent, ar.succeeded() ? ar.result() : null, Source.POST);
          boolean failed = code == 201 && "failed".equals(status) && plan.retryFailed()
              && failedRetries < ChaosPlan.FAILED_RETRIES;
          boolean again = code == 0 || code == 409 || code >= 500 || failed;
          if (!again) return Future.succeededFuture();
          long backoff = failed ? 300 + (sent & 127) : Math.min(1_000, 100L << Math.min(attempt, 4)) + (sent & 63);
          if (aborted || System.currentTimeMillis() + backoff - firstAt > plan.retryForMs()) {
            if (!failed) gaveUp.add(key);
            return Future.succeededFuture();
          }
          retries.increment();
          if (failed) this.failedRetries.increment();
          return vertx.timer(backoff).compose(t -> charge(key, body, firstAt, attempt + 1,
              failedRetries + (failed ? 1 : 0)));
        });
  }

  /** Records one answer; the charge status it carried, or null. */
  private String record(String key, long sent, HttpResponse<Buffer> r, Source source) {
    long at = System.currentTimeMillis();
    if (r == null) {
      answers.add(new Answer(key, null, sent, at, 0, null, null, source, false));
      return null;
    }
    JsonObject b = null;
    String text = r.bodyAsString();
    if (text != null && text.trim().startsWith("{")) {
      try {
        b = new JsonObject(text);
      } catch (RuntimeException e) {
        b = null;
      }
    }
    boolean charge = r.statusCode() == 200 || r.statusCode() == 201 || r.statusCode() == 202;
    String id = charge && b != null ? b.getString("id") : null;
    String status = charge && b != null ? b.getString("status") : null;
    String provider = charge && b != null ? b.getString("provider") : null;
    answers.add(new Answer(key, id, sent, at, r.statusCode(), status, provider, source,
        "true".equals(r.getHeader("Idempotent-Replayed"))));
    if (id != null && "pending".equals(status)) watch.put(id, key);
    return status;
  }

  // ---------------------------------------------------------------- watcher

  private void watchRound() {
    if (watch.isEmpty() || !watching.compareAndSet(false, true)) return;
    List<Future<Void>> reads = new ArrayList<>();
    for (var e : new TreeMap<>(watch).entrySet()) {
      this.reads.increment();
      long sent = System.currentTimeMillis();
      reads.add(client.getAbs(url + "/v1/charges/" + e.getKey()).putHeader("Authorization", "Bearer " + apiKey)
          .timeout(3_000).send().transform(ar -> {
            if (ar.succeeded() && ar.result().statusCode() == 200) {
              record(e.getValue(), sent, ar.result(), Source.GET);
              String s = ar.result().bodyAsJsonObject().getString("status");
              if (Verifier.isFinal(s)) watch.remove(e.getKey());
            } else if (ar.succeeded() && ar.result().statusCode() == 404) {
              record(e.getValue(), sent, ar.result(), Source.GET);
            }
            return Future.<Void>succeededFuture();
          }));
    }
    Future.join(reads).onComplete(x -> watching.set(false));
  }

  int watching() {
    return watch.size();
  }

  void stopWatcher() {
    if (watcherTimer >= 0) vertx.cancelTimer(watcherTimer);
  }

  // ---------------------------------------------------------------- recovery probe

  /** A fresh charge every 100 ms (no retries) until one is accepted or {@link #stop()}; bounded. */
  final class Probe {
    private final String label;
    private final AtomicLong acceptedAt = new AtomicLong(-1);
    private final AtomicInteger sentCount = new AtomicInteger();
    private final AtomicInteger outstanding = new AtomicInteger();
    private final long hardStop;
    private long timer;

    Probe(String label, long hardStopMs) {
      this.label = label;
      this.hardStop = System.currentTimeMillis() + hardStopMs;
      this.timer = vertx.setPeriodic(100, t -> tick());
    }

    private void tick() {
      if (acceptedAt.get() > 0 || System.currentTimeMillis() > hardStop) {
        stop();
        return;
      }
      if (outstanding.get() >= 30) return;
      int n = sentCount.incrementAndGet();
      String key = "chaos-" + runId + "-probe-" + label + "-" + n;
      keys.add(key);
      outstanding.incrementAndGet();
      long sent = System.currentTimeMillis();
      JsonObject body = body(key, new SplittableRandom(n * 7919L + label.hashCode()));
      // An approval, routed by the default rule, so the probe measures the router, not a decline.
      body.put("amount", 1_000 + (n % 50) * 100 + 12).put("currency", "USD").remove("metadata");
      client.postAbs(url + "/v1/charges").putHeader("Authorization", "Bearer " + apiKey)
          .putHeader("Idempotency-Key", key).timeout(plan.clientTimeoutMs()).sendJsonObject(body)
          .onComplete(ar -> {
            outstanding.decrementAndGet();
            record(key, sent, ar.succeeded() ? ar.result() : null, Source.POST);
            if (ar.succeeded() && (ar.result().statusCode() == 201 || ar.result().statusCode() == 202)) {
              long at = System.currentTimeMillis();
              acceptedAt.accumulateAndGet(at, (a, b) -> a < 0 ? b : Math.min(a, b));
            }
          });
    }

    void stop() {
      vertx.cancelTimer(timer);
    }

    long acceptedAt() {
      return acceptedAt.get();
    }

    int sent() {
      return sentCount.get();
    }

    String label() {
      return label;
    }
  }

  Probe probe(String label, long hardStopMs) {
    return new Probe(label, hardStopMs);
  }

  // ---------------------------------------------------------------- reading back

  /**
   * What reading every charge back through the API gave: the charge (null = 404) per id, and the
   * ids the API would not answer for (with the last error), each tried 6 times.
   */
  record ReadBack(Map<String, JsonObject> charges, Map<String, String> errors) {}

  /** GET /v1/charges/{id} for each id, 16 at a time; 503 and no answer retried 5 times, 200 ms apart. */
  Future<ReadBack> readAll(List<String> ids) {
    Map<String, JsonObject> out = new ConcurrentHashMap<>();
    Set<String> notFound = ConcurrentHashMap.newKeySet();
    Map<String, String> errors = new ConcurrentHashMap<>();
    AtomicInteger next = new AtomicInteger();
    List<Future<Void>> lanes = new ArrayList<>();
    for (int l = 0; l < 16; l++) lanes.add(readNext(ids, next, out, notFound, errors));
    return Future.all(lanes).map(x -> {
      Map<String, JsonObject> m = new java.util.HashMap<>(out);
      for (String id : notFound) m.put(id, null);
      return new ReadBack(m, new TreeMap<>(errors));
    });
  }

  private Future<Void> readNext(List<String> ids, AtomicInteger next, Map<String, JsonObject> out, Set<String> nf,
      Map<String, String> errors) {
    int i = next.getAndIncrement();
    if (i >= ids.size()) return Future.succeededFuture();
    return readOne(ids.get(i), 0, out, nf, errors).compose(v -> readNext(ids, next, out, nf, errors));
  }

  private Future<Void> readOne(String id, int attempt, Map<String, JsonObject> out, Set<String> nf,
      Map<String, String> errors) {
    return client.getAbs(url + "/v1/charges/" + id).putHeader("Authorization", "Bearer " + apiKey).timeout(5_000)
        .send().transform(ar -> {
          int code = ar.succeeded() ? ar.result().statusCode() : 0;
          if (code == 200) {
            out.put(id, ar.result().bodyAsJsonObject());
            return Future.<Void>succeededFuture();
          }
          if (code == 404) {
            nf.add(id);
            return Future.<Void>succeededFuture();
          }
          if (attempt >= 5) {
            errors.put(id, code == 0 ? String.valueOf(ar.cause()) : "HTTP " + code + " " + ar.result().bodyAsString());
            return Future.<Void>succeededFuture();
          }
          return vertx.timer(200).compose(t -> readOne(id, attempt + 1, out, nf, errors));
        });
  }

  /** A plain GET of an absolute URL (an instance's /metrics or /health/ready), 5 s timeout. */
  Future<HttpResponse<Buffer>> getAbs(String absUrl) {
    return client.getAbs(absUrl).timeout(5_000).send();
  }

  Future<String> metrics() {
    return client.getAbs(url + "/metrics").timeout(5_000).send().map(HttpResponse::bodyAsString);
  }

  void close() {
    stopWatcher();
    client.close();
  }
}
