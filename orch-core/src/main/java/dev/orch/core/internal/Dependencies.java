package dev.orch.core.internal;

import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs waiting for other runs (SPEC §12.5 {@code depends_on}): a run heading its session line waits here until
 * every run it depends on is {@code completed}; if one ends otherwise (failed, cancelled, rejected, or it vanished)
 * the waiting run is cancelled with {@code reason:"dependency_failed"}. Ends of runs of this process arrive through
 * {@link #ended}; runs owned by other processes are re-checked every {@value #RECHECK_MS} ms while anything waits.
 * Thread-safe; callbacks run outside the lock.
 */
final class Dependencies {
  private static final Logger LOG = LoggerFactory.getLogger(Dependencies.class);
  /** Re-check interval for dependencies owned by other processes, ms. */
  static final long RECHECK_MS = 250;

  /** What happens to a waiting run. */
  interface Outcome {
    /** Every dependency completed: the run may be scheduled. */
    void satisfied(LiveRun run);

    /**
     * A dependency ended otherwise (or is gone): the run must be cancelled.
     *
     * @param status its status, or null when it no longer exists
     */
    void failed(LiveRun run, RunId dependency, RunStatus status);
  }

  private final Function<RunId, Optional<RunStatus>> statusOf;
  private final ScheduledExecutorService timer;
  private final Outcome outcome;
  private final Map<LiveRun, Set<RunId>> pending = new HashMap<>();
  private ScheduledFuture<?> recheck;

  /**
   * @param statusOf the current status of any run (this process first, then the store), empty when unknown
   * @param timer runs the re-checks
   * @param outcome where results go
   */
  Dependencies(Function<RunId, Optional<RunStatus>> statusOf, ScheduledExecutorService timer, Outcome outcome) {
    this.statusOf = statusOf;
    this.timer = timer;
    this.outcome = outcome;
  }

  /** Starts waiting for the run's dependencies (or reports the outcome at once). */
  void await(LiveRun run, List<RunId> dependsOn) {
    Set<RunId> open = new LinkedHashSet<>();
    for (RunId id : dependsOn) {
      Optional<RunStatus> s = statusOf.apply(id);
      if (s.isPresent() && s.get() == RunStatus.COMPLETED) {
        continue;
      }
      if (s.isEmpty() || s.get().isTerminal()) {
        outcome.failed(run, id, s.orElse(null));
        return;
      }
      open.add(id);
    }
    if (open.isEmpty()) {
      outcome.satisfied(run);
      return;
    }
    run.queueSummary = "Waiting for " + open.size() + " run(s)";
    synchronized (this) {
      pending.put(run, open);
      if (recheck == null) {
        recheck = timer.scheduleWithFixedDelay(this::recheck, RECHECK_MS, RECHECK_MS, TimeUnit.MILLISECONDS);
      }
    }
  }

  /** A run ended (any run of this process): settles the runs waiting for it. */
  void ended(RunId id, RunStatus status) {
    settle(id, Optional.of(status));
  }

  /** Stops tracking a run (it ended while waiting). */
  synchronized void forget(LiveRun run) {
    pending.remove(run);
  }

  /** @return how many runs wait for dependencies */
  synchronized int waiting() {
    return pending.size();
  }

  private void recheck() {
    Set<RunId> ids = new LinkedHashSet<>();
    synchronized (this) {
      if (pending.isEmpty()) {
        recheck.cancel(false);
        recheck = null;
        return;
      }
      pending.values().forEach(ids::addAll);
    }
    for (RunId id : ids) {
      try {
        Optional<RunStatus> s = statusOf.apply(id);
        if (s.isEmpty() || s.get().isTerminal()) {
          settle(id, s);
        }
      } catch (RuntimeException e) {
        LOG.debug("cannot read the status of dependency {}: {}", id, e.toString());
      }
    }
  }

  private void settle(RunId id, Optional<RunStatus> status) {
    Map<LiveRun, Boolean> settled = new HashMap<>();
    synchronized (this) {
      Iterator<Map.Entry<LiveRun, Set<RunId>>> it = pending.entrySet().iterator();
      while (it.hasNext()) {
        Map.Entry<LiveRun, Set<RunId>> e = it.next();
        if (!e.getValue().contains(id)) {
          continue;
        }
        if (status.isPresent() && status.get() == RunStatus.COMPLETED) {
          e.getValue().remove(id);
          if (e.getValue().isEmpty()) {
            it.remove();
            settled.put(e.getKey(), true);
          } else {
            e.getKey().queueSummary = "Waiting for " + e.getValue().size() + " run(s)";
          }
        } else {
          it.remove();
          settled.put(e.getKey(), false);
        }
      }
    }
    settled.forEach((run, ok) -> {
      if (ok) {
        outcome.satisfied(run);
      } else {
        outcome.failed(run, id, status.orElse(null));
      }
    });
  }
}
