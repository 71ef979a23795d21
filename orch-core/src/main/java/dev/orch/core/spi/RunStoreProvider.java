package dev.orch.core.spi;

import java.util.Map;

/**
 * Creates a {@link RunStore}; found with {@link java.util.ServiceLoader} or registered on the builder.
 */
public interface RunStoreProvider {
  /** @return lowercase store id, e.g. {@code fs} */
  String id();

  /**
   * @param environment process environment (for settings such as {@code NANOBOT_ORCHESTRATOR_HOME})
   * @return an open store
   */
  RunStore open(Map<String, String> environment);
}
