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
 */
record PendingStart(AgentMessage inputMessage, String systemPrompt, ObjectNode backendConfig, boolean resume) {
}
