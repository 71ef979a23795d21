package dev.orch.backend.a2a.internal;

import io.a2a.client.http.A2AHttpClient;
import io.a2a.client.http.A2AHttpResponse;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Consumer;

/**
 * The {@link A2AHttpClient} Orch gives the A2A Java SDK instead of its {@code JdkA2AHttpClient}, which has no
 * timeouts, cannot abort a stream and reports spurious errors after the final event (REAL-PEERS "A2A peers").
 *
 * <ul>
 *   <li>Plain requests ({@code get}, {@code post}, {@code delete}) wait at most {@code requestTimeoutMs} for the
 *       whole answer and throw an {@link IOException} naming the status and URL for any non-2xx answer.</li>
 *   <li>Event streams ({@code postAsyncSSE}, {@code getAsyncSSE}) are read by one thread each (see
 *       {@link SseExchange}); silence longer than {@code idleTimeoutMs} is an error; when the SDK cancels the
 *       returned future after the final event, the stream is closed and reported as a normal completion.</li>
 *   <li>Every exchange is registered with the run's {@link Inflight}, so a cancel aborts them all.</li>
 *   <li>{@code defaultHeaders} (configured headers and the bearer token) go with every request.</li>
 * </ul>
 * Thread-safe.
 */
final class OrchHttpClient implements A2AHttpClient {
  private static final int ERROR_BODY_CHARS = 300;

  private final HttpClient http;
  private final Map<String, String> defaultHeaders;
  private final long requestTimeoutMs;
  private final long idleTimeoutMs;
  private final Inflight inflight;
  private final ThreadFactory threads;
  private final ScheduledExecutorService timer;

  /**
   * @param http the shared JDK client (its connect timeout applies)
   * @param defaultHeaders headers for every request (copied)
   * @param requestTimeoutMs limit for a plain request, ms
   * @param idleTimeoutMs longest silence on an event stream, ms
   * @param inflight where open exchanges are registered
   * @param threads makes the stream reader threads
   * @param timer runs the idle watchdogs
   */
  OrchHttpClient(HttpClient http, Map<String, String> defaultHeaders, long requestTimeoutMs, long idleTimeoutMs,
      Inflight inflight, ThreadFactory threads, ScheduledExecutorService timer) {
    this.http = http;
    this.defaultHeaders = Map.copyOf(defaultHeaders);
    this.requestTimeoutMs = requestTimeoutMs;
    this.idleTimeoutMs = idleTimeoutMs;
    this.inflight = inflight;
    this.threads = threads;
    this.timer = timer;
  }

  @Override
  public GetBuilder createGet() {
    return new Get();
  }

  @Override
  public PostBuilder createPost() {
    return new Post();
  }

  @Override
  public DeleteBuilder createDelete() {
    return new Delete();
  }

