package dev.orch.soak;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.stream.Stream;

/**
 * One isolated place for a soak part: a temp directory holding the server's global home
 * ({@code NANOBOT_ORCHESTRATOR_HOME}), the CLIs' config dirs, the run cwds and a copy of the scripted fake codex
 * ({@code fake-codex}, configured through {@code ORCH_CODEX_EXECUTABLE}). {@link #close()} kills every fake-codex
 * process of this place that is still alive and deletes the directory (kept with {@code -Dorch.soak.keep=true}).
 * Thread-safe.
 */
final class SoakEnv implements AutoCloseable {
  /** The system property naming the repository root (set by the build and by bin/orch-soak). */
  static final String REPO_PROPERTY = "orch.repo.root";

  final Path root;
  final Path home;
  final Path fakeCodex;
  final Path repo;
  final String tag = UUID.randomUUID().toString().substring(0, 8);

  private SoakEnv(Path root, Path repo) {
    this.root = root;
    this.repo = repo;
    this.home = mkdirs(root.resolve("home"));
    mkdirs(root.resolve("codex-home"));
    mkdirs(root.resolve("claude-home"));
    this.fakeCodex = root.resolve("fake-codex");
    try (InputStream in = SoakEnv.class.getResourceAsStream("fake-codex")) {
      if (in == null) {
        throw new IllegalStateException("the fake-codex script is missing from the test resources");
      }
      Files.copy(in, fakeCodex);
      Files.setPosixFilePermissions(fakeCodex, PosixFilePermissions.fromString("rwxr-xr-x"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * @param name a short label for the directory name
   * @return a new place under the temp directory
   */
  static SoakEnv create(String name) {
    try {
      Path root = Files.createTempDirectory("orch-soak-" + name + "-").toRealPath();
      return new SoakEnv(root, repoRoot());
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** @return the repository root: {@value #REPO_PROPERTY}, else the parent of the working directory's bin/ */
  static Path repoRoot() {
    String p = System.getProperty(REPO_PROPERTY);
    Path dir = p != null ? Path.of(p) : Path.of("").toAbsolutePath();
    for (Path d = dir; d != null; d = d.getParent()) {
      if (Files.isExecutable(d.resolve("bin/orch-mcp"))) {
        return d.toAbsolutePath().normalize();
      }
    }
    throw new IllegalStateException("cannot find bin/orch-mcp above " + dir + "; set -D" + REPO_PROPERTY);
  }

  /** @return the directory {@code cwds/<name>} (created) */
  Path cwd(String name) {
    return mkdirs(root.resolve("cwds").resolve(name));
  }

  /** @return the command that starts a real server: {@code bin/orch-mcp} with this place's tag as argument */
  List<String> serverCommand() {
    List<String> cmd = new ArrayList<>();
    cmd.add(repo.resolve("bin/orch-mcp").toString());
    // ignored by the server; lets this place find its own server processes by command line
    cmd.add("--soak-tag=" + tag);
    return cmd;
  }

  /** @return the environment a server of this place gets on top of the inherited one */
  Map<String, String> serverEnv() {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("NANOBOT_ORCHESTRATOR_HOME", home.toString());
    env.put("CODEX_HOME", root.resolve("codex-home").toString());
    env.put("CLAUDE_CONFIG_DIR", root.resolve("claude-home").toString());
    env.put("ORCH_CODEX_EXECUTABLE", fakeCodex.toString());
    env.put("ORCH_LOG_LEVEL", "warn");
    env.put("ORCH_JAVA", Path.of(System.getProperty("java.home"), "bin", "java").toString());
    return env;
  }

  /** @return a path for a server's stderr log */
  Path logFile(String name) {
    return mkdirs(root.resolve("logs")).resolve(name + ".log");
  }

  /** Kills the fake-codex processes of this place that are still alive and deletes the directory. */
  @Override
  public void close() {
    Agents.live(fakeCodex).forEach(a -> a.handle().destroyForcibly());
    if (Boolean.getBoolean("orch.soak.keep")) {
      System.err.println("orch-soak: kept " + root);
      return;
    }
    try (Stream<Path> s = Files.walk(root)) {
      s.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException e) {
          // a busy mount point or a file a dying process still writes: left for the temp cleaner
        }
      });
    } catch (IOException e) {
      // already gone
    }
  }

  static Path mkdirs(Path p) {
    try {
      return Files.createDirectories(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
