package dev.orch.soak;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * The fake-codex agent processes alive on this machine, each with the session it was started for (its
 * {@code PEER_SESSION_ID}, SPEC §2, read from {@code /proc/<pid>/environ}). Used to count agents whose run is gone
 * ("orphaned"): after a kill -9 of their server they must either die (SIGPIPE on their next line, or killed by the
 * next server's reconcile) or be followed again by a live run (re-attach). Linux only.
 */
final class Agents {
  private Agents() {
  }

  /**
   * One live agent process.
   *
   * @param handle the process
   * @param sessionId its PEER_SESSION_ID, or empty when it cannot be read
   */
  record Agent(ProcessHandle handle, String sessionId) {
  }

  /** @return every live (not zombie) process running that fake-codex script */
  static List<Agent> live(Path script) {
    String needle = script.toString();
    return ProcessHandle.allProcesses()
        .filter(p -> p.info().commandLine().map(c -> c.contains(needle)).orElse(false))
        .filter(Agents::running)
        .map(p -> new Agent(p, sessionOf(p.pid()).orElse("")))
        .toList();
  }

  /**
   * Waits until no agent matches {@code orphaned} any more, up to {@code grace}.
   *
   * @return the agents that still match after the grace (the orphans)
   */
  static List<Agent> awaitNoOrphans(Path script, Predicate<Agent> orphaned, Duration grace)
      throws InterruptedException {
    long deadline = System.nanoTime() + grace.toNanos();
    while (true) {
      List<Agent> left = live(script).stream().filter(orphaned).toList();
      if (left.isEmpty() || System.nanoTime() > deadline) {
        return left;
      }
      Thread.sleep(100);
    }
  }

  private static boolean running(ProcessHandle p) {
    if (!p.isAlive()) {
      return false;
    }
    try {
      String stat = Files.readString(Path.of("/proc", Long.toString(p.pid()), "stat"), StandardCharsets.UTF_8);
      int close = stat.lastIndexOf(')');
      return close < 0 || close + 2 >= stat.length() || stat.charAt(close + 2) != 'Z';
    } catch (IOException e) {
      return false;
    }
  }

  private static Optional<String> sessionOf(long pid) {
    try {
      byte[] env = Files.readAllBytes(Path.of("/proc", Long.toString(pid), "environ"));
      for (String kv : new String(env, StandardCharsets.UTF_8).split("\0")) {
        if (kv.startsWith("PEER_SESSION_ID=")) {
          return Optional.of(kv.substring("PEER_SESSION_ID=".length()));
        }
      }
      return Optional.empty();
    } catch (IOException e) {
      return Optional.empty();
    }
  }
}
