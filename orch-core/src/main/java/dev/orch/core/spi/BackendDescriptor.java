package dev.orch.core.spi;

import java.util.EnumSet;
import java.util.Objects;
import java.util.Set;

/**
 * How a backend provider describes itself (CONVENTIONS 3).
 *
 * @param id lowercase backend id, e.g. {@code codex}
 * @param version implementation version
 * @param capabilities what it can do
 * @param artifact the Maven artifact that provides it, e.g. {@code dev.orch:orch-backend-codex}
 * @param description one line for diagnostics
 */
public record BackendDescriptor(String id, String version, Set<Capability> capabilities, String artifact,
    String description) {
  /** @throws IllegalArgumentException when id is not lowercase [a-z0-9_]+ */
  public BackendDescriptor {
    Objects.requireNonNull(id, "id");
    if (!id.matches("[a-z0-9_]+")) {
      throw new IllegalArgumentException("backend id must be lowercase [a-z0-9_]+: " + id);
    }
    capabilities = capabilities.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(capabilities));
  }

  /** @return true when the backend declares the capability */
  public boolean has(Capability capability) {
    return capabilities.contains(capability);
  }
}
