package dev.orch.core.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.RunEvent;
import dev.orch.core.RunStatus;
import dev.orch.core.spi.LogEntry;
import java.util.Optional;

/**
 * Turns a stored event back into the typed {@link RunEvent} the state machine reads, for runs whose state must be
 * rebuilt from their event log (a run.json that lags behind the log after a crash, SPEC §10; issue 9 item 2). The
 * event log is the source of truth; run.json is a snapshot of it.
 */
final class StoredEvents {
  private StoredEvents() {
  }

  /** @return the typed event of a stored one (informational types become {@link RunEvent.Activity}) */
  static RunEvent typed(NormalizedEvent e) {
    ObjectNode d = e.data();
    switch (e.type()) {
      case RUN_STARTED:
        return new RunEvent.RunStarted(d);
      case STATUS_CHANGED:
        return new RunEvent.StatusChanged(RunStatus.fromWire(d.path("status").asText("")).orElse(RunStatus.RUNNING),
            d);
      case INPUT_REQUIRED:
        return new RunEvent.InputRequired(d.path("text").asText(""), d);
      case AUTH_REQUIRED:
        return new RunEvent.AuthRequired(d.path("text").asText(""), d);
      case REJECTED:
        return new RunEvent.Rejected(d.path("message").asText("rejected"), d);
      case RUN_FAILED:
        return new RunEvent.RunFailed(d.path("message").asText("run failed"), d);
      case RUN_COMPLETED: {
        JsonNode fr = d.get("final_response");
        return new RunEvent.RunCompleted(fr != null && fr.isTextual() ? fr.asText() : null, d.get("structured_output"),
            d.get("usage"), d);
      }
      default:
        return new RunEvent.Activity(e.type(), d);
    }
  }

  /** @return the stored event as a staged entry (no artifacts to write, no source position) */
  static RunJournal.Staged staged(NormalizedEvent e) {
    return new RunJournal.Staged(e, typed(e), java.util.List.of(), LogEntry.NO_POSITION);
  }

  /** @return the event when it ends a run (SPEC §3 terminal events), else empty */
  static Optional<RunJournal.Staged> terminal(NormalizedEvent e) {
    if (e.type() != EventType.STATUS_CHANGED && e.type() != EventType.RUN_COMPLETED
        && e.type() != EventType.RUN_FAILED && e.type() != EventType.REJECTED) {
      return Optional.empty();
    }
    RunJournal.Staged s = staged(e);
    return StateMachine.isTerminating(s.source()) ? Optional.of(s) : Optional.empty();
  }
}
