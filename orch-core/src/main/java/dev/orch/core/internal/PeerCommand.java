package dev.orch.core.internal;

import java.io.File;
import java.io.IOException;
import java.net.URISyntaxException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.CodeSource;
import java.util.Arrays;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Finds the directory that holds the {@code peer} command for agent runs (docs/cli.md "peer"), which the engine
 * puts first on every local agent's {@code PATH} (next to {@code PEER_NAME}, {@code PEER_SESSION_ID},
 * {@code PEER_CWD}, SPEC §2) without writing into the run's cwd:
 * <ol>
 *   <li>{@code ORCH_PEER_PATH}: a directory holding a {@code peer} executable ({@code bin/orch-mcp} and
 *       {@code bin/orch} export their own {@code bin/});</li>
 *   <li>else, when the peer command's main class ({@value #MAIN}, module orch-cli) is on the class path: a small
 *       wrapper script {@code $NANOBOT_ORCHESTRATOR_HOME/bin/peer} that runs it with this JVM's java and class
 *       path (written atomically, only when its content changes);</li>
 *   <li>else none: the agent gets the PEER_* variables only.</li>
 * </ol>
 * Login shells reset PATH ({@code /etc/profile}), so the child also gets {@code BASH_ENV} =
 * {@code $NANOBOT_ORCHESTRATOR_HOME/bin/peer-path.sh}, which non-interactive bash runs after the profile files and
 * which puts {@code ORCH_PEER_DIR} back in front.
 */
final class PeerCommand {
  /** Environment variable naming the directory that holds {@code peer}. */
  static final String PATH_ENV = "ORCH_PEER_PATH";
  /** Child variable naming the peer directory (read by the BASH_ENV script). */
  static final String DIR_ENV = "ORCH_PEER_DIR";
  /** Child variable holding the user's own BASH_ENV, run after ours. */
  static final String USER_BASH_ENV = "ORCH_USER_BASH_ENV";
  /** The BASH_ENV script in {@code $NANOBOT_ORCHESTRATOR_HOME/bin}. */
  static final String BASH_ENV_FILE = "peer-path.sh";
  /** Main class of the peer command. */
  static final String MAIN = "dev.orch.cli.PeerMain";
  private static final Logger LOG = LoggerFactory.getLogger(PeerCommand.class);

  private PeerCommand() {
  }

