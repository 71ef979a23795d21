package dev.orch.cli.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.EventPage;
import dev.orch.core.EventType;
import dev.orch.core.NormalizedEvent;
import dev.orch.core.Orchestrator;
import dev.orch.core.RunRef;
import dev.orch.core.RunSummary;
import java.time.Duration;
import java.util.List;

/**
 * A run with what it ended with, read from its terminal event (the public API has no result accessor):
 * {@code run_completed} → {@code result {final_response, structured_output, usage}}; {@code run_failed} →
 * {@code error} (+ usage when the backend reported one); a terminal {@code status_changed} → neither.
 *
 * @param run the summary
 * @param terminal the terminal event, or null while the run is not terminal
 */
public record Outcome(RunSummary run, NormalizedEvent terminal) {
  /** How far back from the last event the terminal event is looked for. */
  private static final int LOOK_BACK = 50;

  /** @return the run's summary and, when terminal, its terminal event */
  public static Outcome of(Orchestrator orch, RunSummary run) {
    if (!run.status().isTerminal() || run.lastSeq() == 0) {
      return new Outcome(run, null);
    }
    long after = Math.max(0, run.lastSeq() - LOOK_BACK);
    EventPage page = orch.poll(RunRef.of(run.runId()), after, LOOK_BACK, Duration.ZERO);
    List<NormalizedEvent> events = page.events();
    for (int i = events.size() - 1; i >= 0; i--) {
      if (isTerminal(events.get(i))) {
        return new Outcome(run, events.get(i));
      }
    }
    return new Outcome(run, null);
  }

  /** @return true for run_completed, run_failed and status_changed to a terminal status */
  public static boolean isTerminal(NormalizedEvent e) {
    return e.type() == EventType.RUN_COMPLETED || e.type() == EventType.RUN_FAILED
        || e.type() == EventType.STATUS_CHANGED && List.of("completed", "failed", "cancelled", "rejected")
            .contains(e.data().path("status").asText());
  }

  /** @return the final response text, or null */
  public String finalResponse() {
    return terminal != null && terminal.type() == EventType.RUN_COMPLETED
        ? terminal.data().path("final_response").asText(null) : null;
  }

  /** @return the usage object the backend reported, or null */
  public JsonNode usage() {
    if (terminal == null) {
      return null;
    }
    JsonNode u = terminal.data().get("usage");
    return u == null || u.isNull() ? null : u;
  }

  /** @return the failure message, or null */
  public String error() {
    if (terminal == null) {
      return null;
    }
    if (terminal.type() == EventType.RUN_FAILED) {
      return terminal.data().path("message").asText("run failed");
    }
    if (terminal.type() == EventType.STATUS_CHANGED) {
      String reason = terminal.data().path("reason").asText(null);
      return reason == null ? null : terminal.data().path("status").asText() + " (" + reason + ")";
    }
    return null;
  }

  /**
   * @return the summary JSON (SPEC §2 RunSummary keys) plus {@code result: {final_response, structured_output,
   *     usage} | null} and {@code error: string | null}
   */
  public ObjectNode toJson() {
    ObjectNode n = run.toJson();
    if (terminal != null && terminal.type() == EventType.RUN_COMPLETED) {
      ObjectNode r = n.putObject("result");
      JsonNode d = terminal.data();
      r.set("final_response", d.path("final_response").isMissingNode() ? JsonNodeFactory.instance.nullNode()
          : d.get("final_response"));
      r.set("structured_output", d.path("structured_output").isMissingNode() ? JsonNodeFactory.instance.nullNode()
          : d.get("structured_output"));
      r.set("usage", usage() == null ? JsonNodeFactory.instance.nullNode() : usage());
    } else {
      n.putNull("result");
    }
    n.put("error", error());
    return n;
  }
}
