package dev.orch.core;

import java.util.List;

/**
 * Follows the runs of an {@link Orchestrator} as they change, e.g. to push MCP resource updates, progress or
 * elicitations (SPEC §12.9). Register with {@link Orchestrator#listen}.
 *
 * <p>Calls come from one dispatcher thread of the Orchestrator, in the order the changes were published (events of a
 * run oldest first), never from a run's own threads: a slow listener delays other listeners, not runs. Listeners
 * should still return quickly and hand long work to their own threads. An exception thrown by a listener is logged
 * and ignored. Only runs owned by this process are reported.
 */
public interface RunListener {
  /**
   * New events of a run became durable and visible to {@code poll_events}.
   *
   * @param run the run's summary after these events
   * @param events the events, oldest first, never empty
   */
  default void eventsPublished(RunSummary run, List<NormalizedEvent> events) {
  }

  /**
   * A run's status changed (called after {@link #eventsPublished} for the same events).
   *
   * @param run the run's summary with the new status
   * @param previous the status before
   */
  default void statusChanged(RunSummary run, RunStatus previous) {
  }
}
