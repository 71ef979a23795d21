package dev.orch.core.spi;

import dev.orch.core.Availability;
import java.util.Objects;

/**
 * What a backend found when it checked whether it can take runs ({@link Backend#probe}; SPEC §12.1).
 *
 * @param availability the state; never {@link Availability#DECLARED_NOT_INSTALLED} (the engine decides that one)
 * @param version the version of what runs the work (CLI {@code --version}, remote agent card version), or null
 * @param executable the executable that would run, as resolved (absolute path), or null for none
 * @param detail one line a person can act on (what was checked, what failed), never null
 */
public record ProbeResult(Availability availability, String version, String executable, String detail) {
  /** @throws NullPointerException for a null state or detail */
  public ProbeResult {
    Objects.requireNonNull(availability, "availability");
    Objects.requireNonNull(detail, "detail");
  }

  /** @return {@code available} for a backend that needs nothing outside this JVM */
  public static ProbeResult inProcess() {
    return new ProbeResult(Availability.AVAILABLE, null, null, "runs in-process");
  }

  /** @return {@code unavailable} with the reason */
  public static ProbeResult unavailable(String executable, String detail) {
    return new ProbeResult(Availability.UNAVAILABLE, null, executable, detail);
  }

  /** @return {@code unknown} with the reason */
  public static ProbeResult unknown(String detail) {
    return new ProbeResult(Availability.UNKNOWN, null, null, detail);
  }
}
