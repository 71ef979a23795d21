package dev.orch.cli.internal.dashboard;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.cli.internal.Wire;
import dev.orch.core.OrchException;
import dev.orch.core.Orchestrator;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpCookie;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * {@code orch dashboard}: a Jetty 12 server (core handler API, no servlets) serving the live runs page, the run
 * page, their static files (plain HTML/JS/CSS from the jar, no build step) and {@link DashboardApi}.
 *
 * <p>Access: every request needs the random 128-bit token printed with the URL, as {@code ?token=} (then a
 * {@code HttpOnly; SameSite=Strict} cookie carries it and the browser is redirected to the URL without it) or as
 * that cookie; anything else gets 401. Tokens are compared in constant time. Pages send a strict Content Security
 * Policy (no inline script), and the scripts build the DOM with {@code textContent} only, so text from agents
 * (summaries, events) can never become markup.
 */
public final class DashboardServer implements AutoCloseable {
  /** Cookie holding the token after the first tokened request. */
  static final String COOKIE = "orch_dashboard";
  private static final Pattern RUN_PATH = Pattern.compile("/api/runs/([A-Za-z0-9._-]{1,200})(/[a-z]+)?");
  private static final Pattern RUN_PAGE = Pattern.compile("/runs/([A-Za-z0-9._-]{1,200})");
  private static final Map<String, String> STATIC = Map.of(
      "/static/app.css", "text/css; charset=utf-8",
      "/static/common.js", "text/javascript; charset=utf-8",
      "/static/runs.js", "text/javascript; charset=utf-8",
      "/static/run.js", "text/javascript; charset=utf-8");
  private static final String CSP = "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self';"
      + " connect-src 'self'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

  private final Server server;
  private final ServerConnector connector;
  private final String token;
  private final byte[] tokenBytes;
  private final RunsFeed feed;
  private final DashboardApi api;
  private final Map<String, byte[]> resources = new ConcurrentHashMap<>();

  /**
   * Starts the server.
   *
   * @param orch the orchestrator to read and control runs with (not closed by this server)
   * @param host interface to bind (127.0.0.1 unless told otherwise)
   * @param port TCP port, 0 = any free one
   * @throws IOException when the port cannot be bound
   */
  public DashboardServer(Orchestrator orch, String host, int port) throws IOException {
    byte[] random = new byte[16];
    new SecureRandom().nextBytes(random);
    this.token = HexFormat.of().formatHex(random);
    this.tokenBytes = token.getBytes(StandardCharsets.US_ASCII);
    this.feed = new RunsFeed(orch);
    this.api = new DashboardApi(orch, feed);
    QueuedThreadPool pool = new QueuedThreadPool(64, 4);
    pool.setName("orch-dashboard");
    pool.setDaemon(true);
    this.server = new Server(pool);
    this.connector = new ServerConnector(server, 1, 1);
    connector.setHost(host);
    connector.setPort(port);
    server.addConnector(connector);
    server.setHandler(new Handler.Abstract() {
      @Override
      public boolean handle(Request request, Response response, Callback callback) {
        DashboardServer.this.handle(request, response, callback);
        return true;
      }
    });
    try {
      server.start();
    } catch (Exception e) {
      throw new IOException("cannot start the dashboard on " + host + ":" + port + ": " + e.getMessage(), e);
    }
  }

  /** @return the bound port */
  public int port() {
    return connector.getLocalPort();
  }

  /** @return the URL to open, with the access token: {@code http://<host>:<port>/?token=<32 hex>} */
  public String url() {
    String host = connector.getHost();
    if (host.contains(":")) {
      host = "[" + host + "]";
    }
    return "http://" + host + ":" + port() + "/?token=" + token;
  }

  /** Blocks until the server stops. @throws InterruptedException when interrupted */
  public void join() throws InterruptedException {
    server.join();
  }

