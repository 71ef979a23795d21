package dev.orch.core.spi;

import java.util.concurrent.TimeUnit;

/**
 * A flag raised by change notifications and awaited with a timeout, for a thread that follows a file: it reads, and
 * when nothing is new, {@link #await}s the next change or its timer, whichever comes first. A change raised while
 * the follower was reading is kept, so the next wait returns at once (no change is lost between the read and the
 * wait). Thread-safe; meant for one waiting thread.
 */
public final class ChangeSignal {
  private boolean raised;

  /** Raises the flag and wakes the waiter (any thread; returns at once). */
  public synchronized void raise() {
    raised = true;
    notifyAll();
  }

  /**
   * Waits until the flag is raised or {@code timeoutMs} has passed, and lowers it.
   *
   * @param timeoutMs longest wait, ms; 0 or less does not wait
   * @return true when the flag was raised (a change), false on the timeout
   * @throws InterruptedException when interrupted while waiting
   */
  public synchronized boolean await(long timeoutMs) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(Math.max(0, timeoutMs));
    while (!raised) {
      long left = deadline - System.nanoTime();
      if (left <= 0) {
        return false;
      }
      TimeUnit.NANOSECONDS.timedWait(this, left);
    }
    raised = false;
    return true;
  }
}
