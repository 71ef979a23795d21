package dev.orch.bench;

import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
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

  /**
   * Starts {@code main} in a JVM of its own: a measurement of Orch's own code that must not share the benchmark JVM's
   * heap, which the earlier sections grew and filled (its young collections then take 35–40 ms). The JVM is the one
   * running the benchmark, with this module's class path and the GC settings {@code bin/orch-mcp} gives the server:
   * SerialGC and a 16 MB initial heap, unless {@code ORCH_JAVA_OPTS} names a collector; {@code ORCH_JAVA_OPTS} comes
   * after them, as in the launcher.
   *
   * @param main a class with a {@code main} method
   * @param log the file that receives its stderr
   * @param args its arguments
   * @return the started process; its stdin and stdout are pipes to this JVM
   * @throws IOException when the JVM cannot be started
   */
  Process startOwnJvm(Class<?> main, Path log, String... args) throws IOException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    String userOpts = System.getenv().getOrDefault("ORCH_JAVA_OPTS", "").trim();
    if (!userOpts.matches("(?s).*-XX:\\+Use[A-Za-z0-9]+GC.*")) {
      command.addAll(List.of("-XX:+UseSerialGC", "-Xms16m"));
    }
    if (!userOpts.isEmpty()) {
      command.addAll(Arrays.asList(userOpts.split("\\s+")));
    }
    command.addAll(List.of("-Xshare:auto", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn", "-cp",
        System.getProperty("java.class.path"), main.getName()));
    command.addAll(Arrays.asList(args));
    return new ProcessBuilder(command).redirectError(log.toFile()).start();
  }
}
