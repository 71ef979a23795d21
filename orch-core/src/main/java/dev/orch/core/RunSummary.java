package dev.orch.core;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * A run as {@code get_run} and {@code list_runs} show it (SPEC §2 RunSummary; all keys present on the wire).
 *
 * @param runId run id
 * @param backend backend id
 * @param role role
 * @param sessionId session id
 * @param agentName agent name of the session
 * @param status current status
 * @param startedAt creation time
 * @param updatedAt last change
 * @param summary one-line human text derived from the latest event (SPEC §3)
 * @param lastSeq seq of the latest event, 0 when none
 * @param cwd absolute working directory
 * @param metadata caller metadata (copied), never null
 * @param remoteRef backend conversation reference, or null
 * @param usage normalized usage and cost (SPEC §12.4), or null before the backend reported any
 * @param workspace the run's worktree (SPEC §12.7), or null for the shared cwd
 */
public record RunSummary(RunId runId, String backend, Role role, SessionId sessionId, String agentName,
    RunStatus status, Instant startedAt, Instant updatedAt, String summary, long lastSeq, Path cwd,
    ObjectNode metadata, RemoteRef remoteRef, Usage usage, ObjectNode workspace) {

  /** Validates non-null fields and copies metadata. */
  public RunSummary {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(status, "status");
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    workspace = workspace == null ? null : workspace.deepCopy();
  }

  /**
   * @return the wire JSON with every SPEC §2 key present (snake_case, ISO times), plus {@code usage} (SPEC §12.4,
   *     null until reported) and {@code workspace} (SPEC §12.7, only for worktree runs)
   */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("run_id", runId.value());
    n.put("backend", backend);
    n.put("role", role == null ? null : role.wire());
    n.put("session_id", sessionId == null ? null : sessionId.value());
    n.put("agent_name", agentName);
    n.put("status", status.wire());
    n.put("started_at", startedAt == null ? null : Timestamps.format(startedAt));
    n.put("updated_at", updatedAt == null ? null : Timestamps.format(updatedAt));
    n.put("summary", summary == null ? "" : summary);
    n.put("last_seq", lastSeq);
    n.put("cwd", cwd == null ? null : cwd.toString());
    n.set("metadata", metadata.deepCopy());
    n.set("remote_ref", remoteRef == null ? JsonNodeFactory.instance.nullNode() : remoteRef.toJson());
    n.set("usage", usage == null ? JsonNodeFactory.instance.nullNode() : usage.toJson());
    if (workspace != null) {
      n.set("workspace", workspace.deepCopy());
    }
    return n;
  }
}
