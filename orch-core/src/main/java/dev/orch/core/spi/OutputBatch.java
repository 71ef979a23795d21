package dev.orch.core.spi;

import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One batch of an agent's output delivered by the thread that reads it (issue 8 item 4: one thread hand-off fewer
 * per event of a quiet agent). While an {@link AgentProcess} reader delivers the lines of one read, an engine may
 * {@link #defer} the commit of the events those lines produce; when the read is done the reader runs the deferred
 * commits itself if it has caught up with the file (the agent is quiet: nothing else is waiting to be read), or
 * hands them to the engine's committers if more output is waiting (a flood: reading and committing overlap).
 *
 * <p>A backend does nothing for this: its events are reported on the reader thread as before. A thread that is not
 * delivering a batch (an engine's own thread, an A2A client, a test) never defers. The deferred work runs outside
 * every lock the reader holds; what an engine defers must not block on the reader itself.
 */
public final class OutputBatch {
  private static final Logger LOG = LoggerFactory.getLogger(OutputBatch.class);
  private static final ThreadLocal<OutputBatch> CURRENT = new ThreadLocal<>();

  /** A commit an engine deferred to the end of the batch. */
  @FunctionalInterface
  public interface Commit {
    /**
     * @param here true to commit on the calling (reader) thread now; false to hand the commit to the engine's own
     *     committers
     */
    void run(boolean here);
  }

  private final List<Commit> deferred = new ArrayList<>(1);

  private OutputBatch() {
  }

  /**
   * Defers a commit to the end of the calling thread's batch.
   *
   * @param commit what to run at the end of the batch
   * @return true when deferred; false when the calling thread delivers no batch (the caller commits as usual)
   */
  public static boolean defer(Commit commit) {
    OutputBatch b = CURRENT.get();
    if (b == null) {
      return false;
    }
    b.deferred.add(commit);
    return true;
  }

  /** Starts a batch on the calling thread (the reader, before it delivers the lines of one read). */
  static void begin() {
    if (CURRENT.get() == null) {
      CURRENT.set(new OutputBatch());
    }
  }

  /**
   * Ends the calling thread's batch and runs what was deferred, in order; a failing commit is logged and the others
   * still run.
   *
   * @param caughtUp true when the read reached the end of what the agent has written so far
   */
  static void end(boolean caughtUp) {
    OutputBatch b = CURRENT.get();
    if (b == null) {
      return;
    }
    CURRENT.remove();
    for (Commit c : b.deferred) {
      try {
        c.run(caughtUp);
      } catch (RuntimeException e) {
        LOG.error("a deferred commit failed", e);
      }
    }
  }
}
