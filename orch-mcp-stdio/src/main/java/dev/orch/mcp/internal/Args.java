package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.RunRef;

/**
 * Typed read access to the arguments of one tool call after schema validation. Absent and JSON-null values read
 * as null; integers fall back to the default declared in the tool's input schema (one source for defaults).
 *
 * @param tool the tool's definition
 * @param node the arguments object (never null)
 * @param progress where a waiting tool reports progress (SPEC §12.9); {@link ProgressReporter#NONE} when the request
 *     has no progress token
 */
public record Args(ToolDefinition tool, ObjectNode node, ProgressReporter progress) {

  /** Arguments of a call without a progress token. */
  public Args(ToolDefinition tool, ObjectNode node) {
    this(tool, node, ProgressReporter.NONE);
  }

  /** Defaults a null progress reporter to {@link ProgressReporter#NONE}. */
  public Args {
    progress = progress == null ? ProgressReporter.NONE : progress;
  }

  /** @return the text of a string argument, or null when absent or null */
  public String string(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : v.asText();
  }

  /** @return true when the argument is absent, null, or a string that is blank */
  public boolean blank(String name) {
    String s = string(name);
    return s == null || s.isBlank();
  }

  /**
   * @return the integer argument, or the schema default when absent
   * @throws IllegalStateException when absent and the schema declares no default (schema validation prevents this)
   */
  public long integer(String name) {
    JsonNode v = node.get(name);
    if (v == null || v.isNull()) {
      v = tool.defaultOf(name);
    }
    if (v == null) {
      throw new IllegalStateException("argument " + name + " of " + tool.name() + " has no value and no default");
    }
    return v.asLong();
  }

  /** @return the object argument, or null when absent, null or not an object */
  public ObjectNode object(String name) {
    JsonNode v = node.get(name);
    return v != null && v.isObject() ? (ObjectNode) v : null;
  }

  /** @return the agent message at {@code name}, or null when absent (validated by the schema when present) */
  public AgentMessage message(String name) {
    JsonNode v = node.get(name);
    return v == null || v.isNull() ? null : AgentMessage.fromJson(v, name);
  }

  /** @return the run reference made of {@code run_id}, {@code agent_name} and {@code cwd} (SPEC §2) */
  public RunRef runRef() {
    return new RunRef(string("run_id"), string("agent_name"), string("cwd"));
  }
}
