package dev.orch.store.fs;

import dev.orch.store.fs.internal.StoreLayout;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Settings of the file store (SPEC §6).
 *
 * @param home global home holding the run index and active-run markers ({@code $NANOBOT_ORCHESTRATOR_HOME},
 *     default {@code ~/.nanobot-orchestrator}); made absolute
 * @param dirName name of the per-cwd store directory ({@code $ORCH_STORE_DIR_NAME}, default
 *     {@value #DEFAULT_DIR_NAME}); one path segment
 */
public record FsStoreSettings(Path home, String dirName) {
  /** Default per-cwd directory name, the TS server's. */
  public static final String DEFAULT_DIR_NAME = ".nanobot-orchestrator";
  /** Environment variable naming the global home. */
  public static final String HOME_ENV = "NANOBOT_ORCHESTRATOR_HOME";
  /** Environment variable naming the per-cwd directory. */
  public static final String DIR_NAME_ENV = "ORCH_STORE_DIR_NAME";

  /**
   * @throws NullPointerException when an argument is null
   * @throws IllegalArgumentException when dirName is not a single safe path segment
   */
  public FsStoreSettings {
    home = Objects.requireNonNull(home, "home").toAbsolutePath().normalize();
    Objects.requireNonNull(dirName, "dirName");
    if (!StoreLayout.isSafeSegment(dirName)) {
      throw new IllegalArgumentException(DIR_NAME_ENV + " must be one path segment, was: " + dirName);
    }
  }

  /**
   * Reads {@value #HOME_ENV} (a leading {@code ~/} means the user's home) and {@value #DIR_NAME_ENV}; blank
   * values count as unset.
   *
   * @param environment process environment, never null
   * @return the settings
   * @throws IllegalArgumentException when {@value #DIR_NAME_ENV} is not a single safe path segment
   */
  public static FsStoreSettings fromEnvironment(Map<String, String> environment) {
    String userHome = System.getProperty("user.home");
    String home = environment.get(HOME_ENV);
    Path homePath;
    if (home == null || home.isBlank()) {
      homePath = Path.of(userHome, DEFAULT_DIR_NAME);
    } else if (home.equals("~") || home.startsWith("~/")) {
      homePath = Path.of(userHome + home.substring(1));
    } else {
      homePath = Path.of(home);
    }
    String dir = environment.get(DIR_NAME_ENV);
    return new FsStoreSettings(homePath, dir == null || dir.isBlank() ? DEFAULT_DIR_NAME : dir.trim());
  }
}
