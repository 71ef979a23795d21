package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.Timestamps;
import dev.orch.core.internal.sanitize.Sanitized;
import dev.orch.core.internal.sanitize.Sanitizer;
import dev.orch.core.spi.RunRecord;
import java.time.Clock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The front of the per-event path (SPEC §3, §5; CONVENTIONS 6): the engine's rules, then numbering, sanitizing and
 * staging in the run's {@link RunJournal}; the {@link GroupCommit} then persists (artifacts, one append per batch),
 * applies (pure state machine, summary, result) and publishes. The rules live here once for every backend:
 *
 * <ul>
 *   <li><b>Exactly one terminal event</b> (SPEC §3): once a terminal event is staged nothing more is accepted.</li>
 *   <li><b>Cancel wins</b> (SPEC §2 cancel_run, §11.4): after a cancel request, a backend's terminal event other than
 *       its own cancelled status is dropped; the engine's cancelled status is recorded instead.</li>
 *   <li><b>A limit's failure wins</b> (SPEC §12.3): once a run is over a limit, the backend's terminal event becomes
 *       {@code run_failed {code:"limit_exceeded"}} with the original event's data kept.</li>
 *   <li><b>Nothing twice after re-attachment</b> (SPEC §12.8): backend events re-read from output at or before the
 *       last source position in the log are dropped.</li>
 * </ul>
 *
 * <p>Staging takes only the journal's monitor, does no I/O, and returns before the event is durable; a backend
 * that reports faster than the disk keeps up waits once {@link RunJournal#MAX_QUEUED} entries are staged.
 */
final class EventPipeline {
  private static final Logger LOG = LoggerFactory.getLogger(EventPipeline.class);

  /** Who reports an event. */
  enum Origin {
    /** the run's backend (through its EventSink) */
    BACKEND,
    /** the engine itself: cancel, start failure, shutdown, limits, dependencies */
    ENGINE
  }

  /**
   * What the engine adds to a run's end (SPEC §12.7: a worktree's changed files): the terminal event to stage instead
   * of the reported one, and a record change staged just before it. Both are dropped with the event if it is dropped.
   *
   * @param event the event to stage (e.g. with {@code workspace} in its data)
   * @param change the record change, or null
   */
  record Ending(RunEvent event, UnaryOperator<RunRecord> change) {
  }

  /** Work done before a run's terminal event is staged, on the reporting thread and outside every lock. */
  interface EndHook {
    /**
     * @param run the run
     * @param event the terminal event about to be staged
     * @param end the status the run will end with
     * @return what to stage instead, or null for nothing to add
     */
    Ending beforeEnd(LiveRun run, RunEvent event, RunStatus end);
  }

  private final Sanitizer sanitizer = new Sanitizer();
  private final Clock clock;
  private final GroupCommit commits;
  private volatile EndHook endHook;

  EventPipeline(Clock clock, GroupCommit commits) {
    this.clock = clock;
    this.commits = commits;
  }

  /** Sets the work done before terminal events (the engine's workspaces). */
  void endHook(EndHook hook) {
    this.endHook = hook;
  }

  /**
   * Accepts one event of a run.
   *
   * @param run the run
   * @param event the event
   * @param origin who reports it (the cancel rule applies to backend events only)
   * @param position source position for re-attachment ({@link dev.orch.core.spi.LogEntry#NO_POSITION} if none)
   * @return the seq given to the event, or -1 when it was dropped (the run is already ending, a backend terminal
   *     event raced a cancel, or it was re-read output already in the log)
   */
  long accept(LiveRun run, RunEvent reported, Origin origin, long position) {
    RunEvent event = reported;
    RunJournal j = run.journal;
    Ending ending = null;
    EndHook hook = endHook;
    if (hook != null && StateMachine.isTerminating(event)) {
      RunStatus end = predictEnd(run, event, origin);
      ending = end == null ? null : hook.beforeEnd(run, event, end);
      if (ending != null) {
        event = ending.event();
      }
    }
    long seq;
    boolean schedule;
    boolean handOff;
    synchronized (j) {
      if (origin == Origin.BACKEND) {
        awaitRoom(j);
      }
      if (j.closed) {
        LOG.debug("run {} is ending: dropping late {}", run.runId, event.type());
        return -1;
      }
      if (origin == Origin.BACKEND && position >= 0 && position <= j.replayFloor) {
        return -1;
      }
      if (origin == Origin.BACKEND) {
        run.lastEventNanos = System.nanoTime();
        if (j.limitBreach != null && StateMachine.isTerminating(event)) {
          // over a limit: the backend's end becomes the limit's failure, keeping its result (SPEC §12.3)
          event = j.limitBreach.failure(event.toData());
        }
      }
      if (j.cancelRequested && origin == Origin.BACKEND && StateMachine.isTerminating(event)
          && !isCancelled(event) && j.limitBreach == null) {
        LOG.debug("run {} is being cancelled: dropping backend {}", run.runId, event.type());
        return -1;
      }
      seq = j.lastSeq + 1;
      Sanitized s = sanitizer.sanitize(seq, event.type().wire(), event.toData());
      NormalizedEvent stored = new NormalizedEvent(seq, Timestamps.now(clock), run.runId, run.sessionId,
          run.backendId, event.type(), s.data());
      j.lastSeq = seq;
      j.status = StateMachine.transition(j.status, event);
      if (j.status.isTerminal()) {
        j.closed = true;
        if (ending != null && ending.change() != null) {
          j.queue.addLast(new RunJournal.Change(ending.change()));
        }
      }
      j.queue.addLast(new RunJournal.Staged(stored, event, s.fields(), position));
      schedule = !j.committing;
      j.committing = true;
      handOff = !schedule && j.handOffDeferred();
    }
    if (schedule) {
      commits.start(run);
    } else if (handOff) {
      commits.schedule(run);
    }
    return seq;
  }

  /**
   * Stages a change of the run record that carries no event (applied in order with the events around it).
   *
   * @return false when the run is already ending (the change is then dropped)
   */
  boolean change(LiveRun run, UnaryOperator<RunRecord> change) {
    RunJournal j = run.journal;
    boolean schedule;
    synchronized (j) {
      if (j.closed) {
        return false;
      }
      j.queue.addLast(new RunJournal.Change(change));
      schedule = !j.committing;
      j.committing = true;
    }
    if (schedule) {
      commits.start(run);
    }
    return true;
  }

  /**
   * Stamps and sanitizes an event for a given seq without staging it (the store-fault path re-numbers the event
   * that ends a run).
   *
   * @return the event and its extracted fields
   */
  RunJournal.Staged prepare(LiveRun run, long seq, RunEvent event) {
    Sanitized s = sanitizer.sanitize(seq, event.type().wire(), event.toData());
    return new RunJournal.Staged(new NormalizedEvent(seq, Timestamps.now(clock), run.runId, run.sessionId,
        run.backendId, event.type(), s.data()), event, s.fields(), dev.orch.core.spi.LogEntry.NO_POSITION);
  }

  /**
   * @return the status the run ends with if this terminating event is staged now, or null when it would be dropped
   *     (the same rules as {@link #accept}, read under the journal's monitor)
   */
  private static RunStatus predictEnd(LiveRun run, RunEvent event, Origin origin) {
    RunJournal j = run.journal;
    synchronized (j) {
      if (j.closed || j.cancelRequested && origin == Origin.BACKEND && !isCancelled(event) && j.limitBreach == null) {
        return null;
      }
      RunEvent e = origin == Origin.BACKEND && j.limitBreach != null ? j.limitBreach.failure(event.toData()) : event;
      RunStatus next = StateMachine.transition(j.status, e);
      return next.isTerminal() ? next : null;
    }
  }

  private static void awaitRoom(RunJournal j) {
    while (j.queue.size() >= RunJournal.MAX_QUEUED && !j.closed) {
      try {
        j.wait(100);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }

  /** A backend's own cancelled status (e.g. with the interrupted turn's usage) is the cancel's terminal event. */
  private static boolean isCancelled(RunEvent event) {
    return event instanceof RunEvent.StatusChanged s && s.status() == RunStatus.CANCELLED;
  }

  /** Builds the data of a message_added event recording continue_run input. */
  static ObjectNode messageAdded(dev.orch.core.AgentMessage message) {
    ObjectNode d = RunEvent.noDetails();
    d.set("message", message.toJson());
    d.put("role", message.role().wire());
    d.put("text", message.text());
    return d;
  }
}
