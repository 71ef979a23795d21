package dev.orch.mcp.internal.stdio;

import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import java.util.Optional;

/**
 * A check run on every decoded request before the MCP session sees it. It may answer the request itself, e.g. to
 * give a malformed {@code tools/call} a clean answer instead of the SDK's exception text. Called on the transport's
 * dispatch thread, in input order; must not block.
 */
@FunctionalInterface
public interface RequestGuard {
  /** A guard that lets every request through. */
  RequestGuard NONE = request -> Optional.empty();

  /**
   * @param request a request decoded from the input (id is a String, Integer or Long; params null or a map)
   * @return the answer to write instead of handling the request, or empty to let the session handle it
   */
  Optional<JSONRPCResponse> check(JSONRPCRequest request);
}
