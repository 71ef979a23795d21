package dev.orch.core;

import java.util.List;

/**
 * The answer of {@link Orchestrator#cancelWorkflow} ({@code cancel_run} with {@code scope:"workflow"}).
 *
 * @param workflowId the workflow
 * @param run the referenced run as it is after the call (status {@code cancelled}, or its earlier terminal status)
 * @param cancelled every run this call cancelled, dependents first (copied)
 * @param failures runs that could not be cancelled (e.g. owned by another Orch process), with why (copied)
 */
public record WorkflowCancel(String workflowId, CancelResult run, List<Cancelled> cancelled, List<Failure> failures) {
  /** Copies the lists. */
  public WorkflowCancel {
    cancelled = List.copyOf(cancelled);
    failures = List.copyOf(failures);
  }

  /**
   * A cancelled run of the workflow.
   *
   * @param step its step id (metadata.step), or null
   * @param result the cancel's result
   */
  public record Cancelled(String step, CancelResult result) {
  }

  /**
   * A run of the workflow that stays as it is.
   *
   * @param step its step id, or null
   * @param runId the run
   * @param error why it could not be cancelled
   */
  public record Failure(String step, RunId runId, String error) {
  }
}
