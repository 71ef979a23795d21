package dev.orch.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Author of an {@link AgentMessage}: {@code user | agent | system} (SPEC §2). */
public enum MessageRole {
  USER, AGENT, SYSTEM;

  /** @return the wire name */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the role with that wire name, or empty */
  public static Optional<MessageRole> fromWire(String wire) {
    return Arrays.stream(values()).filter(r -> r.wire().equals(wire)).findFirst();
  }

  @Override
  public String toString() {
    return wire();
  }
}
