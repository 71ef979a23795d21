package dev.orch.core.internal;

import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.OrchException;
import dev.orch.core.spi.EventArtifacts;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.OutputBatch;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Makes staged events durable in batches and publishes them (issue 8 item 1; SPEC §3 persist before publish).
 * One commit task runs at a time per run, on a shared executor: it drains the run's {@link RunJournal}, writes the
 * batch's artifacts (made durable together, {@link RunStore#writeArtifacts(RunRecord, List)}) and then its lines
 * with one force ({@link dev.orch.core.spi.EventLog#append}), replaces run.json
 * when the status changed (before publishing, so memory and disk agree on the status), and only then publishes the
 * new record and events to readers. While one batch is being forced the next accumulates, so under load the cost
 * of a force is shared by many events and the latency stays about one force (≈ 1–2 ms on this class of disk).
 *
 * <p>run.json is otherwise coalesced: replaced at most every {@value #SAVE_INTERVAL_MS} ms for events that do not
 * change the status; events.jsonl stays the source of truth. No disk I/O happens under the readers' lock.
 *
 * <p>A store failure hands the run to {@link Listener#faulted}; a terminal event whose run.json cannot be replaced
 * still ends the run (it is durable in the log); run.json is then retried in the background
 * ({@link Listener#terminalNotSaved}) and repaired from the log by any later reader.
 */
final class GroupCommit {
  private static final Logger LOG = LoggerFactory.getLogger(GroupCommit.class);
  /** Most entries committed in one batch. */
  static final int MAX_BATCH = 4096;
  /** Coalescing interval of run.json replacements for events that do not change the status, ms. */
  static final long SAVE_INTERVAL_MS = 200;

  /** What the engine does when a run ends or its store fails. */
  interface Listener {
    /** The run's terminal event is durable and published (called once, on the committing thread). */
    void terminal(LiveRun run);

    /**
     * The store refused a write for the run (called at most once per failure source; the handler must be
     * idempotent).
     *
     * @param cause the failure
     * @param lost entries that were not made durable, oldest first
     */
    void faulted(LiveRun run, RuntimeException cause, List<RunJournal.Entry> lost);

    /**
     * The run's terminal event is durable and published but its run.json could not be replaced: the handler keeps
     * trying in the background, so that run.json agrees with the log as soon as the store accepts writes again
     * (called after {@link #terminal}, on the committing thread; must not block).
     *
     * @param record the terminal record to write
     * @param cause the failure of the first attempt
     */
    void terminalNotSaved(LiveRun run, RunRecord record, RuntimeException cause);
  }

  private final RunStore store;
  private final Executor executor;
  private final ScheduledExecutorService timer;
  private volatile Listener listener;
  private volatile Runnable statusObserver = () -> { };
  private volatile RunObservers observers;

  GroupCommit(RunStore store, Executor executor, ScheduledExecutorService timer) {
    this.store = store;
    this.executor = executor;
    this.timer = timer;
  }

  void listener(Listener l) {
    this.listener = l;
  }

  /** Sets what is told, after each publish that changed a run's status (e.g. waiters of wait_runs). */
  void statusObserver(Runnable observer) {
    this.statusObserver = observer;
  }

  /** Sets who hears of published changes (run listeners, SPEC §12.9). */
  void observers(RunObservers o) {
    this.observers = o;
  }

  /**
   * Starts the commit of what the caller staged (the caller set {@code journal.committing}): on a thread that
   * delivers an agent's output batch it is deferred to the batch's end and then runs on that thread when the agent is
   * quiet and nothing ends the run ({@link OutputBatch}; one thread hand-off fewer), else a commit task is scheduled.
   */
  void start(LiveRun run) {
    if (OutputBatch.defer(here -> endOfBatch(run, here))) {
      // flagged after registering: the batch's end, on this very thread, comes later
      synchronized (run.journal) {
        run.journal.deferred = true;
      }
    } else {
      schedule(run);
    }
  }

  private void endOfBatch(LiveRun run, boolean here) {
    RunJournal j = run.journal;
    boolean inline;
    synchronized (j) {
      if (!j.claimDeferred()) {
        return; // handed to a commit task already
      }
      inline = here && !j.closed;
    }
    if (inline) {
      drain(run);
    } else {
      schedule(run);
    }
  }

  /**
   * Commits what was staged for the run so far now, even when its commit was deferred to the end of the output batch
   * of the calling (or another) thread, and waits until it is published: durable in the run's log.
   *
   * @param timeoutMs longest wait, ms
   * @throws OrchException STORE when it is not published within the timeout, or the store refused it
   */
  void commitNow(LiveRun run, long timeoutMs) {
    RunJournal j = run.journal;
    boolean claimed;
    synchronized (j) {
      claimed = j.claimDeferred();
    }
    if (claimed) {
      schedule(run);
    }
    if (!j.awaitCommitted(timeoutMs)) {
      throw new OrchException(OrchException.ErrorCode.STORE, "the events of run " + run.runId
          + " could not be made durable" + (j.faulted ? " (the store refused them)" : " within " + timeoutMs + " ms"));
    }
  }

  /** Schedules a commit task for the run (the caller set {@code journal.committing}). */
  void schedule(LiveRun run) {
    try {
      executor.execute(() -> drain(run));
    } catch (RejectedExecutionException e) {
      // the engine is closed: what a backend reports after that is dropped
      synchronized (run.journal) {
        run.journal.committing = false;
        run.journal.notifyAll();
      }
      LOG.debug("run {}: engine closed, not committing late events", run.runId);
    }
  }

  private void drain(LiveRun run) {
    RunJournal j = run.journal;
    while (true) {
      List<RunJournal.Entry> batch;
      RuntimeException fault;
      synchronized (j) {
        fault = j.pendingFault;
        j.pendingFault = null;
        if (fault == null && (j.queue.isEmpty() || j.faulted)) {
          j.committing = false;
          j.notifyAll();
          return;
        }
        batch = fault == null ? j.drain(MAX_BATCH) : List.of();
      }
      if (fault != null) {
        synchronized (j) {
          j.committing = false;
        }
        listener.faulted(run, fault, List.of());
        return;
      }
      try {
        commit(run, batch);
      } catch (RuntimeException e) {
        synchronized (j) {
          j.committing = false;
        }
        listener.faulted(run, e, batch);
        return;
      }
    }
  }

  private void commit(LiveRun run, List<RunJournal.Entry> batch) {
    RunJournal j = run.journal;
    RunRecord before = run.record();
    List<LogEntry> entries = new ArrayList<>(batch.size());
    List<NormalizedEvent> events = new ArrayList<>(batch.size());
    List<EventArtifacts> artifacts = new ArrayList<>();
    boolean saveNow = false;
    for (RunJournal.Entry e : batch) {
      if (e instanceof RunJournal.Staged s) {
        if (!s.artifacts().isEmpty()) {
          artifacts.add(new EventArtifacts(s.event().seq(), s.event().type().wire(), s.artifacts()));
        }
        entries.add(new LogEntry(s.event(), s.position()));
        events.add(s.event());
        saveNow |= s.event().type() == EventType.RUN_STARTED;
      } else {
        saveNow = true;
      }
    }
    if (!artifacts.isEmpty()) {
      store.writeArtifacts(before, artifacts); // durable before the lines that point to them
    }
    if (!entries.isEmpty()) {
      if (j.log == null) {
        j.log = store.openEventLog(before);
      }
      j.log.append(entries);
    }
    RunRecord after = RecordUpdates.apply(before, batch);
    boolean terminal = after.status().isTerminal();
    saveNow |= after.status() != before.status();
    RuntimeException saveFailure = null;
    if (saveNow) {
      try {
        save(run, after, run.version() + 1);
      } catch (RuntimeException e) {
        saveFailure = e;
      }
    }
    run.publish(after, events);
    RunObservers o = observers;
    if (o != null) {
      o.published(before, after, events);
    }
    synchronized (j) {
      j.publishedSeq = after.lastSeq();
      j.endPublished = terminal;
      j.notifyAll();
    }
    if (after.status() != before.status()) {
      statusObserver.run();
    }
    if (saveFailure != null && !terminal) {
      throw saveFailure;
    }
    if (terminal) {
      listener.terminal(run);
      if (saveFailure != null) {
        listener.terminalNotSaved(run, after, saveFailure);
      }
    } else if (!saveNow) {
      saveSoon(run);
    }
  }

  /**
   * Replaces run.json with {@code record} unless a newer version was written already.
   *
   * @param version the version {@code record} has (or is about to have) when published
   */
  void save(LiveRun run, RunRecord record, long version) {
    synchronized (run.saveLock) {
      if (version <= run.savedVersion) {
        return;
      }
      store.saveRun(record);
      run.savedVersion = version;
      run.lastSaveNanos = System.nanoTime();
    }
  }

  private void saveSoon(LiveRun run) {
    long delay;
    synchronized (run.saveLock) {
      long sinceMs = (System.nanoTime() - run.lastSaveNanos) / 1_000_000;
      if (run.flushScheduled) {
        return;
      }
      delay = Math.max(0, SAVE_INTERVAL_MS - sinceMs);
      run.flushScheduled = true;
    }
    if (delay == 0) {
      flush(run);
    } else {
      timer.schedule(() -> flush(run), delay, TimeUnit.MILLISECONDS);
    }
  }

  private void flush(LiveRun run) {
    synchronized (run.saveLock) {
      run.flushScheduled = false;
    }
    RunRecord r;
    long version;
    synchronized (run.lock) {
      r = run.record();
      version = run.version();
    }
    if (r.status().isTerminal()) {
      return;
    }
    try {
      save(run, r, version);
    } catch (RuntimeException e) {
      fail(run, e);
    }
  }

  /**
   * Reports a store failure seen outside the committing thread (a coalesced run.json save, recording a child
   * process, binding the session). It is handled on the committing thread, so that it never races a batch being
   * appended.
   */
  void fail(LiveRun run, RuntimeException e) {
    boolean schedule;
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.faulted) {
        return;
      }
      j.pendingFault = e;
      schedule = !j.committing;
      j.committing = true;
    }
    if (schedule) {
      schedule(run);
    }
  }
}
