package dev.orch.mcp.internal.stdio;

import dev.orch.mcp.internal.Echo;
import dev.orch.mcp.internal.Incidents;
import io.modelcontextprotocol.spec.McpSchema.ErrorCodes;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse.JSONRPCError;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The last check on JSON-RPC error answers before they are written (issue 9 item 4): the SDK answers a request
 * whose handler threw with {@code -32603} and the exception's text (Jackson messages naming Java classes, NPE texts)
 * in {@code message} and {@code data}. Such an answer is replaced by {@code Internal error (incident <id>; details in
 * the server log)} and the original is logged with the id; other error answers keep their code and get their
 * message (and a string {@code data}) shortened with {@link Echo#message}. Stateless, thread-safe.
 */
final class ProtocolErrors {
  private static final Logger LOG = LoggerFactory.getLogger(ProtocolErrors.class);

  private ProtocolErrors() {
  }

  /**
   * @param response an answer about to be written
   * @return the answer to write: the same object when nothing needs changing
   */
  static JSONRPCResponse sanitize(JSONRPCResponse response) {
    JSONRPCError error = response.error();
    if (error == null) {
      return response;
    }
    if (error.code() == null || error.code() == ErrorCodes.INTERNAL_ERROR) {
      String incident = Incidents.record(LOG, "internal error answered to request " + response.id() + ": "
          + error.message() + (error.data() == null ? "" : " (data: " + error.data() + ")"), null);
      return new JSONRPCResponse(response.jsonrpc(), response.id(), null, new JSONRPCError(ErrorCodes.INTERNAL_ERROR,
          "Internal error (incident " + incident + "; details in the server log)", null));
    }
    String message = Echo.message(error.message());
    Object data = error.data() instanceof String s ? Echo.message(s) : error.data();
    if (message.equals(error.message()) && Objects.equals(data, error.data())) {
      return response;
    }
    return new JSONRPCResponse(response.jsonrpc(), response.id(), null,
        new JSONRPCError(error.code(), message, data));
  }
}
