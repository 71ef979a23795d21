package dev.orch.core.spi;

import java.time.Clock;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ThreadFactory;

/**
 * What the engine gives a backend.
 *
 * @param environment the process environment, source of server-wide settings {@code ORCH_<BACKEND>_<KEY>}
 * @param threadFactory makes the backend's threads (reader threads, watchdogs); daemon threads
 * @param clock time source
 */
public record BackendContext(Map<String, String> environment, ThreadFactory threadFactory, Clock clock) {
  /** Copies the environment. */
  public BackendContext {
    environment = Map.copyOf(Objects.requireNonNull(environment, "environment"));
    Objects.requireNonNull(threadFactory, "threadFactory");
    Objects.requireNonNull(clock, "clock");
  }
}
