package dev.orch.core.testing;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpHandler;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A JDK {@link HttpServer} on 127.0.0.1 with an OS-chosen port and daemon handler threads (one per exchange, so
 * that a held-open stream does not block other requests), for the mock model APIs and mock agents of the backend
 * tests. Handlers are added with {@link #handle(String, HttpHandler)}, also after the start. {@link #close()} stops
 * at once, also while handlers still stream.
 */
public final class LoopbackHttpServer implements AutoCloseable {
  private final HttpServer server;
  private final ExecutorService executor;

  private LoopbackHttpServer(HttpServer server, ExecutorService executor) {
    this.server = server;
    this.executor = executor;
  }

  /**
   * Starts a server without handlers (every path answers 404 until one is added).
   *
   * @param threadName name of the handler threads, e.g. {@code mock-responses-api}
   * @return the running server; close it
   * @throws IOException when no loopback port can be bound
   */
  public static LoopbackHttpServer start(String threadName) throws IOException {
    HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    ExecutorService executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    server.setExecutor(executor);
    server.start();
    return new LoopbackHttpServer(server, executor);
  }

  /**
   * Serves a path prefix.
   *
   * @param pathPrefix e.g. {@code /} or {@code /agent/}
   * @param handler the handler (runs on a handler thread)
   * @return this
   */
  public LoopbackHttpServer handle(String pathPrefix, HttpHandler handler) {
    server.createContext(pathPrefix, handler);
    return this;
  }

  /** @return the bound port */
  public int port() {
    return server.getAddress().getPort();
  }

  /** @return {@code http://127.0.0.1:<port>} */
  public String baseUrl() {
    return "http://127.0.0.1:" + port();
  }

  /** Stops the server at once and interrupts the handler threads. Idempotent. */
  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }

  /**
   * Sends a complete response: sets the content type and writes {@code body} with a fixed length. The request body
   * is left as it is (read it first when the connection should stay reusable).
   *
   * @param ex the exchange (not closed here)
   * @param status HTTP status
   * @param contentType the {@code Content-Type}
   * @param body the UTF-8 body
   * @throws IOException when the client went away
   */
  public static void respond(HttpExchange ex, int status, String contentType, String body) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    ex.getResponseHeaders().set("Content-Type", contentType);
    ex.sendResponseHeaders(status, bytes.length);
    ex.getResponseBody().write(bytes);
  }

  /**
   * Starts a server-sent event stream: status 200, {@code text/event-stream}, {@code no-cache}, chunked.
   *
   * @param ex the exchange
   * @return the body to write events to (flush after each)
   * @throws IOException when the client went away
   */
  public static OutputStream beginEventStream(HttpExchange ex) throws IOException {
    ex.getResponseHeaders().set("Content-Type", "text/event-stream");
    ex.getResponseHeaders().set("Cache-Control", "no-cache");
    ex.sendResponseHeaders(200, 0);
    return ex.getResponseBody();
  }
}
