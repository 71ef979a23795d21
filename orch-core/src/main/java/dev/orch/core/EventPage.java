package dev.orch.core;

import java.util.List;

/**
 * Output of {@link Orchestrator#poll}: {@code {run_id, status, events[], next_after_seq}}.
 *
 * @param runId the run
 * @param status status at return
 * @param events events with seq &gt; after_seq, oldest first
 * @param nextAfterSeq last returned seq, else the after_seq given
 */
public record EventPage(RunId runId, RunStatus status, List<NormalizedEvent> events, long nextAfterSeq) {
  /** Copies events. */
  public EventPage {
    events = List.copyOf(events);
  }
}
