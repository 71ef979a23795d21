package dev.orch.mcp.internal.stdio;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import com.fasterxml.jackson.databind.node.NullNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.modelcontextprotocol.spec.McpSchema;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCMessage;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCNotification;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCRequest;
import io.modelcontextprotocol.spec.McpSchema.JSONRPCResponse;
import java.io.IOException;
import java.util.Map;
import java.util.Objects;

/**
 * Turns one input line into a JSON-RPC 2.0 message for the MCP session, or into the error answer the line deserves,
 * so that no line can stop the reader (the SDK's own decoding, {@code McpSchema.deserializeJsonRpcMessage}, throws on
 * ids, methods or error objects of the wrong type, and its stdio transport stops reading at the first throw).
 *
 * <p>Rules (JSON-RPC 2.0 §4–5, MCP "Base protocol": ids are strings or integers, never null; params are objects):
 * <ul>
 *   <li>only blanks → {@link Blank} (skipped, no answer);</li>
 *   <li>not one JSON value (also: trailing data, invalid UTF-8, nesting deeper than Jackson's limit of 1000)
 *       → {@code -32700 Parse error}, id null;</li>
 *   <li>an array (batch; MCP 2025-06-18 has none) or a non-object → {@code -32600}, id null;</li>
 *   <li>with {@code method}: {@code jsonrpc} must be {@code "2.0"} and {@code method} a string ({@code -32600});
 *       a present {@code id} must be a string or an integer that fits a long ({@code -32600}, id null); {@code params}
 *       absent, null or an object — an array gets {@code -32602}, anything else {@code -32600}; with an id it is a
 *       request, without one a notification (a notification with bad params is dropped: notifications are never
 *       answered);</li>
 *   <li>without {@code method} but with {@code result} or {@code error}: a response from the client. It is never
 *       answered; it is {@link Dropped} (and logged) unless {@code jsonrpc} is {@code "2.0"}, the id is a string or
 *       integer, exactly one of result / error is present and an error is an object with an integer {@code code}
 *       and a string {@code message};</li>
 *   <li>anything else → {@code -32600}.</li>
 * </ul>
 * Error answers echo the id only when it is a string or an integer that fits a long, else {@code "id": null}.
 *
 * <p>Thread-safe (stateless apart from the immutable reader).
 */
public final class InboundDecoder {
  /** JSON-RPC 2.0 error codes. */
  public static final int PARSE_ERROR = -32700;
  /** Invalid Request. */
  public static final int INVALID_REQUEST = -32600;
  /** Invalid params. */
  public static final int INVALID_PARAMS = -32602;

  private final ObjectMapper mapper;
  private final ObjectReader reader;

  /** @param mapper the protocol JSON mapper */
  public InboundDecoder(ObjectMapper mapper) {
    this.mapper = Objects.requireNonNull(mapper, "mapper");
    this.reader = mapper.reader().with(DeserializationFeature.FAIL_ON_TRAILING_TOKENS);
  }

  /** The outcome for one line. */
  public sealed interface Decoded permits Message, Answer, Dropped, Blank {
  }

  /**
   * A valid message for the session.
   *
   * @param message the request, notification or response; request ids are {@code String}, {@code Integer} or
   *     {@code Long} (as the SDK's own decoding makes them), params are maps
   */
  public record Message(JSONRPCMessage message) implements Decoded {
  }

  /**
   * A line that gets an error answer.
   *
   * @param response the whole JSON-RPC error response to write ({@code id} present, possibly null)
   * @param reason why, for the log
   */
  public record Answer(ObjectNode response, String reason) implements Decoded {
  }

  /**
   * A line that is logged and dropped without an answer (a malformed response or notification from the client).
   *
   * @param reason why, for the log
   */
  public record Dropped(String reason) implements Decoded {
  }

  /** A blank line: skipped. */
  public record Blank() implements Decoded {
  }

  /**
   * @param maxLineBytes the cap that was exceeded, bytes
   * @return the answer to a line longer than the cap
   */
  public Answer tooLong(int maxLineBytes) {
    return answer(NullNode.getInstance(), INVALID_REQUEST,
        "Invalid Request: message longer than " + maxLineBytes + " bytes", "line longer than " + maxLineBytes
            + " bytes");
  }

