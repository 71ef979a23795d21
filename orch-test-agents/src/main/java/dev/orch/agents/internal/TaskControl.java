package dev.orch.agents.internal;

import io.a2a.server.tasks.TaskUpdater;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The state a test agent keeps for one A2A task while it is not final: whether it waits for input, the Orch run
 * serving it, how far its events were read, and a single "finished" latch under which every event is enqueued. The
 * latch keeps the executing thread and a concurrent {@code tasks/cancel} from both enqueueing a final state: after
 * a cancel nothing else is emitted. Thread-safe.
 */
public final class TaskControl {
  private boolean finished;
  private boolean cancelled;
  private volatile boolean waiting;
  private volatile boolean cancelRequested;
  private volatile String runId;
  private volatile long afterSeq;

  /**
   * Enqueues a non-final update unless the task is already finished.
   *
   * @param update enqueues with a {@link TaskUpdater}
   * @return false when the task was already finished (nothing was enqueued)
   */
  public synchronized boolean emit(Runnable update) {
    if (finished) {
      return false;
    }
    update.run();
    return true;
  }

  /**
   * Enqueues the final update (completed, failed, rejected) unless the task is already finished.
   *
   * @param update enqueues with a {@link TaskUpdater}
   * @return false when the task was already finished
   */
  public synchronized boolean finish(Runnable update) {
    if (finished) {
      return false;
    }
    finished = true;
    update.run();
    notifyAll();
    return true;
  }

  /**
   * Marks the task cancelled and enqueues the canceled state, unless it already finished.
   *
   * @param update enqueues the canceled state
   * @return false when the task was already finished
   */
  public synchronized boolean cancel(Runnable update) {
    if (finished) {
      return false;
    }
    finished = true;
    cancelled = true;
    update.run();
    notifyAll();
    return true;
  }

  /** @return true once a final state was enqueued */
  public synchronized boolean finished() {
    return finished;
  }

  /**
   * Waits until a final state was enqueued (by the executing thread).
   *
   * @param timeoutMs longest wait, ms
   * @return true when finished within the time
   */
  public synchronized boolean awaitFinished(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + timeoutMs * 1_000_000L;
    while (!finished) {
      long left = (deadline - System.nanoTime()) / 1_000_000L;
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  /** Asks the executing thread to end the task as canceled (it enqueues the state on the task's own queue). */
  public void requestCancel() {
    cancelRequested = true;
  }

  /** @return true once {@code tasks/cancel} asked for the task to end */
  public boolean cancelRequested() {
    return cancelRequested;
  }

  /** @return true when the task was cancelled */
  public synchronized boolean cancelled() {
    return cancelled;
  }

  /** @return true while the task waits for a follow-up message (input-required / auth-required) */
  public boolean waiting() {
    return waiting;
  }

  /** @param value whether the task waits for a follow-up message */
  public void waiting(boolean value) {
    waiting = value;
  }

  /** @return the Orch run serving the task, or null */
  public String runId() {
    return runId;
  }

  /** @param value the Orch run serving the task */
  public void runId(String value) {
    runId = value;
  }

  /** @return the last Orch event seq already mapped (0 = none) */
  public long afterSeq() {
    return afterSeq;
  }

  /** @param value the last Orch event seq mapped */
  public void afterSeq(long value) {
    afterSeq = value;
  }

  /**
   * A registry of task controls by A2A task id.
   */
  public static final class Registry {
    private final Map<String, TaskControl> tasks = new ConcurrentHashMap<>();

    /** @return the control of the task, created when absent */
    public TaskControl of(String taskId) {
      return tasks.computeIfAbsent(taskId, id -> new TaskControl());
    }

    /** @return the control of the task, or null */
    public TaskControl find(String taskId) {
      return tasks.get(taskId);
    }

    /** Forgets a task whose final state was enqueued. */
    public void forget(String taskId) {
      tasks.remove(taskId);
    }
  }
}
