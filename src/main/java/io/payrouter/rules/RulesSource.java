package io.payrouter.rules;

import io.payrouter.common.Currencies;
import io.payrouter.common.FieldError;
import io.payrouter.config.ConfigLoader;
import io.payrouter.domain.InvalidRoutingRulesException;
import io.payrouter.routing.ParseResult;
import io.payrouter.routing.RoutingRules;
import io.payrouter.routing.RuleProblem;
import io.payrouter.routing.RulesParser;
import io.payrouter.store.Store;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing rules in force and where they come from. Rules change through
 * {@code PUT /admin/routing} or by editing the routing file (watched); both are validated fully,
 * stored in Postgres as a new version (so they survive restarts) and take effect for the next
 * charge.
 */
public final class RulesSource {
  private static final Logger log = LoggerFactory.getLogger(RulesSource.class);
  private static final String FILE_SOURCE = "file:";

  /** The rules in force with the document they were parsed from and where it came from. */
  public record Active(RoutingRules rules, JsonObject raw, String source) {}

  private final Vertx vertx;
  private final Store store;
  private final Set<String> providers;
  private final Path file;
  private volatile Active active;
  /** Hash of the file text last seen by the watcher. */
  private volatile String fileHash;
  /** Hash of the file version most recently applied (kept in its stored source name). */
  private volatile String appliedFileHash;
  private long watchTimer = -1;

  public RulesSource(Vertx vertx, Store store, Set<String> providers, Path file) {
    this.vertx = vertx;
    this.store = store;
    this.providers = Set.copyOf(providers);
    this.file = file;
  }

  /**
   * Loads the rules at start: the newest stored version, unless the file changed since it was last
   * applied (edited while the router was down), in which case the file becomes a new version.
   */
  public Future<Void> start(long watchIntervalMs) {
    return store.lastRoutingSource(FILE_SOURCE).compose(src -> {
      appliedFileHash = src.map(x -> x.substring(FILE_SOURCE.length())).orElse(null);
      return vertx.fileSystem().readFile(file.toString());
    }).compose(buf -> {
      String text = buf.toString(StandardCharsets.UTF_8);
      String hash = sha256(text);
      return store.latestRouting().compose(latest -> {
        if (latest.isPresent() && hash.equals(appliedFileHash)) {
          Map<String, Object> doc = RulesDocument.normalize(latest.get().rules().getMap());
          RoutingRules parsed = parse(doc);
          active = new Active(parsed.withVersion(latest.get().version()), new JsonObject(doc), latest.get().source());
          fileHash = hash;
          log.info("routing rules version {} ({}) in force", latest.get().version(), latest.get().source());
          return Future.succeededFuture();
        }
        return applyFile(text, hash);
      });
    }).onSuccess(v -> {
      if (watchIntervalMs > 0) watchTimer = vertx.setPeriodic(watchIntervalMs, t -> checkFile());
    });
  }

  public void stop() {
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
  }

  /** The rules in force (null only before {@link #start} completed). */
  public Active active() {
    return active;
  }

  /**
   * Validates and installs new rules, read from YAML or JSON (see {@link RulesDocument#normalize}).
   * Fails with {@link InvalidRoutingRulesException} listing every problem, changing nothing.
   *
   * <p>Rules from the API that are the same as those in force ({@link RulesDocument#sameRules})
   * create no version: the rules in force are answered as they are. A file change is always a new
   * version, even to the same rules: the stored source name is how a restart knows which file text
   * was applied last.
   */
  public Future<Active> replace(Map<String, Object> raw, String source) {
    Map<String, Object> doc = RulesDocument.normalize(raw);
    RoutingRules parsed;
    try {
      parsed = parse(doc);
    } catch (InvalidRoutingRulesException e) {
      return Future.failedFuture(e);
    }
    Active current = active;
    if (!isFile(source) && current != null && RulesDocument.sameRules(current.raw().getMap(), doc)) {
      log.info("routing rules from {} are those of version {}: unchanged", source, current.rules().version());
      return Future.succeededFuture(current);
    }
    JsonObject json = new JsonObject(doc);
    return store.insertRouting(source, json).map(version -> {
      Active a = new Active(parsed.withVersion(version), json, source);
      active = a;
      log.info("routing rules version {} in force (from {})", version, isFile(source) ? "file" : source);
      return a;
    });
  }

  /** True when a stored source names the routing file. */
  public static boolean isFile(String source) {
    return source.startsWith(FILE_SOURCE);
  }

  private void checkFile() {
    vertx.fileSystem().readFile(file.toString()).onSuccess(buf -> {
      String text = buf.toString(StandardCharsets.UTF_8);
      String hash = sha256(text);
      if (hash.equals(fileHash)) return;
      applyFile(text, hash).onFailure(err -> log.error("routing file {} rejected, rules unchanged: {}", file,
          err instanceof InvalidRoutingRulesException p ? p.problems() : err.toString()));
    }).onFailure(err -> log.warn("routing file {} unreadable: {}", file, err.toString()));
  }

  private Future<Void> applyFile(String text, String hash) {
    fileHash = hash;
    Map<String, Object> raw;
    try {
      raw = ConfigLoader.readYaml(text);
    } catch (RuntimeException e) {
      return Future.failedFuture(new InvalidRoutingRulesException("routing file is not valid YAML",
          List.of(new FieldError("", String.valueOf(e.getMessage())))));
    }
    return replace(raw, FILE_SOURCE + hash).map(v -> {
      appliedFileHash = hash;
      return null;
    });
  }

  private RoutingRules parse(Map<String, Object> raw) {
    ParseResult r = RulesParser.parse(raw, providers, Currencies.known());
    if (!r.ok()) {
      List<FieldError> errors = new ArrayList<>();
      for (RuleProblem p : r.problems()) errors.add(new FieldError(p.path(), p.message()));
      throw new InvalidRoutingRulesException(errors.size() + " problem(s) in the routing rules; nothing changed", errors);
    }
    return r.rules();
  }

  static String sha256(String text) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
