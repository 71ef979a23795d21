package dev.orch.core;

import java.util.Objects;
import java.util.UUID;

/**
 * Identifier of an Orch session (a stable agent identity whose runs share one backend conversation).
 *
 * @param value the id text, never blank; new sessions get a random UUID
 */
public record SessionId(String value) {
  /** @throws IllegalArgumentException when value is null or blank */
  public SessionId {
    Objects.requireNonNull(value, "value");
    if (value.isBlank()) {
      throw new IllegalArgumentException("session id must not be blank");
    }
  }

  /** @return a new random session id (UUID v4 text) */
  public static SessionId random() {
    return new SessionId(UUID.randomUUID().toString());
  }

  /** @return the id text */
  @Override
  public String toString() {
    return value;
  }
}
