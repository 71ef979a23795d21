package dev.orch.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * Status of a run (SPEC §2 shared types). Terminal statuses are sticky: once a run is terminal no event
 * changes its status again (SPEC §3).
 */
public enum RunStatus {
  QUEUED, RUNNING, INPUT_REQUIRED, AUTH_REQUIRED, COMPLETED, FAILED, CANCELLED, REJECTED;

  /** @return the wire name, e.g. {@code input_required} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return true for completed, failed, cancelled and rejected */
  public boolean isTerminal() {
    return this == COMPLETED || this == FAILED || this == CANCELLED || this == REJECTED;
  }

  /** @return true for input_required and auth_required (the run waits for {@code continue_run}) */
  public boolean isWaiting() {
    return this == INPUT_REQUIRED || this == AUTH_REQUIRED;
  }

  /** @return true for running, input_required and auth_required (a backend is attached) */
  public boolean isExecuting() {
    return this == RUNNING || isWaiting();
  }

  /**
   * @param wire a wire name such as {@code running}; may be null
   * @return the status, or empty when the name is unknown or null
   */
  public static Optional<RunStatus> fromWire(String wire) {
    if (wire == null) {
      return Optional.empty();
    }
    return Arrays.stream(values()).filter(s -> s.wire().equals(wire)).findFirst();
  }

  @Override
  public String toString() {
    return wire();
  }
}
