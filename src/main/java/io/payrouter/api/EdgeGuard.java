package io.payrouter.api;

import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;
import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpVersion;
import io.vertx.core.http.ServerWebSocketHandshake;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * The first thing every request meets, before the router: refuses what no handler should ever
 * see, with a problem+json 400 and nothing else done. The request line's path and query must be
 * ASCII, percent-encoded correctly, valid UTF-8 once decoded and free of control characters (a
 * NUL would reach PostgreSQL, which refuses it in text, as a 500); the headers that decide what a
 * request means (credentials, idempotency, framing) may appear once; framing must be unambiguous
 * (no Content-Length beside Transfer-Encoding, no transfer or content coding we do not undo).
 * Runs on the event loop: string scans only.
 */
final class EdgeGuard implements Handler<HttpServerRequest> {
  /** Headers whose repetition would leave two readings of one request. */
  static final List<String> SINGLE_HEADERS = List.of("Authorization", "Idempotency-Key", "Content-Type",
      "Content-Length", "Transfer-Encoding", "Content-Encoding", "Host");

  private final Handler<HttpServerRequest> next;

  EdgeGuard(Handler<HttpServerRequest> next) {
    this.next = next;
  }

  @Override
  public void handle(HttpServerRequest req) {
    ProblemException p = problem(req);
    if (p == null) {
      next.handle(req);
      return;
    }
    // The body (if any) is not read: answer, then close so no unread bytes are taken for a request.
    Problems.send(req.response(), p).onComplete(v -> {
      if (req.version() != HttpVersion.HTTP_2) req.connection().close();
    });
  }

  static ProblemException problem(HttpServerRequest req) {
    String uri = req.uri();
    int q = uri.indexOf('?');
    String path = q < 0 ? uri : uri.substring(0, q);
    String detail = component(path, false);
    if (detail != null) return ProblemException.badRequest("the request path " + detail);
    if (q >= 0) {
      detail = component(uri.substring(q + 1), true);
      if (detail != null) return ProblemException.badRequest("the query string " + detail);
    }
    for (String h : SINGLE_HEADERS) {
      if (req.headers().getAll(h).size() > 1) return ProblemException.badRequest("the " + h + " header is given more than once");
    }
    if (req.version() == null) return ProblemException.badRequest("only HTTP/1.0 and HTTP/1.1 are spoken here");
    // (Content-Length beside chunked never gets here: the HTTP decoder drops the Content-Length, as RFC 9112 says.)
    String te = req.getHeader("Transfer-Encoding");
    if (te != null && !te.trim().equalsIgnoreCase("chunked")) {
      return ProblemException.badRequest("only the chunked transfer coding is supported");
    }
    String ce = req.getHeader("Content-Encoding");
    if (ce != null && !ce.trim().equalsIgnoreCase("identity")) {
      return ProblemException.unsupportedMediaType("content codings are not supported: send the body uncompressed");
    }
    return null;
  }

  /**
   * Why a path or query string is refused, or null. Raw characters must be printable ASCII; every
   * {@code %} starts two hex digits; the decoded bytes must be UTF-8 without control characters.
   */
  static String component(String s, boolean query) {
    ByteArrayOutputStream decoded = new ByteArrayOutputStream(s.length());
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c <= 0x20 || c >= 0x7f) return "contains a character that must be percent-encoded";
      if (c == '%') {
        if (i + 2 >= s.length() || Character.digit(s.charAt(i + 1), 16) < 0 || Character.digit(s.charAt(i + 2), 16) < 0) {
          return "has a malformed percent-encoding";
        }
        decoded.write(Character.digit(s.charAt(i + 1), 16) * 16 + Character.digit(s.charAt(i + 2), 16));
        i += 2;
      } else {
        decoded.write(query && c == '+' ? ' ' : c);
      }
    }
    String text;
    try {
      text = StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(decoded.toByteArray())).toString();
    } catch (CharacterCodingException e) {
      return "is not valid UTF-8 once decoded";
    }
    if (Strings.hasControl(text)) return "contains a control character once decoded";
    return null;
  }

  /** Requests the HTTP decoder could not parse (before any route): 414, 431 or 400 as problem+json. */
  static void invalid(HttpServerRequest req) {
    Throwable cause = req.decoderResult().cause();
    ProblemException p;
    if (cause instanceof TooLongHttpLineException) {
      p = new ProblemException(414, "uri-too-long", "URI too long", "the request line is too long", null);
    } else if (cause instanceof TooLongHttpHeaderException) {
      p = new ProblemException(431, "header-fields-too-large", "Request header fields too large",
          "the request headers are too large", null);
    } else {
      // The decoder's message is not repeated: it may quote what the client sent.
      p = ProblemException.badRequest("the request line or headers are not valid HTTP/1.1");
    }
    Problems.send(req.response(), p).onComplete(v -> req.connection().close());
  }

  /**
   * No WebSocket is served. The handler is set anyway because Vert.x, without one, answers a
   * request of an unknown HTTP version ("HTTP/1.7") with 501 itself; with one, such requests
   * reach {@link #handle} and get a 400 problem.
   */
  static void webSocket(ServerWebSocketHandshake hs) {
    hs.reject(404);
  }
}
