package dev.orch.backend.a2a.internal;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Server-Sent-Events exchange for the A2A SDK (JSON-RPC {@code message/stream}, {@code tasks/resubscribe}).
 * Exactly one of {@code errors.accept(t)} or {@code complete.run()} is called per exchange, never both:
 *
 * <ul>
 *   <li>each SSE event's {@code data} (multi-line data joined by a newline) goes to {@code messages};</li>
 *   <li>the server ending the stream → complete;</li>
 *   <li>the SDK cancelling the returned future (it does so after the final event) → complete; the stream is
 *       closed and late transport errors are ignored ("a normal end after the final event is not an error");</li>
 *   <li>non-2xx answer, connection errors, silence longer than the idle limit, an exception from
 *       {@code messages} → errors;</li>
 *   <li>an {@code application/json} answer (a JSON-RPC error instead of a stream) → its body as one message, then
 *       complete;</li>
 *   <li>the run aborting via {@link Inflight#abortAll()} → nothing more is reported.</li>
 * </ul>
 */
final class SseExchange {
  private static final Logger LOG = LoggerFactory.getLogger(SseExchange.class);
  private static final int MAX_JSON_BODY = 4 * 1024 * 1024;

  private final HttpClient http;
  private final HttpRequest request;
  private final long idleTimeoutMs;
  private final Inflight inflight;
  private final ThreadFactory threads;
  private final ScheduledExecutorService timer;
  private final Consumer<String> messages;
  private final Consumer<Throwable> errors;
  private final Runnable complete;

  private final AtomicBoolean finished = new AtomicBoolean();
  private final CompletableFuture<Void> handle = new CompletableFuture<>();
  private final Runnable abort = this::abortQuietly;
  private volatile long lastActivity = System.nanoTime();
  private volatile InputStream body;
  private volatile Thread reader;
  private volatile CompletableFuture<HttpResponse<InputStream>> exchange;
  private volatile ScheduledFuture<?> watchdog;

  SseExchange(HttpClient http, HttpRequest request, long idleTimeoutMs, Inflight inflight, ThreadFactory threads,
      ScheduledExecutorService timer, Consumer<String> messages, Consumer<Throwable> errors, Runnable complete) {
    this.http = http;
    this.request = request;
    this.idleTimeoutMs = idleTimeoutMs;
    this.inflight = inflight;
    this.threads = threads;
    this.timer = timer;
    this.messages = messages;
    this.errors = errors;
    this.complete = complete;
  }

  /**
   * Sends the request; events arrive on a reader thread.
   *
   * @return the future the SDK may cancel to close the stream
   * @throws IOException when the run was already aborted
   */
  CompletableFuture<Void> start() throws IOException {
    inflight.add(abort);
    handle.whenComplete((v, t) -> {
      if (handle.isCancelled()) {
        finish(null);
        close();
      }
    });
    long period = Math.max(50, Math.min(1000, idleTimeoutMs / 4));
    watchdog = timer.scheduleAtFixedRate(this::checkIdle, period, period, TimeUnit.MILLISECONDS);
    CompletableFuture<HttpResponse<InputStream>> f = http.sendAsync(request, HttpResponse.BodyHandlers.ofInputStream());
    exchange = f;
    f.whenComplete(this::onResponse);
    return handle;
  }

  private void onResponse(HttpResponse<InputStream> response, Throwable failure) {
    if (failure != null) {
      finish(failure instanceof java.util.concurrent.CompletionException && failure.getCause() != null
          ? failure.getCause() : failure);
      return;
    }
    body = response.body();
    if (finished.get()) {
      close();
      return;
    }
    touch();
    int status = response.statusCode();
    String type = response.headers().firstValue("Content-Type").orElse("").toLowerCase(java.util.Locale.ROOT);
    if (status < 200 || status >= 300) {
      finish(new IOException(OrchHttpClient.statusMessage(status, request.uri(), readSome(response.body()))));
      return;
    }
    Thread t = threads.newThread(type.startsWith("application/json") ? this::readJson : this::readEvents);
    t.setName("orch-a2a-sse-" + t.getId());
    reader = t;
    t.start();
  }

  private static String readSome(InputStream in) {
    try (in) {
      return new String(in.readNBytes(2048), StandardCharsets.UTF_8);
    } catch (IOException e) {
      return "";
    }
  }

  private void readJson() {
    try (InputStream in = body) {
      byte[] bytes = in.readNBytes(MAX_JSON_BODY);
      touch();
      deliver(new String(bytes, StandardCharsets.UTF_8));
      finish(null);
    } catch (IOException | RuntimeException e) {
      finish(e);
    }
  }

  private void readEvents() {
    try (BufferedReader r = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
      StringBuilder data = null;
      String line;
      while (!finished.get() && (line = r.readLine()) != null) {
        touch();
        if (line.isEmpty()) {
          if (data != null) {
            deliver(data.toString());
            data = null;
          }
        } else if (line.startsWith("data:")) {
          String v = line.substring(5);
          v = v.startsWith(" ") ? v.substring(1) : v;
          data = data == null ? new StringBuilder(v) : data.append('\n').append(v);
        }
      }
      if (data != null && !finished.get()) {
        deliver(data.toString());
      }
      finish(null);
    } catch (IOException | RuntimeException e) {
      finish(e);
    }
  }

  private void deliver(String data) {
    if (!finished.get() && !data.isBlank()) {
      messages.accept(data);
    }
  }

  private void touch() {
    lastActivity = System.nanoTime();
  }

  private void checkIdle() {
    long silentMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastActivity);
    if (silentMs > idleTimeoutMs && !finished.get()) {
      finish(new HttpTimeoutException("no data on the event stream from " + request.uri() + " for " + idleTimeoutMs
          + " ms (idle_timeout_ms)"));
      close();
    }
  }

  /** Reports the end once: null = normal completion. */
  private void finish(Throwable error) {
    if (!finished.compareAndSet(false, true)) {
      if (error != null) {
        LOG.debug("ignored after the end of the stream from {}: {}", request.uri(), error.toString());
      }
      return;
    }
    stopWatchdog();
    inflight.remove(abort);
    if (error == null) {
      complete.run();
    } else {
      errors.accept(error);
    }
  }

  private void stopWatchdog() {
    ScheduledFuture<?> w = watchdog;
    if (w != null) {
      w.cancel(false);
    }
  }

  private void abortQuietly() {
    finished.set(true);
    stopWatchdog();
    close();
  }

  private void close() {
    CompletableFuture<HttpResponse<InputStream>> f = exchange;
    if (f != null) {
      f.cancel(true);
    }
    InputStream in = body;
    if (in != null) {
      try {
        in.close();
      } catch (IOException e) {
        LOG.debug("closing the stream from {}: {}", request.uri(), e.toString());
      }
    }
    Thread t = reader;
    if (t != null && t != Thread.currentThread()) {
      t.interrupt();
    }
  }
}
