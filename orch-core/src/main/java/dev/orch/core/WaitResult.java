package dev.orch.core;

import java.util.List;

/**
 * The answer of {@link Orchestrator#awaitRuns} (SPEC §12.5 wait_runs).
 *
 * @param done true when the wait mode's condition held before the wait ended
 * @param runs one outcome per waited run, in the order asked for (copied)
 */
public record WaitResult(boolean done, List<RunOutcome> runs) {
  /** Copies the list. */
  public WaitResult {
    runs = List.copyOf(runs);
  }
}
