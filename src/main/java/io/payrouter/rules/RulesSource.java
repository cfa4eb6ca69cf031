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
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.LongConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The routing rules in force and where they come from. Rules change through
 * {@code PUT /admin/routing} or by editing the routing file (watched); both are validated fully,
 * stored in PostgreSQL as a new version (so they survive restarts) and take effect for the next
 * charge. PostgreSQL holds the versions; in a fleet, an instance that hears "version N is in
 * force" ({@link #catchUp}) loads the newest stored version, so every instance runs the same
 * numbered rules. What a file edit does in a fleet is {@link FileEditPolicy}'s.
 */
public final class RulesSource {
  private static final Logger log = LoggerFactory.getLogger(RulesSource.class);
  private static final String FILE_SOURCE = "file:";

  /** The rules in force with the document they were parsed from and where it came from. */
  public record Active(RoutingRules rules, JsonObject raw, String source) {}

  /**
   * The routing file as {@code GET /admin/routing} shows it.
   *
   * @param status {@code in_force} (the rules in force are this file text's), {@code superseded}
   *     (the file has not changed since it was applied, but the rules were changed since through the
   *     API or another instance's copy of the file), {@code refused} (the file was edited after an
   *     API change and applying it would have discarded that change: nothing changed), or
   *     {@code invalid} (the file's last edit does not parse or validate: nothing changed)
   */
  public record FileState(String path, String status, String detail, List<FieldError> problems) {
    public FileState(String path, String status, String detail) {
      this(path, status, detail, List.of());
    }

    public FileState {
      problems = List.copyOf(problems);
    }
  }

  /** Problems as an operator reads them: {@code field: message; field: message}. */
  static String readable(List<FieldError> problems) {
    StringBuilder b = new StringBuilder();
    for (FieldError f : problems) {
      if (b.length() > 0) b.append("; ");
      b.append(f.field().isEmpty() ? "(document)" : f.field()).append(": ").append(f.message());
    }
    return b.toString();
  }

  private final Vertx vertx;
  private final Store store;
  private final Set<String> providers;
  private final Path file;
  private volatile Active active;
  /** Hash of the file text last seen by the watcher. */
  private volatile String fileHash;
  /** The rules of the file text last read that parsed (normalized), for the edit policy. */
  private volatile Map<String, Object> lastFileDoc;
  /** Set while the file text of {@link #fileHash} is refused or invalid: why. */
  private volatile FileState fileProblem;
  private volatile LongConsumer inForce = v -> {};
  private volatile java.util.function.Consumer<String> fileRejected = why -> {};
  private final AtomicBoolean catchingUp = new AtomicBoolean();
  private volatile long unloadable = -1;
  private long watchTimer = -1;

  private final String instanceId;

  /** @param instanceId this instance, recorded with every version it stores */
  public RulesSource(Vertx vertx, Store store, Set<String> providers, Path file, String instanceId) {
    this.vertx = vertx;
    this.store = store;
    this.providers = Set.copyOf(providers);
    this.file = file;
    this.instanceId = instanceId;
  }

  /** Called with the version number each time a change made on this instance is in force here. */
  public void onInForce(LongConsumer listener) {
    this.inForce = listener;
  }

  /**
   * Called each time an edit of the routing file is not applied: with {@code invalid} (it does not
   * parse or validate) or {@code refused} (applying it would discard a change made through the
   * API). Set it before {@link #start}, which may reject the file as it found it.
   */
  public void onFileRejected(java.util.function.Consumer<String> listener) {
    this.fileRejected = listener;
  }

  /**
   * Loads the rules at start: the newest stored version, unless the file changed since it was last
   * applied (edited while the router was down), in which case the edit goes through
   * {@link FileEditPolicy} like any other.
   */
  public Future<Void> start(long watchIntervalMs) {
    return store.lastRoutingSource(FILE_SOURCE).compose(src -> {
      String appliedFileHash = src.map(x -> x.substring(FILE_SOURCE.length())).orElse(null);
      return vertx.fileSystem().readFile(file.toString()).compose(buf -> {
        String text = buf.toString(StandardCharsets.UTF_8);
        String hash = sha256(text);
        if (hash.equals(appliedFileHash)) {
          fileHash = hash;
          try {
            lastFileDoc = RulesDocument.normalize(ConfigLoader.readYaml(text));
          } catch (RuntimeException e) {
            lastFileDoc = null;
          }
          return loadNewest();
        }
        return applyFile(text, hash);
      });
    }).compose(v -> active == null ? loadNewest() : Future.succeededFuture()).compose(v -> {
      if (active == null) return Future.failedFuture("no routing rules: the file was refused and none is stored");
      log.info("routing rules version {} ({}) in force", active.rules().version(), active.source());
      if (watchIntervalMs > 0) watchTimer = vertx.setPeriodic(watchIntervalMs, t -> checkFile());
      return Future.succeededFuture();
    });
  }

