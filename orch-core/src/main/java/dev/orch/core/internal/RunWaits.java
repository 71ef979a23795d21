package dev.orch.core.internal;

import dev.orch.core.OrchException;
import dev.orch.core.RunOutcome;
import dev.orch.core.RunRef;
import dev.orch.core.RunStatus;
import dev.orch.core.WaitListener;
import dev.orch.core.WaitMode;
import dev.orch.core.WaitResult;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.Subscription;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Joins several runs (SPEC §12.5 wait_runs): returns as soon as the wait mode's condition holds. Event-driven for
 * runs of this process: the engine calls {@link #changed} whenever a run's published status changes, which wakes
 * every waiter (one shared monitor with a generation counter, so no change is missed between a check and the wait).
 * Runs owned by another Orch process sharing the cwd are watched on disk: a change the store reports
 * ({@link RunStore#watchEventLog}) wakes the waiters at once, and besides the size of their event log is checked every
 * {@value #DISK_TICK_MS} ms; their run.json is re-read when the log grew (for a few ticks, as run.json follows the log)
 * and at least every {@value #DISK_STATUS_MS} ms. Thread-safe.
 */
final class RunWaits {
  /** Longest wait allowed, ms (the wait_ms limit). */
  static final long MAX_WAIT_MS = 30_000;
  /** Check interval for runs owned by another process, ms. */
  static final long DISK_TICK_MS = 10;
  /** Longest interval between two reads of such a run's run.json, ms. */
  static final long DISK_STATUS_MS = 250;
  /** Ticks during which run.json is re-read after its log grew. */
  private static final int HOT_TICKS = 5;

  private final RunResolver resolver;
  private final RunStore store;
  private final Object signal = new Object();
  private long generation;

  RunWaits(RunResolver resolver, RunStore store) {
    this.resolver = resolver;
    this.store = store;
  }

  /** A run's status changed in this process: wake the waiters. */
  void changed() {
    synchronized (signal) {
      generation++;
      signal.notifyAll();
    }
  }

  /** One waited run. */
  private static final class Watched {
    final LiveRun live;
    RunRecord record;
    long logVersion = -2;
    long lastRead = System.nanoTime();
    int hot;

    Watched(LiveRun live, RunRecord record) {
      this.live = live;
      this.record = record;
    }
  }

  /** @see dev.orch.core.Orchestrator#awaitRuns(List, WaitMode, Duration, WaitListener) */
  WaitResult await(List<RunRef> refs, WaitMode mode, Duration wait, WaitListener listener) {
    if (refs.isEmpty()) {
      throw OrchException.invalid("run_ids must name at least one run");
    }
    if (wait.isNegative() || wait.toMillis() > MAX_WAIT_MS) {
      throw OrchException.invalid("wait_ms must be between 0 and " + MAX_WAIT_MS);
    }
    List<Watched> watched = resolve(refs);
    List<Subscription> watches = new ArrayList<>();
    try {
      if (!wait.isZero()) {
        for (Watched w : watched) {
          if (w.live == null && !w.record.status().isTerminal()) {
            store.watchEventLog(w.record, this::changed).ifPresent(watches::add);
          }
        }
      }
      return await(watched, mode, System.nanoTime() + wait.toNanos(), listener);
    } finally {
      watches.forEach(Subscription::close);
    }
  }

  private WaitResult await(List<Watched> watched, WaitMode mode, long deadline, WaitListener listener) {
    while (true) {
      long seen;
      synchronized (signal) {
        seen = generation;
      }
      boolean disk = refresh(watched, listener);
      List<RunStatus> statuses = watched.stream().map(w -> w.record.status()).toList();
      if (mode.isDone(statuses)) {
        return result(true, watched);
      }
      long leftMs = (deadline - System.nanoTime()) / 1_000_000;
      if (leftMs <= 0) {
        return result(false, watched);
      }
      synchronized (signal) {
        if (generation == seen) {
          try {
            signal.wait(disk ? Math.min(leftMs, DISK_TICK_MS) : leftMs);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return result(mode.isDone(statuses), watched);
          }
        }
      }
    }
  }

  private List<Watched> resolve(List<RunRef> refs) {
    List<Watched> out = new ArrayList<>();
    List<String> unknown = new ArrayList<>();
    for (RunRef ref : refs) {
      try {
        RunResolver.Resolved res = resolver.resolve(ref);
        out.add(new Watched(res.live(), res.record()));
      } catch (OrchException e) {
        if (e.code() != OrchException.ErrorCode.NOT_FOUND) {
          throw e;
        }
        unknown.add(ref.runId() != null ? ref.runId() : ref.agentName());
      }
    }
    if (!unknown.isEmpty()) {
      throw OrchException.notFound((unknown.size() == 1 ? "Unknown run_id: " : "Unknown run_ids: ")
          + String.join(", ", unknown) + " (nothing was waited for)");
    }
    return out;
  }

  /** @return true when some run is watched on disk (the wait must then tick) */
  private boolean refresh(List<Watched> watched, WaitListener listener) {
    boolean disk = false;
    for (Watched w : watched) {
      RunStatus before = w.record.status();
      if (w.live != null) {
        w.record = w.live.view();
      } else if (!before.isTerminal()) {
        disk = true;
        readDisk(w);
      }
      if (w.record.status() != before) {
        listener.statusChanged(w.record.toSummary());
      }
    }
    return disk;
  }

  private void readDisk(Watched w) {
    long v = store.eventLogVersion(w.record);
    if (v != w.logVersion) {
      w.logVersion = v;
      w.hot = HOT_TICKS;
    }
    long now = System.nanoTime();
    if (w.hot > 0 || (now - w.lastRead) / 1_000_000 >= DISK_STATUS_MS) {
      w.hot = Math.max(0, w.hot - 1);
      w.lastRead = now;
      w.record = resolver.byId(w.record.runId()).map(RunResolver.Resolved::record).orElse(w.record);
    }
  }

  private static WaitResult result(boolean done, List<Watched> watched) {
    List<RunOutcome> out = new ArrayList<>();
    for (Watched w : watched) {
      RunRecord r = w.record;
      out.add(new RunOutcome(r.toSummary(), r.status().isTerminal() ? r.result() : null,
          r.status().isTerminal() ? r.error() : null));
    }
    return new WaitResult(done, out);
  }
}
