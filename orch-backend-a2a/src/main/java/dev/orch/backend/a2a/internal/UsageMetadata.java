package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.orch.core.spi.UsageReport;
import io.a2a.client.ClientEvent;
import io.a2a.client.MessageEvent;
import io.a2a.client.TaskEvent;
import io.a2a.client.TaskUpdateEvent;
import io.a2a.spec.Message;
import io.a2a.spec.Task;
import io.a2a.spec.TaskArtifactUpdateEvent;
import io.a2a.spec.TaskStatus;
import io.a2a.spec.TaskStatusUpdateEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Reads a remote agent's usage from A2A metadata (SPEC §12.4; A2A has no usage field of its own). Accepted: an object
 * at {@code metadata.usage} or {@code metadata.nanobot_orchestrator.usage} of the event (status-update,
 * artifact-update, task), of its status message, or of a direct message reply, with the keys of Orch's usage:
 * {@code input_tokens}, {@code cached_input_tokens}, {@code output_tokens}, {@code reasoning_output_tokens},
 * {@code total_tokens} (integers ≥ 0; at least one of input/output/total), {@code cost_usd} (number ≥ 0, kept as the
 * reported cost), {@code model} (string) and {@code turns} (integer ≥ 0). Counts are the task's running totals (a
 * later report replaces an earlier one). Anything else is ignored. Pure and thread-safe.
 */
final class UsageMetadata {
  private static final ObjectMapper JSON = new ObjectMapper();

  private UsageMetadata() {
  }

  /**
   * @param event an event of the task stream
   * @param last true when the event ends the run (its terminal event follows the report directly)
   * @return the usage it carries, or null when none (or malformed)
   */
  static UsageReport of(ClientEvent event, boolean last) {
    for (Map<String, Object> m : metadataOf(event)) {
      UsageReport r = parse(m, last);
      if (r != null) {
        return r;
      }
    }
    return null;
  }

  private static List<Map<String, Object>> metadataOf(ClientEvent event) {
    List<Map<String, Object>> out = new ArrayList<>();
    if (event instanceof TaskEvent te && te.getTask() != null) {
      Task t = te.getTask();
      out.add(t.getMetadata());
      status(t.getStatus(), out);
    } else if (event instanceof TaskUpdateEvent tu && tu.getUpdateEvent() instanceof TaskStatusUpdateEvent s) {
      out.add(s.getMetadata());
      status(s.getStatus(), out);
    } else if (event instanceof TaskUpdateEvent tu && tu.getUpdateEvent() instanceof TaskArtifactUpdateEvent a) {
      out.add(a.getMetadata());
    } else if (event instanceof MessageEvent me && me.getMessage() != null) {
      out.add(me.getMessage().getMetadata());
    }
    out.removeIf(m -> m == null || m.isEmpty());
    return out;
  }

  private static void status(TaskStatus status, List<Map<String, Object>> out) {
    Message m = status == null ? null : status.message();
    if (m != null) {
      out.add(m.getMetadata());
    }
  }

  /** @return the report of {@code metadata.usage} / {@code metadata.nanobot_orchestrator.usage}, or null */
  static UsageReport parse(Map<String, Object> metadata, boolean last) {
    JsonNode meta;
    try {
      meta = JSON.valueToTree(metadata);
    } catch (IllegalArgumentException e) {
      return null;
    }
    JsonNode u = meta.path("usage");
    if (!u.isObject()) {
      u = meta.path("nanobot_orchestrator").path("usage");
    }
    if (!u.isObject()) {
      return null;
    }
    Long in = count(u, "input_tokens");
    Long out = count(u, "output_tokens");
    Long total = count(u, "total_tokens");
    if (in == null && out == null && total == null) {
      return null;
    }
    long i = in == null ? 0 : in;
    long o = out == null ? 0 : out;
    Long cached = count(u, "cached_input_tokens");
    Long reasoning = count(u, "reasoning_output_tokens");
    Long turns = count(u, "turns");
    JsonNode cost = u.get("cost_usd");
    Double c = cost != null && cost.isNumber() && cost.asDouble() >= 0 && Double.isFinite(cost.asDouble())
        ? cost.asDouble() : null;
    JsonNode model = u.get("model");
    return new UsageReport(i, cached == null ? 0 : Math.min(cached, i), o,
        reasoning == null ? 0 : Math.min(reasoning, o), total == null ? 0 : total, c,
        model != null && model.isTextual() && !model.asText().isBlank() ? model.asText() : null,
        turns == null ? 0 : (int) Math.min(Integer.MAX_VALUE, turns), last);
  }

  private static Long count(JsonNode u, String key) {
    JsonNode v = u.get(key);
    if (v == null || !v.isNumber()) {
      return null;
    }
    long n = v.asLong();
    return n >= 0 ? n : null;
  }
}
