package dev.orch.core;

import java.util.Locale;
import java.util.Optional;

/**
 * Whether a backend can take runs, as {@code list_backends} reports it (SPEC §12.1; WorkBay's five states).
 */
public enum Availability {
  /** The CLI was found and answers {@code --version}, or the backend runs in-process. */
  AVAILABLE,
  /** A configured default remote agent's card resolves (its liveness is not proven). */
  REACHABLE,
  /** Named in the configuration ({@code ORCH_BACKENDS}), but no provider jar for it is on the class path. */
  DECLARED_NOT_INSTALLED,
  /** The CLI is missing or not executable, the card fetch failed, or the provider could not be created. */
  UNAVAILABLE,
  /** Not probed ({@code probe:false}), or nothing to probe (e.g. no default remote agent configured). */
  UNKNOWN;

  /** @return the wire name, e.g. {@code declared_not_installed} */
  public String wire() {
    return name().toLowerCase(Locale.ROOT);
  }

  /** @return the state with that wire name */
  public static Optional<Availability> fromWire(String w) {
    for (Availability a : values()) {
      if (a.wire().equals(w)) {
        return Optional.of(a);
      }
    }
    return Optional.empty();
  }
}
