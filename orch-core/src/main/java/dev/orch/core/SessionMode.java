package dev.orch.core;

/** {@code new} creates a session; {@code resume} continues an existing one (SPEC §2 spawn_run). */
public enum SessionMode {
  NEW, RESUME;

  /** @return the wire name */
  public String wire() {
    return name().toLowerCase(java.util.Locale.ROOT);
  }
}
