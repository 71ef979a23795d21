package dev.orch.core;

/**
 * Output of {@link Orchestrator#continueRun}: {@code {run_id, status, session_id, agent_name, mode,
 * resumed_from_run_id}}.
 *
 * @param runId the run that received the input ("live") or the new run ("resume")
 * @param status its status at return
 * @param sessionId session
 * @param agentName agent name
 * @param mode {@code live} or {@code resume}
 * @param resumedFromRunId for resume, the run continued from; else null
 */
public record ContinueResult(RunId runId, RunStatus status, SessionId sessionId, String agentName, String mode,
    RunId resumedFromRunId) {
}
