package dev.orch.core;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.time.Instant;
import java.util.Objects;

/**
 * A stored, numbered event as served by {@code poll_events} and written to {@code events.jsonl}
 * (SPEC §2 NormalizedEvent): {@code {seq (≥1), ts (ISO-8601), run_id, session_id, backend, type, data}}.
 * {@code data} is the sanitized object (large fields replaced by previews plus {@code artifact_refs}, SPEC §5).
 *
 * @param seq sequence number, ≥ 1, strictly increasing within a run
 * @param ts when the engine accepted the event (millisecond precision)
 * @param runId the run
 * @param sessionId its session
 * @param backend backend id
 * @param type event type
 * @param data event data object (copied)
 */
public record NormalizedEvent(long seq, Instant ts, RunId runId, SessionId sessionId, String backend,
    EventType type, ObjectNode data) {

  /** @throws IllegalArgumentException when seq &lt; 1; NullPointerException on null fields */
  public NormalizedEvent {
    if (seq < 1) {
      throw new IllegalArgumentException("seq must be >= 1, was " + seq);
    }
    Objects.requireNonNull(ts, "ts");
    Objects.requireNonNull(runId, "runId");
    Objects.requireNonNull(sessionId, "sessionId");
    Objects.requireNonNull(backend, "backend");
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(data, "data");
  }

  /** @return the wire JSON object with keys in SPEC order */
  public ObjectNode toJson() {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("seq", seq);
    n.put("ts", Timestamps.format(ts));
    n.put("run_id", runId.value());
    n.put("session_id", sessionId.value());
    n.put("backend", backend);
    n.put("type", type.wire());
    n.set("data", data);
    return n;
  }

  /**
   * Parses one line of {@code events.jsonl}.
   *
   * @param n the JSON object
   * @return the event
   * @throws IllegalArgumentException when a required key is missing or has the wrong type, or the type is unknown
   */
  public static NormalizedEvent fromJson(JsonNode n) {
    if (n == null || !n.isObject()) {
      throw new IllegalArgumentException("event is not a JSON object");
    }
    String typeText = n.path("type").asText("");
    EventType type = EventType.fromWire(typeText)
        .orElseThrow(() -> new IllegalArgumentException("unknown event type: " + typeText));
    JsonNode data = n.get("data");
    if (!n.path("seq").canConvertToLong() || !n.path("ts").isTextual() || !n.path("run_id").isTextual()
        || !n.path("session_id").isTextual() || !n.path("backend").isTextual()) {
      throw new IllegalArgumentException("event misses seq, ts, run_id, session_id or backend");
    }
    return new NormalizedEvent(n.get("seq").asLong(), Timestamps.parse(n.get("ts").asText()),
        new RunId(n.get("run_id").asText()), new SessionId(n.get("session_id").asText()),
        n.get("backend").asText(), type,
        data != null && data.isObject() ? (ObjectNode) data : JsonNodeFactory.instance.objectNode());
  }
}
