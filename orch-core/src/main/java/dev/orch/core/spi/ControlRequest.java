package dev.orch.core.spi;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.Timestamps;
import java.time.Instant;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A request from one Orch process to the process that owns a run (the cross-process control channel, see
 * {@code docs/cli.md}): cancel the run, or deliver an input message to it. Stores carry it as an opaque record
 * ({@link #toJson()} / {@link #fromJson(JsonNode)}); the owner executes it through its normal cancel/continue path
 * and answers with a {@link ControlAnswer}.
 *
 * <p>JSON: {@code {"id":"<32 hex>","kind":"cancel"|"continue","message":<AgentMessage>|null,"created_at":"<ISO>"}}.
 *
 * @param id unique id, 32 lowercase hex digits (safe as a file name)
 * @param kind what to do
 * @param message the input message for {@link Kind#CONTINUE}; null for {@link Kind#CANCEL}
 * @param createdAt when the request was posted
 */
public record ControlRequest(String id, Kind kind, AgentMessage message, Instant createdAt) {

  /** What a control request asks the owner to do. */
  public enum Kind {
    /** {@code Orchestrator.cancel} on the run. */
    CANCEL,
    /** {@code Orchestrator.continueRun} on the run with {@link ControlRequest#message()}. */
    CONTINUE;

    /** @return the wire name, {@code cancel} or {@code continue} */
    public String wire() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * @throws NullPointerException when id, kind or createdAt is null, or message is null for CONTINUE
   * @throws IllegalArgumentException when id is not 32 lowercase hex digits
   */
  public ControlRequest {
    Objects.requireNonNull(id, "id");
    Objects.requireNonNull(kind, "kind");
    Objects.requireNonNull(createdAt, "createdAt");
    if (!id.matches("[0-9a-f]{32}")) {
      throw new IllegalArgumentException("control request id must be 32 lowercase hex digits: " + id);
    }
    if (kind == Kind.CONTINUE) {
      Objects.requireNonNull(message, "message");
    }
  }

  /** @return a cancel request with a new random id */
  public static ControlRequest cancel(Instant now) {
    return new ControlRequest(newId(), Kind.CANCEL, null, now);
  }

  /** @return a continue request with a new random id */
  public static ControlRequest continueWith(AgentMessage message, Instant now) {
    return new ControlRequest(newId(), Kind.CONTINUE, message, now);
  }

  private static String newId() {
    return UUID.randomUUID().toString().replace("-", "");
  }

  /** @return the JSON form described in the type comment */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("id", id);
    n.put("kind", kind.wire());
    n.set("message", message == null ? JsonNodeFactory.instance.nullNode() : message.toJson());
    n.put("created_at", Timestamps.format(createdAt));
    return n;
  }

  /**
   * @param n JSON written by {@link #toJson()}
   * @return the request
   * @throws IllegalArgumentException when a key is missing or malformed
   */
  public static ControlRequest fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("control request is not a JSON object");
    }
    Kind kind;
    try {
      kind = Kind.valueOf(n.path("kind").asText("").toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown control request kind: " + n.path("kind").asText(""), e);
    }
    JsonNode m = n.get("message");
    AgentMessage message = m == null || m.isNull() ? null : AgentMessage.fromJson(m, "message");
    return new ControlRequest(n.path("id").asText(""), kind, message,
        Timestamps.parse(n.path("created_at").asText("")));
  }
}
