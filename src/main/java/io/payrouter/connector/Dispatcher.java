package io.payrouter.connector;

import io.payrouter.domain.WebhookRejectedException;

import io.payrouter.domain.FencedException;
import io.payrouter.domain.NotSentReason;
import io.payrouter.domain.PspResult;


import io.payrouter.config.ConfigException;
import io.payrouter.config.ProviderConfig;
import io.payrouter.metrics.Metrics;
import io.vertx.circuitbreaker.CircuitBreaker;
import io.vertx.circuitbreaker.CircuitBreakerOptions;
import io.vertx.circuitbreaker.CircuitBreakerState;
import io.vertx.circuitbreaker.OpenCircuitException;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.net.ConnectException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one place that talks HTTP to PSPs. Per provider it owns a pooled keep-alive WebClient with
 * the provider's {@code timeout_ms}, a CircuitBreaker (declines count as successes; 5xx, timeouts
 * and refusals as failures), call metrics, bearer-token caching, and redaction: it never logs a
 * header, body, URL path or token, only provider, call name, status and latency.
 */
public final class Dispatcher {
  private static final Logger log = LoggerFactory.getLogger(Dispatcher.class);

  /** Everything held for one provider. */
  private static final class Provider {
    final ProviderConfig cfg;
    final Connector connector;
    final WebClient client;
    final CircuitBreaker breaker;
    final AtomicInteger inFlight = new AtomicInteger();
    final AtomicReference<AccessToken> token = new AtomicReference<>();
    final AtomicReference<Future<AccessToken>> tokenFetch = new AtomicReference<>();
    /** Whether the PSP refused the router's credentials on the last call that told (null: not known yet). */
    final AtomicReference<Boolean> credentialsRefused = new AtomicReference<>();

    Provider(ProviderConfig cfg, Connector connector, WebClient client, CircuitBreaker breaker) {
      this.cfg = cfg;
      this.connector = connector;
      this.client = client;
      this.breaker = breaker;
    }
  }

  private static final String[] STATUS_CLASSES = {"0xx", "1xx", "2xx", "3xx", "4xx", "5xx"};
  private final Map<String, Provider> providers = new LinkedHashMap<>();
  private final Metrics metrics;

  public Dispatcher(Vertx vertx, Collection<ProviderConfig> configs, Collection<Connector> connectors, Metrics metrics) {
    this.metrics = metrics;
    Map<String, Connector> byType = new HashMap<>();
    for (Connector c : connectors) byType.put(c.type(), c);
    List<String> problems = new ArrayList<>();
    for (ProviderConfig cfg : configs) {
      Connector c = byType.get(cfg.type());
      if (c == null) throw new IllegalArgumentException("no connector of type '" + cfg.type() + "' for provider " + cfg.name());
      problems.addAll(c.configProblems(cfg));
    }
    // A provider its connector cannot use safely (e.g. Fatora routed in a currency its account does
    // not hold) stops the router at start, with every problem listed.
    if (!problems.isEmpty()) throw new ConfigException(problems);
    for (ProviderConfig cfg : configs) {
      Connector c = byType.get(cfg.type());
      WebClient client = WebClient.create(vertx, new WebClientOptions()
              .setKeepAlive(true).setTcpNoDelay(true).setIdleTimeout(60)
              .setConnectTimeout((int) Math.min(cfg.timeoutMs(), 2_000)).setUserAgent("payment-router/0.1"),
          new PoolOptions().setHttp1MaxSize(cfg.options().getInteger("pool_size", 64)));
      CircuitBreaker breaker = CircuitBreaker.create(cfg.name(), vertx, new CircuitBreakerOptions()
          .setMaxFailures(cfg.breaker().maxFailures())
          .setFailuresRollingWindow(cfg.breaker().windowMs())
          .setResetTimeout(cfg.breaker().resetMs())
          .setTimeout(-1) // each HTTP call has its own timeout
          .setNotificationLocalOnly(true));
      breaker.<PspResult>failurePolicy(f -> f.failed() || countsAsFailure(f.result()));
      breaker.openHandler(v -> log.warn("circuit of {} opened", cfg.name()))
          .halfOpenHandler(v -> log.info("circuit of {} half-open: one trial call", cfg.name()))
          .closeHandler(v -> log.info("circuit of {} closed", cfg.name()));
      providers.put(cfg.name(), new Provider(cfg, c, client, breaker));
    }
  }