  private void handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    response.getHeaders().put("Content-Security-Policy", CSP);
    response.getHeaders().put("X-Content-Type-Options", "nosniff");
    response.getHeaders().put("Referrer-Policy", "no-referrer");
    response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
    try {
      Fields query = Request.extractQueryParameters(request);
      String given = query.getValue("token");
      if (given != null && matches(given)) {
        Response.addCookie(response, HttpCookie.build(COOKIE, token).path("/").httpOnly(true)
            .sameSite(HttpCookie.SameSite.STRICT).build());
        if ("GET".equals(method) && !path.startsWith("/api/")) {
          Response.sendRedirect(request, response, callback, 303, path, true);
          return;
        }
      } else if (!cookieMatches(request)) {
        text(response, callback, 401, "401 Unauthorized: open the URL that 'orch dashboard' printed (it carries"
            + " ?token=...)\n");
        return;
      }
      route(request, response, callback, path, method, query);
    } catch (OrchException e) {
      error(response, callback, e);
    } catch (RuntimeException | IOException e) {
      json(response, callback, 500, JsonNodeFactory.instance.objectNode().put("error", "internal error: "
          + e.getClass().getSimpleName()).put("code", "INTERNAL"));
    }
  }

  private void route(Request request, Response response, Callback callback, String path, String method,
      Fields query) throws IOException {
    if ("GET".equals(method) && (path.equals("/") || path.equals("/index.html"))) {
      page(response, callback, "index.html");
      return;
    }
    if ("GET".equals(method) && RUN_PAGE.matcher(path).matches()) {
      page(response, callback, "run.html");
      return;
    }
    if ("GET".equals(method) && STATIC.containsKey(path)) {
      bytes(response, callback, 200, STATIC.get(path), resource(path.substring("/static/".length())));
      return;
    }
    if ("GET".equals(method) && path.equals("/api/runs")) {
      json(response, callback, 200, feed.snapshot());
      return;
    }
    if ("GET".equals(method) && path.equals("/api/stream")) {
      stream(response, callback, out -> api.streamRuns(out));
      return;
    }
    Matcher m = RUN_PATH.matcher(path);
    if (!m.matches()) {
      text(response, callback, 404, "404 Not Found\n");
      return;
    }
    String id = m.group(1);
    String sub = m.group(2) == null ? "" : m.group(2);
    switch (method + " " + sub) {
      case "GET " -> json(response, callback, 200, api.run(id));
      case "GET /events" -> json(response, callback, 200, api.events(id, longParam(query, "after", 0),
          (int) longParam(query, "limit", 200)));
      case "GET /artifact" -> json(response, callback, 200, api.artifact(id, longParam(query, "seq", 0),
          query.getValue("field_path") == null ? "" : query.getValue("field_path"), longParam(query, "offset", 0),
          (int) longParam(query, "limit", 65536)));
      case "GET /stream" -> {
        String last = request.getHeaders().get("Last-Event-ID");
        long after = last != null && last.matches("\\d{1,18}") ? Long.parseLong(last)
            : longParam(query, "after", 0);
        api.run(id); // 404 before the stream starts
        stream(response, callback, out -> api.streamRun(id, after, out));
      }
      case "POST /cancel" -> json(response, callback, 200, api.cancel(id));
      case "POST /continue" -> json(response, callback, 200, api.continueRun(id,
          Content.Source.asString(request, StandardCharsets.UTF_8)));
      default -> text(response, callback, 404, "404 Not Found\n");
    }
  }

  /** A blocking body writer. */
  private interface StreamBody {
    void write(OutputStream out) throws IOException, InterruptedException;
  }

  private static void stream(Response response, Callback callback, StreamBody body) {
    response.setStatus(200);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/event-stream; charset=utf-8");
    response.getHeaders().put("X-Accel-Buffering", "no");
    OutputStream out = Content.Sink.asOutputStream(response);
    try {
      body.write(out);
      out.close();
      callback.succeeded();
    } catch (IOException e) {
      callback.failed(e); // the browser went away
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      callback.failed(e);
    } catch (RuntimeException e) {
      callback.failed(e);
    }
  }

  private boolean matches(String given) {
    return MessageDigest.isEqual(given.getBytes(StandardCharsets.US_ASCII), tokenBytes);
  }

  private boolean cookieMatches(Request request) {
    for (HttpCookie c : Request.getCookies(request)) {
      if (COOKIE.equals(c.getName()) && c.getValue() != null && matches(c.getValue())) {
        return true;
      }
    }
    return false;
  }

  private static long longParam(Fields query, String name, long dflt) {
    String v = query.getValue(name);
    if (v == null || v.isBlank()) {
      return dflt;
    }
    try {
      return Long.parseLong(v.trim());
    } catch (NumberFormatException e) {
      throw OrchException.invalid(name + ": expected an integer, got " + v);
    }
  }

  private void page(Response response, Callback callback, String name) {
    bytes(response, callback, 200, "text/html; charset=utf-8", resource(name));
  }

  private byte[] resource(String name) {
    return resources.computeIfAbsent(name, n -> {
      try (InputStream in = DashboardServer.class.getResourceAsStream("/dev/orch/cli/dashboard/" + n)) {
        if (in == null) {
          throw new IllegalStateException("missing dashboard resource " + n);
        }
        return in.readAllBytes();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    });
  }

  private static void error(Response response, Callback callback, OrchException e) {
    int status = switch (e.code()) {
      case INVALID_ARGUMENT -> 400;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case UNSUPPORTED, BACKEND -> 422;
      default -> 500;
    };
    json(response, callback, status, JsonNodeFactory.instance.objectNode().put("error", e.getMessage())
        .put("code", e.code().name()));
  }

  private static void json(Response response, Callback callback, int status, ObjectNode body) {
    bytes(response, callback, status, "application/json; charset=utf-8",
        Wire.line(body).getBytes(StandardCharsets.UTF_8));
  }

  private static void text(Response response, Callback callback, int status, String body) {
    bytes(response, callback, status, "text/plain; charset=utf-8", body.getBytes(StandardCharsets.UTF_8));
  }

  private static void bytes(Response response, Callback callback, int status, String type, byte[] body) {
    response.setStatus(status);
    response.getHeaders().put(HttpHeader.CONTENT_TYPE, type);
    response.write(true, java.nio.ByteBuffer.wrap(body), callback);
  }

  /** Stops the server and the feed. */
  @Override
  public void close() {
    feed.close();
    try {
      server.stop();
    } catch (Exception e) {
      // stopping: nothing left to do
    }
  }
}
