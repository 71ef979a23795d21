package dev.orch.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** The 18 event types of SPEC §4, with their snake_case wire names. */
public enum EventType {
  RUN_STARTED, STATUS_CHANGED, AGENT_MESSAGE, MESSAGE_ADDED, REASONING, COMMAND_STARTED, COMMAND_UPDATED,
  COMMAND_FINISHED, FILE_CHANGED, TOOL_STARTED, TOOL_FINISHED, ARTIFACT_ADDED, TODO_UPDATED, INPUT_REQUIRED,
  AUTH_REQUIRED, REJECTED, RUN_COMPLETED, RUN_FAILED;

  /** @return the wire name, e.g. {@code command_finished} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the type with that wire name, or empty when unknown or null */
  public static Optional<EventType> fromWire(String wire) {
    return Arrays.stream(values()).filter(t -> t.wire().equals(wire)).findFirst();
  }

  @Override
  public String toString() {
    return wire();
  }
}
