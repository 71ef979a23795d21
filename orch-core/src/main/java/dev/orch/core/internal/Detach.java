package dev.orch.core.internal;

import dev.orch.core.spi.RunHandle;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What happens to live runs when the Orch process exits (SPEC §10, §12.8): {@code ORCH_ON_EXIT=cancel} (default)
 * cancels them; {@code ORCH_ON_EXIT=detach} leaves every started run whose backend can detach running — its agent
 * keeps writing its output where the next Orch process re-attaches it — after the events already reported are
 * durable, and leaves queued runs queued for the next process. The run keeps its active-run marker; its lease goes
 * with this process.
 */
final class Detach {
  private static final Logger LOG = LoggerFactory.getLogger(Detach.class);
  /** Longest wait for a detached run's staged events to become durable, ms. */
  static final long COMMIT_WAIT_MS = 300;
  /** Longest wait for a run whose backend is still starting to get its handle, ms. */
  static final long START_WAIT_MS = 2000;

  /** The exit policy. */
  enum OnExit {
    /** cancel live runs (SPEC §10) */
    CANCEL,
    /** leave them running for the next Orch process (SPEC §12.8) */
    DETACH;

    /**
     * @param env the environment ({@code ORCH_ON_EXIT})
     * @return the policy; CANCEL when unset
     * @throws dev.orch.core.OrchException INVALID_ARGUMENT for any other value than cancel or detach
     */
    static OnExit from(Map<String, String> env) {
      String v = env.get("ORCH_ON_EXIT");
      if (v == null || v.isBlank()) {
        return CANCEL;
      }
      switch (v.trim().toLowerCase(Locale.ROOT)) {
        case "cancel":
          return CANCEL;
        case "detach":
          return DETACH;
        default:
          throw dev.orch.core.OrchException.invalid("ORCH_ON_EXIT must be cancel or detach, not: "
              + (v.length() > 40 ? v.substring(0, 40) + "…" : v));
      }
    }
  }

  private Detach() {
  }

  /**
   * Detaches every run that can be detached.
   *
   * @return the runs that could not be (not started yet, already ending, or a backend that cannot detach): the
   *     caller cancels them
   */
  static List<LiveRun> detachAll(List<LiveRun> runs) {
    List<LiveRun> rest = new ArrayList<>();
    for (LiveRun run : runs) {
      if (!detach(run)) {
        rest.add(run);
      }
    }
    return rest;
  }

  /**
   * A run whose backend is still starting has no handle yet: a client that spawns a run and exits at once (the
   * top-agent case of issue 9) must not lose it to that race, so the start gets up to {@link #START_WAIT_MS}.
   */
  private static RunHandle awaitHandle(LiveRun run) {
    long deadline = System.nanoTime() + START_WAIT_MS * 1_000_000;
    RunHandle h = run.handle;
    while (h == null && System.nanoTime() < deadline) {
      synchronized (run.journal) {
        if (run.journal.closed) {
          return null;
        }
      }
      try {
        Thread.sleep(5);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return null;
      }
      h = run.handle;
    }
    return h;
  }

  private static boolean detach(LiveRun run) {
    RunJournal j = run.journal;
    boolean queued;
    synchronized (j) {
      if (j.closed) {
        return false;
      }
      queued = !j.started;
      if (queued) {
        // never started: it stays queued on disk and the next Orch process queues it again (SPEC §12.5)
        j.closed = true;
      }
    }
    if (queued) {
      j.awaitIdle(COMMIT_WAIT_MS);
      run.lease.close();
      LOG.info("run {} left queued: the next Orch process queues it again", run.runId);
      return true;
    }
    RunHandle handle = awaitHandle(run);
    boolean detached;
    try {
      detached = handle != null && handle.detach();
    } catch (RuntimeException e) {
      LOG.warn("run {}: the backend failed to detach: {}", run.runId, e.toString());
      detached = false;
    }
    if (!detached) {
      return false;
    }
    synchronized (j) {
      j.closed = true;
    }
    j.awaitIdle(COMMIT_WAIT_MS);
    synchronized (j) {
      if (j.log != null && !j.committing) {
        j.log.close();
        j.log = null;
      }
    }
    run.lease.close();
    LOG.info("run {} detached: its agent keeps running and the next Orch process re-attaches it", run.runId);
    return true;
  }
}
