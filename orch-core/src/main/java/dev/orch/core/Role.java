package dev.orch.core;

import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/** Supervisor role of a run (SPEC §2): {@code planner | worker | reviewer}. */
public enum Role {
  PLANNER, WORKER, REVIEWER;

  /** @return the wire name, e.g. {@code worker} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the role with that wire name, or empty when unknown or null */
  public static Optional<Role> fromWire(String wire) {
    return Arrays.stream(values()).filter(r -> r.wire().equals(wire)).findFirst();
  }

  @Override
  public String toString() {
    return wire();
  }
}
