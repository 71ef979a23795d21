package dev.orch.core.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;

/**
 * What the engine needs to build a run's {@link dev.orch.core.spi.RunSpec} when the run leaves its session
 * queue: the parts not stored in run.json in clear (backend_config secrets) or derived at spawn.
 *
 * @param inputMessage structured input or null
 * @param systemPrompt profile system prompt or null
 * @param backendConfig backend_config with secrets in clear
 * @param resume whether the run resumes the session's backend conversation
 * @param stepResults workflow steps whose final response fills {@code {{steps.<id>.final_response}}} in the prompt
 *     when the run starts (SPEC §12.6): step id → its run; empty for other runs
 */
record PendingStart(AgentMessage inputMessage, String systemPrompt, ObjectNode backendConfig, boolean resume,
    java.util.Map<String, dev.orch.core.RunId> stepResults) {

  /** Copies the step map. */
  PendingStart {
    stepResults = stepResults == null ? java.util.Map.of() : java.util.Map.copyOf(stepResults);
  }

  /** A start without workflow step results. */
  PendingStart(AgentMessage inputMessage, String systemPrompt, ObjectNode backendConfig, boolean resume) {
    this(inputMessage, systemPrompt, backendConfig, resume, java.util.Map.of());
  }
}