  /** Sends a plain request and waits for the whole answer. */
  private A2AHttpResponse send(HttpRequest request) throws IOException, InterruptedException {
    CompletableFuture<HttpResponse<String>> f =
        http.sendAsync(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
    Runnable abort = () -> f.cancel(true);
    try {
      inflight.add(abort);
    } catch (IOException e) {
      f.cancel(true);
      throw e;
    }
    try {
      HttpResponse<String> r = f.get(requestTimeoutMs, TimeUnit.MILLISECONDS);
      if (r.statusCode() < 200 || r.statusCode() >= 300) {
        throw new IOException(statusMessage(r.statusCode(), request.uri(), r.body()));
      }
      return new Response(r.statusCode(), r.body());
    } catch (TimeoutException e) {
      f.cancel(true);
      throw new HttpTimeoutException("no answer from " + request.uri() + " within " + requestTimeoutMs + " ms");
    } catch (CancellationException e) {
      throw new IOException("request to " + request.uri() + " aborted", e);
    } catch (ExecutionException e) {
      Throwable c = e.getCause();
      if (c instanceof IOException io) {
        throw io;
      }
      throw new IOException(c == null ? e.toString() : c.toString(), c);
    } catch (InterruptedException e) {
      f.cancel(true);
      throw e;
    } finally {
      inflight.remove(abort);
    }
  }

  /** @return {@code HTTP <code> from <uri>[: <start of body>]} */
  static String statusMessage(int status, URI uri, String body) {
    String b = body == null ? "" : body.strip().replaceAll("\\s+", " ");
    if (b.length() > ERROR_BODY_CHARS) {
      b = b.substring(0, ERROR_BODY_CHARS) + "...";
    }
    return "HTTP " + status + " from " + uri + (b.isEmpty() ? "" : ": " + b);
  }

  private HttpRequest.Builder request(String url, Map<String, String> headers) throws IOException {
    URI uri;
    try {
      uri = URI.create(url);
    } catch (IllegalArgumentException e) {
      throw new IOException("invalid URL: " + url, e);
    }
    HttpRequest.Builder b = HttpRequest.newBuilder(uri).timeout(Duration.ofMillis(requestTimeoutMs));
    Map<String, String> all = new LinkedHashMap<>(defaultHeaders);
    all.putAll(headers);
    all.forEach(b::setHeader);
    return b;
  }

  private CompletableFuture<Void> stream(HttpRequest request, Consumer<String> messages, Consumer<Throwable> errors,
      Runnable complete) throws IOException {
    return new SseExchange(http, request, idleTimeoutMs, inflight, threads, timer, messages, errors, complete).start();
  }

  private abstract static class Base<T extends Builder<T>> implements Builder<T> {
    String url = "";
    final Map<String, String> headers = new LinkedHashMap<>();

    @Override
    public T url(String s) {
      this.url = s;
      return self();
    }

    @Override
    public T addHeaders(Map<String, String> h) {
      if (h != null) {
        h.forEach(this::addHeader);
      }
      return self();
    }

    @Override
    public T addHeader(String name, String value) {
      if (name != null && value != null) {
        headers.put(name, value);
      }
      return self();
    }

    @SuppressWarnings("unchecked")
    T self() {
      return (T) this;
    }
  }

  private final class Get extends Base<GetBuilder> implements GetBuilder {
    @Override
    public A2AHttpResponse get() throws IOException, InterruptedException {
      return send(request(url, headers).GET().build());
    }

    @Override
    public CompletableFuture<Void> getAsyncSSE(Consumer<String> messageConsumer, Consumer<Throwable> errorConsumer,
        Runnable completeRunnable) throws IOException {
      HttpRequest r = request(url, headers).header("Accept", "text/event-stream")
          .timeout(Duration.ofMillis(idleTimeoutMs)).GET().build();
      return stream(r, messageConsumer, errorConsumer, completeRunnable);
    }
  }

  private final class Post extends Base<PostBuilder> implements PostBuilder {
    private String body = "";

    @Override
    public PostBuilder body(String b) {
      this.body = b == null ? "" : b;
      return this;
    }

    private HttpRequest.Builder build() throws IOException {
      return request(url, headers).POST(HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
    }

    @Override
    public A2AHttpResponse post() throws IOException, InterruptedException {
      return send(build().build());
    }

    @Override
    public CompletableFuture<Void> postAsyncSSE(Consumer<String> messageConsumer, Consumer<Throwable> errorConsumer,
        Runnable completeRunnable) throws IOException {
      HttpRequest r = build().header("Accept", "text/event-stream").timeout(Duration.ofMillis(idleTimeoutMs)).build();
      return stream(r, messageConsumer, errorConsumer, completeRunnable);
    }
  }

  private final class Delete extends Base<DeleteBuilder> implements DeleteBuilder {
    @Override
    public A2AHttpResponse delete() throws IOException, InterruptedException {
      return send(request(url, headers).DELETE().build());
    }
  }

  private record Response(int status, String body) implements A2AHttpResponse {
    @Override
    public boolean success() {
      return status >= 200 && status < 300;
    }
  }
}
