package io.payrouter.simulator;

import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * State and services one simulated PSP shares across server instances: its ledger, its faults,
 * timers, an HTTP client for webhooks, and the credentials it accepts ({@link #credentials()}).
 */
public final class SimContext {
  private static final Logger log = LoggerFactory.getLogger(SimContext.class);

  private final Vertx vertx;
  private final String name;
  private final SimCredentials credentials;
  private final Ledger ledger = new Ledger();
  private volatile Faults faults = Faults.NONE;
  private final InjectedFaults injected = new InjectedFaults();
  private final WebClient client;
  private final AtomicLong seq = new AtomicLong();

  /** A PSP's state, accepting the built-in default credentials. */
  public SimContext(Vertx vertx, String name) {
    this(vertx, name, SimCredentials.DEFAULTS);
  }

  /** A PSP's state, accepting only {@code credentials}. */
  public SimContext(Vertx vertx, String name, SimCredentials credentials) {
    this.vertx = vertx;
    this.name = name;
    this.credentials = credentials;
    this.client = WebClient.create(vertx, new WebClientOptions().setKeepAlive(true)
        .setConnectTimeout(2000).setIdleTimeout(10));
  }

  public Vertx vertx() {
    return vertx;
  }

  public String name() {
    return name;
  }

  /** The credentials this simulator accepts (and signs its callbacks with). */
  public SimCredentials credentials() {
    return credentials;
  }

  public Ledger ledger() {
    return ledger;
  }

  public Faults faults() {
    return faults;
  }

  public void faults(Faults f) {
    this.faults = f;
  }

  /** The faults the edge injected so far, per kind. */
  public InjectedFaults injected() {
    return injected;
  }

  /**
   * The late or cancel fault the edge drew for this money-moving call, for the PSP to carry out,
   * or null. Only a call whose amount scenario would charge (approved, the 96 slow answer, the 77
   * pending one) takes it: declines, the 91 server error and refused tokens keep their own answer.
   * A fault taken is counted as injected; call it once, where the PSP is about to charge.
   */
  public Deferral deferral(RoutingContext rc, SimScenario scenario) {
    if (!(rc.get(Deferral.KEY) instanceof Deferral d) || !scenario.charges()) return null;
    rc.remove(Deferral.KEY);
    injected.count(d.charges() ? InjectedFaults.Kind.LATE : InjectedFaults.Kind.CANCEL);
    return d;
  }

  /** Set by the edge on a money-moving call the decline fault drew. */
  static final String DECLINE_KEY = "sim.decline";

  /**
   * What the PSP does with a charge of this amount under the faults in force: the amount's
   * scenario ({@link SimScenario#of}), except that a charge the decline fault drew for, and that
   * the amount would have charged, is declined (do not honor). Call it once, where the PSP decides
   * a charge; a decline taken is counted as injected.
   */
  public SimScenario scenario(RoutingContext rc, long minorAmount) {
    SimScenario sc = SimScenario.of(minorAmount);
    if (rc.get(DECLINE_KEY) == null || !sc.charges()) return sc;
    rc.remove(DECLINE_KEY);
    injected.count(InjectedFaults.Kind.DECLINE);
    return SimScenario.DO_NOT_HONOR;
  }

  /**
   * Where a callback meant for {@code url} goes under the faults in force: {@code url}, or with
   * {@code webhook_url} set, that origin plus {@code url}'s path and query. A PSP that signs the
   * URL it calls (Dintero) signs this one.
   */
  public String callbackTarget(String url) {
    return faults.callbackTarget(url);
  }

  /** A short unique id with the given prefix, e.g. id("cpi_"). */
  public String id(String prefix) {
    return prefix + Long.toString(System.nanoTime() & 0xffffffffL, 36) + Long.toString(seq.incrementAndGet(), 36);
  }

  /** Runs the action after a delay (on an event loop; never blocks). */
  public void later(long delayMs, Runnable action) {
    vertx.setTimer(Math.max(1, delayMs), t -> action.run());
  }

  /**
   * Sends a webhook (fire and forget, retried twice on failure like a PSP would, bounded), to
   * {@link #callbackTarget} of {@code url}. Only loopback URLs are called: a simulator never sends
   * traffic off this machine.
   */
  public void sendWebhook(HttpMethod method, String url, Map<String, String> headers, String body) {
    sendWebhook(method, callbackTarget(url), headers, body, 3);
  }

  private void sendWebhook(HttpMethod method, String url, Map<String, String> headers, String body,
      int triesLeft) {
    if (url == null || !(url.startsWith("http://127.") || url.startsWith("http://localhost"))) {
      log.debug("{} simulator: skipping webhook to non-loopback URL", name);
      return;
    }
    var req = client.requestAbs(method, url).timeout(5000);
    headers.forEach(req::putHeader);
    var f = body == null ? req.send() : req.sendBuffer(Buffer.buffer(body));
    f.onComplete(ar -> {
      boolean ok = ar.succeeded() && ar.result().statusCode() / 100 == 2;
      if (!ok && triesLeft > 1) {
        later(500, () -> sendWebhook(method, url, headers, body, triesLeft - 1));
      }
    });
  }

  public void close() {
    client.close();
  }
}