  /**
   * @param environment the engine's environment ({@code ORCH_PEER_PATH}, {@code NANOBOT_ORCHESTRATOR_HOME},
   *     {@code PATH})
   * @param loader where to look for {@value #MAIN}
   * @return for child agents {@code PATH = <dir>:<environment PATH>}, {@code ORCH_PEER_DIR = <dir>},
   *     {@code BASH_ENV} (and {@code ORCH_USER_BASH_ENV} when the environment had a BASH_ENV); an empty map when no
   *     peer command exists. Never throws (problems are logged)
   */
  static Map<String, String> childPath(Map<String, String> environment, ClassLoader loader) {
    Optional<Path> dir = directory(environment, loader);
    if (dir.isEmpty()) {
      return Map.of();
    }
    String path = environment.getOrDefault("PATH", "/usr/local/bin:/usr/bin:/bin");
    Map<String, String> env = new java.util.LinkedHashMap<>();
    env.put("PATH", dir.get() + File.pathSeparator + path);
    env.put(DIR_ENV, dir.get().toString());
    try {
      env.put("BASH_ENV", writeBashEnv(home(environment).resolve("bin")).toString());
      String userBashEnv = environment.get("BASH_ENV");
      if (userBashEnv != null && !userBashEnv.isBlank()) {
        env.put(USER_BASH_ENV, userBashEnv);
      }
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot write {}: agents' login shells may not find the peer command ({})", BASH_ENV_FILE,
          e.toString());
    }
    return Map.copyOf(env);
  }

  /**
   * Writes the {@code BASH_ENV} script (once; atomically): agents' shells are often login shells (codex runs
   * {@code bash -lc}, Claude Code a login shell too), and a login shell re-reads {@code /etc/profile}, which resets
   * PATH. Non-interactive bash runs {@code $BASH_ENV} after the profile files, so this script puts the peer
   * directory back in front (then runs the user's own {@code BASH_ENV}, if there was one).
   *
   * @return the script's path
   */
  private static Path writeBashEnv(Path dir) throws IOException {
    String script = "# Written by Orch (docs/cli.md \"peer\"): bash runs this for non-interactive shells of agent runs\n"
        + "# (BASH_ENV), after any login profile that reset PATH: put the peer command first again.\n"
        + "if [ -n \"${" + DIR_ENV + ":-}\" ]; then\n"
        + "  case \":$PATH:\" in\n"
        + "    \":$" + DIR_ENV + ":\"*) ;;\n"
        + "    *) PATH=\"$" + DIR_ENV + ":$PATH\"; export PATH ;;\n"
        + "  esac\n"
        + "fi\n"
        + "if [ -n \"${" + USER_BASH_ENV + ":-}\" ] && [ -f \"$" + USER_BASH_ENV + "\" ]; then . \"$" + USER_BASH_ENV
        + "\"; fi\n";
    return writeIfChanged(dir, BASH_ENV_FILE, script, "rw-r--r--");
  }

  private static Optional<Path> directory(Map<String, String> environment, ClassLoader loader) {
    String configured = environment.get(PATH_ENV);
    if (configured != null && !configured.isBlank()) {
      Path dir = Path.of(configured.trim()).toAbsolutePath();
      if (!Files.isExecutable(dir.resolve("peer"))) {
        LOG.warn("{}={} holds no executable 'peer'; agents will not find the peer command", PATH_ENV, dir);
      }
      return Optional.of(dir);
    }
    Optional<String> classPath = classPathOf(loader);
    if (classPath.isEmpty()) {
      LOG.debug("no peer command: {} is unset and {} is not on the class path", PATH_ENV, MAIN);
      return Optional.empty();
    }
    try {
      return Optional.of(writeWrapper(home(environment).resolve("bin"), classPath.get()));
    } catch (IOException | UnsupportedOperationException e) {
      LOG.warn("cannot write the peer command wrapper: {}", e.toString());
      return Optional.empty();
    }
  }

  /**
   * @return the class path that runs {@value #MAIN}: where the class was loaded from (a jar or a directory)
   *     followed by this JVM's class path (its dependencies; duplicates dropped)
   */
  private static Optional<String> classPathOf(ClassLoader loader) {
    try {
      CodeSource source = Class.forName(MAIN, false, loader).getProtectionDomain().getCodeSource();
      if (source == null || source.getLocation() == null) {
        return Optional.empty();
      }
      Path location = Path.of(source.getLocation().toURI());
      java.util.LinkedHashSet<String> entries = new java.util.LinkedHashSet<>();
      entries.add(location.toString());
      for (String e : System.getProperty("java.class.path", "").split(File.pathSeparator)) {
        if (!e.isBlank()) {
          entries.add(Path.of(e).toAbsolutePath().toString());
        }
      }
      return Optional.of(String.join(File.pathSeparator, entries));
    } catch (ClassNotFoundException | URISyntaxException | LinkageError | SecurityException
        | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  private static Path home(Map<String, String> environment) {
    String home = environment.get("NANOBOT_ORCHESTRATOR_HOME");
    String user = System.getProperty("user.home");
    if (home == null || home.isBlank()) {
      return Path.of(user, ".nanobot-orchestrator");
    }
    return home.equals("~") || home.startsWith("~/") ? Path.of(user + home.substring(1)) : Path.of(home);
  }

  private static Path writeWrapper(Path dir, String classPath) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    String script = "#!/bin/sh\n"
        + "# Written by Orch: the 'peer' command of agent runs (docs/cli.md). Rewritten when Orch moves.\n"
        + "exec " + quote(java) + " -Xshare:auto -Xlog:disable -Xlog:all=warning:stderr -XX:TieredStopAtLevel=1"
        + " -XX:+UseSerialGC -cp " + quote(classPath) + " " + MAIN + " \"$@\"\n";
    writeIfChanged(dir, "peer", script, "rwxr-xr-x");
    return dir;
  }

  /** Writes dir/name atomically unless it already holds exactly that text. @return the file */
  private static Path writeIfChanged(Path dir, String name, String text, String permissions) throws IOException {
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    Path target = dir.resolve(name);
    if (Files.isRegularFile(target) && Arrays.equals(Files.readAllBytes(target), bytes)) {
      return target;
    }
    Files.createDirectories(dir);
    Path tmp = dir.resolve("." + name + "." + UUID.randomUUID() + ".tmp");
    try {
      Files.write(tmp, bytes);
      Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString(permissions));
      Files.move(tmp, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    } finally {
      Files.deleteIfExists(tmp);
    }
    return target;
  }

  /** @return the text in single quotes for sh ({@code '} written as {@code '\''}) */
  private static String quote(String s) {
    return "'" + s.replace("'", "'\\''") + "'";
  }
}
