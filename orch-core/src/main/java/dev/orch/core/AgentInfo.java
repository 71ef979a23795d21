package dev.orch.core;

import java.nio.file.Path;
import java.time.Instant;

/**
 * One agent (session) as {@code list_agents} shows it: {@code {agent_name, role, session_id, status, cwd,
 * last_run_id, updated_at}}; status is the latest run's status or {@code idle} when it has no run.
 *
 * @param agentName agent name
 * @param role role of the latest run, or null
 * @param sessionId session
 * @param status latest run status wire name, or {@code idle}
 * @param cwd working directory
 * @param lastRunId latest run or null
 * @param updatedAt last change
 */
public record AgentInfo(String agentName, Role role, SessionId sessionId, String status, Path cwd, RunId lastRunId,
    Instant updatedAt) {
}
