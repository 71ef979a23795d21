package dev.orch.backend.a2a.internal;

import dev.orch.core.EventType;
import dev.orch.core.RunEvent;
import dev.orch.core.spi.LogEntry;
import io.a2a.spec.TaskStatus;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Source positions for A2A events (SPEC §12.8). A2A has no byte offsets and keeps no event log, but every task
 * status carries the agent's timestamp: the events a status produces get {@code (timestamp in µs since the epoch,
 * index)}, so a status that a re-attached run receives again in the task snapshot maps to the same positions and the
 * engine drops what the log already holds. Artifact updates get no position (the snapshot does not repeat them: see
 * {@link TaskTracker#prime}). A status the agent sent without a timestamp gets the time the A2A SDK read it (its
 * {@code TaskStatus} fills in "now"), so after a re-attachment such a status is reported again rather than lost. Two
 * statuses with the same timestamp (an agent with millisecond clocks) share positions; an event of the later one that
 * was not yet durable when the earlier Orch process died can then be lost — a window of microseconds.
 */
final class StatusPositions {
  private StatusPositions() {
  }

  /**
   * @param events the events produced by one A2A event, in order
   * @param status the status they came from, or null (artifact update, message)
   * @return one position per event
   */
  static long[] of(List<RunEvent> events, TaskStatus status) {
    long[] out = new long[events.size()];
    long base = micros(status);
    int index = 0;
    for (int i = 0; i < out.length; i++) {
      boolean fromStatus = base >= 0 && events.get(i).type() != EventType.ARTIFACT_ADDED;
      out[i] = fromStatus ? LogEntry.position(base, Math.min(index++, 255)) : LogEntry.NO_POSITION;
    }
    return out;
  }

  private static long micros(TaskStatus status) {
    OffsetDateTime t = status == null ? null : status.timestamp();
    if (t == null) {
      return -1;
    }
    long us = t.toEpochSecond() * 1_000_000L + t.getNano() / 1_000;
    return us < 0 ? -1 : us;
  }
}
