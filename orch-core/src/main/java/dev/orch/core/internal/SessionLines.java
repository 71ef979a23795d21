package dev.orch.core.internal;

import dev.orch.core.SessionId;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Per-session FIFO of runs (SPEC §2 spawn_run resume rule, §11.1): at most one run of a session is active;
 * others wait in order and start when it ends. A run leaves the line exactly once, when it becomes terminal,
 * whatever made it terminal (completion, failure to start, cancel while queued), so no run is stranded.
 * One lock for all lines: it is taken per run, never per event.
 */
final class SessionLines {
  private static final class Line {
    LiveRun active;
    final ArrayDeque<LiveRun> waiting = new ArrayDeque<>();
  }

  private final Map<SessionId, Line> lines = new HashMap<>();
  private final Consumer<LiveRun> starter;

  /** @param starter called (outside the lock) for a run that may start now */
  SessionLines(Consumer<LiveRun> starter) {
    this.starter = starter;
  }

  /** Appends a run; starts it at once when its session has no active run. */
  void enqueue(LiveRun run) {
    boolean startNow;
    synchronized (this) {
      Line line = lines.computeIfAbsent(run.sessionId, k -> new Line());
      startNow = line.active == null;
      if (startNow) {
        line.active = run;
      } else {
        line.waiting.addLast(run);
      }
    }
    if (startNow) {
      starter.accept(run);
    }
  }

  /**
   * Makes a re-attached run the active run of its session (SPEC §12.8): later runs of the session queue behind it.
   *
   * @return false when the session already has an active run here (the run is then not tracked by the line)
   */
  synchronized boolean adopt(LiveRun run) {
    Line line = lines.computeIfAbsent(run.sessionId, k -> new Line());
    if (line.active != null) {
      return false;
    }
    line.active = run;
    return true;
  }

  /** @return true when the session has an active or waiting run in this process */
  synchronized boolean busy(SessionId session) {
    Line line = lines.get(session);
    return line != null && (line.active != null || !line.waiting.isEmpty());
  }

  /** Called once when a run became terminal: removes it and starts the next waiting run of its session. */
  void finished(LiveRun run) {
    LiveRun next = null;
    synchronized (this) {
      SessionId sid = run.sessionId;
      Line line = lines.get(sid);
      if (line == null) {
        return;
      }
      line.waiting.remove(run);
      if (line.active == run) {
        line.active = line.waiting.pollFirst();
        next = line.active;
      }
      if (line.active == null && line.waiting.isEmpty()) {
        lines.remove(sid);
      }
    }
    if (next != null) {
      starter.accept(next);
    }
  }
}
