package dev.orch.mcp.internal;

import dev.orch.mcp.internal.stdio.RequestGuard;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Answers malformed {@code tools/call} requests before the SDK sees them (issue 9 item 4; documented in
 * {@code docs/mcp-tools.md}, "Malformed calls"). The SDK would answer them with {@code -32603} and a Jackson or NPE
 * text naming Java classes, or with {@code -32602} echoing an unbounded tool name.
 *
 * <ul>
 *   <li>A request that names no tool — params absent or not an object, {@code name} missing or not a string — is a
 *       malformed JSON-RPC request: {@code -32602 Invalid params: <what is wrong>}.</li>
 *   <li>A call that names a tool always gets a tool result, as SPEC §2 promises: an unknown name gets
 *       {@code isError} {@code Error: Unknown tool: <name>. Known tools: …} (the TS server answers it as a tool error
 *       too); {@code arguments} that are not an object (and not null) get the validation text
 *       {@code Invalid arguments for tool <tool>: (root): expected object, got <type>}.</li>
 * </ul>
 * Thread-safe.
 */
public final class ToolCallGuard implements RequestGuard {
  private final Set<String> tools;
  private final ResultRenderer renderer;

  /**
   * @param toolNames the names the server serves
   * @param renderer renders isError results
   */
  public ToolCallGuard(Collection<String> toolNames, ResultRenderer renderer) {
    this.tools = Set.copyOf(toolNames);
    this.renderer = renderer;
  }

  @Override
  public Optional<JSONRPCResponse> check(JSONRPCRequest request) {
    if (!McpSchema.METHOD_TOOLS_CALL.equals(request.method())) {
      return Optional.empty();
    }
    if (!(request.params() instanceof Map<?, ?> params)) {
      return invalidParams(request, "Invalid params: tools/call needs params {name, arguments}");
    }
    Object name = params.get("name");
    if (name == null) {
      return invalidParams(request, "Invalid params: params.name (the tool to call) is required");
    }
    if (!(name instanceof String tool)) {
      return invalidParams(request, "Invalid params: params.name must be a string, got " + typeOf(name));
    }
    if (!tools.contains(tool)) {
      return result(request, "Error: Unknown tool: " + Echo.value(tool) + ". Known tools: "
          + String.join(", ", tools.stream().sorted().toList()));
    }
    Object arguments = params.get("arguments");
    if (arguments != null && !(arguments instanceof Map)) {
      return result(request, Violation.describe(tool,
          List.of(new Violation("(root)", "expected object, got " + typeOf(arguments)))));
    }
    return Optional.empty();
  }

  private Optional<JSONRPCResponse> result(JSONRPCRequest request, String text) {
    return Optional.of(JSONRPCResponse.result(request.id(), renderer.error(text)));
  }

  private static Optional<JSONRPCResponse> invalidParams(JSONRPCRequest request, String message) {
    return Optional.of(JSONRPCResponse.error(request.id(),
        new JSONRPCError(McpSchema.ErrorCodes.INVALID_PARAMS, message, null)));
  }

  /** @return the JSON type name of a decoded JSON value */
  static String typeOf(Object v) {
    if (v == null) {
      return "null";
    }
    if (v instanceof Map) {
      return "object";
    }
    if (v instanceof List) {
      return "array";
    }
    if (v instanceof String) {
      return "string";
    }
    if (v instanceof Boolean) {
      return "boolean";
    }
    if (v instanceof Integer || v instanceof Long || v instanceof java.math.BigInteger) {
      return "integer";
    }
    return v instanceof Number ? "number" : "value";
  }
}
