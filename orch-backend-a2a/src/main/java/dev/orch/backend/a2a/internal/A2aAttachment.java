package dev.orch.backend.a2a.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.OrchException;

/**
 * What a later Orch process needs to re-attach a {@code remote_a2a} run (SPEC §12.8), stored through
 * {@link dev.orch.core.spi.EventSink#attach} as soon as the agent names the task:
 *
 * <pre>
 * {"backend":"remote_a2a", "version":1, "task_id":string, "context_id":string|null, "agent_url":string,
 *  "card_path":string}
 * </pre>
 *
 * No secrets: headers and tokens come from {@code ORCH_A2A_*} or the run's stored (redacted) configuration when the
 * run is re-attached, so a run whose authentication was given per run cannot authenticate again.
 *
 * @param taskId the remote task
 * @param contextId its context, or null
 * @param agentUrl the configured agent URL
 * @param cardPath the configured agent card path
 */
record A2aAttachment(String taskId, String contextId, String agentUrl, String cardPath) {
  static final int VERSION = 1;
  private static final String BACKEND = "remote_a2a";

  ObjectNode toJson() {
    ObjectNode o = JsonNodeFactory.instance.objectNode();
    o.put("backend", BACKEND);
    o.put("version", VERSION);
    o.put("task_id", taskId);
    if (contextId == null) {
      o.putNull("context_id");
    } else {
      o.put("context_id", contextId);
    }
    o.put("agent_url", agentUrl);
    o.put("card_path", cardPath);
    return o;
  }

  /** @throws OrchException BACKEND when the record is not a remote_a2a attachment of a known version */
  static A2aAttachment from(JsonNode o) {
    if (o == null || !BACKEND.equals(o.path("backend").asText()) || o.path("version").asInt() != VERSION
        || !o.path("task_id").isTextual() || !o.path("agent_url").isTextual()) {
      throw new OrchException(OrchException.ErrorCode.BACKEND, "the stored re-attachment record is not one this "
          + "remote_a2a backend (version " + VERSION + ") understands");
    }
    JsonNode ctx = o.path("context_id");
    return new A2aAttachment(o.get("task_id").asText(), ctx.isTextual() ? ctx.asText() : null,
        o.get("agent_url").asText(), o.path("card_path").asText(null));
  }
}