  /**
   * The PSP's own failures trip the breaker (in doubt, and the not-sent reasons that are the PSP's
   * doing: refused connections, documented "not processed" answers, refused credentials); declines,
   * approvals and pending do not, and neither do the router's own refusals (no token, unsupported
   * currency, a checkpoint it could not write, ownership it lost).
   */
  static boolean countsAsFailure(PspResult r) {
    return r == null || r.isPspFailure();
  }

  public boolean has(String provider) {
    return providers.containsKey(provider);
  }

  public Connector connector(String provider) {
    Provider p = providers.get(provider);
    return p == null ? null : p.connector;
  }

  public Collection<String> names() {
    return providers.keySet();
  }

  public CircuitBreakerState circuit(String provider) {
    return providers.get(provider).breaker.state();
  }

  public boolean circuitOpen(String provider) {
    return circuit(provider) == CircuitBreakerState.OPEN;
  }

  public int inFlight(String provider) {
    return providers.get(provider).inFlight.get();
  }

  // ------------------------------------------------------------------ flows

  /**
   * Charges at one provider under its breaker. Never fails: every problem becomes a
   * {@link PspResult} whose outcome says whether failing over is safe.
   *
   * @param checkpoint called before every call that can move money, with the provider reference
   *     the call needs durable (or null): it makes the attempt durable and proves, in the same
   *     statement, that this instance still owns the charge. A failed future means no call: the
   *     result is not_sent ({@link NotSentReason#FENCED} when it failed with
   *     {@link FencedException}, else {@link NotSentReason#CHECKPOINT_FAILED}).
   */
  public Future<PspResult> charge(String provider, ChargeInput in, Function<String, Future<Void>> checkpoint) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture(PspResult.notSent(NotSentReason.UNSUPPORTED, "unknown provider"));
    p.inFlight.incrementAndGet();
    // The breaker fails its future when the failure policy counts a result as a failure (in doubt,
    // not sent): keep the result itself to answer with.
    AtomicReference<PspResult> result = new AtomicReference<>();
    return p.breaker.<PspResult>execute(() -> auth(p)
            .compose(token -> {
              CallContext ctx = new CallContext(p.cfg, token);
              return run(p, "charge", 1, p.connector.charge(ctx, in), ctx, true, checkpoint);
            }, err -> Future.succeededFuture(PspResult.notSent(NotSentReason.AUTHENTICATION_FAILED, "authentication failed")))
            .onSuccess(result::set))
        .recover(err -> Future.succeededFuture(result.get() != null ? result.get()
            : err instanceof OpenCircuitException ? PspResult.notSent(NotSentReason.CIRCUIT_OPEN, PspResult.CIRCUIT_OPEN)
            : PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, safeMessage(err))))
        .onSuccess(r -> credentials(p, r))
        .onComplete(x -> p.inFlight.decrementAndGet());
  }

  /**
   * What a charge result says about the router's credentials at this PSP: refused (401/403, or no
   * access token), accepted (the PSP processed the request: approved, declined or pending), or
   * nothing (in doubt, not sent for another reason). Pure.
   */
  static java.util.Optional<Boolean> credentialsRefused(PspResult r) {
    if (r.outcome() == io.payrouter.domain.Outcome.NOT_SENT) {
      return r.notSentReason() == NotSentReason.CREDENTIALS_REFUSED || r.notSentReason() == NotSentReason.AUTHENTICATION_FAILED
          ? java.util.Optional.of(true) : java.util.Optional.empty();
    }
    return r.outcome() == io.payrouter.domain.Outcome.IN_DOUBT ? java.util.Optional.empty() : java.util.Optional.of(false);
  }

  /** Logs a change of the credentials' state once (not once per charge) and counts every refusal. */
  private void credentials(Provider p, PspResult r) {
    java.util.Optional<Boolean> refused = credentialsRefused(r);
    if (refused.isEmpty()) return;
    boolean now = refused.get();
    if (now) metrics.credentialsRefused(p.cfg.name());
    Boolean before = p.credentialsRefused.getAndSet(now);
    if (now && !Boolean.TRUE.equals(before)) {
      log.error("provider {} refuses the router's credentials ({}): every charge routed to it fails over or fails;"
          + " check providers.{}.credentials", p.cfg.name(), r.message(), p.cfg.name());
    } else if (!now && Boolean.TRUE.equals(before)) {
      log.info("provider {} accepts the router's credentials again", p.cfg.name());
    }
  }

  /** {@code refused}, {@code accepted}, or {@code unknown} (no charge has told yet). */
  public String credentials(String provider) {
    Provider p = providers.get(provider);
    Boolean refused = p == null ? null : p.credentialsRefused.get();
    return refused == null ? "unknown" : refused ? "refused" : "accepted";
  }

  /** Asks a provider for a charge's state (not under the breaker: settling must go on while it is open). */
  public Future<InquiryResult> inquire(String provider, InquiryInput in) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture(InquiryResult.unknown("unknown provider"));
    return auth(p).compose(token -> {
      CallContext ctx = new CallContext(p.cfg, token);
      return run(p, "inquiry", 1, p.connector.inquire(ctx, in), ctx, false, null);
    }).recover(err -> Future.succeededFuture(InquiryResult.unknown(safeMessage(err))));
  }

  /**
   * Closes an unpaid payment where the PSP documents a call for it, and answers its state after
   * the call as an inquiry would. Not under the breaker (settling must go on while it is open);
   * UNKNOWN where the PSP has no such call or the call failed.
   */
  public Future<InquiryResult> cancel(String provider, InquiryInput in) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture(InquiryResult.unknown("unknown provider"));
    return auth(p).compose(token -> {
      CallContext ctx = new CallContext(p.cfg, token);
      Optional<Step<InquiryResult>> flow = p.connector.cancel(ctx, in);
      return flow.isEmpty() ? Future.succeededFuture(InquiryResult.unknown("no documented cancel call"))
          : run(p, "cancel", 1, flow.get(), ctx, false, null);
    }).recover(err -> Future.succeededFuture(InquiryResult.unknown(safeMessage(err))));
  }

  /** Why the provider cannot make this refund (see {@link Connector#refundRefusal}); empty when it can. */
  public Optional<String> refundRefusal(String provider, long chargeAmount, Long requested) {
    Provider p = providers.get(provider);
    if (p == null) return Optional.of("the provider that took the charge is not configured any more");
    return p.connector.refundRefusal(chargeAmount, requested);
  }

  /**
   * Refunds through the provider's refund call. Never fails: every problem is a {@link PspResult}
   * as for a charge (a timeout or an unreadable answer of the money call is in doubt; a refused
   * connection, a failed checkpoint or a failure before the money call is not_sent). Not under the
   * breaker (a refund is the merchant's explicit act, and its own calls must not steer routing),
   * and not counted in the provider's health.
   *
   * @param checkpoint run before the money call: the fenced checkpoint of the refund (a failed
   *     future means no call: not_sent {@link NotSentReason#FENCED} or {@link
   *     NotSentReason#CHECKPOINT_FAILED})
   */
  public Future<PspResult> refund(String provider, RefundInput in, Function<String, Future<Void>> checkpoint) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture(PspResult.notSent(NotSentReason.UNSUPPORTED, "unknown provider"));
    return auth(p).compose(token -> {
      CallContext ctx = new CallContext(p.cfg, token);
      Optional<Step<PspResult>> flow = p.connector.refund(ctx, in);
      return flow.isEmpty() ? Future.succeededFuture(PspResult.notSent(NotSentReason.UNSUPPORTED, "no documented refund call"))
          : run(p, "refund", 1, flow.get(), ctx, true, checkpoint);
    }, err -> Future.succeededFuture(PspResult.notSent(NotSentReason.AUTHENTICATION_FAILED, "authentication failed")))
        .recover(err -> Future.succeededFuture(PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, safeMessage(err))));
  }

  /** Asks a provider about a refund (see {@link Connector#inquireRefund}); UNKNOWN when it cannot be asked. */
  public Future<InquiryResult> inquireRefund(String provider, RefundInput in) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture(InquiryResult.unknown("unknown provider"));
    return auth(p).compose(token -> {
      CallContext ctx = new CallContext(p.cfg, token);
      return run(p, "refund_inquiry", 1, p.connector.inquireRefund(ctx, in), ctx, false, null);
    }).recover(err -> Future.succeededFuture(InquiryResult.unknown(safeMessage(err))));
  }

  /** Deactivates a token where the PSP supports it: "deactivated", "failed" or "not_supported". */
  public Future<String> deactivate(String provider, Map<String, String> token) {
    Provider p = providers.get(provider);
    if (p == null) return Future.succeededFuture("not_supported");
    return auth(p).compose(t -> {
      CallContext ctx = new CallContext(p.cfg, t);
      Optional<Step<Boolean>> flow = p.connector.deactivateToken(ctx, token);
      return flow.isEmpty() ? Future.succeededFuture("not_supported")
          : run(p, "deactivate", 1, flow.get(), ctx, false, null).map(ok -> ok ? "deactivated" : "failed");
    }).recover(err -> Future.succeededFuture("failed"));
  }

  /** Verifies and parses a callback; fails with {@link WebhookRejectedException} when not authentic. */
  public Future<WebhookEvent> webhook(String provider, WebhookInput in) {
    Provider p = providers.get(provider);
    if (p == null) return Future.failedFuture(new WebhookRejectedException("unknown provider"));
    return auth(p).compose(t -> {
      CallContext ctx = new CallContext(p.cfg, t);
      Step<WebhookEvent> flow;
      try {
        flow = p.connector.webhook(ctx, in);
      } catch (RuntimeException e) {
        return Future.failedFuture(e);
      }
      return run(p, "webhook", 1, flow, ctx, false, null);
    });
  }

  // ------------------------------------------------------------------ machinery

  private Future<String> auth(Provider p) {
    Optional<Step<AccessToken>> flow = p.connector.authenticate(new CallContext(p.cfg, null));
    if (flow.isEmpty()) return Future.succeededFuture(null);
    AccessToken current = p.token.get();
    if (current != null && current.expiresAtEpochMs() - 60_000 > System.currentTimeMillis()) {
      return Future.succeededFuture(current.value());
    }
    // Single flight: concurrent charges share one token request.
    Future<AccessToken> pending = p.tokenFetch.get();
    if (pending == null) {
      Future<AccessToken> fetch = run(p, "auth", 1, flow.get(), new CallContext(p.cfg, null), false, null);
      if (p.tokenFetch.compareAndSet(null, fetch)) {
        fetch.onComplete(ar -> {
          if (ar.succeeded()) p.token.set(ar.result());
          p.tokenFetch.set(null);
        });
        pending = fetch;
      } else {
        pending = p.tokenFetch.get() == null ? fetch : p.tokenFetch.get();
      }
    }
    return pending.map(AccessToken::value);
  }

  @SuppressWarnings("unchecked")
  private <T> Future<T> run(Provider p, String flow, int n, Step<T> step, CallContext ctx, boolean chargeFlow,
      Function<String, Future<Void>> checkpoint) {
    if (step instanceof Step.Done<T> d) return Future.succeededFuture(d.value());
    Step.Call<T> c = (Step.Call<T>) step;
    HttpCall call = c.call();
    // No proof of ownership, no money call: every call that can move money is preceded by the
    // fenced checkpoint of its attempt.
    Future<Void> before = (call.movesMoney() || call.checkpoint() != null) && checkpoint != null
        ? checkpoint.apply(call.checkpoint()) : Future.succeededFuture();
    return before.transform(cp -> {
      if (cp.failed()) {
        if (!chargeFlow) return Future.failedFuture(cp.cause());
        return Future.succeededFuture((T) (cp.cause() instanceof FencedException
            ? PspResult.notSent(NotSentReason.FENCED, "this instance no longer owns the charge")
            : PspResult.notSent(NotSentReason.CHECKPOINT_FAILED, "attempt could not be recorded")));
      }
      return send(p, flow + "." + n, call, ctx).transform(ar -> {
        if (ar.failed()) {
          if (!chargeFlow) return Future.failedFuture(new PspUnavailableException(flow + " call failed: " + safeMessage(ar.cause())));
          boolean neverSent = ar.cause() instanceof ConnectException;
          return Future.succeededFuture((T) (call.movesMoney() && !neverSent
              ? PspResult.inDoubt(call.checkpoint(), "no answer: " + safeMessage(ar.cause()))
              : neverSent ? PspResult.notSent(NotSentReason.CONNECTION_REFUSED, "connection refused")
              : PspResult.notSent(NotSentReason.NO_ANSWER_BEFORE_MONEY_CALL, "no answer before the charge was sent")));
        }
        Step<T> next;
        try {
          next = c.next().apply(ar.result());
        } catch (RuntimeException e) {
          if (!chargeFlow) return Future.failedFuture(e);
          return Future.succeededFuture((T) (call.movesMoney()
              ? PspResult.inDoubt(call.checkpoint(), "unparseable answer")
              : PspResult.notSent(NotSentReason.PSP_ERROR_BEFORE_MONEY_CALL, "unparseable answer before the charge was sent")));
        }
        return run(p, flow, n + 1, next, ctx, chargeFlow, checkpoint);
      });
    });
  }

  private Future<HttpReply> send(Provider p, String callName, HttpCall call, CallContext ctx) {
    String url = call.url().startsWith("http") ? call.url() : p.cfg.baseUrl() + call.url();
    HttpRequest<Buffer> req = p.client.requestAbs(HttpMethod.valueOf(call.method()), url).timeout(p.cfg.timeoutMs());
    call.headers().forEach(req::putHeader);
    long t0 = System.nanoTime();
    Future<HttpResponse<Buffer>> f = call.body() == null ? req.send() : req.sendBuffer(Buffer.buffer(call.body()));
    return f.transform(ar -> {
      long nanos = System.nanoTime() - t0;
      if (ar.failed()) {
        String kind = ar.cause() instanceof ConnectException ? "refused"
            : ar.cause() instanceof java.util.concurrent.TimeoutException
                || String.valueOf(ar.cause().getMessage()).contains("timeout") ? "timeout" : "error";
        metrics.pspCall(p.cfg.name(), callName, kind, nanos);
        log.debug("{} {} failed after {} ms: {}", p.cfg.name(), callName, nanos / 1_000_000, kind);
        return Future.failedFuture(ar.cause());
      }
      HttpResponse<Buffer> resp = ar.result();
      int cls = resp.statusCode() / 100;
      metrics.pspCall(p.cfg.name(), callName, cls >= 0 && cls < STATUS_CLASSES.length ? STATUS_CLASSES[cls] : "other", nanos);
      if (resp.statusCode() == 401 && ctx.accessToken() != null) p.token.set(null);
      Map<String, String> headers = new HashMap<>();
      resp.headers().forEach(e -> headers.put(e.getKey().toLowerCase(Locale.ROOT), e.getValue()));
      return Future.succeededFuture(new HttpReply(resp.statusCode(), headers,
          resp.body() == null ? "" : resp.bodyAsString()));
    });
  }

  /** Exception text without anything a PSP or a URL could have put in it. */
  static String safeMessage(Throwable t) {
    if (t instanceof ConnectException) return "connection refused";
    if (t instanceof java.util.concurrent.TimeoutException
        || String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT).contains("timeout")) return "timeout";
    if (t instanceof PspUnavailableException || t instanceof WebhookRejectedException) return t.getMessage();
    return t.getClass().getSimpleName();
  }
}
