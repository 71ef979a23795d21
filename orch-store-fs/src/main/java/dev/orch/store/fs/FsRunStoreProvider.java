package dev.orch.store.fs;

import dev.orch.core.spi.RunStore;
import dev.orch.core.spi.RunStoreProvider;
import java.util.Map;

/**
 * ServiceLoader entry of the file store, id {@code fs} (registered in
 * {@code META-INF/services/dev.orch.core.spi.RunStoreProvider}).
 */
public final class FsRunStoreProvider implements RunStoreProvider {

  /** Creates the provider (ServiceLoader needs a public no-argument constructor). */
  public FsRunStoreProvider() {
  }

  /** @return {@code fs} */
  @Override
  public String id() {
    return "fs";
  }

  /**
   * Opens a file store configured from {@code NANOBOT_ORCHESTRATOR_HOME} and {@code ORCH_STORE_DIR_NAME}.
   *
   * @throws IllegalArgumentException when {@code ORCH_STORE_DIR_NAME} is not a single path segment
   */
  @Override
  public RunStore open(Map<String, String> environment) {
    return new FsRunStore(FsStoreSettings.fromEnvironment(environment));
  }
}
