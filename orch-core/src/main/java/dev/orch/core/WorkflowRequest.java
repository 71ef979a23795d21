package dev.orch.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Input of {@link Orchestrator#runWorkflow} (SPEC §12.6 run_workflow): a graph of spawn requests.
 *
 * <p>Each step is a spawn request in the workflow's cwd plus the ids of the steps it waits for. Prompts (and text
 * parts of input messages) may hold {@code {{inputs.<key>}}}, filled at submit from {@code inputs} (or a declared
 * input's default), and {@code {{steps.<id>.final_response}}}, filled when the step starts; a step named that way
 * must be among the step's (transitive) dependencies.
 *
 * @param cwd the workflow's working directory (absolute, existing); every step's request must have this cwd
 * @param steps 1–{@value #MAX_STEPS} steps, ids unique (copied)
 * @param inputs input values by key (copied), never null
 * @param declaredInputs inputs a template declares (their defaults apply; other keys must be used by a step), copied
 * @param template the template's name, or null for an inline workflow (recorded as {@code metadata.workflow_template})
 */
public record WorkflowRequest(String cwd, List<Step> steps, Map<String, String> inputs,
    List<WorkflowTemplate.Input> declaredInputs, String template) {
  /** Most steps of one workflow. */
  public static final int MAX_STEPS = 50;

  /** Copies collections. */
  public WorkflowRequest {
    Objects.requireNonNull(cwd, "cwd");
    steps = List.copyOf(steps);
    inputs = inputs == null ? Map.of() : Map.copyOf(inputs);
    declaredInputs = declaredInputs == null ? List.of() : List.copyOf(declaredInputs);
  }

  /**
   * One step.
   *
   * @param id unique within the workflow; letters, digits, {@code _} and {@code -}, starting with a letter (≤ 64)
   * @param dependsOn ids of the steps that must complete first (copied), never null
   * @param request the spawn request (its own {@code depends_on} run ids, if any, are kept in addition)
   */
  public record Step(String id, List<String> dependsOn, SpawnRequest request) {
    /** Copies the list. */
    public Step {
      Objects.requireNonNull(id, "id");
      Objects.requireNonNull(request, "request");
      dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }
  }
}
