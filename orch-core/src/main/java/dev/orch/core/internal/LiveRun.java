package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A run owned by this process: its published state (what readers see: the record and a bounded window of recent
 * events, guarded by {@link #lock}, which is also the monitor long-polls wait on and is notified on every publish),
 * and its write side, the {@link RunJournal}. Only the run's committer changes the published state, and never does
 * disk I/O while holding {@link #lock}.
 */
final class LiveRun {
  /**
   * Most recent events kept in memory per live run: two of the committer's largest batches
   * ({@link GroupCommit#MAX_BATCH}), so a client that polls pages of up to 1000 while a flood is committed in
   * 4096-event batches is served from memory, not by reading and parsing the lines back from the disk (in the events
   * benchmark the window of 1024 sent three of every four pages to the disk: 12-15 % more server CPU per event).
   */
  static final int RECENT_EVENTS = 2 * GroupCommit.MAX_BATCH;
  /**
   * Most memory those events may take, by {@link #approxBytes}: 4 MiB (about 5 000 typical events of ~800 bytes, or
   * 256 of the largest a sanitized event can be, 16 KiB); older ones are read from the disk.
   */
  static final long RECENT_BYTES = 4L << 20;

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
  /** The window of recent events, oldest first, each with its {@link #approxBytes}; and the sum of those. */
  private final ArrayDeque<Recent> recent = new ArrayDeque<>();
  private long recentBytes;
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
    List<Recent> added = new ArrayList<>(events.size());
    for (NormalizedEvent e : events) {
      added.add(new Recent(e, approxBytes(e)));
    }
    synchronized (lock) {
      record = r;
      version++;
      for (Recent e : added) {
        recent.addLast(e);
        recentBytes += e.bytes();
        while (recent.size() > RECENT_EVENTS || (recentBytes > RECENT_BYTES && recent.size() > 1)) {
          recentBytes -= recent.removeFirst().bytes();
        }
      }
      lock.notifyAll();
    }
  }

  /**
   * A cheap estimate of the heap an event's data takes, bytes: the characters of its strings and field names plus a
   * fixed cost per value (not its exact JSON size, which would cost a serialization).
   */
  static int approxBytes(NormalizedEvent e) {
    long bytes = 200; // the envelope: record, ids, timestamps
    ArrayDeque<JsonNode> todo = new ArrayDeque<>();
    todo.push(e.data());
    while (!todo.isEmpty()) {
      JsonNode n = todo.pop();
      bytes += 40;
      if (n.isTextual()) {
        bytes += n.textValue().length();
      } else if (n.isObject()) {
        for (Map.Entry<String, JsonNode> f : n.properties()) {
          bytes += 40 + f.getKey().length();
          todo.push(f.getValue());
        }
      } else if (n.isArray()) {
        for (JsonNode v : n) {
          todo.push(v);
        }
      }
    }
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  /**
   * @return the first {@code limit} events after {@code afterSeq} from memory, oldest first (empty when there is
   *     none yet), or null when the window does not reach back that far (caller holds the lock)
   */
  List<NormalizedEvent> recentAfter(long afterSeq, int limit) {
    if (recent.isEmpty() || recent.peekFirst().event().seq() > afterSeq + 1) {
      return null;
    }
    // newest first, so that a client that keeps up (a few events after its seq) never walks the whole window
    List<NormalizedEvent> out = new ArrayList<>();
    for (Iterator<Recent> it = recent.descendingIterator(); it.hasNext(); ) {
      NormalizedEvent e = it.next().event();
      if (e.seq() <= afterSeq) {
        break;
      }
      if (e.seq() <= afterSeq + limit) {
        out.add(e);
      }
    }
    Collections.reverse(out);
    return out;
  }

  /** An event of the window and its {@link #approxBytes}. */
  private record Recent(NormalizedEvent event, int bytes) {
  }
}
