package io.payrouter.simulator;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.payrouter.simulator.InjectedFaults.Kind;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.net.HostAndPort;
import io.vertx.core.net.SocketAddress;
import io.vertx.core.net.impl.ConnectionBase;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * The load balancer in front of every simulated PSP: it injects the faults of
 * {@code POST /_sim/{provider}/faults}, so no simulator has fault code of its own, except for the
 * late and cancel faults: a pending answer and a later settlement are the PSP's own, so the edge
 * only draws them and hands them on as a {@link Deferral}.
 *
 * <p>For the faults that charge, the edge does what a real load balancer does: it passes the call
 * on to the PSP, the PSP runs it fully (charges, writes its ledger), and the answer is lost on the
 * way back. It does so by forwarding the call over loopback to this same server with a
 * {@value #HEADER} header holding a per-server secret, which lets the call through untouched;
 * the PSP's answer is then dropped (502/504, reset) or held back (slow). Only faulted calls pay
 * for this hop: with no fault set the edge is one volatile read and an identity comparison.
 */
final class SimEdge {
  static final String HEADER = "x-sim-edge";
  /** How long a forwarded call may take (the PSP's own slow scenario answers after 10 s). */
  static final long UPSTREAM_IDLE_TIMEOUT_MS = 120_000;
  /** A hanging call is dropped after this long (bounded, like any real server would). */
  static final long HANG_MS = 30_000;

  private static final Set<String> HOP_BY_HOP = Set.of("connection", "keep-alive", "proxy-connection",
      "transfer-encoding", "te", "trailer", "upgrade", "host", "content-length", "expect");

  private final Vertx vertx;
  private final String secret;
  private HttpClient client;
  private int port;

  SimEdge(Vertx vertx) {
    this.vertx = vertx;
    byte[] raw = new byte[16];
    new SecureRandom().nextBytes(raw);
    this.secret = HexFormat.of().formatHex(raw);
  }

  /** Called once the server listens: forwarded calls go to {@code 127.0.0.1:port}. */
  void start(int port) {
    this.port = port;
    this.client = vertx.createHttpClient(
        new HttpClientOptions().setKeepAlive(true).setConnectTimeout(2000).setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(256));
  }

  Future<Void> close() {
    return client == null ? Future.succeededFuture() : client.close();
  }

  /**
   * The route handler in front of {@code /<psp>/*}. The server's BodyHandler runs before it, so the
   * whole request body has been read when this runs: Vert.x 5 wants the body read as the request
   * arrives, and a BodyHandler reached only after a delay (added latency, a slow answer) finds the
   * request ended whenever the caller gave up meanwhile, fails the call with a 500 nobody counted
   * and logs "BodyHandler invoked after the request has ended". The delays come after the read.
   */
  void handle(RoutingContext rc, SimulatedPsp psp, SimContext ctx) {
    Faults f = ctx.faults();
    if (f == Faults.NONE) {
      rc.next();
      return;
    }
    HttpServerRequest req = rc.request();
    String mark = req.getHeader(HEADER);
    if (mark != null && mark.startsWith(secret)) {
      passForwarded(rc, ctx, mark);
      return;
    }
    if (f.down()) {
      ctx.injected().count(Kind.DOWN);
      pspError(rc, psp, 503);
      return;
    }
    Kind kind = f.pick(ThreadLocalRandom.current().nextDouble());
    if (kind == Kind.LATE || kind == Kind.CANCEL) {
      // Only the PSP can answer pending and settle later: leave it the fault (it counts it when it
      // applies it). Calls that move no money are not touched.
      if (movesMoney(psp, req)) {
        rc.put(Deferral.KEY, new Deferral(kind == Kind.LATE, kind == Kind.LATE ? f.lateMs() : f.cancelAfterMs()));
      }
      kind = null;
    } else if (kind == Kind.DECLINE) {
      // A decline is the PSP's own answer too: it declines a charge its amount would approve
      if (movesMoney(psp, req)) rc.put(SimContext.DECLINE_KEY, Boolean.TRUE);
      kind = null;
    }
    if (kind != null) ctx.injected().count(kind);
    Kind picked = kind;
    if (f.latencyMs() > 0) {
      vertx.setTimer(f.latencyMs(), t -> apply(rc, psp, f, picked));
    } else {
      apply(rc, psp, f, picked);
    }
  }

  private void apply(RoutingContext rc, SimulatedPsp psp, Faults f, Kind kind) {
    if (kind == null) {
      rc.next();
      return;
    }
    HttpServerRequest req = rc.request();
    boolean money = kind != Kind.ERROR && kind != Kind.TIMEOUT && movesMoney(psp, req);
    switch (kind) {
      case TIMEOUT -> vertx.setTimer(HANG_MS, t -> req.connection().close());
      case ERROR -> pspError(rc, psp, 500);
      case AMBIGUOUS -> {
        if (money) forward(rc, f.ambiguousLagMs()).onComplete(x -> badGateway(rc));
        else badGateway(rc);
      }
      case RESET -> {
        if (money && ThreadLocalRandom.current().nextBoolean()) forward(rc, 0).onComplete(x -> reset(req));
        else reset(req);
      }
      case SLOW -> {
        if (money) {
          long start = System.currentTimeMillis();
          forward(rc, 0).onComplete(ar -> vertx.setTimer(
              Math.max(1, f.slowMs() - (System.currentTimeMillis() - start)),
              t -> {
                if (ar.succeeded()) relay(rc, ar.result());
                else badGateway(rc);
              }));
        } else {
          vertx.setTimer(f.slowMs(), t -> rc.next());
        }
      }
      default -> rc.next();
    }
  }

  private static boolean movesMoney(SimulatedPsp psp, HttpServerRequest req) {
    String path = req.path();
    String prefix = "/" + psp.name();
    return psp.movesMoney(req.method(), path.startsWith(prefix) ? path.substring(prefix.length()) : path);
  }

  /** A call the edge forwarded to itself: straight to the PSP, its writes lagged if asked. */
  private void passForwarded(RoutingContext rc, SimContext ctx, String mark) {
    int at = mark.indexOf(";lag=");
    long lag = at < 0 ? 0 : Long.parseLong(mark.substring(at + 5));
    if (lag > 0) {
      Context request = Vertx.currentContext();
      ctx.ledger().lagWritesOf(request, lag);
      rc.addEndHandler(v -> ctx.ledger().endLag(request));
    }
    rc.next();
  }

  // ---------------------------------------------------------------- forwarding

  private record Upstream(int status, MultiMap headers, Buffer body) {}

  /** Sends the call on to the PSP (this server, past the edge) and collects its whole answer. */
  private Future<Upstream> forward(RoutingContext rc, long lagMs) {
    HttpServerRequest req = rc.request();
    Buffer body = rc.body() == null || rc.body().buffer() == null ? Buffer.buffer() : rc.body().buffer();
    MultiMap headers = HttpHeaders.headers();
    req.headers().forEach(h -> {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) headers.add(h.getKey(), h.getValue());
    });
    headers.set(HEADER, lagMs > 0 ? secret + ";lag=" + lagMs : secret);
    HostAndPort authority = req.authority();
    RequestOptions o = new RequestOptions()
        .setServer(SocketAddress.inetSocketAddress(port, "127.0.0.1"))
        .setHost(authority != null ? authority.host() : "127.0.0.1")
        .setPort(authority != null && authority.port() > 0 ? authority.port() : port)
        .setMethod(req.method())
        .setURI(req.uri())
        .setHeaders(headers)
        .setIdleTimeout(UPSTREAM_IDLE_TIMEOUT_MS);
    return client.request(o)
        .compose(r -> r.send(body))
        .compose(resp -> resp.body().map(b -> new Upstream(resp.statusCode(), resp.headers(), b)));
  }

  // ---------------------------------------------------------------- answers

  private static void relay(RoutingContext rc, Upstream u) {
    HttpServerResponse out = rc.response();
    if (out.ended() || out.closed()) return;
    out.setStatusCode(u.status());
    u.headers().forEach(h -> {
      if (!HOP_BY_HOP.contains(h.getKey().toLowerCase(Locale.ROOT))) out.headers().add(h.getKey(), h.getValue());
    });
    out.end(u.body());
  }

  private static void pspError(RoutingContext rc, SimulatedPsp psp, int status) {
    HttpServerResponse out = rc.response();
    if (out.ended() || out.closed()) return;
    out.setStatusCode(status).putHeader("content-type", "application/json").end(psp.serverErrorBody(status));
  }

  /** What a load balancer says when the answer from behind it is lost: 502 or 504, its own page. */
  private static void badGateway(RoutingContext rc) {
    HttpServerResponse out = rc.response();
    if (out.ended() || out.closed()) return;
    boolean timeout = ThreadLocalRandom.current().nextBoolean();
    String title = timeout ? "504 Gateway Time-out" : "502 Bad Gateway";
    out.setStatusCode(timeout ? 504 : 502).putHeader("content-type", "text/html")
        .end("<html>\r\n<head><title>" + title + "</title></head>\r\n<body>\r\n<center><h1>" + title
            + "</h1></center>\r\n<hr><center>sim-edge</center>\r\n</body>\r\n</html>\r\n");
  }

  /** A TCP reset (RST, not an orderly FIN): SO_LINGER 0, then close. */
  static void reset(HttpServerRequest req) {
    HttpConnection c = req.connection();
    if (c instanceof ConnectionBase base) {
      Channel ch = base.channel();
      ch.config().setOption(ChannelOption.SO_LINGER, 0);
      ch.close();
    } else {
      c.close();
    }
  }
}
