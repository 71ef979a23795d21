package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.RunEvent;
import dev.orch.core.RunId;
import dev.orch.core.SessionMode;
import dev.orch.core.spi.RunRecord;
import dev.orch.core.spi.RunStore;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run document {@code spawn}: what a queued run needs to start after a restart that run.json does not hold —
 * the session mode, the structured input message, and for a workflow step the runs whose results fill its prompt
 * (SPEC §12.5, §12.6: a waiting state survives a restart). Written once
 * at spawn; read when the next Orch process queues the run again. Secrets are never in it.
 */
final class SpawnDocuments {
  private static final Logger LOG = LoggerFactory.getLogger(SpawnDocuments.class);
  static final String NAME = "spawn";

  /**
   * What was stored.
   *
   * @param resume the run resumes its session's backend conversation
   * @param inputMessage the structured input, or null
   * @param stepResults for a workflow step: step id → run whose result fills its prompt (SPEC §12.6), never null
   */
  record Stored(boolean resume, AgentMessage inputMessage, Map<String, RunId> stepResults) {
  }

  private SpawnDocuments() {
  }

  /** Stores the document; a failure only costs the restart ability of a queued run (logged). */
  static void save(RunStore store, RunRecord record, SessionMode mode, AgentMessage input,
      Map<String, RunId> stepResults) {
    ObjectNode doc = RunEvent.noDetails();
    doc.put("session_mode", mode.wire());
    if (input != null) {
      doc.set("input_message", input.toJson());
    }
    if (!stepResults.isEmpty()) {
      ObjectNode steps = doc.putObject("step_results");
      stepResults.forEach((step, id) -> steps.put(step, id.value()));
    }
    try {
      store.saveDocument(record, NAME, doc);
    } catch (RuntimeException e) {
      LOG.warn("run {}: its spawn request could not be stored ({}); it will not survive a restart while queued",
          record.runId(), StoreFaults.describe(e));
    }
  }

  /**
   * @return the stored document; a missing one reads as a new-session run without input message
   * @throws dev.orch.core.OrchException INVALID_ARGUMENT when the stored input message is malformed
   */
  static Stored read(RunStore store, RunRecord r) {
    ObjectNode doc = store.readDocument(r, NAME).orElse(null);
    if (doc == null) {
      return new Stored(false, null, Map.of());
    }
    AgentMessage input = doc.path("input_message").isObject()
        ? AgentMessage.fromJson(doc.get("input_message"), "input_message") : null;
    Map<String, RunId> steps = new LinkedHashMap<>();
    doc.path("step_results").properties().forEach(e -> steps.put(e.getKey(), new RunId(e.getValue().asText())));
    return new Stored("resume".equals(doc.path("session_mode").asText()), input, steps);
  }
}
