package dev.orch.core;

/**
 * Output of {@link Orchestrator#spawn}: {@code {run_id, backend, role, session_id, agent_name, status}}.
 *
 * @param runId the new run
 * @param backend backend id
 * @param role role
 * @param sessionId session
 * @param agentName agent name of the session
 * @param status {@code queued} at return
 */
public record SpawnResult(RunId runId, String backend, Role role, SessionId sessionId, String agentName,
    RunStatus status) {
}
