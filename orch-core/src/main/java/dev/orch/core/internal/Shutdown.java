package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.CliProcess;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stopping runs: the bounded shutdown of every live run (SPEC §10: cancel, kill children, record
 * {@code status_changed {status:"cancelled", reason:"shutdown"}}, all within about one second), and the helpers a
 * user cancel shares with it.
 */
final class Shutdown {
  private static final Logger LOG = LoggerFactory.getLogger(Shutdown.class);

  /** Time allowed after the cancel bound for the shutdown events to become durable, ms. */
  static final long COMMIT_SLACK_MS = 200;

  private Shutdown() {
  }

  /**
   * Cancels every non-terminal run in parallel, waits at most {@code bound} for the backends, kills leftover
   * process trees, and records the shutdown cancel.
   */
  static void cancelAll(List<LiveRun> runs, EventPipeline pipeline, Duration bound) {
    List<Thread> cancels = new ArrayList<>();
    List<LiveRun> ending = new ArrayList<>();
    for (LiveRun run : runs) {
      RunJournal j = run.journal;
      synchronized (j) {
        if (j.closed) {
          continue;
        }
        j.cancelRequested = true;
        j.cancelReason = "shutdown";
      }
      ending.add(run);
      RunHandle handle = run.handle;
      Thread t = new Thread(() -> {
        if (handle != null) {
          safeCancel(handle, "shutdown");
        }
      }, "orch-shutdown-" + run.runId);
      t.setDaemon(true);
      t.start();
      cancels.add(t);
    }
    long deadline = System.nanoTime() + bound.toNanos();
    for (Thread t : cancels) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
      if (left > 0) {
        try {
          t.join(left);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
    }
    for (LiveRun run : ending) {
      killLeftovers(run, Duration.ofMillis(100));
      try {
        pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED,
            RunEvent.details("reason", "shutdown")), EventPipeline.Origin.ENGINE, LogEntry.NO_POSITION);
      } catch (RuntimeException e) {
        LOG.warn("could not record shutdown of run {}", run.runId, e);
      }
    }
    for (LiveRun run : ending) {
      long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + COMMIT_SLACK_MS;
      run.journal.awaitPublished(0, Math.max(1, left));
    }
  }

  /** Calls the backend's cancel; a failing backend is logged, never propagated. */
  static void safeCancel(RunHandle handle, String reason) {
    try {
      handle.cancel(reason);
    } catch (RuntimeException e) {
      LOG.warn("backend cancel failed", e);
    }
  }

  /** Kills the process trees the run's backend recorded that are still alive. */
  static void killLeftovers(LiveRun run, Duration grace) {
    for (ProcessHandle p : run.processes) {
      if (p.isAlive()) {
        LOG.info("killing leftover process tree {} of run {}", p.pid(), run.runId);
        CliProcess.destroyTree(p, grace);
      }
    }
  }

  /** Kills the process trees recorded for a run (e.g. by an earlier Orch process) that still run. */
  static void killRecorded(dev.orch.core.spi.RunStore store, dev.orch.core.spi.RunRecord run) {
    try {
      for (dev.orch.core.spi.ProcessRef p : store.recordedProcesses(run)) {
        p.live().ifPresent(h -> CliProcess.destroyTree(h, Duration.ofMillis(500)));
      }
    } catch (RuntimeException e) {
      LOG.warn("run {}: could not read its recorded processes: {}", run.runId(), e.getMessage());
    }
  }
}