  /**
   * @param line one input line without its terminator
   * @return what to do with it; never null, never throws for any input
   */
  public Decoded decode(byte[] line) {
    if (LineReader.blank(line)) {
      return new Blank();
    }
    JsonNode node;
    try {
      node = reader.readTree(line);
    } catch (JsonProcessingException e) {
      return answer(NullNode.getInstance(), PARSE_ERROR, "Parse error", "not JSON: " + e.getOriginalMessage());
    } catch (IOException e) {
      return answer(NullNode.getInstance(), PARSE_ERROR, "Parse error", "not JSON: " + e.getMessage());
    }
    if (node == null || node.isMissingNode()) {
      return answer(NullNode.getInstance(), PARSE_ERROR, "Parse error", "not JSON");
    }
    if (node.isArray()) {
      return answer(NullNode.getInstance(), INVALID_REQUEST, "Invalid Request: batches are not supported",
          "a JSON array (batch)");
    }
    if (!node.isObject()) {
      return answer(NullNode.getInstance(), INVALID_REQUEST, "Invalid Request: a message must be a JSON object",
          "a JSON " + node.getNodeType().name().toLowerCase(java.util.Locale.ROOT));
    }
    JsonNode id = node.get("id");
    Object idValue = idValue(id);
    JsonNode echo = idValue == null ? NullNode.getInstance() : id;
    boolean version = node.path("jsonrpc").isTextual() && "2.0".equals(node.get("jsonrpc").asText());
    if (node.has("method")) {
      return requestOrNotification((ObjectNode) node, id != null, idValue, echo, version);
    }
    if (node.has("result") || node.has("error")) {
      return response((ObjectNode) node, idValue, version);
    }
    return answer(echo, INVALID_REQUEST, "Invalid Request: not a request, notification or response",
        "no method, result or error");
  }

  private Decoded requestOrNotification(ObjectNode node, boolean hasId, Object idValue, JsonNode echo,
      boolean version) {
    if (!version) {
      return answer(echo, INVALID_REQUEST, "Invalid Request: jsonrpc must be \"2.0\"", "wrong jsonrpc version");
    }
    JsonNode method = node.get("method");
    if (!method.isTextual()) {
      return answer(echo, INVALID_REQUEST, "Invalid Request: method must be a string", "method is not a string");
    }
    if (hasId && idValue == null) {
      return answer(NullNode.getInstance(), INVALID_REQUEST,
          "Invalid Request: id must be a string or an integer", "request id of the wrong type");
    }
    JsonNode params = node.get("params");
    Object paramsValue = null;
    if (params != null && !params.isNull()) {
      if (!params.isObject()) {
        if (!hasId) {
          return new Dropped("notification " + method.asText() + " with params that are not an object");
        }
        return params.isArray()
            ? answer(echo, INVALID_PARAMS, "Invalid params: params must be an object", "params is an array")
            : answer(echo, INVALID_REQUEST, "Invalid Request: params must be an object", "params is not an object");
      }
      paramsValue = mapper.convertValue(params, Map.class);
    }
    return hasId
        ? new Message(new JSONRPCRequest(McpSchema.JSONRPC_VERSION, method.asText(), idValue, paramsValue))
        : new Message(new JSONRPCNotification(McpSchema.JSONRPC_VERSION, method.asText(), paramsValue));
  }

  private Decoded response(ObjectNode node, Object idValue, boolean version) {
    if (!version) {
      return new Dropped("response with a jsonrpc version other than \"2.0\"");
    }
    JsonNode error = node.get("error");
    if (idValue == null) {
      return new Dropped("response without a string or integer id" + (error == null ? "" : ", error " + error));
    }
    if (node.has("result") && error != null) {
      return new Dropped("response " + idValue + " with both result and error");
    }
    if (error != null) {
      JsonNode code = error.get("code");
      JsonNode message = error.get("message");
      if (!error.isObject() || code == null || !code.isIntegralNumber() || !code.canConvertToInt() || message == null
          || !message.isTextual()) {
        return new Dropped("response " + idValue + " with a malformed error object");
      }
      Object data = error.hasNonNull("data") ? mapper.convertValue(error.get("data"), Object.class) : null;
      return new Message(new JSONRPCResponse(McpSchema.JSONRPC_VERSION, idValue, null,
          new JSONRPCResponse.JSONRPCError(code.intValue(), message.asText(), data)));
    }
    Object result = mapper.convertValue(node.get("result"), Object.class);
    return new Message(new JSONRPCResponse(McpSchema.JSONRPC_VERSION, idValue, result, null));
  }

  /** @return the id as String, Integer or Long; null when absent or not a string / integer that fits a long */
  static Object idValue(JsonNode id) {
    if (id == null) {
      return null;
    }
    if (id.isTextual()) {
      return id.asText();
    }
    if (id.isIntegralNumber() && id.canConvertToLong()) {
      long v = id.longValue();
      return v == (int) v ? (Object) (int) v : (Object) v;
    }
    return null;
  }

  private Answer answer(JsonNode id, int code, String message, String reason) {
    ObjectNode r = mapper.createObjectNode();
    r.put("jsonrpc", McpSchema.JSONRPC_VERSION);
    r.set("id", id);
    r.putObject("error").put("code", code).put("message", message);
    return new Answer(r, reason);
  }

}
