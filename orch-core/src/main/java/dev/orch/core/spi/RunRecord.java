package dev.orch.core.spi;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.RemoteRef;
import dev.orch.core.Role;
import dev.orch.core.RunId;
import dev.orch.core.RunStatus;
import dev.orch.core.RunOptions;
import dev.orch.core.RunSummary;
import dev.orch.core.Usage;
import dev.orch.core.SessionId;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Objects;

/**
 * The persisted state of a run ({@code run.json}, SPEC §6): {@code runId, backend, role, sessionId, agentName,
 * status, cwd, prompt, profile?, metadata, remoteRef, startedAt, updatedAt, completedAt, lastSeq, summary,
 * result, error}, plus Orch's additions {@code outputSchema} and {@code backendConfig} (secrets redacted) so a
 * resume from disk can re-apply them. Immutable; use the {@code with*} methods.
 *
 * @param runId run id
 * @param backend backend id
 * @param role role (null only in foreign files)
 * @param sessionId session id
 * @param agentName agent name of the session
 * @param status status
 * @param cwd absolute working directory
 * @param prompt the prompt text as given (or rendered from input_message)
 * @param profile profile path as given, or null
 * @param metadata caller metadata, never null
 * @param remoteRef backend conversation reference or null
 * @param startedAt creation time
 * @param updatedAt last change
 * @param completedAt when the run became terminal, or null
 * @param lastSeq seq of the last event, 0 when none
 * @param summary one-line summary
 * @param result result when completed, else null
 * @param error failure message when failed, else null
 * @param outputSchema JSON schema given at spawn, or null
 * @param backendConfig backend_config with secrets redacted, never null
 * @param usage normalized usage so far (SPEC §12.4), or null before the backend reported any
 * @param options scheduling and limits given at spawn (SPEC §12.2, §12.3, §12.5), never null
 * @param workspace the run's worktree ({@code {path, branch, base_commit, head_commit, changed_files}}, SPEC §12.7),
 *     or null for runs in the shared cwd
 */
public record RunRecord(RunId runId, String backend, Role role, SessionId sessionId, String agentName,
    RunStatus status, Path cwd, String prompt, String profile, ObjectNode metadata, RemoteRef remoteRef,
    Instant startedAt, Instant updatedAt, Instant completedAt, long lastSeq, String summary, RunResult result,
    String error, ObjectNode outputSchema, ObjectNode backendConfig, Usage usage, RunOptions options,
    ObjectNode workspace) {

  /** Validates required fields and copies JSON objects. */
  public RunRecord {
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(status, "status");
    Objects.requireNonNull(cwd, "cwd");
    metadata = metadata == null ? JsonNodeFactory.instance.objectNode() : metadata.deepCopy();
    backendConfig = backendConfig == null ? JsonNodeFactory.instance.objectNode() : backendConfig.deepCopy();
    outputSchema = outputSchema == null ? null : outputSchema.deepCopy();
    summary = summary == null ? "" : summary;
    options = options == null ? RunOptions.DEFAULT : options;
    workspace = workspace == null ? null : workspace.deepCopy();
  }

  /** @return a copy with a new status, summary, lastSeq and updatedAt */
  public RunRecord withProgress(RunStatus newStatus, String newSummary, long newLastSeq, Instant now) {
    return new RunRecord(runId, backend, role, sessionId, agentName, newStatus, cwd, prompt, profile, metadata,
        remoteRef, startedAt, now, newStatus.isTerminal() && completedAt == null ? now : completedAt, newLastSeq,
        newSummary, result, error, outputSchema, backendConfig, usage, options, workspace);
  }

  /** @return a copy with result and error set */
  public RunRecord withOutcome(RunResult newResult, String newError) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, prompt, profile, metadata,
        remoteRef, startedAt, updatedAt, completedAt, lastSeq, summary, newResult, newError, outputSchema,
        backendConfig, usage, options, workspace);
  }

  /** @return a copy with a new remote reference */
  public RunRecord withRemoteRef(RemoteRef ref) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, prompt, profile, metadata, ref,
        startedAt, updatedAt, completedAt, lastSeq, summary, result, error, outputSchema, backendConfig, usage, options, workspace);
  }

  /** @return a copy with new usage */
  public RunRecord withUsage(Usage u) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, prompt, profile, metadata, remoteRef,
        startedAt, updatedAt, completedAt, lastSeq, summary, result, error, outputSchema, backendConfig, u, options,
        workspace);
  }

  /** @return a copy with a new summary text (e.g. a queue position) */
  public RunRecord withSummary(String s) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, prompt, profile, metadata, remoteRef,
        startedAt, updatedAt, completedAt, lastSeq, s, result, error, outputSchema, backendConfig, usage, options,
        workspace);
  }

  /** @return a copy with a new prompt text (a workflow step's prompt once its placeholders are filled, SPEC §12.6) */
  public RunRecord withPrompt(String p) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, p, profile, metadata, remoteRef,
        startedAt, updatedAt, completedAt, lastSeq, summary, result, error, outputSchema, backendConfig, usage,
        options, workspace);
  }

  /** @return a copy with a new workspace object */
  public RunRecord withWorkspace(ObjectNode ws) {
    return new RunRecord(runId, backend, role, sessionId, agentName, status, cwd, prompt, profile, metadata, remoteRef,
        startedAt, updatedAt, completedAt, lastSeq, summary, result, error, outputSchema, backendConfig, usage,
        options, ws);
  }

  /** @return the API view of this record */
  public RunSummary toSummary() {
    return new RunSummary(runId, backend, role, sessionId, agentName, status, startedAt, updatedAt, summary,
        lastSeq, cwd, metadata, remoteRef, usage, workspace);
  }
}
