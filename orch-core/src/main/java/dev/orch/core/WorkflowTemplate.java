package dev.orch.core;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * A named workflow (SPEC §12.6 list_workflow_templates): a built-in one shipped with Orch ({@code code_review},
 * {@code feature_development}, {@code bug_fix}, {@code refactoring}) or a {@code *.json} file in
 * {@code <cwd>/.nanobot-orchestrator/workflows/}. The file format (built-ins use it too):
 *
 * <pre>{@code
 * {
 *   "name": "bug_fix",                                   // optional; must equal the file name without .json
 *   "description": "Reproduce, fix, verify.",
 *   "inputs": {"bug": {"description": "...", "required": true},
 *              "area": {"description": "...", "default": "the whole repository"}},
 *   "steps": [{"id": "reproduce", "role": "worker", "profile": "builtin:tester", "prompt": "... {{inputs.bug}}"},
 *             {"id": "fix", "depends_on": ["reproduce"], "role": "worker", "prompt": "... {{steps.reproduce.final_response}}"}]
 * }
 * }</pre>
 *
 * Steps hold spawn_run fields (without {@code cwd}; {@code session_mode} defaults to {@code new}); {@code backend}
 * may be left to the caller's run_workflow {@code defaults}.
 *
 * @param name the template name (file name without {@code .json})
 * @param description what it does, never null
 * @param source {@code builtin}, or the absolute path of the file
 * @param inputs declared inputs (copied)
 * @param steps the steps in a short form (copied)
 * @param stepDocuments the steps as written (spawn_run fields plus id and depends_on), never null
 * @param error why the file cannot be used, or null when it is valid
 */
public record WorkflowTemplate(String name, String description, String source, List<Input> inputs,
    List<StepInfo> steps, ArrayNode stepDocuments, String error) {

  /** Copies. */
  public WorkflowTemplate {
    Objects.requireNonNull(name, "name");
    description = description == null ? "" : description;
    inputs = inputs == null ? List.of() : List.copyOf(inputs);
    steps = steps == null ? List.of() : List.copyOf(steps);
    stepDocuments = stepDocuments == null ? JsonNodeFactory.instance.arrayNode() : stepDocuments.deepCopy();
  }

  /**
   * A declared input.
   *
   * @param name the key used in {@code {{inputs.<key>}}}
   * @param description what to give
   * @param required true when run_workflow must give it (no default)
   * @param defaultValue the value used when it is not given, or null
   */
  public record Input(String name, String description, boolean required, String defaultValue) {
  }

  /**
   * A step in short form.
   *
   * @param id step id
   * @param role role wire name, or null when the template leaves it open
   * @param profile profile (e.g. {@code builtin:reviewer}), or null
   * @param backend backend id, or null when the caller chooses
   * @param dependsOn ids of the steps it waits for
   */
  public record StepInfo(String id, String role, String profile, String backend, List<String> dependsOn) {
    /** Copies the list. */
    public StepInfo {
      dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
    }
  }

  /**
   * @return {@code {name, description, source, inputs: [{name, description, required, default}], steps: [{id, role,
   *     profile, backend, depends_on}]}} plus {@code error} for an invalid file
   */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("name", name);
    n.put("description", description);
    n.put("source", source);
    ArrayNode in = n.putArray("inputs");
    for (Input i : inputs) {
      ObjectNode o = in.addObject();
      o.put("name", i.name());
      o.put("description", i.description());
      o.put("required", i.required());
      o.put("default", i.defaultValue());
    }
    ArrayNode st = n.putArray("steps");
    for (StepInfo s : steps) {
      ObjectNode o = st.addObject();
      o.put("id", s.id());
      o.put("role", s.role());
      o.put("profile", s.profile());
      o.put("backend", s.backend());
      ArrayNode d = o.putArray("depends_on");
      s.dependsOn().forEach(d::add);
    }
    if (error != null) {
      n.put("error", error);
    }
    return n;
  }
}
