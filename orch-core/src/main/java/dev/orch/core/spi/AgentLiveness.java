package dev.orch.core.spi;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Whether an {@link AgentProcess} has ended and with which exit code, and which of the pids its wrapper wrote down
 * still name its processes. The end: the exit file exists; else the wrapper is gone and so is every process of the
 * agent's group (a wrapper killed alone leaves an agent that goes on writing). The exit code: the exit file; else the
 * wrapper's own status when this JVM is its parent and it exited normally; else unknown (null). The group scan runs
 * at most every 250 ms. {@link #hasEnded} is called by the reader thread only.
 */
final class AgentLiveness {
  private static final long GROUP_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(250);

  private final Path dir;
  private final Process process;
  private final ProcessRef wrapper;
  private final boolean ownGroup;
  private volatile Integer exitCode;
  private long lastGroupCheck;
  private boolean groupAlive = true;

  /**
   * @param dir the agent's directory
   * @param process the wrapper when this JVM started it, else null
   * @param wrapper the wrapper's pid and start time
   * @param ownGroup whether the wrapper leads its own process group
   */
  AgentLiveness(Path dir, Process process, ProcessRef wrapper, boolean ownGroup) {
    this.dir = dir;
    this.process = process;
    this.wrapper = wrapper;
    this.ownGroup = ownGroup;
  }

  /** @return the exit code found by the last {@link #hasEnded} that returned true (null: unknown) */
  Integer exitCode() {
    return exitCode;
  }

  /** @return true once nothing more will be written (see the class comment) */
  boolean hasEnded() {
    if (readExit()) {
      return true;
    }
    if (wrapperRunning()) {
      return false;
    }
    if (readExit()) {
      return true; // written just before the wrapper exited
    }
    if (agentStillRunning()) {
      return false;
    }
    if (process != null) {
      int v = process.exitValue();
      exitCode = v < 128 ? v : null; // ≥ 128: killed by a signal, the agent's code is unknown
    }
    return true;
  }

  private boolean readExit() {
    Path f = dir.resolve(AgentProcess.EXIT);
    if (!Files.exists(f)) {
      return false;
    }
    try {
      exitCode = Integer.parseInt(Files.readString(f, StandardCharsets.US_ASCII).trim());
    } catch (IOException | NumberFormatException e) {
      exitCode = null;
    }
    return true;
  }

  /** @return true while the wrapper process runs (zombies do not count) */
  boolean wrapperRunning() {
    return process != null ? process.isAlive() : wrapper.live().isPresent();
  }

  private boolean agentStillRunning() {
    long now = System.nanoTime();
    if (groupAlive && now - lastGroupCheck < GROUP_CHECK_NANOS) {
      return true;
    }
    lastGroupCheck = now;
    groupAlive = ownGroup ? ProcessGroups.alive(wrapper.pid()) : verifiedPid(AgentWrapper.AGENT_PID) > 0;
    return groupAlive;
  }

  /**
   * @param file a pid file the wrapper wrote ({@code agent.pid}, {@code holder.pid})
   * @return the pid when it names a running process of this agent (same process group, or a child of the wrapper),
   *     else -1
   */
  long verifiedPid(String file) {
    long pid = AgentWrapper.readPid(dir.resolve(file));
    if (pid <= 0) {
      return -1;
    }
    ProcessGroups.Stat s = ProcessGroups.stat(pid);
    if (s == null || !s.running()) {
      return -1;
    }
    boolean ours = ownGroup ? s.pgid() == wrapper.pid() : s.ppid() == wrapper.pid() || !wrapperRunning();
    return ours ? pid : -1;
  }
}
