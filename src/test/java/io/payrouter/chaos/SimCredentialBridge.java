package io.payrouter.chaos;

import io.payrouter.simulator.SimContext;
import io.payrouter.simulator.SimCredentials;
import io.payrouter.simulator.SimulatedPsp;
import io.payrouter.simulator.dintero.DinteroCallbackSignature;
import io.payrouter.simulator.paycore.PayCoreCallbackSignature;
import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.ext.web.handler.BodyHandler;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;

/**
 * TEMPORARY, chaos code only: PSP simulators that accept non-default credentials, until the
 * simulator branch lands them (the other engineer is adding {@code simulators --credentials FILE},
 * YAML {@code revio: {secret_key, brand_id}, paycore: {account_id, api_key, callback_secret},
 * fatora: {api_key}, dintero: {account_id, client_id, client_secret, signature_secret},
 * processout: {project_id, project_secret}}, and, assumed here, an in-JVM equivalent). The fleet
 * plan runs its routers in production mode, which rightly refuses the simulators' default
 * credentials; on this branch the simulators know only those defaults ({@link SimCredentials}),
 * so this bridge stands in:
 *
 * <ul>
 *   <li>{@link #wrap}: each simulator behind a router that, after the simulator's edge (faults)
 *       and before its own authentication, turns the fleet credential the router sent (Bearer,
 *       Basic, Fatora's {@code api_key} header) into the default the simulator checks, and any
 *       default it is sent into a refused value (the routers must not be using the defaults);</li>
 *   <li>{@link #startResigner}: PayCore and Dintero sign their callbacks with a shared secret. The
 *       generated HAProxy sends {@code /v1/webhooks/paycore} and {@code /v1/webhooks/dintero} here
 *       first; a callback signed with the default secret is re-signed with the fleet secret (same
 *       body, URL and timestamp) and sent back through HAProxy to the routers, marked so it is not
 *       looped. A callback with any other signature is passed on unchanged (the router refuses it).
 *       Revio signs with its own RSA key (fetched by the router) and ProcessOut's callbacks are
 *       re-read from the PSP: both go straight to the routers.</li>
 * </ul>
 * Revio's {@code brand_id} and Dintero's {@code account_id} stay the simulators' values (they are
 * in the body or the path, and production mode does not check them: they are not secrets).
 *
 * <p>When the simulator branch lands: build the simulators with {@link #credentialsYaml} (or its
 * map) directly, drop {@link #wrap} and the resigner, and let HAProxy send every webhook to the
 * routers ({@link Haproxy} without a resign port).
 */
final class SimCredentialBridge {
  /** The header HAProxy routes on: a re-signed callback goes to the routers, not back here. */
  static final String RESIGNED_HEADER = "X-Chaos-Resigned";
  private static final String REFUSED = "chaos-bridge-refuses-the-simulator-default";

  /** PSP → credential name → value, in the YAML shape of {@code simulators --credentials FILE}. */
  final Map<String, Map<String, String>> creds;
  final LongAdder translated = new LongAdder();
  final LongAdder defaultsRefused = new LongAdder();
  final LongAdder resigned = new LongAdder();
  final LongAdder passedOn = new LongAdder();
  private HttpServer resigner;
  private WebClient forward;

  private SimCredentialBridge(Map<String, Map<String, String>> creds) {
    this.creds = creds;
  }

  /** Fresh random non-default credentials for one run (none is a simulator default). */
  static SimCredentialBridge random() {
    SecureRandom rnd = new SecureRandom();
    java.util.function.Supplier<String> r = () -> {
      byte[] b = new byte[12];
      rnd.nextBytes(b);
      return HexFormat.of().formatHex(b);
    };
    Map<String, Map<String, String>> c = new LinkedHashMap<>();
    c.put("revio", ordered("secret_key", "revio_fleet_" + r.get(), "brand_id", SimCredentials.REVIO_BRAND_ID));
    c.put("paycore", ordered("account_id", "paycore_fleet_" + r.get(), "api_key", "paycore_fleet_key_" + r.get(),
        "callback_secret", "paycore_fleet_cb_" + r.get()));
    c.put("fatora", ordered("api_key", "fatora_fleet_" + r.get()));
    c.put("dintero", ordered("account_id", SimCredentials.DINTERO_ACCOUNT_ID, "client_id", "dintero_fleet_" + r.get(),
        "client_secret", "dintero_fleet_secret_" + r.get(), "signature_secret", "dintero_fleet_sig_" + r.get()));
    c.put("processout", ordered("project_id", "proj_fleet_" + r.get(), "project_secret", "key_fleet_" + r.get()));
    return new SimCredentialBridge(c);
  }

