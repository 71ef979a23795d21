package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.LogEntry;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a run cleanly when its store refuses a write (issue 9 item 2: disk full, read-only directory, removed event
 * log): the run ends at once in memory — with the terminal event that was waiting (a cancel stays a cancel, a
 * completion a completion, a cancel requested before the failure a cancel) or else {@code run_failed {message:"store write failed: <reason>", reason:"store_fault"}}
 * — readers see it, the agent is stopped, and the session line moves on. The same event is then written to disk in
 * the background, retried with backoff (0.25 s doubling to 10 s) while this process lives; once it is on disk the
 * lease and the active-run marker are released. Until then the lease keeps other processes from recording a
 * different end; if this process dies first, the next one reconciles the run (one terminal event on disk, ever).
 * A terminal event that is durable while its run.json could not be replaced ({@link #terminalNotSaved}) gets the
 * same background retries for run.json alone.
 */
final class StoreFaults implements GroupCommit.Listener {
  private static final Logger LOG = LoggerFactory.getLogger(StoreFaults.class);
  private static final long MAX_BACKOFF_MS = 10_000;

  private final RunStore store;
  private final EventPipeline pipeline;
  private final ScheduledExecutorService timer;
  private final Consumer<LiveRun> onTerminal;
  private final Consumer<LiveRun> stopAgent;
  private final Consumer<LiveRun> releaseLine;
  private final Consumer<LiveRun> persisted;
  private volatile RunObservers observers;

  /**
   * @param onTerminal the engine's normal end of a run (lease, marker, line)
   * @param stopAgent stops the run's backend and kills its processes (may block; called on its own thread)
   * @param releaseLine lets the next run of the session start
   * @param persisted called once the fault's terminal event is on disk: releases lease and marker, forgets the run
   */
  StoreFaults(RunStore store, EventPipeline pipeline, ScheduledExecutorService timer, Consumer<LiveRun> onTerminal,
      Consumer<LiveRun> stopAgent, Consumer<LiveRun> releaseLine, Consumer<LiveRun> persisted) {
    this.store = store;
    this.pipeline = pipeline;
    this.timer = timer;
    this.onTerminal = onTerminal;
    this.stopAgent = stopAgent;
    this.releaseLine = releaseLine;
    this.persisted = persisted;
  }

  /** Sets who hears of published changes (run listeners, SPEC §12.9). */
  void observers(RunObservers o) {
    this.observers = o;
  }

  @Override
  public void terminal(LiveRun run) {
    onTerminal.accept(run);
  }

  @Override
  public void terminalNotSaved(LiveRun run, RunRecord record, RuntimeException cause) {
    // the log holds the outcome (a reader repairs run.json from it too); lease and marker were released already
    retry(0, cause, run, () -> finishTerminal(run, record, 1));
  }

  @Override
  public void faulted(LiveRun run, RuntimeException cause, List<RunJournal.Entry> lost) {
    RunJournal j = run.journal;
    RunEvent pending = null;
    String cancelReason;
    synchronized (j) {
      if (j.faulted) {
        return;
      }
      j.faulted = true;
      j.closed = true;
      List<RunJournal.Entry> all = new ArrayList<>(lost);
      all.addAll(j.queue);
      j.queue.clear();
      for (RunJournal.Entry e : all) {
        if (e instanceof RunJournal.Staged s && StateMachine.isTerminating(s.source())) {
          pending = s.source();
        }
      }
      cancelReason = j.cancelRequested ? j.cancelReason : null;
      j.notifyAll();
    }
    String reason = describe(cause);
    LOG.error("run {}: the store refused a write ({}); ending the run", run.runId, reason, cause);
    RunRecord before = run.record();
    RunEvent end;
    if (pending != null) {
      end = pending;
    } else if (cancelReason != null) {
      // the cancel was asked for before the store failed: it stays a cancel (cancel_run always works)
      end = new RunEvent.StatusChanged(RunStatus.CANCELLED, RunEvent.details("reason", cancelReason,
          "store_error", "store write failed: " + reason));
    } else {
      end = new RunEvent.RunFailed("store write failed: " + reason, RunEvent.details("reason", "store_fault"));
    }
    RunJournal.Staged ev = pipeline.prepare(run, before.lastSeq() + 1, end);
    if (before.status().isTerminal()) {
      // the terminal event is durable; only a later write (coalesced run.json) failed
      synchronized (j) {
        j.endPublished = true;
        j.notifyAll();
      }
      finishTerminal(run, before, 0);
      return;
    }
    RunRecord after = RecordUpdates.apply(before, ev);
    run.publish(after, List.of(ev.event()));
    RunObservers o = observers;
    if (o != null) {
      o.published(before, after, List.of(ev.event()));
    }
    synchronized (j) {
      j.publishedSeq = ev.event().seq();
      j.endPublished = true;
      j.notifyAll();
    }
    if (pending == null && cancelReason == null) {
      Thread t = new Thread(() -> stopAgent.accept(run), "orch-store-fault-" + run.runId);
      t.setDaemon(true);
      t.start();
    }
    releaseLine.accept(run);
    timer.execute(() -> persist(run, ev, 0));
  }

  /** Writes the in-memory terminal event and run.json; retries with backoff until it works. */
  private void persist(LiveRun run, RunJournal.Staged ev, int attempt) {
    RunJournal j = run.journal;
    try {
      if (j.log != null) {
        j.log.close();
        j.log = null;
      }
      RunRecord r = run.record();
      if (!ev.artifacts().isEmpty()) {
        store.writeArtifacts(r, ev.event().seq(), ev.event().type().wire(), ev.artifacts());
      }
      try (EventLog log = store.openEventLog(r)) {
        if (log.lastSeq() < ev.event().seq()) {
          log.append(List.of(new LogEntry(ev.event(), LogEntry.NO_POSITION)));
        }
      }
      store.saveRun(r);
      LOG.info("run {}: its {} end is on disk now", run.runId, r.status().wire());
      persisted.accept(run);
    } catch (RuntimeException e) {
      retry(attempt, e, run, () -> persist(run, ev, attempt + 1));
    }
  }

  /** run.json of an already terminal run could not be written: retry it; lease and marker go at once. */
  private void finishTerminal(LiveRun run, RunRecord r, int attempt) {
    try {
      store.saveRun(r);
      if (attempt > 0) {
        LOG.info("run {}: its run.json says {} now", run.runId, r.status().wire());
      }
    } catch (RuntimeException e) {
      retry(attempt, e, run, () -> finishTerminal(run, r, attempt + 1));
    }
  }

  private void retry(int attempt, RuntimeException e, LiveRun run, Runnable again) {
    long delay = Math.min(MAX_BACKOFF_MS, 250L << Math.min(attempt, 6));
    if (attempt == 0 || delay == MAX_BACKOFF_MS && attempt % 30 == 0) {
      LOG.warn("run {}: cannot write its end to the store yet ({}); retrying every {} ms at most", run.runId,
          describe(e), MAX_BACKOFF_MS);
    }
    try {
      timer.schedule(again, delay, TimeUnit.MILLISECONDS);
    } catch (java.util.concurrent.RejectedExecutionException closed) {
      LOG.warn("run {}: Orch stops before its end reached the store; the next Orch process reconciles it", run.runId);
    }
  }

  /**
   * @return a short, path-free reason for a store failure, e.g. {@code No space left on device (events.jsonl)},
   *     {@code permission denied (run.json)}, {@code the event log was removed while the run was live}
   */
  static String describe(Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof FileSystemException fse) {
        String file = fse.getFile() == null ? null : fileName(fse.getFile());
        String why = fse.getReason();
        if (why == null) {
          why = fse instanceof NoSuchFileException ? "file not found"
              : fse instanceof AccessDeniedException ? "permission denied" : "file system error";
        }
        return file == null ? why : why + " (" + file + ")";
      }
      if (t instanceof IOException io && io.getMessage() != null) {
        return io.getMessage();
      }
    }
    String m = cause.getMessage();
    return m == null ? "unknown store error" : m;
  }

  private static String fileName(String path) {
    try {
      Path p = Path.of(path).getFileName();
      return p == null ? path : p.toString();
    } catch (RuntimeException e) {
      return "a store file";
    }
  }
}
