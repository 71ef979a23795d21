package dev.orch.core.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Process groups and sessions on Linux, read from {@code /proc/<pid>/stat} (the JDK's {@link ProcessHandle} knows
 * neither), and signals to a whole group with {@code kill -<SIG> -- -<pgid>} (the JDK sends only TERM and KILL to
 * single processes). Used by {@link AgentProcess}. Without procfs (not Linux) every query answers "unknown" and
 * callers fall back to the process tree.
 */
final class ProcessGroups {
  private static final Logger LOG = LoggerFactory.getLogger(ProcessGroups.class);
  private static final Path PROC = Path.of("/proc");

  /**
   * The fields of {@code /proc/<pid>/stat} after the command name.
   *
   * @param state one-letter state ({@code R}, {@code S}, {@code Z} …)
   * @param ppid parent pid
   * @param pgid process group id
   * @param sid session id
   */
  record Stat(char state, long ppid, long pgid, long sid) {
    /** @return true unless the process is a zombie or dead (it has exited and only waits to be reaped) */
    boolean running() {
      return state != 'Z' && state != 'X';
    }
  }

  private ProcessGroups() {
  }

  /** @return the stat of a process, or null when it does not exist or procfs is unavailable */
  static Stat stat(long pid) {
    try {
      return parse(Files.readString(PROC.resolve(Long.toString(pid)).resolve("stat"), StandardCharsets.UTF_8));
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /** @return the parsed line, or null when it is malformed */
  static Stat parse(String line) {
    int close = line.lastIndexOf(')');
    if (close < 0 || close + 2 >= line.length()) {
      return null;
    }
    String[] f = line.substring(close + 2).trim().split(" ");
    if (f.length < 4 || f[0].isEmpty()) {
      return null;
    }
    return new Stat(f[0].charAt(0), Long.parseLong(f[1]), Long.parseLong(f[2]), Long.parseLong(f[3]));
  }

  /**
   * @param pgid a process group id
   * @return the running (non-zombie) members of the group, in pid order; empty without procfs
   */
  static List<ProcessHandle> members(long pgid) {
    List<ProcessHandle> out = new ArrayList<>();
    if (pgid <= 1) {
      return out;
    }
    try (DirectoryStream<Path> dirs = Files.newDirectoryStream(PROC, p -> isNumber(p.getFileName().toString()))) {
      for (Path d : dirs) {
        long pid = Long.parseLong(d.getFileName().toString());
        Stat s = stat(pid);
        if (s != null && s.pgid() == pgid && s.running()) {
          ProcessHandle.of(pid).ifPresent(out::add);
        }
      }
    } catch (IOException | RuntimeException e) {
      LOG.debug("cannot list the members of process group {}: {}", pgid, e.toString());
    }
    out.sort((a, b) -> Long.compare(a.pid(), b.pid()));
    return out;
  }

  /** @return true while some process of the group runs (zombies do not count) */
  static boolean alive(long pgid) {
    return !members(pgid).isEmpty();
  }

  /**
   * Sends a signal to every process of a group. Never to group 0 or 1, nor to this JVM's own group.
   *
   * @param pgid the group
   * @param sig the signal name without {@code SIG}, e.g. {@code TERM}
   */
  static void signal(long pgid, String sig) {
    Stat own = stat(ProcessHandle.current().pid());
    if (pgid <= 1 || own != null && own.pgid() == pgid) {
      LOG.warn("refusing to signal process group {}", pgid);
      return;
    }
    try {
      new ProcessBuilder("kill", "-" + sig, "--", "-" + pgid).redirectErrorStream(true)
          .redirectOutput(ProcessBuilder.Redirect.DISCARD).start().waitFor(2, TimeUnit.SECONDS);
    } catch (IOException e) {
      LOG.warn("could not send SIG{} to process group {}: {}", sig, pgid, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private static boolean isNumber(String s) {
    if (s.isEmpty()) {
      return false;
    }
    for (int i = 0; i < s.length(); i++) {
      if (!Character.isDigit(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
