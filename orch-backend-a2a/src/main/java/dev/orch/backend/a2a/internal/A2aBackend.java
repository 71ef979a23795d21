package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.a2a.A2aConfig;
import dev.orch.core.Availability;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.ProbeResult;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import io.a2a.client.http.A2ACardResolver;
import io.a2a.spec.AgentCard;
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

  /**
   * Re-attaches a run another Orch process started (SPEC §12.8) through the stored task (see
   * {@link A2aRun#reattach}). Headers and tokens come from {@code ORCH_A2A_*} and the run's stored configuration
   * (secrets given per run were never stored).
   *
   * @throws OrchException BACKEND when the record is unusable or the backend is closed; INVALID_ARGUMENT when the
   *     stored configuration no longer reads
   */
  @Override
  public RunHandle reattach(RunSpec spec, EventSink sink, ObjectNode attachment) {
    if (closed) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the remote_a2a backend is closed");
    }
    A2aAttachment a = A2aAttachment.from(attachment);
    A2aConfig cfg = A2aConfig.read(spec.backendConfig(), context.environment(), a.agentUrl());
    A2aRun run = new A2aRun(spec, cfg, sink, this);
    live.add(run);
    run.reattach(a);
    return run;
  }

  /**
   * Resolves the card of the configured default agent ({@code ORCH_A2A_AGENT_URL}, with {@code ORCH_A2A_HEADERS},
   * {@code ORCH_A2A_AUTH_TOKEN} and {@code ORCH_A2A_AGENT_CARD_PATH}), SPEC §12.1.
   *
   * @return {@code reachable} with the card's name and version when it resolves (the agent's liveness is not proven);
   *     {@code unavailable} when the fetch fails or a setting is bad; {@code unknown} when no default agent is
   *     configured (agents are then named per run in {@code backend_config.agent_url})
   */
  @Override
  public ProbeResult probe(Duration timeout) {
    A2aConfig cfg;
    try {
      cfg = A2aConfig.read(null, context.environment(), null);
    } catch (OrchException e) {
      if (e.getMessage().equals(A2aConfig.AGENT_URL_REQUIRED)) {
        return ProbeResult.unknown("no default agent configured (set " + A2aConfig.ENV_PREFIX + "AGENT_URL to probe "
            + "one); runs name their agent in backend_config.agent_url");
      }
      return ProbeResult.unavailable(null, e.getMessage());
    }
    String cardUrl;
    try {
      cardUrl = cfg.cardUrl();
    } catch (IllegalArgumentException e) {
      return ProbeResult.unavailable(null, "invalid agent_card_path \"" + cfg.agentCardPath() + "\": " + e.getMessage());
    }
    long ms = Math.max(1, Math.min(cfg.readTimeoutMs(), timeout.toMillis()));
    Inflight inflight = new Inflight();
    OrchHttpClient http = new OrchHttpClient(http(Math.min(cfg.connectTimeoutMs(), ms)), cfg.httpHeaders(), ms, ms,
        inflight, context.threadFactory(), timer);
    long started = System.nanoTime();
    try {
      AgentCard card = new A2ACardResolver(http, cardUrl, cardUrl, Map.of()).getAgentCard();
      if (card == null) {
        return ProbeResult.unavailable(null, "the agent card at " + cardUrl + " is empty");
      }
      long took = (System.nanoTime() - started) / 1_000_000;
      return new ProbeResult(Availability.REACHABLE, card.version(), null, "agent card of \"" + card.name()
          + "\" resolved from " + cardUrl + " in " + took + " ms (liveness not proven)");
    } catch (Throwable t) {
      if (t instanceof VirtualMachineError vme) {
        throw vme;
      }
      return ProbeResult.unavailable(null, "could not load the agent card from " + cardUrl + ": " + Errors.describe(t));
    } finally {
      inflight.abortAll();
    }
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
