package dev.orch.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * When {@link Orchestrator#awaitRuns} is done (SPEC §12.5 wait_runs {@code mode}).
 */
public enum WaitMode {
  /** Every run is terminal. */
  ALL,
  /** At least one run is terminal. */
  ANY,
  /** Every run completed, or at least one ended failed, cancelled or rejected. */
  FIRST_FAILURE;

  /** @return the wire name: {@code all}, {@code any}, {@code first_failure} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the mode with that wire name, or empty */
  public static Optional<WaitMode> fromWire(String wire) {
    return Arrays.stream(values()).filter(m -> m.wire().equals(wire)).findFirst();
  }

  /**
   * @param statuses the current statuses of the waited runs (at least one)
   * @return true when this mode's condition holds
   */
  public boolean isDone(java.util.Collection<RunStatus> statuses) {
    switch (this) {
      case ALL:
        return statuses.stream().allMatch(RunStatus::isTerminal);
      case ANY:
        return statuses.stream().anyMatch(RunStatus::isTerminal);
      default:
        return statuses.stream().allMatch(s -> s == RunStatus.COMPLETED)
            || statuses.stream().anyMatch(s -> s.isTerminal() && s != RunStatus.COMPLETED);
    }
  }
}
