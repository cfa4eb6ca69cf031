package io.payrouter.simulator;

import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * A receiver for the router's merchant webhooks, under {@code /_sim/webhook-sink/{name}}: it keeps
 * the latest deliveries per name in memory, for tests and the bench (which points an endpoint here
 * and compares the count received with the charges made).
 *
 * <p>Receiving is the hot path (the bench sends thousands a second): the body is kept as the bytes
 * that arrived, nothing is parsed, and the event type is read from the body only when listed.
 * Bounded: at most {@link #MAX_NAMES} names, {@link #PER_NAME} deliveries per name and
 * {@link #MAX_BYTES} of bodies and headers over all names, oldest dropped first; a body over
 * {@link #BODY_LIMIT} is refused (413, not recorded).
 */
final class WebhookSink {
  static final int MAX_NAMES = 100;
  static final int PER_NAME = 1_000;
  /** Bodies and headers kept over all names: beyond it the oldest of the receiving name go first. */
  static final long MAX_BYTES = 16L * 1024 * 1024;
  static final int BODY_LIMIT = SimulatorServer.BODY_LIMIT;
  private static final Pattern NAME = Pattern.compile("[A-Za-z0-9._-]{1,64}");
  /** Accounted per delivery beside its body (the entry, the header strings). */
  private static final int OVERHEAD = 256;

  private final ConcurrentHashMap<String, Ring> rings = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();

  /** One received delivery. {@code status} is what the sink answered. */
  record Delivery(String webhookId, String timestamp, String signature, Buffer body, long receivedAtMs, int status) {
    long size() {
      return OVERHEAD + body.length() + len(webhookId) + len(timestamp) + len(signature);
    }

    private static int len(String s) {
      return s == null ? 0 : s.length();
    }
  }

  /** One name's deliveries, oldest first, and the count since it was created. */
  private final class Ring {
    final Delivery[] slots = new Delivery[PER_NAME];
    int head; // index of the oldest
    int size;
    long received;
    long dropped;
    long heldBytes;
    boolean released;

    synchronized void add(Delivery d) {
      if (released) return; // cleared while this one was arriving
      received++;
      long sz = d.size();
      if (size == PER_NAME) dropOldest();
      while (size > 0 && bytes.get() + sz > MAX_BYTES) dropOldest();
      slots[(head + size) % PER_NAME] = d;
      size++;
      heldBytes += sz;
      bytes.addAndGet(sz);
    }

    private void dropOldest() {
      Delivery old = slots[head];
      slots[head] = null;
      head = (head + 1) % PER_NAME;
      size--;
      dropped++;
      long sz = old.size();
      heldBytes -= sz;
      bytes.addAndGet(-sz);
    }

    synchronized JsonObject toJson(int limit) {
      JsonArray events = new JsonArray();
      int n = Math.min(limit, size);
      for (int i = size - n; i < size; i++) {
        Delivery d = slots[(head + i) % PER_NAME];
        String body = d.body().toString(StandardCharsets.UTF_8);
        events.add(new JsonObject().put("webhook_id", d.webhookId()).put("timestamp", d.timestamp())
            .put("signature", d.signature()).put("type", typeOf(body)).put("body", body)
            .put("received_at", Instant.ofEpochMilli(d.receivedAtMs()).toString()).put("status", d.status()));
      }
      return new JsonObject().put("received", received).put("held", size).put("dropped", dropped).put("events", events);
    }

    synchronized void release() {
      released = true;
      bytes.addAndGet(-heldBytes);
      heldBytes = 0;
    }
  }

  /** {@code POST /_sim/webhook-sink/:name}: records the delivery and answers 204 (or {@code ?status=}). */
  void receive(RoutingContext rc) {
    String name = rc.pathParam("name");
    HttpServerRequest req = rc.request();
    if (!NAME.matcher(name).matches()) {
      error(rc, 400, "a sink name is 1 to 64 of A-Z a-z 0-9 . _ -");
      return;
    }
    int status = 204;
    if (req.query() != null) {
      String s = req.getParam("status");
      if (s != null) {
        try {
          status = Integer.parseInt(s);
        } catch (NumberFormatException e) {
          status = -1;
        }
        if (status < 200 || status > 599) {
          error(rc, 400, "status must be a number between 200 and 599");
          return;
        }
      }
    }
    String cl = req.getHeader("content-length");
    long length = -1;
    if (cl != null) {
      try {
        length = Long.parseLong(cl);
      } catch (NumberFormatException ignored) {
        // left to the HTTP codec
      }
    }
    if (length > BODY_LIMIT) {
      error(rc, 413, "a body of at most " + BODY_LIMIT + " bytes");
      return;
    }
    Ring ring = rings.get(name);
    if (ring == null) {
      if (rings.size() >= MAX_NAMES) {
        error(rc, 429, "at most " + MAX_NAMES + " sink names: DELETE one first");
        return;
      }
      ring = rings.computeIfAbsent(name, x -> new Ring());
    }
    new Reading(rc, ring, status, length).start();
  }

  /** The body as it arrives, refused once it passes the limit. */
  private static final class Reading {
    final RoutingContext rc;
    final Ring ring;
    final int status;
    final Buffer body;
    boolean tooBig;

    Reading(RoutingContext rc, Ring ring, int status, long length) {
      this.rc = rc;
      this.ring = ring;
      this.status = status;
      this.body = Buffer.buffer(length > 0 ? (int) length : 512);
    }

    void start() {
      HttpServerRequest req = rc.request();
      req.handler(chunk -> {
        if (tooBig) return;
        if (body.length() + chunk.length() > BODY_LIMIT) tooBig = true;
        else body.appendBuffer(chunk);
      });
      req.endHandler(v -> {
        if (tooBig) {
          error(rc, 413, "a body of at most " + BODY_LIMIT + " bytes");
          return;
        }
        ring.add(new Delivery(req.getHeader("webhook-id"), req.getHeader("webhook-timestamp"),
            req.getHeader("webhook-signature"), body, System.currentTimeMillis(), status));
        rc.response().setStatusCode(status).end();
      });
      req.resume(); // in case a handler before this one paused it
    }
  }

  /** {@code GET /_sim/webhook-sink/:name[?limit=N]}: the count received and the latest deliveries, newest last. */
  void list(RoutingContext rc) {
    String l = rc.request().getParam("limit");
    int limit = PER_NAME;
    if (l != null) {
      try {
        limit = Integer.parseInt(l);
      } catch (NumberFormatException e) {
        limit = -1;
      }
      if (limit < 0 || limit > PER_NAME) {
        error(rc, 400, "limit must be a number between 0 and " + PER_NAME);
        return;
      }
    }
    Ring ring = rings.get(rc.pathParam("name"));
    JsonObject out = ring == null
        ? new JsonObject().put("received", 0).put("held", 0).put("dropped", 0).put("events", new JsonArray())
        : ring.toJson(limit);
    rc.response().putHeader("content-type", "application/json").end(out.encode());
  }

  /** {@code DELETE /_sim/webhook-sink/:name}: forgets the name, its deliveries and its count (204). */
  void clear(RoutingContext rc) {
    Ring ring = rings.remove(rc.pathParam("name"));
    if (ring != null) ring.release();
    rc.response().setStatusCode(204).end();
  }

  /** Bytes held over all names (tests). */
  long bytesHeld() {
    return bytes.get();
  }

  /** The event type from a body {@code {"type": ...}}, or null when it is not such JSON. */
  static String typeOf(String body) {
    try {
      Object t = new JsonObject(body).getValue("type");
      return t instanceof String s ? s : null;
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static void error(RoutingContext rc, int status, String message) {
    if (rc.response().ended()) return;
    rc.response().setStatusCode(status).putHeader("content-type", "application/json")
        .end(new JsonObject().put("error", message).encode());
  }
}
