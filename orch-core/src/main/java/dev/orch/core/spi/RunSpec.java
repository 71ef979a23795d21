package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import java.nio.file.Path;
import java.util.Map;
import java.util.Objects;

/**
 * Everything a backend needs to start one run.
 *
 * @param runId the run
 * @param sessionId the Orch session
 * @param agentName the session's agent name
 * @param role the run's role
 * @param cwd absolute, existing working directory
 * @param prompt the prompt text (SPEC §2: prompt, else input_message rendered); never null
 * @param inputMessage the structured input message, or null (remote_a2a prefers it over prompt)
 * @param systemPrompt {@code Profile source: <path>\n\n<content>} when a profile was given, else null (SPEC §7)
 * @param outputSchema JSON Schema for structured output, or null
 * @param backendConfig per-run {@code backend_config} with secrets in clear (in memory only), never null
 * @param resume the backend conversation to resume, or null for a new one
 * @param environment extra environment for child processes ({@code PEER_NAME}, {@code PEER_SESSION_ID},
 *     {@code PEER_CWD})
 * @param metadata caller metadata, never null
 */
public record RunSpec(RunId runId, SessionId sessionId, String agentName, Role role, Path cwd, String prompt,
    AgentMessage inputMessage, String systemPrompt, ObjectNode outputSchema, ObjectNode backendConfig,
    Resume resume, Map<String, String> environment, ObjectNode metadata) {

  /** Validates and copies. */
  public RunSpec {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(prompt, "prompt");
    backendConfig = backendConfig == null ? JsonNodeFactory.instance.objectNode() : backendConfig.deepCopy();
    outputSchema = outputSchema == null ? null : outputSchema.deepCopy();
    environment = environment == null ? Map.of() : Map.copyOf(environment);
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
  }

  /**
   * The backend conversation a resumed session continues.
   *
   * @param backendSessionId codex thread id, Claude session id or A2A context id
   * @param remoteRef the stored reference (A2A: agent_url, context_id), may be null
   */
  public record Resume(String backendSessionId, RemoteRef remoteRef) {
    /** @throws NullPointerException when backendSessionId is null */
    public Resume {
      Objects.requireNonNull(backendSessionId, "backendSessionId");
    }
  }
}
