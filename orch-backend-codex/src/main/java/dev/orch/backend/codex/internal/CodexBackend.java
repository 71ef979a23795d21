package dev.orch.backend.codex.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.codex.CodexConfig;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.CliProbe;
import dev.orch.core.spi.ProbeResult;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The codex backend: one {@link CodexRun} per run, each a {@code codex exec --json} child process (SPEC §8).
 * Thread-safe. Not API: obtain it through {@link dev.orch.backend.codex.CodexBackendProvider}.
 */
public final class CodexBackend implements Backend {
  private final BackendContext context;
  private final Set<CodexRun> live = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  /** @param context environment (ORCH_CODEX_*, PATH) and thread factory, never null */
  public CodexBackend(BackendContext context) {
    this.context = Objects.requireNonNull(context, "context");
  }

  /**
   * Reads the run's configuration; see {@link CodexConfig#read}.
   *
   * @throws OrchException INVALID_ARGUMENT naming every bad key, including an executable that cannot be found
   */
  @Override
  public void validate(RunSpec spec) {
    CodexConfig.read(spec.backendConfig(), context.environment());
  }

  /**
   * Starts {@code codex exec --json}. Emits {@code run_started} first, then the mapped CLI events, then exactly
   * one terminal event (unless the run is cancelled or the backend closed).
   *
   * @throws OrchException INVALID_ARGUMENT for a bad configuration; BACKEND when the process cannot be started
   *     (no event was emitted; the engine records run_failed) or the backend is closed
   */
  @Override
  public RunHandle start(RunSpec spec, EventSink sink) {
    if (closed) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the codex backend is closed");
    }
    CodexConfig config = CodexConfig.read(spec.backendConfig(), context.environment());
    CodexRun run = CodexRun.prepare(spec, config, sink, context.threadFactory(), live::remove);
    live.add(run);
    try {
      run.launch(config);
    } catch (RuntimeException e) {
      live.remove(run);
      throw e;
    }
    return run;
  }

  /**
   * Re-attaches a run another Orch process started (SPEC §12.8): follows its codex process by the stored record,
   * re-reading its output from the start; a codex that ended meanwhile is reported at once.
   *
   * @throws OrchException BACKEND when the record is unusable, codex's files are gone, or the backend is closed
   */
  @Override
  public RunHandle reattach(RunSpec spec, EventSink sink, ObjectNode attachment) {
    if (closed) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the codex backend is closed");
    }
    CodexRun run = CodexRun.follow(spec, attachment, sink, context.threadFactory(), live::remove);
    live.add(run);
    if (run.isDone()) {
      live.remove(run); // it ended while being followed, before it was added
    }
    return run;
  }

  /**
   * Runs {@code <codex> --version} with the server-wide configuration ({@code ORCH_CODEX_EXECUTABLE} or {@code codex}
   * on {@code PATH}), SPEC §12.1.
   *
   * @return {@code available} with the CLI version, or {@code unavailable} naming what is wrong (executable missing,
   *     bad {@code ORCH_CODEX_*} setting, {@code --version} failing or not answering within the timeout)
   */
  @Override
  public ProbeResult probe(Duration timeout) {
    CodexConfig config;
    try {
      config = CodexConfig.read(null, context.environment());
    } catch (OrchException e) {
      return ProbeResult.unavailable(null, e.getMessage());
    }
    return CliProbe.versionWithServerPath(config.executable(), context.environment(), config.env(), timeout,
        context.threadFactory());
  }

  /** @return the pids of the codex wrapper processes (process groups) of live runs (for diagnostics and tests) */
  public List<Long> livePids() {
    return live.stream().map(CodexRun::pid).toList();
  }

  /** Kills the process tree of every live run (detached runs are no longer live), without emitting events. Idempotent. */
  @Override
  public void close() {
    closed = true;
    for (CodexRun run : List.copyOf(live)) {
      run.killSilently();
      live.remove(run);
    }
  }
}
