package dev.orch.backend.a2a.internal;

import dev.orch.backend.a2a.A2aConfig;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;

/**
 * The {@code remote_a2a} backend instance: shared JDK HTTP clients (one per connect timeout), a timer for idle and
 * turn watchdogs, and the live runs (aborted on {@link #close()}). Thread-safe.
 */
public final class A2aBackend implements Backend {
  private final BackendContext context;
  private final ExecutorService httpExecutor;
  private final ScheduledExecutorService timer;
  private final Map<Long, HttpClient> clients = new HashMap<>();
  private final Set<A2aRun> live = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** @param context threads and environment from the engine */
  public A2aBackend(BackendContext context) {
    this.context = context;
    this.httpExecutor = Executors.newCachedThreadPool(context.threadFactory());
    this.timer = Executors.newSingleThreadScheduledExecutor(context.threadFactory());
  }

  /**
   * Checks the run's configuration (SPEC §8): {@code agent_url} is required (or stored with a resumed session) and
   * must be an http(s) URL; every other key is type-checked; unknown keys are refused.
   *
   * @throws OrchException INVALID_ARGUMENT naming every bad key
   */
  @Override
  public void validate(RunSpec spec) {
    config(spec);
  }

  static A2aConfig config(RunSpec spec, Map<String, String> env) {
    String fallback = spec.resume() != null && spec.resume().remoteRef() != null
        ? spec.resume().remoteRef().agentUrl() : null;
    return A2aConfig.read(spec.backendConfig(), env, fallback);
  }

  private A2aConfig config(RunSpec spec) {
    return config(spec, context.environment());
  }

  /**
   * Starts the run on a new thread: resolve the card, then send the first message. Never throws for remote
   * problems: those end the run with one {@code run_failed}.
   *
   * @throws OrchException INVALID_ARGUMENT for a bad configuration; CONFLICT when the backend is closed
   */
  @Override
  public RunHandle start(RunSpec spec, EventSink sink) {
    if (closed) {
      throw OrchException.conflict("the remote_a2a backend is closed");
    }
    A2aConfig cfg = config(spec);
    A2aRun run = new A2aRun(spec, cfg, sink, this);
    live.add(run);
    run.start();
    return run;
  }

  synchronized HttpClient http(long connectTimeoutMs) {
    return clients.computeIfAbsent(connectTimeoutMs, ms -> HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofMillis(ms))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .executor(httpExecutor)
        .build());
  }

  ThreadFactory threads() {
    return context.threadFactory();
  }

  ScheduledExecutorService timer() {
    return timer;
  }

  void forget(A2aRun run) {
    live.remove(run);
  }

  /** Aborts the open exchanges of every live run (no events), stops the timer and HTTP threads. Idempotent. */
  @Override
  public void close() {
    closed = true;
    if (!live.isEmpty()) { // no run: no A2A (SDK) class is loaded at all, not even to shut down
      for (A2aRun run : new ArrayList<>(live)) {
        run.abort();
      }
      live.clear();
    }
    timer.shutdownNow();
    httpExecutor.shutdownNow();
  }
}
