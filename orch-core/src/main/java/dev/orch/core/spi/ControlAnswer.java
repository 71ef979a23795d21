package dev.orch.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;
import dev.orch.core.Timestamps;
import java.time.Instant;
import java.util.Objects;

/**
 * The owner's answer to a {@link ControlRequest}: either the result of the cancel/continue (the wire JSON of
 * {@code cancel_run} / {@code continue_run}, SPEC §2 tools 4 and 5) or the error the owner's engine raised, which
 * the requesting process re-throws as an {@link OrchException} with the same code and message.
 *
 * <p>JSON: {@code {"request_id", "ok": true, "result": {...}, "answered_at"}} or
 * {@code {"request_id", "ok": false, "error_code": "CONFLICT", "error_message": "...", "answered_at"}}.
 *
 * @param requestId the request answered
 * @param result the result JSON when the request succeeded, else null
 * @param errorCode the error code when it failed, else null
 * @param errorMessage the user-facing error message when it failed, else null
 * @param answeredAt when the owner answered
 */
public record ControlAnswer(String requestId, ObjectNode result, OrchException.ErrorCode errorCode,
    String errorMessage, Instant answeredAt) {

  /**
   * @throws NullPointerException when requestId or answeredAt is null
   * @throws IllegalArgumentException unless exactly one of result / (errorCode and errorMessage) is given
   */
  public ControlAnswer {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(answeredAt, "answeredAt");
    if ((result == null) == (errorCode == null) || (errorCode == null) != (errorMessage == null)) {
      throw new IllegalArgumentException("a control answer holds either a result or an error code and message");
    }
    result = result == null ? null : result.deepCopy();
  }

  /** @return a successful answer */
  public static ControlAnswer ok(String requestId, ObjectNode result, Instant now) {
    return new ControlAnswer(requestId, Objects.requireNonNull(result, "result"), null, null, now);
  }

  /** @return a failed answer */
  public static ControlAnswer error(String requestId, OrchException.ErrorCode code, String message, Instant now) {
    return new ControlAnswer(requestId, null, Objects.requireNonNull(code, "code"),
        Objects.requireNonNull(message, "message"), now);
  }

  /** @return true when the request succeeded */
  public boolean ok() {
    return result != null;
  }

  /** @return the JSON form described in the type comment */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("request_id", requestId);
    n.put("ok", ok());
    if (ok()) {
      n.set("result", result.deepCopy());
    } else {
      n.put("error_code", errorCode.name());
      n.put("error_message", errorMessage);
    }
    n.put("answered_at", Timestamps.format(answeredAt));
    return n;
  }

  /**
   * @param n JSON written by {@link #toJson()}
   * @return the answer
   * @throws IllegalArgumentException when a key is missing or malformed
   */
  public static ControlAnswer fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("control answer is not a JSON object");
    }
    Instant at = Timestamps.parse(n.path("answered_at").asText(""));
    String id = n.path("request_id").asText("");
    if (n.path("ok").asBoolean(false)) {
      JsonNode r = n.get("result");
      if (r == null || !r.isObject()) {
        throw new IllegalArgumentException("control answer misses its result");
      }
      return ok(id, (ObjectNode) r, at);
    }
    OrchException.ErrorCode code;
    try {
      code = OrchException.ErrorCode.valueOf(n.path("error_code").asText(""));
    } catch (IllegalArgumentException e) {
      code = OrchException.ErrorCode.INTERNAL;
    }
    return error(id, code, n.path("error_message").asText("the owning process reported an error"), at);
  }
}
