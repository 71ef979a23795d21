package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.Usage;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.UsageReport;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the engine itself ends or stops, each written once for every backend: a run over a limit (SPEC §12.3) is
 * stopped like a cancel and ends {@code run_failed {code:"limit_exceeded"}}; a run whose dependency did not complete
 * ends {@code cancelled} with {@code reason:"dependency_failed"} (§12.5); a run whose store failed has its agent
 * stopped (issue 9 item 2). Usage reports are normalized and priced here and checked against the limits (§12.4).
 */
final class Interventions {
  private static final Logger LOG = LoggerFactory.getLogger(Interventions.class);

  private final EventPipeline pipeline;
  private final Pricing pricing;
  private final LimitGuard limits;

  Interventions(EventPipeline pipeline, Pricing pricing, LimitGuard limits) {
    this.pipeline = pipeline;
    this.pricing = pricing;
    this.limits = limits;
  }

  /** A backend reported usage: normalize and price it, keep it on the run, enforce the usage limits. */
  void usage(LiveRun run, UsageReport report) {
    Usage u = pricing.price(report);
    pipeline.change(run, r -> r.withUsage(u));
    synchronized (run.journal) {
      if (run.journal.cancelRequested) {
        return; // already stopping (cancel, shutdown, another limit): the usage is kept, no second stop
      }
    }
    LimitGuard.Breach b = limits.check(run, u, report);
    if (b != null) {
      limitExceeded(run, b, report.last());
    }
  }

  /**
   * A run went over a limit. When {@code last}, the backend's terminal event follows and becomes the failure
   * (keeping its result, see {@link EventPipeline}); otherwise the run is stopped like a cancel (on its own thread)
   * and the failure recorded.
   */
  void limitExceeded(LiveRun run, LimitGuard.Breach breach, boolean last) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed || j.limitBreach != null) {
        return;
      }
      j.limitBreach = breach;
      if (last) {
        return;
      }
      j.cancelRequested = true;
      j.cancelReason = "limit_exceeded";
    }
    LOG.info("run {}: {}; stopping it", run.runId, breach.message());
    Thread t = new Thread(() -> {
      stop(run, "limit_exceeded");
      pipeline.accept(run, breach.failure(null), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
    }, "orch-limit-" + run.runId);
    t.setDaemon(true);
    t.start();
  }

  /** A dependency ended otherwise than completed (or vanished): the waiting run ends cancelled. */
  void dependencyFailed(LiveRun run, RunId dependency, RunStatus status) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed) {
        return;
      }
      j.cancelRequested = true;
      j.cancelReason = "dependency_failed";
    }
    String seen = status == null ? "missing" : status.wire();
    LOG.info("run {} cancelled: its dependency {} ended {}", run.runId, dependency, seen);
    pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED, RunEvent.details("reason",
        "dependency_failed", "dependency", dependency.value(), "dependency_status", seen)),
        EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
  }

  /** Stops a run's agent after a store fault: the backend's cancel, then whatever processes are left. */
  static void stopAgent(LiveRun run) {
    stop(run, "store_fault");
  }

  private static void stop(LiveRun run, String reason) {
    RunHandle handle = run.handle;
    if (handle != null) {
      Shutdown.safeCancel(handle, reason);
    }
    Shutdown.killLeftovers(run, Duration.ofSeconds(2));
  }
}
