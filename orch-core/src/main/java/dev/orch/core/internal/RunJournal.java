package dev.orch.core.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.ArtifactField;
import dev.orch.core.spi.EventLog;
import dev.orch.core.spi.RunRecord;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.BooleanSupplier;
import java.util.function.UnaryOperator;

/**
 * The write side of one live run (issue 8 item 1): what has been accepted but is not yet durable. Events are
 * numbered and staged here by whichever thread reports them; the run's {@link GroupCommit} drains the queue in
 * batches, makes each batch durable with one force and only then publishes it. Staging never does disk I/O, and
 * this object's monitor is not the one readers ({@code get_run}, {@code poll_events}) wait on.
 *
 * <p>All fields are guarded by this object's monitor, except {@link #log}, which only the committing thread
 * touches (one commit runs at a time per run).
 */
final class RunJournal {
  /** Staged entries above which a backend reporting more events waits for the committer (flat memory). */
  static final int MAX_QUEUED = 8192;
  /** Staged entries above which a commit deferred to the end of a reader's batch is started at once. */
  static final int MAX_DEFERRED = 256;

  /** One staged entry: an event to append, or a change of the run record that carries no event. */
  sealed interface Entry {
  }

  /**
   * A numbered event waiting to be made durable.
   *
   * @param event the stamped, sanitized event
   * @param source what the backend or engine reported (typed, for the state machine and the outcome)
   * @param artifacts extracted fields to write before the event's line
   * @param position source position for re-attachment, or -1
   */
  record Staged(NormalizedEvent event, RunEvent source, List<ArtifactField> artifacts, long position)
      implements Entry {
  }

  /**
   * A change of the run record without an event (e.g. the backend conversation binding), applied in order with
   * the events around it.
   *
   * @param change the change
   */
  record Change(UnaryOperator<RunRecord> change) implements Entry {
  }

  /** Seq of the last staged event. */
  long lastSeq;
  /** Status after every staged event (the state machine applied at staging time). */
  RunStatus status;
  /** True once a terminal event is staged or the run failed on a store fault: nothing more is staged. */
  boolean closed;
  /** A cancel was requested: backend terminal events other than a cancelled status are dropped. */
  boolean cancelRequested;
  /** {@code user}, {@code shutdown}, a limit name… (set with cancelRequested). */
  String cancelReason;
  /** The run went over a limit: a backend terminal event becomes this failure (SPEC §12.3). */
  LimitGuard.Breach limitBreach;
  /** The run was handed to its backend. */
  boolean started;
  /** Events of re-read backend output at or before this source position are already in the log. */
  long replayFloor = -1;
  /** Seq of the last published event. */
  long publishedSeq;
  /** A commit task is scheduled or running, or deferred to the end of a reader's output batch. */
  boolean committing;
  /**
   * The commit is deferred to the end of the output batch of the thread that staged the first entry
   * ({@link dev.orch.core.spi.OutputBatch}); {@link #committing} is set too.
   */
  boolean deferred;
  /** The store refused a write: the run was ended in memory and the commit path stopped. */
  boolean faulted;
  /** The run's end is published: nothing more will ever be (waiters stop waiting). */
  boolean endPublished;
  /** A store failure seen outside the committing thread (a coalesced run.json save), handed to it. */
  RuntimeException pendingFault;
  final ArrayDeque<Entry> queue = new ArrayDeque<>();
  /** The open event log; touched only by the committing thread. */
  EventLog log;

  RunJournal(RunStatus status, long lastSeq) {
    this.status = status;
    this.lastSeq = lastSeq;
    this.publishedSeq = lastSeq;
  }

  /** @return up to {@code max} entries, oldest first, removed from the queue (caller holds the monitor) */
  List<Entry> drain(int max) {
    List<Entry> out = new ArrayList<>(Math.min(max, queue.size()));
    while (!queue.isEmpty() && out.size() < max) {
      out.add(queue.pollFirst());
    }
    notifyAll();
    return out;
  }

  /**
   * Waits until the event with {@code seq} is published (or the run faulted).
   *
   * @param seq the seq, ≤ 0 for "everything staged so far"
   * @param timeoutMs longest wait, ms
   * @return true when published in time
   */
  synchronized boolean awaitPublished(long seq, long timeoutMs) {
    long target = seq <= 0 ? lastSeq : seq;
    return await(() -> publishedSeq >= target || endPublished, timeoutMs);
  }

  /**
   * Waits until every event staged so far is published (durable), unlike {@link #awaitPublished} also ending when
   * nothing is being committed any more (the engine closed and dropped them) or the run faulted.
   *
   * @param timeoutMs longest wait, ms
   * @return true when they are published (or the run's end is)
   */
  synchronized boolean awaitCommitted(long timeoutMs) {
    long target = lastSeq;
    await(() -> publishedSeq >= target || endPublished || faulted || !busy(), timeoutMs);
    return publishedSeq >= target || endPublished;
  }

  /**
   * Waits until nothing is staged or being committed.
   *
   * @param timeoutMs longest wait, ms
   * @return true when idle in time
   */
  synchronized boolean awaitIdle(long timeoutMs) {
    return await(() -> !busy() || endPublished, timeoutMs);
  }

  /** Waits on this monitor (held by the caller) until {@code done}; @return false on timeout or interrupt */
  private boolean await(BooleanSupplier done, long timeoutMs) {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000;
    while (!done.getAsBoolean()) {
      long left = (deadline - System.nanoTime()) / 1_000_000;
      if (left <= 0) {
        return false;
      }
      try {
        wait(left);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
    return true;
  }

  /**
   * Takes a deferred commit back when the batch grew past {@link #MAX_DEFERRED} entries, so that the engine's
   * committer starts now (reading and committing overlap; a backend never waits for room while the commit it
   * waits for is deferred to its own thread). Caller holds the monitor.
   *
   * @return true when the caller must schedule the commit now
   */
  boolean handOffDeferred() {
    if (deferred && queue.size() >= MAX_DEFERRED) {
      deferred = false;
      return true;
    }
    return false;
  }

  /**
   * Claims a deferred commit at the end of the batch (caller holds the monitor).
   *
   * @return false when it was handed to the engine's committer meanwhile
   */
  boolean claimDeferred() {
    boolean was = deferred;
    deferred = false;
    return was;
  }

  /** @return true while entries are staged or being committed (caller holds the monitor) */
  boolean busy() {
    return committing || !queue.isEmpty();
  }
}
