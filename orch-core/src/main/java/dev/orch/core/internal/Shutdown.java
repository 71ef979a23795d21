package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.CliProcess;
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

  private Shutdown() {
  }

  /**
   * Cancels every non-terminal run in parallel, waits at most {@code bound} for the backends, kills leftover
   * process trees, and records the shutdown cancel.
   */
  static void cancelAll(List<LiveRun> runs, EventPipeline pipeline, Duration bound) {
    List<Thread> cancels = new ArrayList<>();
    for (LiveRun run : runs) {
      RunHandle handle;
      synchronized (run.lock) {
        if (run.record().status().isTerminal()) {
          continue;
        }
        run.cancelRequested = true;
        run.cancelReason = "shutdown";
        handle = run.handle;
      }
      Thread t = new Thread(() -> {
        if (handle != null) {
          safeCancel(handle, "shutdown");
        }
      }, "orch-shutdown-" + run.record().runId());
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
    for (LiveRun run : runs) {
      killLeftovers(run, Duration.ofMillis(100));
      try {
        pipeline.accept(run, new RunEvent.StatusChanged(RunStatus.CANCELLED,
            RunEvent.details("reason", "shutdown")), true);
      } catch (RuntimeException e) {
        LOG.warn("could not record shutdown of run {}", run.record().runId(), e);
      }
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
        LOG.info("killing leftover process tree {} of run {}", p.pid(), run.record().runId());
        CliProcess.destroyTree(p, grace);
      }
    }
  }
}
