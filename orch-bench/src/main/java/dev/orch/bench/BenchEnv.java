package dev.orch.bench;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Where things are for one benchmark run.
 *
 * @param repoRoot the Orch checkout (holds {@code bin/orch-mcp})
 * @param launcher {@code bin/orch-mcp}
 * @param fakeCodex the fake {@code codex exec --json} (orch-bench/fake-codex/fake-codex)
 * @param benchClasses this module's classes (jar or directory), for the bare-JVM baseline
 * @param java the java executable the launcher would pick (ORCH_JAVA, else JAVA_HOME, else java on PATH)
 * @param workDir a scratch directory for homes, cwds, logs and corpora
 */
public record BenchEnv(Path repoRoot, Path launcher, Path fakeCodex, Path benchClasses, String java, Path workDir) {

  /**
   * @param repoRoot the checkout
   * @param workDir scratch directory (created)
   * @return the environment
   * @throws IllegalStateException when the launcher or the fake codex is missing or not executable
   */
  public static BenchEnv of(Path repoRoot, Path workDir) throws java.io.IOException {
    Path launcher = repoRoot.resolve("bin/orch-mcp");
    Path fake = repoRoot.resolve("orch-bench/fake-codex/fake-codex");
    for (Path p : new Path[] {launcher, fake}) {
      if (!Files.isExecutable(p)) {
        throw new IllegalStateException(p + " is missing or not executable");
      }
    }
    Path classes;
    try {
      classes = Path.of(Echo.class.getProtectionDomain().getCodeSource().getLocation().toURI());
    } catch (URISyntaxException e) {
      throw new IllegalStateException(e);
    }
    return new BenchEnv(repoRoot, launcher, fake, classes, java(System.getenv()),
        Files.createDirectories(workDir));
  }

  static String java(Map<String, String> env) {
    String explicit = env.get("ORCH_JAVA");
    if (explicit != null && !explicit.isBlank()) {
      return explicit;
    }
    String home = env.get("JAVA_HOME");
    if (home != null && Files.isExecutable(Path.of(home, "bin", "java"))) {
      return Path.of(home, "bin", "java").toString();
    }
    return "java";
  }

  /** @return a new directory under the work dir */
  public Path dir(String name) throws java.io.IOException {
    return Files.createDirectories(workDir.resolve(name));
  }
}
