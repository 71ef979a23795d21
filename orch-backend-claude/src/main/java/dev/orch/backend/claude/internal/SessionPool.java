package dev.orch.backend.claude.internal;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Idle Claude Code processes kept alive after a result so that a resume of the same session reuses the process
 * instead of starting a new CLI (issue item 4). Keyed by (Claude session id, cwd) because Claude resumes a session
 * only from the cwd it was created in. A parked process is closed (official close sequence) when its keep-alive
 * ends, when it is taken with a different launch fingerprint, or when the pool closes; a process that exits on
 * its own leaves the pool. Thread-safe.
 */
public final class SessionPool implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(SessionPool.class);

  /**
   * Pool key.
   *
   * @param sessionId the Claude session id
   * @param cwd the normalized absolute working directory
   */
  public record Key(String sessionId, Path cwd) {
    /** Normalizes cwd. */
    public Key {
      Objects.requireNonNull(sessionId, "sessionId");
      cwd = cwd.toAbsolutePath().normalize();
    }
  }

  private record Idle(ClaudeProcess process, ScheduledFuture<?> expiry) {
  }

  private final ScheduledExecutorService scheduler;
  private final ThreadFactory threads;
  private final Map<Key, Idle> idle = new HashMap<>();
  private boolean closed;

  /**
   * @param scheduler runs keep-alive expiries
   * @param threads makes the threads that run close sequences (they block for up to 8 s)
   */
  public SessionPool(ScheduledExecutorService scheduler, ThreadFactory threads) {
    this.scheduler = scheduler;
    this.threads = threads;
  }

  /**
   * Takes the idle process of a session.
   *
   * @param key the session and cwd
   * @param fingerprint the launch fingerprint the new run needs
   * @return a live process launched with an equal fingerprint, or null (a non-matching one is closed)
   */
  public ClaudeProcess take(Key key, String fingerprint) {
    Idle entry;
    synchronized (this) {
      entry = idle.remove(key);
    }
    if (entry == null) {
      return null;
    }
    entry.expiry().cancel(false);
    if (entry.process().isAlive() && entry.process().fingerprint().equals(fingerprint)) {
      LOG.debug("reusing claude {} for session {}", entry.process().pid(), key.sessionId());
      return entry.process();
    }
    closeAsync(entry.process());
    return null;
  }

  /**
   * Parks a process after its run ended. With {@code keepaliveMs <= 0}, a dead process, or a closed pool the
   * process is closed instead.
   *
   * @param key the session and cwd
   * @param process the idle process (no run attached)
   * @param keepaliveMs how long it may idle, ms
   */
  public void park(Key key, ClaudeProcess process, long keepaliveMs) {
    ClaudeProcess toClose = process;
    Idle previous = null;
    synchronized (this) {
      if (!closed && keepaliveMs > 0 && process.isAlive()) {
        ScheduledFuture<?> expiry = scheduler.schedule(() -> expire(key, process), keepaliveMs,
            TimeUnit.MILLISECONDS);
        previous = idle.put(key, new Idle(process, expiry));
        toClose = null;
      }
    }
    if (toClose != null) {
      closeAsync(toClose);
      return;
    }
    process.onExit().thenRun(() -> expire(key, process));
    if (previous != null && previous.process() != process) {
      previous.expiry().cancel(false);
      closeAsync(previous.process());
    }
  }

  private void expire(Key key, ClaudeProcess process) {
    synchronized (this) {
      Idle entry = idle.get(key);
      if (entry == null || entry.process() != process) {
        return;
      }
      idle.remove(key);
    }
    closeAsync(process);
  }

  /** @return the number of parked processes */
  public synchronized int size() {
    return idle.size();
  }

  private void closeAsync(ClaudeProcess process) {
    Thread t = threads.newThread(process::close);
    t.setName("claude-close-" + process.pid());
    t.start();
  }

  /** Closes every parked process (in parallel) and waits for them, at most about 8 s. Idempotent. */
  @Override
  public void close() {
    List<ClaudeProcess> all = new ArrayList<>();
    synchronized (this) {
      closed = true;
      idle.values().forEach(i -> {
        i.expiry().cancel(false);
        all.add(i.process());
      });
      idle.clear();
    }
    List<Thread> closers = new ArrayList<>();
    for (ClaudeProcess p : all) {
      Thread t = threads.newThread(p::close);
      t.start();
      closers.add(t);
    }
    for (Thread t : closers) {
      try {
        t.join(ClaudeProcess.STDIN_GRACE.plus(ClaudeProcess.TERM_GRACE).toMillis() + 2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return;
      }
    }
  }
}
