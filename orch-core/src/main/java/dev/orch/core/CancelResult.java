package dev.orch.core;

import java.time.Instant;

/**
 * Output of {@link Orchestrator#cancel}: {@code {run_id, status, cancelled_at}}.
 *
 * @param runId the run
 * @param status {@code cancelled}
 * @param cancelledAt when it was cancelled
 */
public record CancelResult(RunId runId, RunStatus status, Instant cancelledAt) {
}
