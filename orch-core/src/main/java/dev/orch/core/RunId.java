package dev.orch.core;

import java.util.Objects;
import java.util.UUID;

/**
 * Identifier of a run: a non-blank string, in practice a random UUID (the TS server's format).
 *
 * @param value the id text, never blank
 */
public record RunId(String value) {
  /** @throws IllegalArgumentException when value is null or blank */
  public RunId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("run id must not be blank");
    }
  }

  /** @return a new random run id (UUID v4 text) */
  public static RunId random() {
    return new RunId(UUID.randomUUID().toString());
  }

  /** @return the id text */
  @Override
  public String toString() {
    return value;
  }
}
