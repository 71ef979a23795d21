package dev.orch.core;

import java.util.List;

/**
 * The answer of {@link Orchestrator#runWorkflow} (SPEC §12.6): {@code {workflow_id, runs: [{step, run_id}]}}.
 *
 * @param workflowId the workflow's id (also {@code metadata.workflow_id} of each of its runs)
 * @param runs one entry per step, in submission order (dependencies before dependents), copied
 */
public record WorkflowStarted(String workflowId, List<StepRun> runs) {
  /** Copies the list. */
  public WorkflowStarted {
    runs = List.copyOf(runs);
  }

  /**
   * A step and its run.
   *
   * @param step the step id
   * @param runId its run (status queued at return)
   */
  public record StepRun(String step, RunId runId) {
  }
}
