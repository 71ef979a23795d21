package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/**
 * What a tool does once its arguments passed the schema: the extra argument rules of SPEC §2 that a JSON Schema
 * cannot say (e.g. "prompt or input_message"), and the action that calls the Orchestrator and returns the payload.
 *
 * @param name tool name
 * @param rules extra argument rules; returns the violations, empty when none
 * @param action performs the call; returns the payload (structuredContent); may throw
 *     {@link dev.orch.core.OrchException} with a user-facing message
 */
public record ToolBinding(String name, Function<Args, List<Violation>> rules, Function<Args, ObjectNode> action) {
  /** @throws NullPointerException when a field is null */
  public ToolBinding {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(rules, "rules");
    Objects.requireNonNull(action, "action");
  }

  /** @return a binding without extra rules */
  public static ToolBinding of(String name, Function<Args, ObjectNode> action) {
    return new ToolBinding(name, a -> List.of(), action);
  }

  /** The SPEC §2 run-reference rule: one of run_id / agent_name is required. */
  public static List<Violation> runRefRule(Args a) {
    return a.blank("run_id") && a.blank("agent_name")
        ? List.of(new Violation("run_id", "Provide run_id or agent_name"))
        : List.of();
  }
}