  private static Map<String, String> ordered(String... kv) {
    Map<String, String> m = new LinkedHashMap<>();
    for (int i = 0; i < kv.length; i += 2) m.put(kv[i], kv[i + 1]);
    return m;
  }

  String get(String psp, String key) {
    return creds.get(psp).get(key);
  }

  /** The file {@code simulators --credentials FILE} will read (written beside the run for reference). */
  String credentialsYaml() {
    StringBuilder b = new StringBuilder("# Non-default simulator credentials of this chaos run (the routers use the same).\n");
    creds.forEach((psp, m) -> {
      b.append(psp).append(":\n");
      m.forEach((k, v) -> b.append("  ").append(k).append(": \"").append(v).append("\"\n"));
    });
    return b.toString();
  }

  /** The router's {@code credentials} block for one PSP type (what its connector reads). */
  Map<String, String> routerCredentials(String psp) {
    return switch (psp) {
      case "revio" -> ordered("secret_key", get(psp, "secret_key"));
      case "paycore" -> ordered("account_id", get(psp, "account_id"), "api_key", get(psp, "api_key"),
          "callback_secret", get(psp, "callback_secret"));
      // Fatora sends no callbacks to sign; the router still wants a (non-default) webhook secret.
      case "fatora" -> ordered("api_key", get(psp, "api_key"), "webhook_secret", "fatora_fleet_webhook_" + get(psp, "api_key"));
      case "dintero" -> ordered("client_id", get(psp, "client_id"), "client_secret", get(psp, "client_secret"),
          "signature_secret", get(psp, "signature_secret"));
      case "processout" -> ordered("project_id", get(psp, "project_id"), "project_secret", get(psp, "project_secret"));
      default -> throw new IllegalArgumentException("no fleet credentials for " + psp);
    };
  }

  private static String basic(String user, String password) {
    return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
  }

  /** {header, fleet value, simulator default} per PSP: what the translation replaces. */
  private List<String[]> translations(String psp) {
    return switch (psp) {
      case "revio" -> List.<String[]>of(new String[] {"Authorization", "Bearer " + get(psp, "secret_key"),
          "Bearer " + SimCredentials.REVIO_SECRET_KEY});
      case "paycore" -> List.<String[]>of(new String[] {"Authorization", basic(get(psp, "account_id"), get(psp, "api_key")),
          basic(SimCredentials.PAYCORE_ACCOUNT_ID, SimCredentials.PAYCORE_API_KEY)});
      case "fatora" -> List.<String[]>of(new String[] {"api_key", get(psp, "api_key"), SimCredentials.FATORA_API_KEY});
      case "dintero" -> List.<String[]>of(new String[] {"Authorization", basic(get(psp, "client_id"), get(psp, "client_secret")),
          basic(SimCredentials.DINTERO_CLIENT_ID, SimCredentials.DINTERO_CLIENT_SECRET)});
      case "processout" -> List.<String[]>of(new String[] {"Authorization",
          basic(get(psp, "project_id"), get(psp, "project_secret")),
          basic(SimCredentials.PROCESSOUT_PROJECT_ID, SimCredentials.PROCESSOUT_PROJECT_SECRET)});
      default -> List.of();
    };
  }

  /** Every simulator behind the credential translation (see the class comment). */
  List<SimulatedPsp> wrap(List<SimulatedPsp> simulators) {
    List<SimulatedPsp> out = new ArrayList<>();
    for (SimulatedPsp p : simulators) out.add(new Translating(p, translations(p.name())));
    return out;
  }

  private final class Translating implements SimulatedPsp {
    private final SimulatedPsp inner;
    private final List<String[]> rules;

    Translating(SimulatedPsp inner, List<String[]> rules) {
      this.inner = inner;
      this.rules = rules;
    }

    @Override
    public String name() {
      return inner.name();
    }

    @Override
    public Router router(SimContext ctx) {
      Router outer = Router.router(ctx.vertx());
      outer.route().handler(rc -> {
        MultiMap h = rc.request().headers();
        for (String[] t : rules) {
          String v = h.get(t[0]);
          if (t[1].equals(v)) {
            h.set(t[0], t[2]);
            translated.increment();
          } else if (t[2].equals(v)) {
            h.set(t[0], REFUSED);
            defaultsRefused.increment();
          }
        }
        rc.next();
      });
      outer.route("/*").subRouter(inner.router(ctx));
      return outer;
    }

