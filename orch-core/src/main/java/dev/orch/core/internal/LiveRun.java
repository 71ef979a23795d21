package dev.orch.core.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A run owned by this process: its published state (what readers see: the record and a bounded window of recent
 * events, guarded by {@link #lock}, which is also the monitor long-polls wait on and is notified on every publish),
 * and its write side, the {@link RunJournal}. Only the run's committer changes the published state, and never does
 * disk I/O while holding {@link #lock}.
 */
final class LiveRun {
  /**
   * Recent events kept in memory per live run: one full poll page (limit ≤ 1000), so a client that keeps up is served
   * from memory, never from the disk; at most ~16 MiB (sanitized events stay under 16 KiB), typically ~1 MiB.
   */
  static final int RECENT_EVENTS = 1024;

  final Object lock = new Object();
  final Backend backend;
  final RunLease lease;
  final PendingStart pendingStart;
  final List<ProcessHandle> processes = new CopyOnWriteArrayList<>();
  final RunJournal journal;
  final RunId runId;
  final SessionId sessionId;
  final String backendId;
  /** Serializes run.json writes of this run so that an older snapshot never replaces a newer one. */
  final Object saveLock = new Object();

  private RunRecord record;
  private long version;
  private final ArrayDeque<NormalizedEvent> recent = new ArrayDeque<>();
  volatile RunHandle handle;
  /** Guarded by saveLock: the version of the record last written to run.json, and when (System.nanoTime). */
  long savedVersion;
  long lastSaveNanos;
  /** Guarded by saveLock: a coalesced run.json save is scheduled. */
  boolean flushScheduled;
  /** Limits in force once started (server defaults applied), or null before the start (SPEC §12.3). */
  volatile dev.orch.core.RunLimits limits;
  /** System.nanoTime of the start and of the backend's latest event, for the time limits. */
  volatile long startNanos;
  volatile long lastEventNanos;
  /** While the run waits to start: why, shown as its summary ({@code Queued (position N)}, {@code Waiting for N run(s)}). */
  volatile String queueSummary;
  /** The worktree the run works in once started (SPEC §12.7), or null for its cwd. */
  volatile RunWorkspaces.Active workspace;

  LiveRun(RunRecord record, Backend backend, RunLease lease, PendingStart pendingStart) {
    this.record = record;
    this.backend = backend;
    this.lease = lease;
    this.pendingStart = pendingStart;
    this.runId = record.runId();
    this.sessionId = record.sessionId();
    this.backendId = record.backend();
    this.journal = new RunJournal(record.status(), record.lastSeq());
    this.lastSaveNanos = System.nanoTime();
  }

  /** @return the published record */
  RunRecord record() {
    synchronized (lock) {
      return record;
    }
  }

  /** @return the published record as readers see it: while queued, its summary says why it waits */
  RunRecord view() {
    RunRecord r = record();
    String q = queueSummary;
    return q != null && r.status() == dev.orch.core.RunStatus.QUEUED ? r.withSummary(q) : r;
  }

  /** @return the version of the published record (incremented on every publish) */
  long version() {
    synchronized (lock) {
      return version;
    }
  }

  /**
   * Publishes a new record and the events that led to it, and wakes long-polls (caller: the committer only).
   *
   * @param r the new record
   * @param events newly durable events, oldest first
   */
  void publish(RunRecord r, List<NormalizedEvent> events) {
    synchronized (lock) {
      record = r;
      version++;
      for (NormalizedEvent e : events) {
        recent.addLast(e);
        if (recent.size() > RECENT_EVENTS) {
          recent.removeFirst();
        }
      }
      lock.notifyAll();
    }
  }

  /**
   * @return events after {@code afterSeq} from memory, or null when the window does not reach back that far
   *     (caller holds the lock)
   */
  List<NormalizedEvent> recentAfter(long afterSeq, int limit) {
    if (recent.isEmpty() || recent.peekFirst().seq() > afterSeq + 1) {
      return null;
    }
    List<NormalizedEvent> out = new ArrayList<>();
    for (NormalizedEvent e : recent) {
      if (e.seq() > afterSeq) {
        out.add(e);
        if (out.size() == limit) {
          break;
        }
      }
    }
    return out;
  }
}