  public void stop() {
    if (watchTimer >= 0) vertx.cancelTimer(watchTimer);
  }

  /** The rules in force (null only before {@link #start} completed). */
  public Active active() {
    return active;
  }

  /** The routing file's state against the rules in force. */
  public FileState fileState() {
    FileState problem = fileProblem;
    if (problem != null) return problem;
    Active a = active;
    String here = FILE_SOURCE + fileHash;
    if (a != null && a.source().equals(here)) return new FileState(file.toString(), "in_force", "the rules in force are this file's");
    return new FileState(file.toString(), "superseded", "the file has not changed since it was applied; the rules in"
        + " force (version " + (a == null ? "?" : a.rules().version()) + ") came later from "
        + (a != null && isFile(a.source()) ? "another instance's copy of the file" : "the API"));
  }

  /**
   * Validates and installs new rules, read from YAML or JSON (see {@link RulesDocument#normalize}).
   * Fails with {@link InvalidRoutingRulesException} listing every problem, changing nothing.
   *
   * <p>Rules from the API that are the same as those in force ({@link RulesDocument#sameRules})
   * create no version: the rules in force are answered as they are.
   */
  public Future<Active> replace(Map<String, Object> raw, String source, String changedBy) {
    Map<String, Object> doc = RulesDocument.normalize(raw);
    RoutingRules parsed;
    try {
      parsed = parse(doc);
    } catch (InvalidRoutingRulesException e) {
      return Future.failedFuture(e);
    }
    Active current = active;
    if (current != null && RulesDocument.sameRules(current.raw().getMap(), doc)) {
      log.info("routing rules from {} are those of version {}: unchanged", source, current.rules().version());
      return Future.succeededFuture(current);
    }
    JsonObject json = new JsonObject(doc);
    return store.insertRouting(source, json, changedBy, instanceId).map(version -> {
      Active a = new Active(parsed.withVersion(version), json, source);
      install(a);
      log.info("routing rules version {} in force (from {})", version, source);
      inForce.accept(version);
      return a;
    });
  }

  /**
   * What {@link #replace} would do, doing nothing: fails with {@link InvalidRoutingRulesException}
   * listing every problem (the very validation {@code replace} runs), or answers the normalised
   * document and whether it differs from the rules in force (a real replace would then store a
   * new version).
   */
  public Future<DryRun> check(Map<String, Object> raw) {
    Proposed p;
    try {
      p = validate(raw);
    } catch (InvalidRoutingRulesException e) {
      return Future.failedFuture(e);
    }
    Active current = active;
    boolean changes = current == null || !RulesDocument.sameRules(current.raw().getMap(), p.document().getMap());
    return Future.succeededFuture(new DryRun(p.document(), changes, current == null ? 0 : current.rules().version()));
  }

  /**
   * Validates rules the way {@link #replace} does, installing nothing (shadow and proposed rules):
   * the normalised document and the parsed rules, or {@link InvalidRoutingRulesException}.
   */
  public Proposed validate(Map<String, Object> raw) {
    Map<String, Object> doc = RulesDocument.normalize(raw);
    return new Proposed(new JsonObject(doc), parse(doc));
  }

  /** Rules validated, not in force: the normalised document and what it parses to. */
  public record Proposed(JsonObject document, RoutingRules rules) {}

  /** A validated document that was not installed: would it change the rules in force (version {@code inForce})? */
  public record DryRun(JsonObject rules, boolean changes, long inForce) {}

  /**
   * Another instance says version {@code version} is in force: if this one runs an older version,
   * load the newest stored one. At most one load at a time; one asked for meanwhile is dropped
   * (the fleet's beacons repeat the version every half second).
   */
  public void catchUp(long version) {
    Active a = active;
    if (a == null || version <= a.rules().version() || version == unloadable) return;
    if (!catchingUp.compareAndSet(false, true)) return;
    loadNewest().onComplete(ar -> {
      catchingUp.set(false);
      if (ar.failed()) log.warn("routing rules version {} could not be loaded: {}", version, ar.cause().toString());
    });
  }

