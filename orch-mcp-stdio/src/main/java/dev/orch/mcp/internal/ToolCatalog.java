package dev.orch.mcp.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Loads the tool declarations from the JSON resources {@code dev/orch/mcp/tools/<name>.json} (SPEC §2) and
 * adapts the backend enums to the backends actually registered.
 *
 * <p>The resources carry the TS server's schemas (same property names, types, required lists, defaults, limits and
 * enums, see {@code fixtures/seed-mcp/tools-list.json}) with our own descriptions. Every enum equal to the three
 * built-in backend ids is widened with any further registered backend id, so a third-party backend is accepted by
 * {@code spawn_run} and by the output schemas. The built-ins stay listed even when their jar is missing: the engine
 * then answers {@code Unsupported backend: <id>} naming the artifact to add, which helps more than a schema error.
 */
public final class ToolCatalog {
  /** Tool names: the TS server's ten in its {@code tools/list} order, then Orch's additions (SPEC §12). */
  public static final List<String> TOOL_NAMES = List.of("spawn_run", "get_run", "poll_events", "cancel_run",
      "continue_run", "list_runs", "list_agents", "send_agent_message", "fetch_agent_messages", "get_event_artifact",
      "spawn_runs", "wait_runs", "run_workflow", "list_workflow_templates", "list_backends", "get_usage");

  /** The built-in backend ids, in the TS server's enum order. */
  public static final List<String> BUILTIN_BACKENDS = List.of("codex", "claude_code", "remote_a2a");

  private static final Set<String> READ_ONLY = Set.of("get_run", "poll_events", "list_runs", "list_agents",
      "fetch_agent_messages", "get_event_artifact", "wait_runs", "list_workflow_templates", "list_backends",
      "get_usage");

  private ToolCatalog() {
  }

  /**
   * @param mapper the JSON mapper used to parse the resources
   * @param registeredBackends ids of the registered backends (may be empty)
   * @return the definitions in {@link #TOOL_NAMES} order
   * @throws UncheckedIOException when a resource is missing or not valid JSON (a packaging defect)
   */
  public static List<ToolDefinition> load(ObjectMapper mapper, Collection<String> registeredBackends) {
    Set<String> backends = new LinkedHashSet<>(BUILTIN_BACKENDS);
    registeredBackends.stream().sorted().forEach(backends::add);
    List<ToolDefinition> out = new ArrayList<>();
    for (String name : TOOL_NAMES) {
      ObjectNode doc = read(mapper, name);
      ObjectNode in = (ObjectNode) doc.get("inputSchema");
      ObjectNode outSchema = (ObjectNode) doc.get("outputSchema");
      widenBackendEnums(in, backends);
      widenBackendEnums(outSchema, backends);
      out.add(new ToolDefinition(name, doc.get("description").asText(), in, outSchema, READ_ONLY.contains(name)));
    }
    return List.copyOf(out);
  }

  private static ObjectNode read(ObjectMapper mapper, String name) {
    String resource = "/dev/orch/mcp/tools/" + name + ".json";
    try (InputStream in = ToolCatalog.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new UncheckedIOException(new IOException("missing resource " + resource));
      }
      return (ObjectNode) mapper.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
  }

  /** Replaces, anywhere in the schema, an enum equal to the built-in backend ids with {@code backends}. */
  private static void widenBackendEnums(JsonNode node, Set<String> backends) {
    if (node.isObject()) {
      JsonNode e = node.get("enum");
      if (e != null && e.isArray() && isBuiltinBackendEnum((ArrayNode) e)) {
        ArrayNode widened = ((ObjectNode) node).putArray("enum");
        backends.forEach(widened::add);
      }
      node.forEach(child -> widenBackendEnums(child, backends));
    } else if (node.isArray()) {
      node.forEach(child -> widenBackendEnums(child, backends));
    }
  }

  private static boolean isBuiltinBackendEnum(ArrayNode e) {
    if (e.size() != BUILTIN_BACKENDS.size()) {
      return false;
    }
    for (int i = 0; i < e.size(); i++) {
      if (!BUILTIN_BACKENDS.get(i).equals(e.get(i).asText())) {
        return false;
      }
    }
    return true;
  }
}
