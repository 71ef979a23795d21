package dev.orch.core.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.spi.Backend;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunHandle;
import dev.orch.core.spi.RunLease;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A run owned by this process. Every mutable field is guarded by {@link #lock}, which is also the monitor
 * long-polls wait on (notified after each persisted event). Holds a bounded window of recent events (for cheap
 * polling), never the whole history.
 */
final class LiveRun {
  /** Recent events kept in memory per run. */
  static final int RECENT_EVENTS = 256;

  final Object lock = new Object();
  final Backend backend;
  final RunLease lease;
  final PendingStart pendingStart;
  final List<ProcessHandle> processes = new CopyOnWriteArrayList<>();

  private RunRecord record;
  private final ArrayDeque<NormalizedEvent> recent = new ArrayDeque<>();
  EventLog log;
  RunHandle handle;
  boolean started;
  boolean cancelRequested;
  String cancelReason;
  boolean dirty;
  boolean flushScheduled;
  long lastSaveNanos;

  LiveRun(RunRecord record, Backend backend, RunLease lease, PendingStart pendingStart) {
    this.record = record;
    this.backend = backend;
    this.lease = lease;
    this.pendingStart = pendingStart;
  }

  /** @return the current record (caller holds the lock or accepts a racy snapshot of an immutable value) */
  RunRecord record() {
    synchronized (lock) {
      return record;
    }
  }

  void setRecord(RunRecord r) {
    record = r;
  }

  void remember(NormalizedEvent e) {
    recent.addLast(e);
    if (recent.size() > RECENT_EVENTS) {
      recent.removeFirst();
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
