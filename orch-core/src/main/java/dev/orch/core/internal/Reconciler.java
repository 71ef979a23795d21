package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.CliProcess;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.ProcessRef;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Reconciles runs left active by a dead Orch process (SPEC §10, §11.9): when no process holds a non-terminal
 * run's lease, its recorded child processes are killed (process tree, PID reuse checked by start time) and the
 * run gets one terminal {@code run_failed} event saying why, so it is never reported {@code running} forever.
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);
  private final RunStore store;
  private final Clock clock;

  Reconciler(RunStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Saves run.json; a failure is logged (the log holds the truth and the next read repairs run.json again). */
  private void saveQuietly(RunRecord r) {
    try {
      store.saveRun(r);
    } catch (RuntimeException e) {
      LOG.warn("run {}: run.json could not be repaired now: {}", r.runId(), StoreFaults.describe(e));
    }
  }

  private void endQuietly(RunRecord r) {
    try {
      store.runEnded(r);
    } catch (RuntimeException e) {
      LOG.warn("run {}: its active-run marker could not be dropped: {}", r.runId(), StoreFaults.describe(e));
    }
  }

  /** Reconciles every orphan the store knows of. @return how many runs were reconciled */
  int reconcileAll() {
    int n = 0;
    for (RunRecord r : store.orphanedRuns()) {
      RunRecord after = reconcileIfOrphaned(r);
      if (after != r) {
        n++;
      }
    }
    return n;
  }

  /**
   * @param run a run read from the store
   * @return the run, reconciled (status failed) when it was non-terminal and no live process owns it
   */
  @SuppressWarnings("try") // the lease is held (not used) for the whole reconcile: it keeps other processes out
  RunRecord reconcileIfOrphaned(RunRecord run) {
    if (run.status().isTerminal()) {
      return run;
    }
    Optional<RunLease> lease = store.tryLease(run);
    if (lease.isEmpty()) {
      return run;
    }
    try (RunLease held = lease.get()) {
      Optional<RunRecord> fresh = store.findRun(run.runId());
      RunRecord current = fresh.orElse(run);
      if (current.status().isTerminal()) {
        return current;
      }
      int killed = 0;
      for (ProcessRef p : store.recordedProcesses(current)) {
        Optional<ProcessHandle> h = p.live();
        if (h.isPresent()) {
          CliProcess.destroyTree(h.get(), Duration.ofMillis(500));
          killed++;
        }
      }
      RunRecord failed;
      try (EventLog log = store.openEventLog(current)) {
        long last = log.lastSeq();
        Optional<RunJournal.Staged> end = last < 1 ? Optional.empty()
            : store.readEvents(current, last - 1, 1).stream().findFirst().flatMap(StoredEvents::terminal);
        if (end.isPresent()) {
          // the log already holds the run's end (run.json lagged behind it): repair run.json, add nothing
          RunRecord repaired = RecordUpdates.apply(current, end.get());
          saveQuietly(repaired);
          endQuietly(repaired);
          LOG.info("run {}: run.json repaired from its event log ({})", run.runId(), repaired.status().wire());
          return repaired;
        }
        String message = "Orch process that owned this run ended while the run was " + current.status().wire()
            + "; marked failed when a new Orch process started"
            + (killed > 0 ? " (" + killed + " leftover agent process(es) killed)" : "");
        Instant now = Timestamps.now(clock);
        long seq = Math.max(last, current.lastSeq()) + 1;
        ObjectNode data = dev.orch.core.RunEvent.noDetails();
        data.put("message", message);
        data.put("reason", "orphaned");
        NormalizedEvent ev = new NormalizedEvent(seq, now, current.runId(), current.sessionId(), current.backend(),
            EventType.RUN_FAILED, data);
        log.append(ev);
        failed = RecordUpdates.apply(current, StoredEvents.staged(ev));
      }
      saveQuietly(failed);
      endQuietly(failed);
      LOG.warn("reconciled run {}: {}", run.runId(), failed.error());
      return failed;
    } catch (RuntimeException e) {
      LOG.warn("could not reconcile run {}", run.runId(), e);
      return run;
    }
  }
}
