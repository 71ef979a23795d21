package dev.orch.backend.claude.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.backend.claude.ClaudeConfig;
import dev.orch.core.OrchException;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.BackendContext;
import dev.orch.core.spi.CliProbe;
import dev.orch.core.spi.ProbeResult;
import dev.orch.core.spi.EventSink;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledThreadPoolExecutor;

/**
 * The {@code claude_code} backend instance of one Orchestrator: validates configurations, starts
 * {@link ClaudeRun}s, owns the timer thread and the {@link SessionPool} of idle session processes. Thread-safe.
 */
public final class ClaudeBackend implements Backend {
  private final BackendContext context;
  private final ScheduledThreadPoolExecutor scheduler;
  private final SessionPool pool;
  private final Set<ClaudeRun> active = ConcurrentHashMap.newKeySet();
  private volatile Boolean runningAsRoot;

  /**
   * Cheap (issue 8: a server pays nothing at start-up for a backend it does not use): no thread starts before the
   * first run, and whether Orch runs as root is asked at the first run.
   *
   * @param context environment (for {@code ORCH_CLAUDE_*} and PATH) and the thread factory
   */
  public ClaudeBackend(BackendContext context) {
    this.context = context;
    this.scheduler = new ScheduledThreadPoolExecutor(1, context.threadFactory());
    this.scheduler.setRemoveOnCancelPolicy(true);
    this.pool = new SessionPool(scheduler, context.threadFactory());
  }

  @Override
  public void validate(RunSpec spec) {
    ClaudeConfig.read(spec.backendConfig(), context.environment());
    if (spec.resume() != null && spec.resume().backendSessionId().isBlank()) {
      throw OrchException.invalid("resume: the Claude session id is blank");
    }
  }

  @Override
  public RunHandle start(RunSpec spec, EventSink sink) {
    ClaudeConfig config = ClaudeConfig.read(spec.backendConfig(), context.environment());
    String resumeId = spec.resume() == null ? null : spec.resume().backendSessionId();
    ClaudeLaunch launch = ClaudeLaunch.of(config, processCwd(spec), spec.systemPrompt(), spec.outputSchema(), resumeId,
        spec.sessionId().value(), spec.environment(), runningAsRoot());
    ClaudeRun run = new ClaudeRun(launch, config, spec.prompt(), resumeId, spec.outputSchema() != null, sink, pool,
        scheduler, context.threadFactory());
    run.begin();
    active.add(run);
    run.done().thenRun(() -> active.remove(run));
    return run;
  }

  /**
   * Re-attaches a run another Orch process started (SPEC §12.8): follows its CLI process from where the run's turn
   * starts; a CLI that ended meanwhile is reported at once.
   *
   * @throws OrchException BACKEND when the record is unusable or the process's files are gone
   */
  @Override
  public RunHandle reattach(RunSpec spec, EventSink sink, ObjectNode attachment) {
    ClaudeRun run = ClaudeRun.follow(spec, attachment, sink, pool, scheduler, context.threadFactory());
    active.add(run);
    run.done().thenRun(() -> active.remove(run));
    return run;
  }

  /**
   * Claude resumes a session only from the cwd it was created in: a resume runs in the cwd recorded when the
   * session was bound ({@code remote_ref.metadata.cwd}) when that directory still exists, else in the run's cwd.
   */
  static Path processCwd(RunSpec spec) {
    if (spec.resume() != null && spec.resume().remoteRef() != null && spec.resume().remoteRef().metadata() != null) {
      JsonNode cwd = spec.resume().remoteRef().metadata().get("cwd");
      if (cwd != null && cwd.isTextual() && Files.isDirectory(Path.of(cwd.asText()))) {
        return Path.of(cwd.asText());
      }
    }
    return spec.cwd();
  }

  /**
   * Runs {@code <claude> --version} with the server-wide configuration ({@code ORCH_CLAUDE_EXECUTABLE} or
   * {@code claude} on {@code PATH}), SPEC §12.1.
   *
   * @return {@code available} with the CLI version, or {@code unavailable} naming what is wrong
   */
  @Override
  public ProbeResult probe(Duration timeout) {
    ClaudeConfig config;
    try {
      config = ClaudeConfig.read(null, context.environment());
    } catch (OrchException e) {
      return ProbeResult.unavailable(null, e.getMessage());
    }
    return CliProbe.versionWithServerPath(config.executable(), context.environment(), config.env(), timeout,
        context.threadFactory());
  }

  /** @return the number of idle session processes kept alive (for tests and diagnostics) */
  public int idleProcesses() {
    return pool.size();
  }

  /**
   * Cancels live runs ({@code shutdown}; detached runs are no longer live), closes idle session processes and stops
   * the timer thread.
   */
  @Override
  public void close() {
    List<Thread> stops = new ArrayList<>();
    for (ClaudeRun run : List.copyOf(active)) {
      Thread t = context.threadFactory().newThread(() -> run.cancel("shutdown"));
      t.start();
      stops.add(t);
    }
    for (Thread t : stops) {
      try {
        t.join(15_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    pool.close();
    scheduler.shutdownNow();
  }

  private boolean runningAsRoot() {
    Boolean root = runningAsRoot;
    if (root == null) {
      root = isRoot();
      runningAsRoot = root;
    }
    return root;
  }

  private static boolean isRoot() {
    try {
      return new com.sun.security.auth.module.UnixSystem().getUid() == 0;
    } catch (LinkageError | RuntimeException e) {
      return false;
    }
  }
}