  /** True when a stored source names the routing file. */
  public static boolean isFile(String source) {
    return source.startsWith(FILE_SOURCE);
  }

  /** Installs the newest stored version if it is newer than the one in force. */
  private Future<Void> loadNewest() {
    return store.latestRouting().compose(latest -> {
      if (latest.isEmpty()) return Future.succeededFuture();
      Store.RoutingVersion v = latest.get();
      Active a = active;
      if (a != null && a.rules().version() >= v.version()) return Future.succeededFuture();
      Map<String, Object> doc = RulesDocument.normalize(v.rules().getMap());
      try {
        install(new Active(parse(doc).withVersion(v.version()), new JsonObject(doc), v.source()));
      } catch (InvalidRoutingRulesException e) {
        unloadable = v.version();
        log.error("routing rules version {} does not validate on this instance (its providers: {}): {}; "
            + "keeping version {}", v.version(), providers, readable(e.problems()), a == null ? "none" : a.rules().version());
        return Future.failedFuture(e);
      }
      log.info("routing rules version {} in force (stored by {})", v.version(), isFile(v.source()) ? "a file edit" : v.source());
      return Future.succeededFuture();
    });
  }

  /** Puts rules in force unless a newer version already is (versions only move forward). */
  private synchronized boolean install(Active a) {
    Active current = active;
    if (current != null && current.rules().version() > a.rules().version()) return false;
    active = a;
    return true;
  }

  private void checkFile() {
    vertx.fileSystem().readFile(file.toString()).onSuccess(buf -> {
      String text = buf.toString(StandardCharsets.UTF_8);
      String hash = sha256(text);
      if (hash.equals(fileHash)) return;
      applyFile(text, hash).onFailure(err -> log.error("routing file {} rejected, rules unchanged: {}", file,
          err instanceof InvalidRoutingRulesException p ? readable(p.problems()) : err.toString()));
    }).onFailure(err -> log.warn("routing file {} unreadable: {}", file, err.toString()));
  }

  private Future<Void> applyFile(String text, String hash) {
    fileHash = hash;
    Map<String, Object> previous = lastFileDoc;
    Map<String, Object> doc;
    RoutingRules parsed;
    try {
      try {
        doc = RulesDocument.normalize(ConfigLoader.readYaml(text));
      } catch (RuntimeException e) {
        throw new InvalidRoutingRulesException("routing file is not valid YAML",
            List.of(new FieldError("", String.valueOf(e.getMessage()))));
      }
      parsed = parse(doc);
    } catch (InvalidRoutingRulesException e) {
      fileProblem = new FileState(file.toString(), "invalid", "the last edit (" + java.time.Instant.now() + ") was not applied: "
          + e.getMessage() + ": " + readable(e.problems()), e.problems());
      fileRejected.accept("invalid");
      return Future.failedFuture(e);
    }
    lastFileDoc = doc;
    String source = FILE_SOURCE + hash;
    JsonObject json = new JsonObject(doc);
    AtomicReference<FileEditPolicy.Verdict> verdict = new AtomicReference<>();
    return store.insertRoutingIf(source, json, "file", instanceId, latest -> {
      Map<String, Object> newest = latest.map(v -> RulesDocument.normalize(v.rules().getMap())).orElse(null);
      FileEditPolicy.Verdict d = FileEditPolicy.decide(latest.map(Store.RoutingVersion::source), source,
          newest != null && RulesDocument.sameRules(newest, doc),
          newest != null && previous != null && RulesDocument.sameRules(newest, previous));
      verdict.set(d);
      return d == FileEditPolicy.Verdict.APPLY;
    }).compose(w -> {
      switch (verdict.get()) {
        case APPLY -> {
          fileProblem = null;
          install(new Active(parsed.withVersion(w.version()), json, source));
          log.info("routing rules version {} in force (from the file)", w.version());
          inForce.accept(w.version());
          return Future.succeededFuture();
        }
        case ADOPT -> {
          fileProblem = null;
          return loadNewest();
        }
        default -> {
          String why = "the file was edited after the rules were changed through the API (version " + w.version()
              + "); applying it would discard that change, so nothing changed. To put the file back in charge,"
              + " write the rules in force into it (GET /admin/routing), then edit it; or PUT the file's rules"
              + " through the API";
          fileProblem = new FileState(file.toString(), "refused", why);
          fileRejected.accept("refused");
          log.warn("routing file {} edit refused: {}", file, why);
          return active == null ? loadNewest() : Future.succeededFuture();
        }
      }
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
