package dev.orch.core.internal;

import dev.orch.core.RunEvent;
import java.util.function.LongSupplier;

/**
 * Names a full disk in a backend's failure. When the file system of a run's directory fills up, the agent, whose
 * output goes to files there, often fails before Orch's own next write does, and its backend only sees an agent
 * that stopped ("codex exited without completing the turn"). The run then ends with that failure plus the cause
 * (issue 9, store faults: "the I/O reason" in the failure).
 */
final class FullDisk {
  /** Below this many usable bytes the run directory's file system counts as full. */
  static final long FULL_BELOW_BYTES = 64 * 1024;

  private FullDisk() {
  }

  /**
   * @param event an event from a backend
   * @param usableBytes the usable bytes of the file system of the run's directory (may throw: then nothing is added)
   * @return the event, with the cause added to its message when it is a run_failed and that file system is full
   */
  static RunEvent explain(RunEvent event, LongSupplier usableBytes) {
    if (!(event instanceof RunEvent.RunFailed failed)) {
      return event;
    }
    long free;
    try {
      free = usableBytes.getAsLong();
    } catch (RuntimeException e) {
      return event;
    }
    if (free >= FULL_BELOW_BYTES) {
      return event;
    }
    return new RunEvent.RunFailed(failed.message() + " (the file system of the run's directory is full: No space left"
        + " on device, " + free + " bytes free)", failed.details());
  }
}
