package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.SessionId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A persisted session ({@code sessions/<session_id>.json}, SPEC §6): {@code sessionId, backend, cwd, agentName,
 * backendSessionId, remoteRef, createdAt, updatedAt, metadata}, plus Orch's additions {@code role} and
 * {@code lastRunId} (absent in TS files: then derived from the runs).
 *
 * @param sessionId id
 * @param backend backend id the session is bound to
 * @param cwd absolute working directory
 * @param agentName unique agent name within the cwd
 * @param backendSessionId codex thread id / Claude session id / A2A context id, null until known
 * @param remoteRef backend conversation reference or null
 * @param createdAt creation time
 * @param updatedAt last change
 * @param metadata caller metadata, never null
 * @param role role of the latest run, or null
 * @param lastRunId latest run, or null
 */
public record SessionRecord(SessionId sessionId, String backend, Path cwd, String agentName, String backendSessionId,
    RemoteRef remoteRef, Instant createdAt, Instant updatedAt, ObjectNode metadata, Role role, RunId lastRunId) {

  /** Validates required fields and copies metadata. */
  public SessionRecord {
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(cwd, "cwd");
    Objects.requireNonNull(agentName, "agentName");
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
  }

  /** @return a copy bound to a backend conversation */
  public SessionRecord withBackendSession(String newBackendSessionId, RemoteRef newRemoteRef, Instant now) {
    return new SessionRecord(sessionId, backend, cwd, agentName, newBackendSessionId, newRemoteRef, createdAt, now,
        metadata, role, lastRunId);
  }

  /** @return a copy recording the latest run */
  public SessionRecord withLastRun(RunId runId, Role runRole, Instant now) {
    return new SessionRecord(sessionId, backend, cwd, agentName, backendSessionId, remoteRef, createdAt, now,
        metadata, runRole, runId);
  }
}
