package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.Objects;

/**
 * One MCP tool as declared in {@code tools/list} (SPEC §2): its name, our description, the input schema (property
 * names, types, required lists, defaults and limits of the TS server) and the output schema.
 *
 * @param name tool name, e.g. {@code poll_events}
 * @param description our text: what the tool does, when to call it and its waiting rules
 * @param inputSchema draft-07 JSON Schema of the arguments (never null)
 * @param outputSchema draft-07 JSON Schema of {@code structuredContent} (never null)
 * @param readOnly true when the tool changes nothing (annotation hint for clients)
 */
public record ToolDefinition(String name, String description, ObjectNode inputSchema, ObjectNode outputSchema,
    boolean readOnly) {

  /** @throws NullPointerException when a field is null */
  public ToolDefinition {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(inputSchema, "inputSchema");
    Objects.requireNonNull(outputSchema, "outputSchema");
  }

  /**
   * @param property a top-level input property
   * @return its declared {@code default}, or null when it has none
   */
  public JsonNode defaultOf(String property) {
    JsonNode d = inputSchema.path("properties").path(property).get("default");
    return d == null || d.isNull() ? null : d;
  }
}
