package dev.orch.backend.codex.internal;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Kills a set of processes the way cancel needs it (REAL-PEERS "Spawning from Java": kill the whole tree):
 * SIGTERM to all, a grace period, SIGKILL to the survivors. A process that already died but was not yet reaped
 * (a zombie re-parented to an init that reaps slowly) counts as gone, so the wait is not stretched by zombies.
 * Not API.
 */
final class ProcessTree {
  private ProcessTree() {
  }

  /**
   * @param root a process
   * @return the process and all its current descendants, root first
   */
  static List<ProcessHandle> snapshot(ProcessHandle root) {
    List<ProcessHandle> tree = new ArrayList<>();
    tree.add(root);
    root.descendants().forEach(tree::add);
    return tree;
  }

  /**
   * SIGTERM to every live process, wait up to {@code grace} for all to be gone, SIGKILL the rest and wait up to
   * 1 s more. Bounded: returns after at most about {@code grace + 1 s}.
   *
   * @param processes the processes (duplicates allowed)
   * @param grace time between SIGTERM and SIGKILL
   * @return the processes still running at the end (normally empty)
   */
  static List<ProcessHandle> kill(List<ProcessHandle> processes, Duration grace) {
    Map<Long, ProcessHandle> live = new LinkedHashMap<>();
    for (ProcessHandle h : processes) {
      if (running(h)) {
        live.put(h.pid(), h);
      }
    }
    live.values().forEach(ProcessHandle::destroy);
    if (!awaitGone(live.values(), grace)) {
      live.values().stream().filter(ProcessTree::running).forEach(ProcessHandle::destroyForcibly);
      awaitGone(live.values(), Duration.ofSeconds(1));
    }
    return live.values().stream().filter(ProcessTree::running).toList();
  }

  private static boolean awaitGone(Iterable<ProcessHandle> handles, Duration timeout) {
    long deadline = System.nanoTime() + timeout.toNanos();
    while (true) {
      boolean any = false;
      for (ProcessHandle h : handles) {
        any |= running(h);
      }
      if (!any) {
        return true;
      }
      if (System.nanoTime() >= deadline) {
        return false;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }
  }

  /** @return true when the process is alive and not a zombie (Linux {@code /proc/<pid>/stat} state Z or X) */
  static boolean running(ProcessHandle h) {
    if (!h.isAlive()) {
      return false;
    }
    Path stat = Path.of("/proc", Long.toString(h.pid()), "stat");
    try {
      String s = Files.readString(stat);
      int close = s.lastIndexOf(')');
      if (close > 0 && close + 2 < s.length()) {
        char state = s.charAt(close + 2);
        return state != 'Z' && state != 'X';
      }
      return true;
    } catch (IOException e) {
      return Files.exists(stat.getParent()) || h.isAlive();
    }
  }
}
