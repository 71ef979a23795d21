package dev.orch.core;

/**
 * Hears the status changes of the runs an {@link Orchestrator#awaitRuns} call waits for (e.g. to send MCP progress
 * notifications while {@code wait_runs} waits, SPEC §12.9). Called on the waiting thread, once per change it sees,
 * in the order it sees them; not for the statuses the runs have when the wait begins. Must not block for long.
 */
@FunctionalInterface
public interface WaitListener {
  /** A listener that does nothing. */
  WaitListener NONE = run -> { };

  /** @param run the run's summary right after its status changed */
  void statusChanged(RunSummary run);
}
