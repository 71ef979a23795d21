package dev.orch.store.fs.internal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.orch.core.AgentMessage;
import dev.orch.core.OrchException;
import dev.orch.core.SessionId;
import dev.orch.core.Timestamps;
import dev.orch.core.spi.InboxMessage;

/**
 * One line of {@code sessions/<session_id>.inbox.jsonl}: the wire keys of {@code fetch_agent_messages}
 * (SPEC §2 tool 10) {@code message_id, seq, from_agent_name, from_session_id, to_agent_name, to_session_id,
 * created_at, body, metadata}.
 */
public final class InboxJson {
  private InboxJson() {
  }

  /** @return the line object */
  public static ObjectNode toJson(InboxMessage m) {
    ObjectNode n = JsonNodeFactory.instance.objectNode();
    n.put("message_id", m.messageId());
    n.put("seq", m.seq());
    n.put("from_agent_name", m.fromAgentName());
    n.put("from_session_id", m.fromSessionId() == null ? null : m.fromSessionId().value());
    n.put("to_agent_name", m.toAgentName());
    n.put("to_session_id", m.toSessionId().value());
    n.put("created_at", Timestamps.format(m.createdAt()));
    n.set("body", m.body().toJson());
    n.set("metadata", m.metadata());
    return n;
  }

  /** @throws IllegalArgumentException when a required key is missing or the body is not an agent message */
  public static InboxMessage fromJson(JsonNode n) {
    if (n == null || !n.isObject() || !n.path("seq").canConvertToLong()) {
      throw new IllegalArgumentException("inbox line misses seq");
    }
    AgentMessage body;
    try {
      body = AgentMessage.fromJson(n.get("body"), "body");
    } catch (OrchException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    String from = RunJson.text(n, "from_session_id");
    return new InboxMessage(RunJson.required(n, "message_id"), n.get("seq").asLong(),
        RunJson.text(n, "from_agent_name"), from == null ? null : new SessionId(from),
        RunJson.required(n, "to_agent_name"), new SessionId(RunJson.required(n, "to_session_id")),
        RunJson.instant(n, "created_at"), body, RunJson.object(n, "metadata"));
  }
}
