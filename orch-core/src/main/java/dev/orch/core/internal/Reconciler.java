package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunEvent;
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
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Settles runs left active by a dead Orch process (SPEC §10, §12.8, §11.9). When no process holds a non-terminal
 * run's lease:
 * <ol>
 *   <li>if its event log already ends with a terminal event (run.json lagged behind), run.json is repaired from the
 *       log and nothing is added — one terminal event per run, ever;</li>
 *   <li>else, if the backend recorded how to re-attach, or the run is still queued (never started), the run is
 *       handed to the {@link Adopter} (the engine takes it over or queues it again, SPEC §12.5, §12.8); an engine
 *       that does not adopt (a CLI reading the store) leaves a run whose agent still lives alone;</li>
 *   <li>else its recorded child processes are killed (process tree, PID reuse checked by start time) and the run
 *       gets one {@code run_failed {reason:"host_lost"}} saying why, so it is never reported running forever.</li>
 * </ol>
 */
final class Reconciler {
  private static final Logger LOG = LoggerFactory.getLogger(Reconciler.class);

  /** Takes over an orphaned run that can be re-attached. */
  interface Adopter {
    /**
     * @param run the run as on disk, brought up to date with its log
     * @param attachment the backend's re-attachment record, or null for a queued run that never started (it is
     *     queued again: SPEC §12.5, a waiting state survives a restart)
     * @param lease the run's lease, now owned by the adopter (also when adoption fails: it must release it)
     * @param log the run's event log, open, now owned by the adopter
     * @return the run's record after adoption (live, or failed when the backend could not follow it)
     */
    RunRecord adopt(RunRecord run, ObjectNode attachment, RunLease lease, EventLog log);
  }

  private final RunStore store;
  private final Clock clock;
  private volatile Adopter adopter;

  Reconciler(RunStore store, Clock clock) {
    this.store = store;
    this.clock = clock;
  }

  /** Lets this engine take over re-attachable orphans (servers do; a CLI reading the store does not). */
  void adopter(Adopter a) {
    this.adopter = a;
  }

  /** Settles every orphan the store knows of. @return how many runs were settled or adopted */
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
   * @return the run, settled (repaired, adopted or failed) when it was non-terminal and no live process owns it
   */
  RunRecord reconcileIfOrphaned(RunRecord run) {
    if (run.status().isTerminal()) {
      return run;
    }
    Optional<RunLease> lease = store.tryLease(run);
    if (lease.isEmpty()) {
      return run;
    }
    RunLease held = lease.get();
    boolean handedOver = false;
    try {
      RunRecord current = store.findRun(run.runId()).orElse(run);
      if (current.status().isTerminal()) {
        return current;
      }
      EventLog log = store.openEventLog(current);
      try {
        RunRecord upToDate = catchUp(current, log.lastSeq());
        if (upToDate.status().isTerminal()) {
          // the log already holds the run's end (run.json lagged behind it): repair run.json, add nothing
          saveQuietly(upToDate);
          endQuietly(upToDate);
          LOG.info("run {}: run.json repaired from its event log ({})", run.runId(), upToDate.status().wire());
          return upToDate;
        }
        Optional<ObjectNode> attachment = store.readDocument(upToDate, "attach");
        Adopter a = adopter;
        if (a != null && (attachment.isPresent() || upToDate.status() == RunStatus.QUEUED)) {
          handedOver = true;
          return a.adopt(upToDate, attachment.orElse(null), held, log);
        }
        if (attachment.isPresent() && agentAlive(upToDate)) {
          LOG.debug("run {}: its agent outlived its Orch process; left for an Orch server to re-attach",
              run.runId());
          return upToDate;
        }
        RunRecord failed = failHostLost(upToDate, log);
        saveQuietly(failed);
        endQuietly(failed);
        LOG.warn("reconciled run {}: {}", run.runId(), failed.error());
        return failed;
      } finally {
        if (!handedOver) {
          log.close();
        }
      }
    } catch (RuntimeException e) {
      LOG.warn("could not reconcile run {}: {}", run.runId(), e.getMessage(), e);
      return run;
    } finally {
      if (!handedOver) {
        held.close();
      }
    }
  }

  /** @return the record with the events the log holds beyond its lastSeq applied (run.json is coalesced) */
  RunRecord catchUp(RunRecord r, long logLastSeq) {
    RunRecord out = r;
    long after = r.lastSeq();
    while (after < logLastSeq) {
      List<NormalizedEvent> events = store.readEvents(out, after, 1000);
      if (events.isEmpty()) {
        break;
      }
      for (NormalizedEvent e : events) {
        out = RecordUpdates.apply(out, StoredEvents.staged(e));
      }
      after = events.get(events.size() - 1).seq();
    }
    return out;
  }

  private boolean agentAlive(RunRecord r) {
    return store.recordedProcesses(r).stream().anyMatch(p -> p.live().isPresent());
  }

  /**
   * Kills the run's recorded processes that still live and records {@code run_failed {reason:"host_lost"}}.
   *
   * @param log the run's open log (this process holds the lease)
   * @return the failed record (not yet saved)
   */
  RunRecord failHostLost(RunRecord current, EventLog log) {
    int killed = 0;
    for (ProcessRef p : store.recordedProcesses(current)) {
      Optional<ProcessHandle> h = p.live();
      if (h.isPresent()) {
        CliProcess.destroyTree(h.get(), Duration.ofMillis(500));
        killed++;
      }
    }
    String message = "The Orch process that owned this run ended while the run was " + current.status().wire()
        + " and the run could not be re-attached; marked failed when a new Orch process started"
        + (killed > 0 ? " (" + killed + " leftover agent process(es) killed)" : "");
    Instant now = Timestamps.now(clock);
    long seq = Math.max(log.lastSeq(), current.lastSeq()) + 1;
    ObjectNode data = RunEvent.noDetails();
    data.put("message", message);
    data.put("reason", "host_lost");
    NormalizedEvent ev = new NormalizedEvent(seq, now, current.runId(), current.sessionId(), current.backend(),
        EventType.RUN_FAILED, data);
    log.append(ev);
    return RecordUpdates.apply(current, StoredEvents.staged(ev));
  }

  /** Saves run.json; a failure is logged (the log holds the truth and the next read repairs run.json again). */
  void saveQuietly(RunRecord r) {
    try {
      store.saveRun(r);
    } catch (RuntimeException e) {
      LOG.warn("run {}: run.json could not be repaired now: {}", r.runId(), StoreFaults.describe(e));
    }
  }

  void endQuietly(RunRecord r) {
    try {
      store.runEnded(r);
    } catch (RuntimeException e) {
      LOG.warn("run {}: its active-run marker could not be dropped: {}", r.runId(), StoreFaults.describe(e));
    }
  }
}
