package dev.orch.core.internal;

import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunListener;
import dev.orch.core.RunSummary;
import dev.orch.core.spi.RunRecord;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers published run changes to {@link RunListener}s on one dispatcher thread (in publish order), so that a
 * listener never runs on a committing thread. Costs nothing while no listener is registered. Thread-safe.
 */
final class RunObservers implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(RunObservers.class);
  private final List<RunListener> listeners = new CopyOnWriteArrayList<>();
  private final ExecutorService dispatcher = Executors.newSingleThreadExecutor(Engine.daemonThreads("orch-listeners"));

  /** @return a handle that removes the listener */
  Runnable add(RunListener l) {
    listeners.add(l);
    return () -> listeners.remove(l);
  }

  /**
   * A run published a new record and events (called by the committer after {@link LiveRun#publish}).
   *
   * @param before the record before
   * @param after the record after
   * @param events the newly published events, oldest first
   */
  void published(RunRecord before, RunRecord after, List<NormalizedEvent> events) {
    if (listeners.isEmpty() || (events.isEmpty() && before.status() == after.status())) {
      return;
    }
    RunSummary summary = after.toSummary();
    List<NormalizedEvent> copy = List.copyOf(events);
    try {
      dispatcher.execute(() -> {
        for (RunListener l : listeners) {
          try {
            if (!copy.isEmpty()) {
              l.eventsPublished(summary, copy);
            }
            if (before.status() != after.status()) {
              l.statusChanged(summary, before.status());
            }
          } catch (RuntimeException e) {
            LOG.warn("a run listener failed on run {}: {}", summary.runId(), e.toString(), e);
          }
        }
      });
    } catch (RejectedExecutionException e) {
      LOG.debug("listeners closed: not reporting run {}", summary.runId());
    }
  }

  @Override
  public void close() {
    dispatcher.shutdown();
  }
}