    @Override
    public String serverErrorBody(int status) {
      return inner.serverErrorBody(status);
    }

    @Override
    public String sampleCurrency() {
      return inner.sampleCurrency();
    }

    @Override
    public Map<String, String> sampleToken(String token) {
      return inner.sampleToken(token);
    }

    @Override
    public Map<String, Object> providerConfig(String simulatorUrl) {
      Map<String, Object> m = new LinkedHashMap<>(inner.providerConfig(simulatorUrl));
      m.put("credentials", routerCredentials(inner.name()));
      return m;
    }

    @Override
    public boolean movesMoney(HttpMethod method, String path) {
      return inner.movesMoney(method, path);
    }
  }

  // ---------------------------------------------------------------- callback re-signing

  /**
   * Starts the re-signer on a free loopback port; callbacks are sent on to {@code balancerUrl}
   * (HAProxy), the URL they were addressed to. Answers the port.
   */
  Future<Integer> startResigner(Vertx vertx, String balancerUrl) {
    forward = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(1_000).setKeepAlive(true));
    Router r = Router.router(vertx);
    r.route().handler(BodyHandler.create().setBodyLimit(256 * 1024));
    r.route("/v1/webhooks/:provider").handler(rc -> resign(rc, balancerUrl));
    return vertx.createHttpServer(new HttpServerOptions().setHost("127.0.0.1").setPort(0)).requestHandler(r).listen()
        .map(s -> {
          resigner = s;
          return s.actualPort();
        });
  }

  private void resign(RoutingContext rc, String balancerUrl) {
    String provider = rc.pathParam("provider");
    String body = rc.body() == null || rc.body().buffer() == null ? null : rc.body().asString();
    String url = balancerUrl + rc.request().uri();
    MultiMap headers = MultiMap.caseInsensitiveMultiMap().addAll(rc.request().headers());
    headers.remove("Host").remove("Content-Length");
    boolean done = false;
    if ("paycore".equals(provider) && body != null) {
      String sig = headers.get(PayCoreCallbackSignature.HEADER);
      if (PayCoreCallbackSignature.sign(SimCredentials.PAYCORE_CALLBACK_SECRET, body).equals(sig)) {
        headers.set(PayCoreCallbackSignature.HEADER, PayCoreCallbackSignature.sign(get("paycore", "callback_secret"), body));
        done = true;
      }
    } else if ("dintero".equals(provider)) {
      String sig = headers.get(DinteroCallbackSignature.HEADER);
      long ts = timestamp(sig);
      String method = rc.request().method().name();
      if (ts > 0 && DinteroCallbackSignature.header(SimCredentials.DINTERO_SIGNATURE_SECRET,
          SimCredentials.DINTERO_ACCOUNT_ID, method, url, ts).equals(sig)) {
        headers.set(DinteroCallbackSignature.HEADER, DinteroCallbackSignature.header(get("dintero", "signature_secret"),
            get("dintero", "account_id"), method, url, ts));
        done = true;
      }
    }
    (done ? resigned : passedOn).increment();
    headers.set(RESIGNED_HEADER, "1");
    var req = forward.requestAbs(rc.request().method(), url).putHeaders(headers).timeout(10_000);
    (body == null ? req.send() : req.sendBuffer(Buffer.buffer(body))).onComplete(ar -> {
      if (ar.failed()) {
        rc.response().setStatusCode(502).end();
        return;
      }
      var resp = rc.response().setStatusCode(ar.result().statusCode());
      String ct = ar.result().getHeader("Content-Type");
      if (ct != null) resp.putHeader("Content-Type", ct);
      Buffer b = ar.result().body();
      if (b == null) resp.end();
      else resp.end(b);
    });
  }

  private static long timestamp(String header) {
    if (header == null || !header.startsWith("t=")) return -1;
    int comma = header.indexOf(',');
    try {
      return Long.parseLong(header.substring(2, comma < 0 ? header.length() : comma));
    } catch (NumberFormatException e) {
      return -1;
    }
  }

  /** One line for the summary: what the bridge did. */
  String figures() {
    return "credentials translated " + translated.sum() + "x, default credentials refused " + defaultsRefused.sum()
        + "x, callbacks re-signed " + resigned.sum() + ", passed on unchanged " + passedOn.sum();
  }

  Future<Void> close() {
    if (forward != null) forward.close();
    return resigner == null ? Future.succeededFuture() : resigner.close();
  }
}
